"""SOP steps 10-11: the KK handed over against the collection code, to the applicant in
person; every refusal says why and changes nothing."""

from __future__ import annotations

import pytest

from pipeline.domain.engine import judge
from pipeline.domain.model import Context, Decision, Refused
from pipeline.steps.handover import normal_code
from tests.test_engine import TODAY, case_at

PENYERAHAN = "199506062019031006"


def collecting(**data):
    case = case_at(11)
    case.collection_code = "ABCD-EFGH"
    case.data = {"nama_pemohon": "JOHN SMITH",
                 "keluarga": {"no_kk": "6305041211260001", "anggota": [
                     {"nama_lengkap": "JOHN MICHAEL SMITH",
                      "status_hubungan": "KEPALA KELUARGA"}]}, **data}
    return case


def hand_over(cfg, code, receiver, nip=PENYERAHAN):
    case = collecting()
    d = Decision(case.id, 11, True, "", "", nip,
                 {"kode_pengambilan": code, "penerima_nama": receiver})
    return judge(case, d, Context(cfg, TODAY, case=case))


def test_the_applicant_collects_with_the_code(cfg):
    t = hand_over(cfg, "abcd efgh", "john michael smith")
    assert (t.status, t.next_step) == ("issued", None)
    assert t.record == {"penerima_nama": "JOHN MICHAEL SMITH", "kode_pengambilan": "ABCD-EFGH"}


@pytest.mark.parametrize("code, receiver, nip, why", [
    ("WXYZ-2345", "JOHN MICHAEL SMITH", PENYERAHAN, "tidak cocok"),
    ("", "JOHN MICHAEL SMITH", PENYERAHAN, "Kode pengambilan belum diisi"),
    ("ABCD-EFGH", "MARY SMITH", PENYERAHAN, "bukan pemohon"),
    ("ABCD-EFGH", "JOHN MICHAEL SMITH", "199001012015032001", "bukan Petugas Penyerahan"),
])
def test_refusals_say_why(cfg, code, receiver, nip, why):
    with pytest.raises(Refused, match=why):
        hand_over(cfg, code, receiver, nip)


def test_codes_are_read_as_typed_or_scanned():
    assert normal_code(" abcd-efgh ") == normal_code("ABCDEFGH") == "ABCD-EFGH"


# --- through the desk and the terminal, into the archive -----------------------------------

import subprocess  # noqa: E402

import pypdf  # noqa: E402

from pipeline.store.register import Register  # noqa: E402
from tests.office import assert_archival, fill, one, run_once  # noqa: E402
from tests.test_tte_flow import _case, _kkwna, _pki  # noqa: E402

OFFICER = "DEMO RAHMAT HIDAYAT"


def signed(demo_at, who="JOHN SMITH"):
    home, ids = demo_at(8)
    cid, pki = ids[who], _pki(home)
    done = _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                  "--passphrase-file", str(pki["passphrase"]))
    assert done.exit_code == 0, done.output
    return home, cid


def test_collected_at_the_desk_the_case_is_filed_in_its_binder(demo_at):
    home, cid = signed(demo_at)
    case = _case(home, cid)
    form = one(home.desks / "10-penyerahan", f"{cid}*.pdf")
    fill(form, {"kode_pengambilan": case.collection_code.lower().replace("-", ""),
                "penerima_nama": "John Michael Smith", "keputusan": "setuju",
                "petugas_nama": OFFICER, "petugas_nip": PENYERAHAN})
    run_once(home)
    case = _case(home, cid)
    assert case.status == "issued" and case.folder.startswith("archive/2026/odner-01/")
    filed = home.root / case.folder
    names = sorted(p.name for p in filed.glob("*.pdf"))
    assert "11 tanda terima penyerahan.pdf" in names and "08 kartu keluarga WNA.pdf" in names
    assert not (home.root / "cases" / filed.name).exists()
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=filed).returncode == 0
    assert_archival(filed)
    assert one(home.print, f"{cid}*tanda terima penyerahan.pdf")
    assert not list((home.desks / "10-penyerahan").glob(f"{cid}*"))
    reg = Register(home.register_path)
    handed, filed_event = reg.events(cid)[-2:]  # the filing is an event of its own
    assert (handed["step"], handed["action"], handed["officer_name"]) == (11, "diserahkan",
                                                                          OFFICER)
    assert (filed_event["step"], filed_event["action"]) == (11, "diarsipkan")
    verified = _kkwna(home, "archive", "verify")
    assert verified.exit_code == 0, verified.output
    shown = _kkwna(home, "status", cid).output.splitlines()
    assert shown[1] == ("status: selesai, KK sudah diserahkan; diarsipkan di odner-01 "
                        "tahun 2026"), shown  # not "menunggu desks/10-penyerahan"
    # the year's books carry the case: the register book and the collection book
    for book in ("buku-register-2026.pdf", "buku-pengambilan-dokumen-2026.pdf"):
        text = "\n".join(p.extract_text() for p in
                         pypdf.PdfReader(home.archive / "2026" / book).pages)
        assert cid in text and "JOHN MICHAEL SMITH" in text, book
    assert "DEMO RAHMAT HIDAYAT" in "\n".join(
        p.extract_text() for p in pypdf.PdfReader(
            home.archive / "2026" / "buku-pengambilan-dokumen-2026.pdf").pages)
    # one byte of the archived card changed: its checksum and its signature both say so
    card = filed / "08 kartu keluarga WNA.pdf"
    data = bytearray(card.read_bytes())
    data[len(data) // 3] ^= 0x01
    card.chmod(0o644)
    card.write_bytes(bytes(data))
    broken = _kkwna(home, "archive", "verify")
    assert broken.exit_code == 1
    assert "08 kartu keluarga WNA.pdf: tanda tangan elektronik" in broken.output


def test_kkwna_collect_and_its_refusals(demo_at):
    home, cid = signed(demo_at)
    code = _case(home, cid).collection_code
    wrong = _kkwna(home, "collect", "ZZZZ-9999", "--receiver", "JOHN MICHAEL SMITH",
                   "--officer", PENYERAHAN)
    assert wrong.exit_code == 1 and "tidak dikenal" in wrong.output
    proxy = _kkwna(home, "collect", code, "--receiver", "MARY SMITH", "--officer", PENYERAHAN)
    assert proxy.exit_code == 1 and "bukan pemohon" in proxy.output
    assert _case(home, cid).step == 11  # nothing changed
    done = _kkwna(home, "collect", code, "--receiver", "JOHN MICHAEL SMITH",
                  "--officer", PENYERAHAN)
    assert done.exit_code == 0, done.output
    assert _case(home, cid).status == "issued"
    again = _kkwna(home, "collect", code, "--receiver", "JOHN MICHAEL SMITH",
                   "--officer", PENYERAHAN)
    assert again.exit_code == 1 and "sudah dipakai" in again.output


def test_the_code_of_a_returned_application_is_refused(office_at):
    from click.testing import CliRunner

    from pipeline.cli import cli
    from tests.conftest import VERIFIKATOR
    home = office_at(3)
    runner = CliRunner()
    back = runner.invoke(cli, ["--home", str(home.root), "decide", "KKWNA-2026-0001", "--step",
                               "3", "--return", "KITAP kedaluwarsa", "--officer", VERIFIKATOR])
    assert back.exit_code == 0, back.output
    case = Register(home.register_path).get("KKWNA-2026-0001")
    code = case.collection_code
    # filed as returned: the reason in its history, the slip withdrawn and marked void
    filed = home.root / case.folder
    assert case.status == "returned" and case.folder.startswith("archive/2026/odner-01/")
    history = "\n".join(p.extract_text() for p in pypdf.PdfReader(filed / "riwayat.pdf").pages)
    assert "Alasan: KITAP kedaluwarsa" in " ".join(history.split())  # wrapped in its cell
    assert "BATAL" in "\n".join(p.extract_text() for p in pypdf.PdfReader(
        filed / "02 tanda bukti pengambilan.pdf").pages)
    assert not list(home.print.glob("*tanda bukti pengambilan*"))
    assert list(home.print.glob("*03 surat pengembalian berkas.pdf"))
    refused = runner.invoke(cli, ["--home", str(home.root), "collect", code, "--receiver",
                                  "JOHN SMITH", "--officer", PENYERAHAN])
    assert refused.exit_code == 1 and "dikembalikan" in refused.output


def test_a_phone_photo_of_the_slip_fills_the_code_in(demo_at, tmp_path):
    from PIL import ImageFilter

    from pipeline.desks import forms
    from tests.qrread import render_page
    home, cid = signed(demo_at)
    slip = one(home.print, f"{cid}*tanda bukti pengambilan.pdf")
    photo = render_page(slip, dpi=150).filter(ImageFilter.GaussianBlur(1.0))
    photo = photo.rotate(2.5, expand=True, fillcolor=255)
    photo.save(home.desks / "10-penyerahan" / "IMG_20261123_0912.jpg", quality=80)
    run_once(home)
    form = one(home.desks / "10-penyerahan", f"{cid}*.pdf")
    fields = forms.read_fields(form)
    assert fields["kode_pengambilan"] == _case(home, cid).collection_code
    assert fields["penerima_nama"] == ""  # the officer types it from the passport shown
    assert not list((home.desks / "10-penyerahan").glob("*.jpg")), "the photo did its job"
    fill(form, {"penerima_nama": "John Michael Smith", "keputusan": "setuju",
                "petugas_nama": OFFICER, "petugas_nip": PENYERAHAN})
    run_once(home)
    assert _case(home, cid).status == "issued"


def test_a_photo_without_a_readable_slip_says_why(demo_at):
    from PIL import Image
    home, cid = signed(demo_at)
    blank = home.desks / "10-penyerahan" / "foto.jpg"
    Image.new("L", (800, 600), 200).save(blank)
    run_once(home)
    note = blank.with_name(blank.name + ".error.txt").read_text()
    assert "kode QR tanda bukti pengambilan tidak terbaca" in note
    assert _case(home, cid).step == 11
