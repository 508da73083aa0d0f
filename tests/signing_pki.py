"""A test PKI for the signing tests, built once per test process, and small helpers:
a PDF/A draft with an empty signature field, pyHanko signing "elsewhere"."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from reportlab.lib.pagesizes import A4, landscape

from pipeline.render import fonts
from pipeline.render.pdfa import save_pdfa
from pipeline.signing import keys, pades
from pipeline.signing.pki import DemoCA, Issued, Person, p12_bytes, pem, write_private_file

PASSPHRASE = b"rahasia-uji-123"
ORG = "TEST Disdukcapil Kabupaten Tapin"
HEAD = Person("Hj. RINA INDRIANI, ST", "198203112005012017")
DIVISION = Person("HJ. NOOR HIDAYAH, SE", "198005052005012005")
FIELD_BOX = (560, 40, 800, 110)
FAMILY: dict[str, Any] = {
    "no_kk": "6305041211260001", "alamat": "JL. DATU NURAYA NO. 5", "rt": "1", "rw": "2",
    "kecamatan": "TAPIN UTARA", "desa_kelurahan": "RANTAU KIWA", "kode_pos": "71111",
    "anggota": [
        {"nama_lengkap": "John Smith", "nik": "6305041211260002", "jenis_kelamin": "L",
         "status_hubungan": "KEPALA KELUARGA", "kewarganegaraan": "AUSTRALIA"},
        {"nama_lengkap": "Jane Smith", "nik": "6305045211260003", "jenis_kelamin": "P",
         "status_hubungan": "ISTRI", "kewarganegaraan": "AUSTRALIA"},
    ],
}
BLOCK = pades.SignatureBlock("Hj. RINA INDRIANI, ST", "19820311 200501 2 017",
                             lokasi="Rantau, Kabupaten Tapin")


@dataclass(frozen=True)
class SigningPKI:
    folder: Path
    passphrase_file: Path
    root: Path
    crl: Path
    trust: keys.Trust
    head_p12: Path
    head_sha256: str
    head: Issued
    division_p12: Path
    expired_p12: Path
    revoked_p12: Path
    no_nonrep_p12: Path
    other_pki_head_p12: Path  # the same person, certified by an unrelated root
    tsa_p12: Path
    seal: Issued
    other_seal: Issued
    ca: DemoCA  # to issue more certificates in a test


def _p12(folder: Path, name: str, issued: Issued, ca: DemoCA) -> Path:
    path = folder / f"{name}.p12"
    path.write_bytes(p12_bytes(issued, [ca.cert], PASSPHRASE, name))
    return path


@cache
def shared_pki() -> SigningPKI:
    folder = Path(tempfile.mkdtemp(prefix="kkwna-test-pki-"))
    now = dt.datetime.now(dt.UTC)
    ca = DemoCA("TEST Root CA", organisation=ORG, now=now)
    head = ca.issue_signer(HEAD, title="Kepala Dinas")
    revoked = ca.issue_signer(Person("TEST DICABUT", "199001012015031001"))
    expired = ca.issue_signer(Person("TEST KEDALUWARSA", "199001012015031002"),
                              not_before=now - dt.timedelta(days=30),
                              not_after=now - dt.timedelta(days=1))
    other_ca = DemoCA("TEST Root CA lain", organisation="TEST Lain", now=now)
    write_private_file(folder / "passphrase.txt", PASSPHRASE + b"\n")
    (folder / "root.pem").write_bytes(pem(ca.cert))
    (folder / "root.crl").write_bytes(ca.crl([revoked.cert], at=now - dt.timedelta(minutes=5))
                                      .public_bytes(serialization.Encoding.DER))
    trust = keys.Trust.load([folder / "root.pem"], [folder / "root.crl"])
    return SigningPKI(
        folder=folder, passphrase_file=folder / "passphrase.txt", root=folder / "root.pem",
        crl=folder / "root.crl", trust=trust,
        head_p12=_p12(folder, "head", head, ca),
        head_sha256=hashlib.sha256(head.cert.public_bytes(serialization.Encoding.DER))
        .hexdigest(),
        head=head,
        division_p12=_p12(folder, "division", ca.issue_signer(DIVISION), ca),
        expired_p12=_p12(folder, "expired", expired, ca),
        revoked_p12=_p12(folder, "revoked", revoked, ca),
        no_nonrep_p12=_p12(folder, "no-nonrep", ca.issue_signer(
            Person("TEST TANPA NR", "199001012015031003"), non_repudiation=False), ca),
        other_pki_head_p12=_p12(folder, "other-head", other_ca.issue_signer(HEAD), other_ca),
        tsa_p12=_p12(folder, "tsa", ca.issue_tsa(), ca),
        seal=ca.issue_seal("Tapin"),
        other_seal=other_ca.issue_seal("Tapin"),
        ca=ca,
    )


def make_draft(out: Path, text: str = "KARTU KELUARGA No. 6305041211260001") -> str:
    """A PDF/A-2b page with an empty TTE_KEPALA_DINAS field; returns its SHA-256."""
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, landscape(A4), "Kartu Keluarga")
    c.setFont(fonts.BOLD, 16)
    c.drawString(60, 520, text)
    c.showPage()
    c.save()
    plain = out.with_name(out.stem + "-pdfa.pdf")
    save_pdfa(buf.getvalue(), plain, "Kartu Keluarga No. 6305041211260001",
              subject="KKWNA-2026-0001")
    pades.mark_identity(plain, plain, case_id="KKWNA-2026-0001", no_kk="6305041211260001",
                        holder="JOHN SMITH")
    with open(plain, "rb") as fh:
        w = IncrementalPdfFileWriter(fh)
        fields.append_signature_field(
            w, fields.SigFieldSpec(pades.FIELD, on_page=0, box=FIELD_BOX))
        with open(out, "wb") as o:
            w.write(o)  # type: ignore[no-untyped-call]
    return hashlib.sha256(out.read_bytes()).hexdigest()


def sign_elsewhere(draft: Path, out: Path, p12: Path, *, paint: bool = False) -> None:
    """Sign *draft* the way another PDF application would: pyHanko directly, no
    validation data; *paint* also draws over the page in the same revision."""
    signer = keys.load_signer(p12, PASSPHRASE)
    with open(draft, "rb") as fh:
        w = IncrementalPdfFileWriter(io.BytesIO(fh.read()))
    if paint:
        paint_over(w)
    meta = signers.PdfSignatureMetadata(field_name=pades.FIELD,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    with open(out, "wb") as o:
        signers.sign_pdf(w, meta, signer=signer, output=o)


def paint_over(w: IncrementalPdfFileWriter) -> None:
    """Add a white box with new text over the card's number (a forger's edit)."""
    from pyhanko.pdf_utils import generic

    stream = generic.StreamObject(stream_data=b"q 1 1 1 rg 50 500 500 40 re f Q")
    w.add_stream_to_page(0, w.add_object(stream))  # type: ignore[no-untyped-call]


def paint_after(path: Path, out: Path) -> None:
    """A later incremental revision that paints over the page."""
    w = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
    paint_over(w)
    with open(out, "wb") as o:
        w.write(o)  # type: ignore[no-untyped-call]


def timestamper() -> TimeStamper:
    return keys.in_process_timestamper(shared_pki().tsa_p12, PASSPHRASE)
