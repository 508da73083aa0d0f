"""`kkwna archive renew`: keep a filed KK's PAdES B-LTA signature verifiable for decades.

A B-LTA card verifies offline only while the certificate of its last timestamp authority
is valid (and its algorithms strong). Before that, the archive adds the validation data of
that last timestamp and a new document timestamp over everything (pyHanko's LTA update),
as a new incremental revision written to a NEW file beside the original:
``08 kartu keluarga WNA (diperbarui 2026-12-03).pdf``. The filed original stays byte for
byte (its checksum is in the register, the books, maybe on paper); the new version's
checksum goes into SHA256SUMS and into the register with an event "diperbarui", so the
chain commits to it and `archive verify` stays clean.

The new version gets its own future-validation report (`validation`) beside it.

Order (each step can be repeated): write the new version and its report, then
SHA256SUMS, then the register. A crash before the register commit leaves files
`archive verify` names as not in the register; running renew again writes them again
and records them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

import pipeline.archive.validation as validation
from pipeline.archive.filing import (
    FILE_MODE,
    FILED_STATUSES,
    FOLDER_MODE,
    SUMS,
    read_sums,
    sums_line,
)
from pipeline.archive.versions import current_kk, renewed_name
from pipeline.domain import clock
from pipeline.domain.actions import Action
from pipeline.office.config import Config
from pipeline.office.fsutil import atomic_write_bytes, atomic_write_text, sha256_file
from pipeline.office.home import Home
from pipeline.signing.keys import SigningError, Trust
from pipeline.signing.pades import TSA_UNREACHABLE, add_validation_data
from pipeline.store.register import Register

RENEWED_ACTION = Action.RENEWED


@dataclass(frozen=True)
class Due:
    """A filed KK whose newest version's last timestamp certificate expires soon."""
    case_id: str
    folder: str  # relative to the home
    name: str  # the newest version, to be renewed
    expires: datetime


def last_timestamp_expiry(path: Path) -> datetime | None:
    """When the certificate of the file's last timestamp expires (a document timestamp,
    else the signature's own timestamp, else the signer's certificate); None when the file
    carries no signature at all (a draft or a scan filed as the KK: nothing to renew)."""
    try:
        reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
        stamps = reader.embedded_timestamp_signatures
        if stamps:
            cert = stamps[-1].signer_cert
        else:
            sigs = reader.embedded_regular_signatures
            if not sigs:
                return None
            # (pyHanko's EmbeddedPdfSignature has no attached_timestamp_data: reading it
            # made every card without a document timestamp look unsigned, never renewed)
            tsa = validation.signature_tsa_cert(sigs[-1])
            cert = tsa if tsa is not None else sigs[-1].signer_cert
    except Exception:  # noqa: BLE001 - anything pyHanko cannot read is not renewable here
        return None
    expiry: datetime = cert["tbs_certificate"]["validity"]["not_after"].native
    return expiry


def due(home: Home, reg: Register, before: datetime, year: int | None = None) -> list[Due]:
    """The filed KKs (of *year*, or all) whose newest version's last timestamp certificate
    expires before *before*, oldest expiry first."""
    out = []
    for case in reg.cases():
        if case.status not in FILED_STATUSES or not case.folder.startswith("archive/"):
            continue
        if year is not None and case.year != year:
            continue
        name = current_kk(r["name"] for r in reg.documents(case.id))
        if name is None:
            continue
        expires = last_timestamp_expiry(home.root / case.folder / name)
        if expires is not None and expires < before:
            out.append(Due(case.id, case.folder, name, expires))
    return sorted(out, key=lambda d: (d.expires, d.case_id))


def renew_pdf(src: Path, out: Path, *, trust: Trust, timestamper: TimeStamper) -> None:
    """A new revision of *src* at *out*: the last timestamp's validation data and a new
    document timestamp (a card without one gets the B-LTA upgrade `pades` already has)."""
    reader = PdfFileReader(io.BytesIO(src.read_bytes()), strict=False)
    if not reader.embedded_timestamp_signatures:
        add_validation_data(src, out, trust=trust, timestamper=timestamper)
        return
    buf = io.BytesIO()
    try:
        signers.PdfTimeStamper(timestamper).update_archival_timestamp_chain(
            reader, trust.context(fetch=True), in_place=False, output=buf)
    except (PathValidationError, PathBuildingError) as exc:
        raise SigningError(f"{src.name}: sertifikat cap waktu terakhir tidak dapat "
                           f"divalidasi ({type(exc).__name__})") from None
    except PyHankoSigningError as exc:
        raise SigningError(f"{src.name}: cap waktu baru tidak dapat ditambahkan "
                           f"({str(exc).splitlines()[0] if str(exc) else 'galat'})") from None
    except TimestampRequestError:
        raise SigningError(TSA_UNREACHABLE) from None
    atomic_write_bytes(out, buf.getvalue())


def renew_case(home: Home, cfg: Config, reg: Register, item: Due, *, trust: Trust,
               timestamper: TimeStamper) -> str:
    """Renew one KK (see the module notes); returns the new version's name."""
    now = clock.now(cfg.tz)
    name = renewed_name(now.date().isoformat())
    case = reg.get(item.case_id)
    known = {r["name"] for r in reg.documents(case.id)}
    if name in known:  # renewed today already
        return name
    folder = home.root / case.folder
    target = folder / name
    folder.chmod(0o755)  # filed folders are read-only: opened for this one change
    try:
        renew_pdf(folder / item.name, target, trust=trust, timestamper=timestamper)
        target.chmod(FILE_MODE)
        digest, size = sha256_file(target), target.stat().st_size
        # the new version's own future-validation report; the old one stays beside the old
        report = folder / validation.report_name(name)
        validation.write(report, validation.build(target, list(trust.roots), now, cfg.tz))
        report.chmod(FILE_MODE)
        sums = read_sums(folder)
        sums[name] = digest
        sums[report.name] = sha256_file(report)
        atomic_write_text(folder / SUMS, "".join(sums_line(sums[n], n) for n in sorted(sums)),
                          mode=FILE_MODE)
    finally:
        folder.chmod(FOLDER_MODE)
    with reg.transaction() as db:
        reg.add_event(db, case.id, at=now, step=case.step, action=RENEWED_ACTION,
                      detail={"berkas": name, "dari": item.name, "sha256": digest,
                              "cap_waktu_lama_berakhir": item.expires.isoformat()})
        # the new version belongs to the step that filed the card it renews
        signed_at = next((row["step"] for row in reg.documents(case.id)
                          if row["name"] == item.name), case.step)
        reg.add_document(db, case.id, name=name, step=signed_at, sha256=digest, size=size,
                         at=now)
        reg.add_document(db, case.id, name=report.name, step=signed_at,
                         sha256=sums[report.name], size=report.stat().st_size, at=now)
    return name
