"""Another office runs kkwna: Disdukcapil Kota Banjarmasin (63.71), a city, not Tapin.

One case goes through every step with that office's kkwna.toml (intake, the five desks,
the TTE, print and e-mail, collection, filing, the books, the month's report, a BagIt
export); no document it produces may name Tapin or call the city a "Kabupaten"."""

from __future__ import annotations

import re
from email import message_from_bytes
from pathlib import Path

import pypdf
import pytest
from cryptography import x509

from pipeline.domain import refdata
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.signing.demo import set_up_demo
from pipeline.store.register import Register
from tests.conftest import MONDAY_9
from tests.families import HEAD
from tests.office import jpeg, run_once
from tests.stages import approve
from tests.test_handover import PENYERAHAN
from tests.test_tte_flow import _case, _kkwna, _pki, smtp_server  # noqa: F401 (a fixture)

OFFICE = """\
[office]
pemerintah = "PEMERINTAH KOTA BANJARMASIN"
dinas = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
bidang = "BIDANG PENDAFTARAN PENDUDUK"
kabupaten = "BANJARMASIN"
provinsi = "KALIMANTAN SELATAN"
kota = "Banjarmasin"
alamat = "Jl. R.E. Martadinata No. 1, Kel. Teluk Dalam, Kec. Banjarmasin Tengah, Banjarmasin"
kode_pos = "70111"
timezone = "Asia/Makassar"
kode_wilayah = "63.71"
kode_pos_awalan = ["701", "702"]
email = "disdukcapil@banjarmasinkota.test"
"""

FAMILY = {
    "no_kk": "6371051211260001", "alamat": "JL. LAMBUNG MANGKURAT NO. 5", "rt": "004",
    "rw": "002", "desa_kelurahan": "Teluk Dalam", "kecamatan": "Banjarmasin Tengah",
    "kode_pos": "70117", "email": "",
    "anggota": [{**HEAD, "nik": "6371051503800001", "tempat_lahir": "PERTH"}],
}
# the card's own field label "Kabupaten/Kota" names both kinds and is no claim
FORBIDDEN = re.compile(r"tapin|kabupaten(?!/kota)", re.IGNORECASE)


def banjarmasin(root: Path) -> homes.Home:
    """A demo office (`init --demo` PKI) whose kkwna.toml is Banjarmasin's."""
    home = homes.Home(root)
    homes.init(home)
    path = home.root / config.FILENAME
    text = path.read_text(encoding="utf-8")
    start, end = text.index("[office]"), text.index("\n[service]")
    text = text[:start] + OFFICE + text[end:]
    text = text.replace("stable_seconds = 2 ", "stable_seconds = 0.3 ")
    path.write_text(text, encoding="utf-8")
    set_up_demo(home)
    return home


def _mail_to(home: homes.Home, port: int, case_id: str, to: str) -> None:
    path = home.root / config.FILENAME
    text = path.read_text(encoding="utf-8")
    text = text.replace('host = ""                    # SMTP', 'host = "127.0.0.1"  # SMTP')
    text = text.replace("port = 587", f"port = {port}")
    text = text.replace('security = "starttls"', 'security = "none"')
    text = text.replace('sender = ""                  # From',
                        'sender = "dukcapil@banjarmasinkota.test"  # From')
    path.write_text(text, encoding="utf-8")
    reg = Register(home.register_path)
    try:
        case = reg.find(case_id)
        assert case is not None
        case.data["keluarga"]["email"] = to
        with reg.transaction() as db:
            reg.update(db, case)
            reg.add_event(db, case_id, at=case.received_at, step=case.step,
                          action="alamat e-mail dicatat", detail={"email": to})
    finally:
        reg.close()


def pdf_words(path: Path) -> str:
    """What a PDF says: its pages' text, its document information, and what its
    signatures name (location, reason, signer)."""
    reader = pypdf.PdfReader(path)
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += [str(v) for v in (reader.metadata or {}).values()]
    for field in (reader.get_fields() or {}).values():
        value = field.get("/V")
        if hasattr(value, "get_object"):
            value = value.get_object()
        if isinstance(value, dict):
            parts += [str(value.get(k, "")) for k in ("/Location", "/Reason", "/Name")]
        elif value is not None:
            parts.append(str(value))
    return "\n".join(parts)


def test_the_area_of_an_office_comes_from_its_code_and_can_be_stated() -> None:
    import tomllib
    data = tomllib.loads(config.DEFAULT)
    assert config.parse(data).office.wilayah == "Kabupaten Tapin"
    data["office"].update(kabupaten="BANJARMASIN", kode_wilayah="63.71",
                          kode_pos_awalan=["701"])
    cfg = config.parse(data)
    assert cfg.office.jenis_wilayah == "kota" and cfg.office.wilayah == "Kota Banjarmasin"
    assert refdata.regency("6371").name == "Kota Banjarmasin"  # what the default follows
    data["office"]["jenis_wilayah"] = "Kabupaten"  # the office says otherwise: it wins
    assert config.parse(data).office.wilayah == "Kabupaten Banjarmasin"
    data["office"]["jenis_wilayah"] = "provinsi"
    with pytest.raises(config.ConfigError, match=r"\[office\] jenis_wilayah: harus salah satu"):
        config.parse(data)


def test_a_case_of_kota_banjarmasin_never_names_tapin_or_a_kabupaten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server) -> None:  # noqa: F811
    monkeypatch.setenv("KKWNA_NOW", MONDAY_9)
    inbox, port = smtp_server
    home = banjarmasin(tmp_path / "kantor")
    jpeg(home.inbox / "JOHN SMITH kitap paspor formulir.jpg", text="JOHN SMITH")
    run_once(home)
    reg = Register(home.register_path)
    (cid,) = [c.id for c in reg.cases("open")]
    reg.close()
    for step in (2, 3, 4, 5, 6):
        approve(home, step, cid, FAMILY)
    _mail_to(home, port, cid, "john.smith@example.com")
    pki = _pki(home)
    signed = _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                    "--passphrase-file", str(pki["passphrase"]))
    assert signed.exit_code == 0, signed.output
    code = _case(home, cid).collection_code
    collected = _kkwna(home, "collect", code, "--receiver", "JOHN MICHAEL SMITH",
                       "--officer", PENYERAHAN)
    assert collected.exit_code == 0, collected.output
    case = _case(home, cid)
    assert case.status == "issued" and case.folder.startswith("archive/2026/")
    reported = _kkwna(home, "report", "2026-11")
    assert reported.exit_code == 0, reported.output
    exported = _kkwna(home, "archive", "export", "--bagit", str(tmp_path / "bag"))
    assert exported.exit_code == 0, exported.output

    found: dict[str, str] = {}
    filed = home.root / case.folder
    card = pdf_words(filed / "08 kartu keluarga WNA.pdf")
    assert "KOTA BANJARMASIN" in card and "BANJARMASIN TENGAH" in card  # it is read at all
    pdfs = sorted(p for p in home.root.rglob("*.pdf") if not p.is_symlink())
    assert {"buku-register-2026.pdf", "buku-pengambilan-dokumen-2026.pdf"} <= {
        p.name for p in pdfs}
    assert any(p.parent.name == "laporan" or "laporan" in p.name for p in pdfs), pdfs
    for path in pdfs:
        found[str(path.relative_to(home.root))] = pdf_words(path)
    (raw,) = inbox.messages
    mail = message_from_bytes(raw)
    found["e-mail"] = "\n".join([str(mail["Subject"]), str(mail["From"])] + [
        str(part.get_payload(decode=True).decode())
        for part in mail.walk() if part.get_content_type() == "text/plain"])
    for text_file in [*home.root.rglob("*.csv"), *(tmp_path / "bag").glob("*.txt")]:
        found[str(text_file)] = text_file.read_text(encoding="utf-8")
    for pem in (home.state / "demo-pki").glob("*.pem"):
        cert = x509.load_pem_x509_certificate(pem.read_bytes())
        found[pem.name] = f"{cert.subject.rfc4514_string()} {cert.issuer.rfc4514_string()}"
    named = {name: sorted(set(FORBIDDEN.findall(text))) for name, text in found.items()
             if FORBIDDEN.search(text)}
    assert named == {}, "\n".join(f"{k}: {v}" for k, v in named.items())
