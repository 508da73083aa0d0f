"""Perubahan Data KK WNA end to end (issue 17): a KK issued, then changed, through the forms
(the watcher on a temporary home, forms filled and saved as staff do) and through the
terminal (`kkwna decide`, `enter`, `sign`); and `kkwna demo --service perubahan-data`.

One office is built once per module: the sample family's KK issued by the ordinary demo,
then two change applications dropped into inbox-perubahan-data/ and their checklists
approved, so both wait for the verifier. Each test works on a copy.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.demo.change import change_values, changed_family, drop_change, newborn
from pipeline.demo.walkthrough import (
    FAMILY,
    HEAD,
    Office,
    fill_form,
    issue_sample,
    new_demo_office,
    validity,
)
from pipeline.desks.placing import error_path
from pipeline.domain import clock, family
from pipeline.office import home as homes
from pipeline.steps import change_base
from pipeline.store.register import Register
from tests.office import assert_archival

pytestmark = pytest.mark.slow
ADM_SIAK, VERIFIKATOR = "199203032016032003", "198802022014031002"
ANALIS, KEPALA_BIDANG = "198504042010011004", "198005052005012005"
PENYERAHAN = "199506062019031006"


def kkwna(*args: str, home: Path | None = None) -> Result:
    prefix = ["--home", str(home)] if home else []
    return CliRunner().invoke(cli, [*prefix, *args])


def page_text(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(path).pages)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("perubahan") / "kantor"
    home, pki = new_demo_office(root)
    office = Office(home)
    try:
        first = issue_sample(office, pki)
        issued = office.case(first.case_id)
        old_card = home.root / issued.folder / str(issued.data["kk_ttd"])
        env = office.env
        today = clock.now(env.cfg.tz).date()
        valid = validity(today)
        for n in (1, 2):  # two changes of one card: the second must wait for the first
            folder = drop_change(env, old_card, valid, today)
            folder.rename(folder.with_name(f"{folder.name} {n}"))
        office.watch_once()
        changes = sorted((c for c in office.reg.cases("open") if c.service == "perubahan-data"),
                         key=lambda c: c.id)
        assert [c.step for c in changes] == [2, 2], [c.id for c in changes]
        no_kk = change_base.no_kk_of(issued)
        for case in changes:
            office.decide_at_desk(case.id, change_values(env, case, valid, no_kk, today))
        return {"home": home.root, "old": first.case_id, "old_card": old_card,
                "changes": [c.id for c in changes], "no_kk": no_kk, "today": today,
                "p12": pki.head_of_office_p12, "passphrase": pki.passphrase_file}
    finally:
        office.close()


@pytest.fixture
def office_copy(built: dict[str, object], tmp_path: Path) -> Callable[[], Office]:
    """A fresh copy of the built office (paths inside kkwna.toml are relative)."""
    def make() -> Office:
        target = tmp_path / "kantor"
        shutil.copytree(Path(str(built["home"])), target, symlinks=True)
        return Office(homes.Home(target))
    return make


def _form_fields(form: Path) -> dict[str, str]:
    return {k: str(v.get("/V", "")) for k, v in (pypdf.PdfReader(form).get_fields() or {}).items()}


def test_a_change_through_the_forms(built: dict[str, object],
                                    office_copy: Callable[[], Office]) -> None:
    office = office_copy()
    try:
        env, reg = office.env, office.reg
        cid, other = (str(c) for c in built["changes"])  # type: ignore[attr-defined]
        old, no_kk, today = str(built["old"]), str(built["no_kk"]), built["today"]
        assert isinstance(today, date)
        valid = validity(today)
        case = office.case(cid)
        assert case.step == 3 and cid.startswith("PDKKWNA-")
        # its own checklist, citing no invented SOP number
        checklist = page_text(env.home.root / case.folder / "02 lembar checklist.pdf")
        assert "PERUBAHAN DATA KARTU KELUARGA WNA" in checklist
        assert "SOP Perubahan Data (nomor belum ditetapkan)" in " ".join(checklist.split())
        # the verifier's sheet names the KK it guessed from the applicant's name
        assert _form_fields(office.desk_form(case))["no_kk_lama"] == no_kk

        # a No. KK no issued card has: refused, the reason beside the form
        wrong = {**change_values(env, case, valid, no_kk, today),
                 "no_kk_lama": "6305041211269999"}
        form = fill_form(office.desk_form(case), wrong)
        office.watch_once()
        assert office.case(cid).step == 3
        why = error_path(form).read_text(encoding="utf-8")
        assert "6305041211269999 tidak ditemukan pada KK yang sudah diterbitkan" in why

        case = office.decide_at_desk(cid, change_values(env, case, valid, no_kk, today))
        assert case.step == 4 and case.data["kk_lama"] == old
        assert reg.replaces(cid) == old and reg.open_change_of(old).id == cid  # type: ignore[union-attr]

        # the other change of the same card is refused while this one is open
        second = office.case(other)
        form = fill_form(office.desk_form(second),
                         change_values(env, second, valid, no_kk, today))
        office.watch_once()
        assert office.case(other).step == 3
        assert f"sedang diubah oleh kasus {cid}" in error_path(form).read_text(encoding="utf-8")

        # data entry: pre-filled with the issued card's family, the No. KK kept
        fields = _form_fields(office.desk_form(case))
        assert fields["no_kk"] == no_kk and fields["a3_nama_lengkap"] == "OLIVIA GRACE SMITH"
        assert fields["a4_nama_lengkap"] == ""
        unchanged = {**change_values(env, case, valid, no_kk, today),
                     **family.to_form_fields(FAMILY, area=env.cfg.area)}
        form = fill_form(office.desk_form(case), unchanged)
        office.watch_once()
        assert "tidak ada data yang berubah" in error_path(form).read_text(encoding="utf-8")
        renumbered = {**change_values(env, case, valid, no_kk, today),
                      "no_kk": "6305041211260002"}
        form = fill_form(office.desk_form(office.case(cid)), renumbered)
        office.watch_once()
        assert f"No. KK tidak boleh diubah pada perubahan data: tetap {no_kk}" in \
            error_path(form).read_text(encoding="utf-8")

        case = office.decide_at_desk(cid, change_values(env, office.case(cid), valid, no_kk,
                                                        today))
        assert case.step == 5
        assert [(c["kind"], c["member"]) for c in case.data["perubahan"]] == [
            ("tambah", "NOAH JAMES SMITH")]
        folder = env.home.root / case.folder
        draft = folder / "04 konsep KK perubahan.pdf"
        assert len(pypdf.PdfReader(draft).pages) == 2
        listed = pypdf.PdfReader(draft).pages[1].extract_text()
        assert "DAFTAR PERUBAHAN DATA" in listed and "NOAH JAMES SMITH" in listed
        assert f"register {old}" in listed

        # the reviews: old and new side by side, then the head's paraf on the marked draft
        sheet = page_text(office.desk_form(case))
        assert "DATA LAMA DAN DATA BARU" in sheet and "Anggota 4 (NOAH JAMES SMITH)" in sheet
        case = office.decide_at_desk(cid, change_values(env, case, valid, no_kk, today))
        case = office.decide_at_desk(cid, change_values(env, case, valid, no_kk, today))
        assert case.step == 8
        filed = page_text(folder / "06 konsep KK perubahan diparaf.pdf")
        assert "Paraf Kepala Bidang" in filed and "DAFTAR PERUBAHAN DATA" in filed
        # the card to be signed is a normal KK: the same No. KK, no marks, no list
        # every document the change filed, its own layouts and the marked drafts, is PDF/A
        assert {"03 lembar verifikasi perubahan data.pdf", "04 formulir perubahan data KK.pdf",
                "05 konsep KK perubahan dikoreksi.pdf"} <= set(assert_archival(folder))
        tte = folder / "07 draf TTE KK.pdf"
        assert len(pypdf.PdfReader(tte).pages) == 1
        assert no_kk in page_text(tte) and "NOAH JAMES SMITH" in page_text(tte)
    finally:
        office.close()


def verification_args(case_id: str, no_kk: str, today: date) -> list[str]:
    valid = validity(today)
    fields = {"no_kk_lama": no_kk, "no_paspor": HEAD["no_paspor"],
              "paspor_berlaku_sampai": family.format_date(valid.passport_expires),
              "no_kitap": HEAD["no_kitap"],
              "kitap_berlaku_sampai": family.format_date(valid.kitap_expires),
              "data_valid": "ya", "bukan_data_ganda": "ya"}
    pairs = [x for k, v in fields.items() for x in ("--field", f"{k}={v}")]
    return ["decide", case_id, "--step", "3", "--approve", "--officer", VERIFIKATOR, *pairs]


def test_a_change_through_the_terminal_replaces_the_old_card(
        built: dict[str, object], office_copy: Callable[[], Office], tmp_path: Path) -> None:
    office = office_copy()
    home = office.env.home.root
    office.close()
    cid, other = (str(c) for c in built["changes"])  # type: ignore[attr-defined]
    old, no_kk, today = str(built["old"]), str(built["no_kk"]), built["today"]
    assert isinstance(today, date)
    r = kkwna(*verification_args(cid, "6305041211269999", today), home=home)
    assert r.exit_code != 0 and "tidak ditemukan pada KK yang sudah diterbitkan" in r.output
    r = kkwna(*verification_args(cid, no_kk, today), home=home)
    assert r.exit_code == 0, r.output
    data = tmp_path / "keluarga.json"
    data.write_text(json.dumps(changed_family(today)), encoding="utf-8")
    r = kkwna("enter", cid, str(data), "--officer", ADM_SIAK, home=home)
    assert r.exit_code == 0, r.output
    for step, nip in (("5", ANALIS), ("6", KEPALA_BIDANG)):
        r = kkwna("decide", cid, "--step", step, "--approve", "--officer", nip, home=home)
        assert r.exit_code == 0, r.output
    r = kkwna("sign", cid, "--p12", str(built["p12"]), "--passphrase-file",
              str(built["passphrase"]), home=home)
    assert r.exit_code == 0, r.output

    reg = Register(homes.Home(home).register_path)
    try:
        case = reg.get(cid)
        assert case.step == 11 and reg.replaces(cid) == old
        done = reg.replacement_of(old)
        assert done is not None and done[0].id == cid
        new_card = home / case.folder / str(case.data["kk_ttd"])
        keluarga = case.data["keluarga"]
        assert keluarga["no_kk"] == no_kk and len(keluarga["anggota"]) == 4
        assert keluarga["anggota"][3]["nik"] == newborn(today)["nik"]
        old_case = reg.get(old)
    finally:
        reg.close()
    old_card = home / old_case.folder / str(old_case.data["kk_ttd"])
    seen = kkwna("verify", str(old_card), home=home)
    assert seen.exit_code == 1 and seen.output.startswith("DIGANTI"), seen.output
    assert cid in seen.output.splitlines()[0]
    seen = kkwna("verify", str(new_card), home=home)
    assert seen.exit_code == 0 and seen.output.startswith("ASLI"), seen.output

    # the second change of the old card: it was replaced, and its new card is not issued yet
    r = kkwna(*verification_args(other, no_kk, today), home=home)
    assert r.exit_code != 0 and f"sudah diganti oleh KK {cid}" in r.output, r.output
    r = kkwna("decide", cid, "--step", "11", "--approve", "--officer", PENYERAHAN,
              "--field", f"kode_pengambilan={case.collection_code}",
              "--field", "penerima_nama=JOHN MICHAEL SMITH", home=home)
    assert r.exit_code == 0, r.output
    # once handed over, the same No. KK names the new card: the second change changes it
    r = kkwna(*verification_args(other, no_kk, today), home=home)
    assert r.exit_code == 0, r.output
    reg = Register(homes.Home(home).register_path)
    try:
        assert reg.get(cid).status == "issued" and reg.replaces(other) == cid
    finally:
        reg.close()


def test_kkwna_demo_service_perubahan_data_prints_both_cards(tmp_path: Path) -> None:
    result = kkwna("demo", "--service", "perubahan-data", "--dir", str(tmp_path / "kantor"))
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert all(p.is_absolute() and p.exists() for p in paths), result.output
    home, new_card, old_card = paths[-1], paths[-2], paths[-3]
    assert old_card.name == new_card.name == "08 kartu keluarga WNA.pdf"
    assert old_card.parent.name.startswith("KKWNA-")
    assert new_card.parent.name.startswith("PDKKWNA-")
    seen = kkwna("verify", str(old_card), home=home)
    assert seen.exit_code == 1 and seen.output.startswith("DIGANTI"), seen.output
    seen = kkwna("verify", str(new_card), home=home)
    assert seen.exit_code == 0 and seen.output.startswith("ASLI"), seen.output
    assert "NOAH JAMES SMITH" in page_text(new_card)
