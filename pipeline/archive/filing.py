"""Filing a finished (issued and collected) or returned case into its binder.

archive/<YYYY>/odner-<NN>/<register no> <TITLE>/ (another service's case in its own binder,
odner-<code>-<NN>: `binders`) holds the case documents numbered by SOP
step, scans/ (the originals), riwayat.pdf (the history), provenance.json (the case's
PREMIS-like record with the classification and retention in force at filing), the signed
KK's future-validation report (`validation`) and SHA256SUMS, which `sha256sum -c
SHA256SUMS` checks inside the folder. Filed files and folders are read-only.

Crash safety, in this order; each step can be repeated, so `recover` (and a second
`file_case`) finishes whatever a crash interrupted:

1. build the complete folder beside its final place (`.tmp-<id>` in the binder: the case's
   files hard-linked, or copied where linking is impossible; the history, the voided slip,
   the validation report, provenance.json, SHA256SUMS), make it read-only and rename it
   into place: the folder appears whole or not at all;
2. commit the register: the case's folder becomes the archive folder, the new documents'
   checksums are recorded with an event "diarsipkan" (so the chain commits to them; its
   time and classification are read back from provenance.json, so a commit finished by
   `recover` records what the folder says), the working folder's name is kept in
   case.data["folder_kerja"];
3. rewrite the binder's label and contents and the year's books, withdraw a returned case's
   slip from print/, and only then remove the working folder in cases/ (while it is there,
   `recover` knows the filing is unfinished).

Between 1 and 3 both copies exist; there is never a moment with none.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime
from pathlib import Path

import pipeline.archive.binders as binders
import pipeline.archive.books as books
import pipeline.archive.history as history
import pipeline.archive.provenance as provenance
from pipeline import services
from pipeline.archive.sums import FILED_STATUSES as FILED_STATUSES  # re-exported
from pipeline.archive.sums import SUMS as SUMS
from pipeline.archive.sums import read_sums as read_sums
from pipeline.archive.sums import sums_line as sums_line
from pipeline.archive.versions import current_kk
from pipeline.archive.void import stamp_void
from pipeline.domain import clock, sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.errors import KkwnaError
from pipeline.office.config import Config
from pipeline.office.fsutil import atomic_write_text, fsync_dir, remove_tree, sha256_file
from pipeline.office.home import Home
from pipeline.store.register import Register

log = logging.getLogger(__name__)
SLIP = sop.slip_name()
FILED_ACTION = Action.FILED  # the event of the filing
WORKING_FOLDER = "folder_kerja"  # case.data key: the cases/ folder the case was filed from
FILE_MODE, FOLDER_MODE = 0o444, 0o555
REPORT_SUFFIX = " - laporan validasi.json"  # = validation.SUFFIX (that module loads pyHanko)


class ArchiveError(KkwnaError):
    """A case cannot be filed (its folder is gone, or it is not finished); one line."""


def odner_number(cfg: Config, case: Case) -> int:
    return binders.odner_number(cfg, case)


def target_folder(home: Home, cfg: Config, case: Case) -> Path:
    """Where the case is (once filed it stays there, even if the binder size is changed
    later) or will be filed."""
    if case.folder.startswith("archive/"):
        return home.root / case.folder
    return (binders.odner_folder(home, case.year, odner_number(cfg, case), case.service)
            / f"{case.id} {case.title}")


def sums_text(folder: Path) -> str:
    """SHA256SUMS lines for every file under *folder*, in `sha256sum` format."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != SUMS and not path.name.startswith(".tmp-"):
            lines.append(sums_line(sha256_file(path), rel))
    return "".join(lines)


def file_case(home: Home, cfg: Config, reg: Register, case: Case) -> Path:
    """File a returned or issued case into its binder (idempotent; see the module notes)."""
    if case.status not in FILED_STATUSES:
        raise ArchiveError(f"{case.id}: berstatus {case.status}, belum dapat diarsipkan")
    target = target_folder(home, cfg, case)
    rel_target = target.relative_to(home.root).as_posix()
    working = home.root / case.data.get(WORKING_FOLDER, case.folder)
    committed = case.folder == rel_target
    if not target.is_dir():
        if committed or not working.is_dir():
            raise ArchiveError(f"{case.id}: map kerja {working.relative_to(home.root)} dan map "
                               f"arsip {rel_target} tidak ada; berkas tidak dapat diarsipkan")
        _build(home, cfg, reg, case, working, target)
    if not committed:
        _commit(home, cfg, reg, case, working, target)
    # the working folder goes last: while it is there, `recover` knows the filing is unfinished
    service, odner = binders.binder_of(target.parent.name)
    refresh(home, cfg, reg, case.year, odner, service)
    old = reg.find(case.replaces) if case.replaces else None
    if old is not None and old.year != case.year:  # its book now says the card was replaced
        books.write_books(home, cfg, reg, old.year)
    if case.status == "returned":
        withdraw_slip(home, case)
    if working != target and working.exists():
        remove_tree(working)
    log.info("%s filed in %s", case.id, rel_target)
    return target


def _build(home: Home, cfg: Config, reg: Register, case: Case, working: Path,
           target: Path) -> None:
    staging = target.parent / f".tmp-{case.id}"
    if staging.exists():  # left by a crash: start it again
        _writable(staging)
        remove_tree(staging)
    staging.mkdir(parents=True)
    for src in sorted(working.rglob("*")):
        rel = src.relative_to(working)
        if src.is_dir() or src.name.startswith(".tmp-") or rel.as_posix() == SUMS:
            continue
        dst = staging / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(src, dst)
    changed: dict[str, tuple[str, int]] = {}
    slip = staging / SLIP
    if case.status == "returned" and slip.exists():
        slip.unlink()  # a hard link to the working copy: never write through it
        stamp_void(working / SLIP, slip)
        changed[SLIP] = (sha256_file(slip), slip.stat().st_size)
    history.write_history(home, cfg, reg, case, staging / history.HISTORY, changed)
    filed_at = clock.now(cfg.tz)
    made = {history.HISTORY: "riwayat kasus"}
    if SLIP in changed:
        made[SLIP] = "tanda bukti pengambilan, dicap BATAL"
    kk = current_kk(p.name for p in staging.iterdir())
    if kk is not None:
        made[write_validation_report(home, cfg, staging / kk, filed_at)] = \
            "laporan validasi masa depan KK"
    record = provenance.build(cfg, reg, case, staging, filed_at=filed_at,
                              records=cfg.records_class(), made=made)
    provenance.write(staging / provenance.PROVENANCE, record)
    atomic_write_text(staging / SUMS, sums_text(staging))
    for folder in sorted({p.parent for p in staging.rglob("*")} | {staging}, reverse=True):
        fsync_dir(folder)
    _read_only(staging)
    os.rename(staging, target)
    fsync_dir(target.parent)


def write_validation_report(home: Home, cfg: Config, kk: Path, now: datetime) -> str:
    """Write the future-validation report beside the signed *kk*; returns its name.
    pyHanko is loaded here only: `fixity` imports this module and must stay light."""
    import pipeline.archive.validation as validation
    from pipeline.signing.keys import SigningError, load_certificates

    roots = []
    for path in cfg.tte.resolved(home.root).trust_roots:
        try:
            roots.extend(load_certificates(path))
        except (OSError, SigningError, ValueError) as exc:
            log.warning("%s: trust root not readable for the validation report: %s",
                        path, exc)
    name = validation.report_name(kk.name)
    validation.write(kk.parent / name, validation.build(kk, roots, now, cfg.tz))
    return name


def _link_or_copy(src: Path, dst: Path) -> None:
    """A hard link (same file system: no data copied), else a durable copy."""
    try:
        os.link(src, dst)
    except OSError:
        with open(src, "rb") as inp, open(dst, "wb") as out:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())


def _read_only(folder: Path) -> None:
    for path in folder.rglob("*"):
        if not path.is_symlink():
            path.chmod(FOLDER_MODE if path.is_dir() else FILE_MODE)
    folder.chmod(FOLDER_MODE)


def _writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def _commit(home: Home, cfg: Config, reg: Register, case: Case, working: Path,
            target: Path) -> None:
    sums = read_sums(target)
    known = {r["name"]: r["sha256"] for r in reg.documents(case.id)}
    now = clock.now(cfg.tz)
    # what the folder says the filing was (its time, the classification then in force):
    # a commit finished by `recover` after a change of kkwna.toml still records that
    record = provenance.read(target)
    filing = provenance.filing_of(record) if record is not None else None
    now, records = filing if filing is not None else (now, cfg.records_class())
    data = {**case.data, WORKING_FOLDER: working.relative_to(home.root).as_posix()}
    with reg.transaction() as db:
        reg.update(db, case, folder=target.relative_to(home.root).as_posix(), data=data)
        # its own event: the chain commits to the history's and voided slip's checksums
        reg.add_event(db, case.id, at=now, step=case.step, action=FILED_ACTION,
                      detail={"map": target.relative_to(home.root).as_posix(),
                              "klasifikasi": records.as_detail()})
        made = [history.HISTORY, SLIP, provenance.PROVENANCE,
                *(n for n in sums if n.endswith(REPORT_SUFFIX))]
        for name in made:
            if name in sums and known.get(name) != sums[name]:
                reg.add_document(db, case.id, name=name, step=case.step, sha256=sums[name],
                                 size=(target / name).stat().st_size, at=now)


def withdraw_slip(home: Home, case: Case) -> None:
    """Take a returned case's collection slip out of print/ (any title it was printed under)."""
    for path in home.print.glob(f"{case.id} *"):
        if path.name.endswith(f" - {SLIP}"):
            path.unlink(missing_ok=True)
            log.info("%s: collection slip withdrawn from print/", case.id)


def refresh(home: Home, cfg: Config, reg: Register, year: int, odner: int,
            service: str = services.DEFAULT) -> None:
    """Rewrite the binder's label and contents (of *service*'s binder) and the year's books."""
    binders.write_binder_sheets(home, cfg, reg, year, odner, service)
    books.write_books(home, cfg, reg, year)


def recover(home: Home, cfg: Config, reg: Register) -> None:
    """Finish every filing a crash interrupted: cases returned or issued whose archive folder
    is missing or uncommitted, whose working folder is still there, or whose binder sheets or
    books were not rewritten."""
    for status in FILED_STATUSES:
        for case in reg.cases(status):
            target = target_folder(home, cfg, case)
            rel_target = target.relative_to(home.root).as_posix()
            working = home.root / case.data.get(WORKING_FOLDER, case.folder)
            unfinished = (case.folder != rel_target or not target.is_dir()
                          or (working != target and working.exists()))
            if unfinished:
                try:
                    file_case(home, cfg, reg, case)
                except ArchiveError as exc:
                    log.error("%s", exc)
    for stale in home.archive.glob("*/odner-*/.tmp-*"):
        # a staging folder whose case has since been filed: the crash's leftovers
        case_id = stale.name.removeprefix(".tmp-")
        found = reg.find(case_id)
        if found is not None and found.folder.startswith("archive/"):
            _writable(stale)
            remove_tree(stale)
