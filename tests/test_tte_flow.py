"""SOP steps 7-9 end to end: `init --demo`, the final KK filed and put on desk 08, signed
with `kkwna sign` or in another application, checked, printed, e-mailed, and verified.

A demo office with two cases approved up to step 6 is built once per session (the demo
PKI and five decisions per case are slow) and copied per test.
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import stat
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pikepdf
import pikepdf.pdfa
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers

from pipeline import flow
from pipeline.cli import cli
from pipeline.desks import desk_pdf, forms
from pipeline.domain.case import Case
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.render import kk_final
from pipeline.signing import keys, pades, settings
from pipeline.signing.inspect import MESSAGES
from pipeline.signing.seal import VDS_PREFIX, open_seal
from pipeline.signing.verify import verify_pdf
from pipeline.store.register import Register
from tests.forgeries import info_changed
from tests.office import run_once
from tests.qrread import read_standard_qr, render_page
from tests.stages import approve
from tests.tte_office import JANE, JOHN

SIGNED = "08 kartu keluarga WNA.pdf"


def _env(home: homes.Home) -> Env:
    return Env(home, config.load(home.root))


def _case(home: homes.Home, case_id: str) -> Case:
    reg = Register(home.register_path)
    try:
        found = reg.find(case_id)
        assert found is not None
        return found
    finally:
        reg.close()


def _events(home: homes.Home, case_id: str) -> list[tuple[int, str, dict[str, Any]]]:
    reg = Register(home.register_path)
    try:
        return [(e["step"], e["action"], json.loads(e["detail"] or "{}"))
                for e in reg.events(case_id)]
    finally:
        reg.close()


def _pki(home: homes.Home) -> dict[str, Path]:
    folder = home.state / "demo-pki"
    return {"head": folder / "demo-kepala-dinas.p12", "division": folder / "demo-kepala-bidang.p12",
            "passphrase": folder / "passphrase.txt", "seal": folder / "demo-segel-elektronik.pem"}


def _kkwna(home: homes.Home, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home.root), *args], input=input)


def _desk_item(home: homes.Home, case_id: str) -> Path:
    desk = home.desks / "08-kepala-dinas"
    found = [p for p in desk.glob("*.pdf") if p.name.startswith(case_id)]
    assert len(found) == 1, found
    return found[0]


def _sign_elsewhere(src: Path, out: Path, p12: Path, passphrase: bytes) -> None:
    """What another PDF application does: an incremental signature into the field."""
    signer = keys.load_signer(p12, passphrase)
    w = IncrementalPdfFileWriter(io.BytesIO(src.read_bytes()))
    meta = signers.PdfSignatureMetadata(field_name=kk_final.SIGNATURE_FIELD,
                                        subfilter=sig_fields.SigSeedSubFilter.PADES)
    buf = io.BytesIO()
    signers.sign_pdf(w, meta, signer=signer, output=buf)
    out.write_bytes(buf.getvalue())


# --- init --demo ----------------------------------------------------------------------------

def test_init_demo_prints_the_key_files_and_the_officers(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    result = CliRunner().invoke(cli, ["--home", str(home), "init", "--demo"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines() if ": " in line)
    for label in ("head of office p12", "head of division p12", "passphrase file", "root CA"):
        path = Path(lines[label])
        assert path.is_absolute() and path.is_file(), label
    for label in ("head of office p12", "head of division p12", "passphrase file"):
        assert stat.S_IMODE(Path(lines[label]).stat().st_mode) == 0o600, label
    assert lines["kepala_dinas"] == "Hj. RINA INDRIANI, ST, NIP 19820311 200501 2 017"
    assert lines["kepala_bidang"].startswith("DEMO HJ. NOOR HIDAYAH, SE, NIP 19800505 200501 2 005")
    # the head of office's p12 opens with the printed passphrase and names the officer
    passphrase = keys.read_passphrase(Path(lines["passphrase file"]))
    signer = keys.load_signer(Path(lines["head of office p12"]), passphrase)
    assert "RINA INDRIANI" in signer.signing_cert.subject.human_friendly
    assert "19820311200501" in signer.signing_cert.subject.human_friendly.replace(" ", "")
    # kkwna.toml names the PKI (relative to the home) and e-mail stays as it was
    cfg = config.load(home)
    t = cfg.tte.resolved(home)
    assert t.trust_roots == (Path(lines["root CA"]),)
    assert settings.head_of_office_sha256(t) == keys.fingerprint(signer.signing_cert)
    assert t.tsa_p12 is not None and t.tsa_p12.is_file()
    assert not cfg.email.enabled and "[email]" in (home / "kkwna.toml").read_text()
    # again: the same home, a new PKI, kkwna.toml still valid
    again = CliRunner().invoke(cli, ["--home", str(home), "init", "--demo"])
    assert again.exit_code == 0, again.output
    assert config.load(home).tte == cfg.tte


def test_init_without_demo_leaves_tte_empty_and_explained(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    result = CliRunner().invoke(cli, ["--home", str(home), "init"])
    assert result.exit_code == 0 and "p12" not in result.output
    assert config.load(home).tte == config.TteConfig()
    assert "Kosong berarti belum diatur" in (home / "kkwna.toml").read_text()


# --- step 7: the draft and the desk item ------------------------------------------------------

def test_step_7_files_the_sealed_final_kk_and_puts_it_on_desk_8(demo_at) -> None:
    home, ids = demo_at(8)
    cid = ids["JOHN SMITH"]
    case = _case(home, cid)
    assert case.step == 8 and case.status == "open"
    assert [a for s, a, _ in _events(home, cid) if s == 7] == ["diajukan"]
    draft = home.root / case.folder / "07 draf TTE KK.pdf"
    # PDF/A-2b but for the signature field the validator cannot judge
    with pikepdf.open(draft) as pdf:
        del pdf.Root["/AcroForm"]
        del pdf.pages[0].obj["/Annots"]
        assert pikepdf.pdfa.check(pdf, "2b").passed
    assert pades.read_identity(draft) == (cid, "6305041211260001")
    assert pades.read_holder(draft) == "JOHN MICHAEL SMITH"
    # the QR code is a standard QR code holding the office's seal, which opens
    texts = read_standard_qr(render_page(draft, dpi=200))
    assert len(texts) == 1 and texts[0].startswith(VDS_PREFIX)
    cert = settings.seal_certificate(path=_pki(home)["seal"])
    sealed = open_seal(texts[0], cert)
    assert (sealed.register_no, sealed.no_kk, sealed.kepala_keluarga, sealed.jumlah_anggota) \
        == (cid, "6305041211260001", "JOHN MICHAEL SMITH", 1)
    # the desk item: the draft with kasus, langkah and one empty signature field
    item = _desk_item(home, cid)
    assert forms.read_fields(item)["kasus"] == cid
    assert forms.read_fields(item)["langkah"] == "8"
    reader = PdfFileReader(io.BytesIO(item.read_bytes()))
    sigs = list(sig_fields.enumerate_sig_fields(reader, filled_status=None))
    assert [(name, value) for name, value, _ in sigs] == [(kk_final.SIGNATURE_FIELD, None)]
    report = pikepdf.pdfa.validate_written(item, "2b")
    assert not report.violations, report.violations  # hidden fields kept PDF/A-friendly
    assert not Path(f"{item}.error.txt").exists(), "TTE is configured: no notice"


def test_without_tte_the_card_is_still_filed_with_a_plain_qr_and_a_notice(office_at) -> None:
    home = office_at(8)  # built without --demo
    case = _case(home, "KKWNA-2026-0001")
    draft = home.root / case.folder / "07 draf TTE KK.pdf"
    assert read_standard_qr(render_page(draft, dpi=200)) == \
        ["KKWNA KKWNA-2026-0001 NO.KK 6305041211260001"]
    item = _desk_item(home, "KKWNA-2026-0001")
    notice = Path(f"{item}.error.txt").read_text(encoding="utf-8")
    assert "TTE belum diatur" in notice
    p12 = tmp_p12 = home.root / "kunci.p12"
    tmp_p12.write_bytes(b"bukan p12")
    result = _kkwna(home, "sign", "KKWNA-2026-0001", "--p12", str(p12), input="x\n")
    assert result.exit_code == 1 and _case(home, "KKWNA-2026-0001").step == 8


# --- step 8 from the terminal -----------------------------------------------------------------

def test_kkwna_sign_files_a_b_lta_card_prints_it_and_the_case_waits_for_hand_over(demo_at) -> None:
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    result = _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                    "--passphrase-file", str(pki["passphrase"]))
    assert result.exit_code == 0, result.output
    case = _case(home, cid)
    assert (case.status, case.step) == ("open", 11)
    signed = home.root / case.folder / SIGNED
    env = _env(home)
    t = env.tte
    verdict = verify_pdf(signed, settings.trust(t), settings.head_of_office_sha256(t))
    assert verdict.ok, verdict.reason
    assert verdict.details["level"] == "PAdES B-LTA"
    assert verdict.details["register_no"] == cid
    assert "RINA INDRIANI" in verdict.details["penanda_tangan"]
    assert (home.print / f"{case.id} {case.title} - {SIGNED}").read_bytes() == signed.read_bytes()
    events = _events(home, cid)
    assert [(s, a) for s, a, _ in events][-3:] == [(8, "ditandatangani"), (9, "dicetak"),
                                                   (10, "siap diserahkan")]
    assert events[-3][2]["cara"] == "kkwna sign"
    assert events[-2][2]["email"] == "tidak ada"
    assert not list((home.desks / "08-kepala-dinas").glob(f"{cid}*"))
    # step 10 put the KK on the hand-over desk: its form waits there, decided as step 11
    (waiting,) = (home.desks / "10-penyerahan").glob(f"{cid}*.pdf")
    assert forms.read_fields(waiting)["langkah"] == "11"
    status = _kkwna(home, "status", cid)
    assert status.exit_code == 0 and "desks/10-penyerahan" in status.output
    # the other case is untouched
    assert _case(home, ids["JANE DOE"]).step == 8


def test_look_at_the_signed_card(demo_at, tmp_path: Path) -> None:
    """The signature block sits in the rectangle between jabatan and name; the seal reads."""
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    assert _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                  "--passphrase-file", str(pki["passphrase"])).exit_code == 0
    signed = home.root / _case(home, cid).folder / SIGNED
    page = render_page(signed, dpi=110, forms=True)
    page.save(tmp_path / "signed.png")
    x0, y0, x1, y1 = kk_final.signature_rect()
    scale = 110 / 72
    height = page.height
    box = page.crop((int(x0 * scale), int(height - y1 * scale), int(x1 * scale),
                     int(height - y0 * scale)))
    assert box.getextrema()[0] < 100, "the signature block is drawn in its rectangle"
    assert read_standard_qr(render_page(signed, dpi=200, forms=True))[0].startswith(VDS_PREFIX)


def test_sign_all_signs_both_cases_with_a_summary(demo_at) -> None:
    home, ids = demo_at(8)
    pki = _pki(home)
    result = _kkwna(home, "sign", "--all", "--p12", str(pki["head"]),
                    "--passphrase-file", str(pki["passphrase"]))
    assert result.exit_code == 0, result.output
    assert "2 KK ditandatangani, 0 gagal" in result.output
    for cid in ids.values():
        assert _case(home, cid).step == 11
        assert (home.root / _case(home, cid).folder / SIGNED).is_file()
    again = _kkwna(home, "sign", "--all", "--p12", str(pki["head"]),
                   "--passphrase-file", str(pki["passphrase"]))
    assert again.exit_code == 0 and "tidak ada KK yang menunggu" in again.output
    twice = _kkwna(home, "sign", ids["JANE DOE"], "--p12", str(pki["head"]),
                   "--passphrase-file", str(pki["passphrase"]))
    assert twice.exit_code == 1 and "tidak menunggu tanda tangan" in twice.output
    assert _kkwna(home, "sign", "--p12", str(pki["head"])).exit_code == 2  # CASE or --all


def test_sign_all_goes_on_past_a_failing_case(demo_at) -> None:
    home, ids = demo_at(8)
    pki = _pki(home)
    broken = _case(home, ids["JANE DOE"])
    (home.root / broken.folder / "07 draf TTE KK.pdf").write_bytes(b"rusak")
    _desk_item(home, broken.id).write_bytes(b"rusak")
    result = _kkwna(home, "sign", "--all", "--p12", str(pki["head"]),
                    "--passphrase-file", str(pki["passphrase"]))
    assert result.exit_code == 1, result.output
    assert "1 KK ditandatangani, 1 gagal" in result.output
    assert f"gagal: {broken.id}:" in result.output
    assert _case(home, ids["JOHN SMITH"]).step == 11 and _case(home, broken.id).step == 8


def test_a_passphrase_file_others_can_read_is_refused(demo_at, tmp_path: Path) -> None:
    home, ids = demo_at(8)
    pki = _pki(home)
    loose = tmp_path / "sandi.txt"
    shutil.copy(pki["passphrase"], loose)
    loose.chmod(0o644)
    result = _kkwna(home, "sign", ids["JOHN SMITH"], "--p12", str(pki["head"]),
                    "--passphrase-file", str(loose))
    assert result.exit_code == 1
    assert "dapat dibaca pengguna lain" in result.output
    assert _case(home, ids["JOHN SMITH"]).step == 8


def test_the_passphrase_is_asked_for_and_the_wrong_key_refused(demo_at) -> None:
    home, ids = demo_at(8)
    pki = _pki(home)
    passphrase = keys.read_passphrase(pki["passphrase"]).decode()
    result = _kkwna(home, "sign", ids["JOHN SMITH"], "--p12", str(pki["division"]),
                    input=passphrase + "\n")
    assert result.exit_code == 1
    assert "bukan sertifikat Kepala Dinas" in result.output
    assert passphrase not in result.output
    assert _case(home, ids["JOHN SMITH"]).step == 8


# --- step 8 signed elsewhere ----------------------------------------------------------------

def test_the_draft_kkwna_placed_is_left_untouched(demo_at) -> None:
    home, ids = demo_at(8)
    item = _desk_item(home, ids["JOHN SMITH"])
    reg = Register(home.register_path)
    try:
        assert flow.handle_form(_env(home), reg, item) == "untouched"
    finally:
        reg.close()
    assert item.exists() and not Path(f"{item}.error.txt").exists()


def test_signed_in_another_application_is_accepted_and_recorded(demo_at) -> None:
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    item = _desk_item(home, cid)
    saved_as = item.with_name("ditandatangani.pdf")  # Save As under another name
    _sign_elsewhere(item, saved_as, pki["head"], keys.read_passphrase(pki["passphrase"]))
    reg = Register(home.register_path)
    try:
        assert flow.handle_form(_env(home), reg, saved_as) == "signed"
    finally:
        reg.close()
    case = _case(home, cid)
    assert case.step == 11
    assert not saved_as.exists() and not item.exists(), "every copy left the desk"
    t = _env(home).tte
    verdict = verify_pdf(home.root / case.folder / SIGNED, settings.trust(t),
                         settings.head_of_office_sha256(t))
    assert verdict.ok, verdict.reason
    events = _events(home, cid)
    assert [(s, a) for s, a, _ in events][-3:-1] == [(8, "ditandatangani"), (9, "dicetak")]
    assert events[-3][2]["cara"] == "aplikasi lain"


def test_another_signer_is_refused_with_an_error_file_and_the_case_stays(demo_at) -> None:
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    item = _desk_item(home, cid)
    _sign_elsewhere(item, item, pki["division"], keys.read_passphrase(pki["passphrase"]))
    run_once(home)  # the watcher finds it on the desk
    error = Path(f"{item}.error.txt").read_text(encoding="utf-8")
    assert MESSAGES["unknown_signer"] in error
    assert _case(home, cid).step == 8 and item.exists()
    assert not (home.root / _case(home, cid).folder / SIGNED).exists()


# --- verify ---------------------------------------------------------------------------------

def test_verify_says_genuine_and_one_flipped_byte_is_not(demo_at, tmp_path: Path) -> None:
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    assert _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                  "--passphrase-file", str(pki["passphrase"])).exit_code == 0
    signed = home.root / _case(home, cid).folder / SIGNED
    result = _kkwna(home, "verify", str(signed))
    assert result.exit_code == 0, result.output
    assert f"Nomor register: {cid}" in result.output
    assert "Tingkat tanda tangan: PAdES B-LTA" in result.output
    assert result.output.splitlines()[0].startswith("ASLI:")
    data = bytearray(signed.read_bytes())
    middle = len(data) // 3
    data[middle] ^= 0x01
    forged = tmp_path / "palsu.pdf"
    forged.write_bytes(bytes(data))
    bad = _kkwna(home, "verify", str(forged))
    assert bad.exit_code == 1 and "TIDAK ASLI" in bad.output
    # a photo of the printed card: the seal checks and the register lists the case
    photo = tmp_path / "foto.png"
    render_page(signed, dpi=200, forms=True).save(photo)
    seen = _kkwna(home, "verify", str(photo))
    assert seen.exit_code == 0, seen.output
    assert "Sidik data keluarga:" in seen.output
    # outside an office folder: the trust root and seal certificate come from options
    elsewhere = homes.Home(tmp_path / "bukan-kantor")
    root = home.state / "demo-pki" / "demo-root-ca.pem"
    assert _kkwna(elsewhere, "verify", str(signed)).exit_code == 1
    assert _kkwna(elsewhere, "verify", str(signed), "--trust-root", str(root)).exit_code == 0
    assert _kkwna(elsewhere, "verify", str(forged), "--trust-root", str(root)).exit_code == 1
    assert _kkwna(elsewhere, "verify", str(photo), "--seal-cert",
                  str(pki["seal"])).exit_code == 0


def test_verify_refuses_a_genuine_signature_the_register_does_not_list_as_signed(
        demo_at, tmp_path: Path) -> None:
    """A card signed outside the pipeline (the case still waits at step 8)."""
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    signed = tmp_path / "diluar.pdf"
    _sign_elsewhere(_desk_item(home, cid), signed, pki["head"],
                    keys.read_passphrase(pki["passphrase"]))
    t = _env(home).tte
    pades.add_validation_data(signed, signed, trust=settings.trust(t), timestamper=None)
    result = _kkwna(home, "verify", str(signed))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first == f"TIDAK ASLI: {cid} belum ditandatangani menurut register"


def test_a_card_edited_after_signing_is_refused_on_desk_8(demo_at) -> None:
    """John's card signed, then its Info rewritten to name Jane's case: not John's signature."""
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    item = _desk_item(home, cid)
    _sign_elsewhere(item, item, pki["head"], keys.read_passphrase(pki["passphrase"]))
    info_changed(item, item, ids["JANE DOE"], JANE["no_kk"], "JANE ELIZABETH DOE")
    run_once(home)
    error = Path(f"{item}.error.txt").read_text(encoding="utf-8")
    assert MESSAGES["added_after"] in error
    assert _case(home, cid).step == 8 and _case(home, ids["JANE DOE"]).step == 8
    assert not (home.root / _case(home, cid).folder / SIGNED).exists()


def test_verify_refuses_a_signed_card_renamed_to_another_case(demo_at, tmp_path: Path) -> None:
    """Both cards signed; John's, with Jane's identity written after the signature, is
    TIDAK ASLI on the first line, and neither Jane's case nor a signature level is shown."""
    home, ids = demo_at(8)
    pki = _pki(home)
    assert _kkwna(home, "sign", "--all", "--p12", str(pki["head"]),
                  "--passphrase-file", str(pki["passphrase"])).exit_code == 0
    john = home.root / _case(home, ids["JOHN SMITH"]).folder / SIGNED
    forged = tmp_path / "kk-jane.pdf"
    info_changed(john, forged, ids["JANE DOE"], JANE["no_kk"], "JANE ELIZABETH DOE")
    result = _kkwna(home, "verify", str(forged))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"TIDAK ASLI: {MESSAGES['added_after']}"]
    assert result.stderr == ""


# --- step 9: e-mail -------------------------------------------------------------------------

class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mail_settings(home: homes.Home, port: int, to: str, case_id: str) -> None:
    path = home.root / config.FILENAME
    text = path.read_text(encoding="utf-8")
    text = text.replace('host = ""                    # SMTP', 'host = "127.0.0.1"  # SMTP')
    text = text.replace("port = 587", f"port = {port}")
    text = text.replace('security = "starttls"', 'security = "none"')
    text = text.replace('sender = ""                  # From',
                        'sender = "dukcapil@tapin.test"  # From')
    path.write_text(text, encoding="utf-8")
    reg = Register(home.register_path)
    try:
        case = reg.find(case_id)
        assert case is not None
        case.data["keluarga"]["email"] = to
        with reg.transaction() as db:  # a change of the family data is an event of its own
            reg.update(db, case)
            reg.add_event(db, case_id, at=case.received_at, step=case.step,
                          action="alamat e-mail dicatat", detail={"email": to})
    finally:
        reg.close()


def test_step_9_emails_the_signed_card(demo_at, smtp_server) -> None:
    inbox, port = smtp_server
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    _mail_settings(home, port, "john.smith@example.com", cid)
    result = _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                    "--passphrase-file", str(pki["passphrase"]))
    assert result.exit_code == 0, result.output
    printed, sent = [(a, d) for s, a, d in _events(home, cid) if s == 9][-2:]
    assert printed[0] == "dicetak" and printed[1]["email"] == "antre"  # queued by step 9
    assert sent[0] == "e-mail terkirim"  # sent once step 9 was committed
    (raw,) = inbox.messages
    msg = message_from_bytes(raw)
    assert msg["To"] == "john.smith@example.com"
    assert msg["Message-ID"] == printed[1]["message_id"] == sent[1]["message_id"]
    (attachment,) = [p for p in msg.walk() if p.get_filename()]
    assert attachment.get_filename() == SIGNED
    signed = home.root / _case(home, cid).folder / SIGNED
    assert attachment.get_payload(decode=True) == signed.read_bytes()


def test_a_failing_mail_server_does_not_hold_the_case(demo_at, monkeypatch) -> None:
    from pipeline.signing import mail
    home, ids = demo_at(8)
    cid, pki = ids["JOHN SMITH"], _pki(home)
    tries: list[str] = []
    real_send = mail.send_kk

    def counted(*args: Any, **kwargs: Any) -> str:
        tries.append("x")
        return real_send(*args, **kwargs)
    monkeypatch.setattr(mail, "send_kk", counted)
    _mail_settings(home, _free_port(), "john.smith@example.com", cid)  # nobody listens
    result = _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                    "--passphrase-file", str(pki["passphrase"]))
    assert result.exit_code == 0, result.output
    detail = [d for s, _, d in _events(home, cid) if s == 9][-1]
    assert detail["email"] == "antre"  # left for the watcher to retry in the background
    assert len(tries) == 1  # `sign` tries once and never waits for retries
    assert "belum terkirim" in result.output and "tidak terkirim" in result.output
    assert _case(home, cid).step == 11


def test_hidden_case_fields_are_read_back(tmp_path: Path) -> None:
    from pipeline.render import fonts as kk_fonts
    page = tmp_path / "page.pdf"
    c = kk_fonts.new_canvas(str(page), (595, 842), "uji")
    c.drawString(72, 720, "UJI")
    c.save()
    out = desk_pdf.with_case_fields(page, tmp_path / "x.pdf", "KKWNA-2026-0009", 8)
    fields = forms.read_fields(out)
    assert (fields["kasus"], fields["langkah"]) == ("KKWNA-2026-0009", "8")


def test_init_demo_leaves_an_offices_own_tte_settings_alone(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    assert CliRunner().invoke(cli, ["--home", str(home), "init"]).exit_code == 0
    toml = home / "kkwna.toml"
    own = toml.read_text().replace('head_of_office_cert = ""', 'head_of_office_cert = "bsre.pem"')
    toml.write_text(own)
    result = CliRunner().invoke(cli, ["--home", str(home), "init", "--demo"])
    assert result.exit_code == 1 and "tidak menimpanya" in result.output
    assert toml.read_text() == own


def test_a_return_at_step_8_needs_the_head_and_a_note_and_goes_to_step_6(demo_at) -> None:
    from pipeline.domain.model import Refused
    from tests.conftest import KEPALA_BIDANG

    home, ids = demo_at(8)
    cid, env = ids["JOHN SMITH"], _env(home)
    head = env.cfg.head_of_office().nip
    reg = Register(home.register_path)
    try:
        with pytest.raises(Refused) as no_note:
            flow.return_from_signature(env, reg, cid, nip=head, note=" ")
        assert "catatan wajib diisi" in str(no_note.value.problems)
        with pytest.raises(Refused) as not_head:
            flow.return_from_signature(env, reg, cid, nip=KEPALA_BIDANG, note="periksa")
        assert "bukan Kepala Dinas" in str(not_head.value.problems)
        done = flow.return_from_signature(env, reg, cid, nip=head, note="alamat salah",
                                          detail={"alamat_klien": "192.0.2.7"})
    finally:
        reg.close()
    assert done == f"{cid}: langkah 8 dikembalikan ke langkah 6"
    case = _case(home, cid)
    assert (case.status, case.step) == ("open", 6)
    assert case.data["catatan_kembali_6"].startswith("alamat salah (")
    step, action, detail = _events(home, cid)[-1]
    assert (step, action, detail["alamat_klien"], detail["ke_langkah"]) == \
        (8, "dikembalikan", "192.0.2.7", 6)
    assert list((home.desks / "06-kepala-bidang").glob(f"{cid} *.pdf"))
    approve(home, 6, cid, JOHN)  # a new paraf files a new draft for the head
    again = _case(home, cid)
    assert again.step == 8 and again.data["draf_tte"] == "07 draf TTE KK (2).pdf"
