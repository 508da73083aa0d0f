"""family_changes (issue 17): what a Perubahan Data case changes on an issued KK, pure."""

from __future__ import annotations

import copy

from pipeline.demo.walkthrough import FAMILY, HEAD, SPOUSE
from pipeline.domain import family_changes as fc

CHILD = {**{k: "" for k in HEAD}, "nama_lengkap": "NOAH JAMES SMITH", "nik": "6305040101260004",
         "jenis_kelamin": "LAKI-LAKI", "tempat_lahir": "RANTAU", "tanggal_lahir": "01-01-2026",
         "agama": "KRISTEN", "status_perkawinan": "BELUM KAWIN", "status_hubungan": "ANAK",
         "kewarganegaraan": "AUSTRALIA", "nama_ayah": "JOHN MICHAEL SMITH",
         "nama_ibu": "EMILY ROSE SMITH"}


def test_the_same_data_is_no_change_even_spelt_otherwise():
    again = copy.deepcopy(FAMILY)
    again["anggota"][0] = {**HEAD, "pendidikan": "s1", "nama_lengkap": " john  michael smith"}
    assert fc.changes(FAMILY, again) == []


def test_a_child_born_is_one_member_added_on_the_next_row():
    new = {**FAMILY, "anggota": [*FAMILY["anggota"], CHILD]}
    found = fc.changes(FAMILY, new)
    assert [(c.kind, c.member, c.new_row) for c in found] == [("tambah", "NOAH JAMES SMITH", 4)]
    assert found[0].text == "Anggota 4 (NOAH JAMES SMITH): ditambahkan"
    assert found[0].row() == {"elemen": "Anggota 4 (NOAH JAMES SMITH)", "lama": "(belum ada)",
                              "baru": "ditambahkan"}
    cells = fc.marked_cells(found)
    assert {"a4.no", "a4.nama_lengkap", "a4.nik", "a4.nama_ibu"} <= cells
    assert not any(c.startswith(("a1.", "a2.", "a3.")) for c in cells)


def test_a_renewed_passport_is_one_field_changed_with_old_and_new():
    members = copy.deepcopy(FAMILY["anggota"])
    members[1]["no_paspor"] = "PB9999999"
    found = fc.changes(FAMILY, {**FAMILY, "anggota": members})
    assert len(found) == 1
    c = found[0]
    assert (c.kind, c.key, c.old, c.new, c.old_row, c.new_row) == \
        ("ubah", "no_paspor", SPOUSE["no_paspor"], "PB9999999", 2, 2)
    assert c.text == f"Anggota 2 (EMILY ROSE SMITH), No. Paspor: {SPOUSE['no_paspor']} menjadi " \
                     f"PB9999999"
    assert fc.marked_cells(found) == {"a2.no_paspor"}


def test_a_move_changes_header_fields_and_marks_their_cells():
    moved = {**FAMILY, "alamat": "JL. JENDERAL SUDIRMAN NO. 3", "rt": "7"}
    found = fc.changes(FAMILY, moved)
    assert [(c.key, c.old, c.new) for c in found] == [
        ("alamat", FAMILY["alamat"], "JL. JENDERAL SUDIRMAN NO. 3"), ("rt", "003", "007")]
    assert found[0].text.startswith("Alamat: JL. BRIGJEN")
    assert fc.marked_cells(found) == {"alamat", "rt_rw"}


def test_a_member_who_leaves_is_removed_and_the_others_match_by_nik_despite_moving_up():
    head, spouse, child = copy.deepcopy(FAMILY["anggota"])
    spouse["nama_lengkap"] = "EMILY ROSE BROWN"  # her name corrected too: matched by NIK
    found = fc.changes(FAMILY, {**FAMILY, "anggota": [head, spouse]})
    assert [(c.kind, c.key, c.old_row, c.new_row) for c in found] == [
        ("ubah", "nama_lengkap", 2, 2), ("hapus", "", 3, None)]
    assert found[-1].text == "Anggota 3 (OLIVIA GRACE SMITH): dihapus"
    # the spouse leaves: the child moves up from row 3 to row 2, matched, not re-added
    found = fc.changes(FAMILY, {**FAMILY, "anggota": [head, child]})
    assert [(c.kind, c.member) for c in found] == [("hapus", "EMILY ROSE SMITH")]
    assert fc.marked_cells(found) == set()


def test_without_nik_a_member_is_matched_by_name_and_birth_date_then_by_name():
    old = {**FAMILY, "anggota": [{**HEAD, "nik": ""}]}
    born = {**FAMILY, "anggota": [{**HEAD, "nik": "", "tanggal_lahir": "16-03-1980"}]}
    found = fc.changes(old, born)
    assert [(c.kind, c.key) for c in found] == [("ubah", "tanggal_lahir")]


def test_changes_survive_being_kept_as_json_data():
    new = {**FAMILY, "rw": "2", "anggota": [*FAMILY["anggota"], CHILD]}
    found = fc.changes(FAMILY, new)
    assert fc.from_data(fc.as_data(found)) == found
