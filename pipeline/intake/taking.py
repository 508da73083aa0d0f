"""SOP step 1: an inbox entry (one file, or one folder) becomes a case, or goes to quarantine.

Order, so that a crash at any moment loses nothing and never gives a number twice:
judge every file (bad ones: quarantine, no number) -> bundle the scans in staging ->
check the register against the case folders on disk -> allocate the number in the
transaction that records the case ('intake') -> write the case folder and the checklist
-> commit the case as open -> remove what was taken from the inbox.
A restart finds the entry still in the inbox; its fingerprint names the case already
recorded, so intake resumes with the same number, or just removes what was taken.

Only what was taken leaves the inbox: each file whose bytes are those of its copy in the
case folder (the register keeps the copies' digests). A scan added while the bundle was
being made, a file being copied (``*.part``), hidden files and folders stay where they
are; the folder is then *held* (`pipeline.office.faults`): it is never taken again on its own,
and a note beside it (``inbox/<name>.error.txt``) tells the clerk what was left and why.
The hold ends when the folder leaves the inbox (a new folder of that name is then a new
drop; one deleted and dropped again while the watcher is down may reuse the old folder's
inode and stay held: rename it).

A fault of the machine (a full disk, no permission, an unreadable sub-folder) is not a
fault of the application: `MachineFault` is raised, what the attempt wrote is removed,
the entry stays in the inbox and the watcher tries again later. The number the attempt
was given stays reserved for it ('intake'), so the retry opens the case under the same
number. Any other failure after a number was given cancels that number (recorded as
'dibatalkan'), so the entry can come back from quarantine as a new application.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pikepdf
from PIL import Image

from pipeline import services
from pipeline.desks import placing
from pipeline.domain import clock, sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.model import Env
from pipeline.intake import holding as holding
from pipeline.intake import scans
from pipeline.intake.holding import SCANS
from pipeline.intake.holding import entry_key as entry_key
from pipeline.intake.holding import leftovers as leftovers  # public here before
from pipeline.intake.holding import natural_key as natural_key
from pipeline.intake.holding import note_path as note_path
from pipeline.intake.holding import release_gone as release_gone
from pipeline.intake.quarantine import NOTE_SUFFIX, quarantine
from pipeline.office import crash, faults
from pipeline.office.config import Config
from pipeline.office.fsutil import (
    NAME_MAX,
    TEMP_PREFIX,
    apply_file_policy,
    atomic_copy,
    fit_name,
    fsync_dir,
    remove_tree,
    sha256_file,
    sha256_untrusted,
)
from pipeline.office.home import Home
from pipeline.office.machine import MACHINE_ERRNOS as MACHINE_ERRNOS  # first met here; still public
from pipeline.office.machine import WHY, is_machine_fault, reason
from pipeline.office.machine import MachineFault as MachineFault
from pipeline.services import Service
from pipeline.steps import handler
from pipeline.store.register import Register, RegisterBehind

log = logging.getLogger(__name__)

JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
JUNK_PATTERNS = (re.compile(r"^\._"), re.compile(r"^~\$"), re.compile(r"\.(tmp|part)$", re.I),
                 # the program's own notes beside inbox entries (see `_write_note`)
                 re.compile(re.escape(NOTE_SUFFIX) + "$", re.I))
BERKAS = sop.filed_name(sop.Kind.INTAKE)  # the scans bundled as one PDF
FORM_PREFIX = ".form-"  # a checklist drawn in staging by a backlog's worker (`backlog`)

# Room a case title leaves in a 255-byte name: "<PREFIX>-YYYY-NNNNN " before it (the
# longest prefix of the registered services: `case_prefix_bytes`), and after it the
# longest of " - <desk form>.pdf.error.txt" and " - <document>.pdf" (print copies).
TITLE_SUFFIX_BYTES = 64
TITLE_MAX_CHARS = 60


def case_prefix_bytes() -> int:
    return max(len(f"{s.prefix}-2026-00000 ".encode()) for s in services.all())


def service_of_entry(entry: Path) -> Service:
    """The service whose inbox *entry* was dropped in: a case takes the service of its
    inbox folder (`inbox/` is KK WNA's)."""
    return services.by_inbox(entry.parent.name) or services.default()


def fault_line(name: str, exc: BaseException, root: Path | None = None) -> str:
    why, todo = reason(exc, root)
    name_of = getattr(exc, "filename", None)
    where = f" ({name_of})" if name_of else ""
    return (f"'{name}' belum diterima: {why}{where}. Berkas tetap di inbox dan dicoba lagi "
            f"otomatis; {todo}.")


def ignored(name: str) -> bool:
    """Hidden files and the usual junk that scanners and desktops leave behind."""
    return (name.startswith(".") or name.lower() in JUNK_NAMES
            or any(p.search(name) for p in JUNK_PATTERNS))


def _walk(folder: Path, entry: Path, found: list[Path]) -> None:
    """The files under *folder* intake takes, depth first (links listed, never followed).
    A sub-folder that cannot be listed is a MachineFault: the entry waits, and says why."""
    try:
        with os.scandir(folder) as listing:
            items = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        if folder == entry or not is_machine_fault(exc):
            raise
        rel = folder.relative_to(entry).as_posix()
        why, todo = WHY.get(exc.errno or 0, ("tidak dapat dibaca", "periksa folder itu"))
        raise MachineFault(f"'{entry.name}' menunggu: sub-folder '{rel}' tidak dapat dibaca "
                           f"({why}); {todo}. Berkas tetap di inbox dan dicoba lagi "
                           f"otomatis.") from exc
    for item in items:
        if ignored(item.name):
            continue
        if item.is_dir(follow_symlinks=False):
            _walk(Path(item.path), entry, found)
        else:
            found.append(Path(item.path))  # a link (even to a folder) is judged as a file


def entry_files(entry: Path) -> list[Path]:
    """The files of an inbox entry, in the order they are bundled (natural name order)."""
    if entry.is_symlink() or not entry.is_dir():
        return [entry]
    found: list[Path] = []
    _walk(entry, entry, found)
    return sorted(found, key=lambda p: natural_key(str(p.relative_to(entry))))


def signature(entry: Path) -> tuple[object, ...] | None:
    """What must stay still for the entry to count as completely written."""
    try:
        if entry.is_symlink() or not entry.is_dir():
            st = entry.lstat()
            return ((entry.name, st.st_size, st.st_mtime_ns),)
        return tuple((str(f.relative_to(entry)), f.lstat().st_size, f.lstat().st_mtime_ns)
                     for f in entry_files(entry))
    except FileNotFoundError:
        return None
    except (MachineFault, OSError) as exc:  # unreadable now: `take` says why
        return (("?", str(exc)),)


def safe_title(name: str) -> str:
    """A case title from an inbox name, safe as (part of) a file name on any system.

    Short enough that "<case id> <TITLE> - <desk form>.pdf.error.txt" and the print
    copies' names fit in 255 bytes in any script (cut between characters, marked ``~``);
    the full name stays in the register (the case's source name).
    """
    stem = name if Path(name).suffix.lower() not in {".pdf", ".jpg", ".jpeg", ".png", ".tif",
                                                      ".tiff"} else Path(name).stem
    cleaned = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', " ", stem)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .")
    title = (cleaned or "TANPA NAMA").upper()
    if len(title) > TITLE_MAX_CHARS:
        title = _fit_text(title, len(title[:TITLE_MAX_CHARS].encode()))
    budget = NAME_MAX - case_prefix_bytes() - TITLE_SUFFIX_BYTES
    if len(title.encode()) > budget:
        title = _fit_text(title, budget)
    return title


def _fit_text(text: str, budget: int) -> str:
    """*text* cut to *budget* UTF-8 bytes between whole characters, ``~`` marking the cut
    (a dotted tail such as "DR. A.B" is not taken for a file extension: the dots are
    swapped for a same-sized stand-in while cutting)."""
    return fit_name(text.replace(".", "\x00"), max_bytes=budget).replace("\x00", ".")


@dataclass
class Judged:
    files: list[Path]
    kinds: list[str]
    key: str  # fingerprint: content and identity of every file


def judge(entry: Path, limits: scans.Limits) -> Judged | list[tuple[str, str]]:
    """The entry's files, or for each bad file its name and (Indonesian, English) reason."""
    files = entry_files(entry)
    bad: list[tuple[str, str]] = []
    kinds: list[str] = []
    digest = hashlib.sha256()
    for f in files:
        rel = str(f.relative_to(entry)) if f != entry else f.name
        try:
            kinds.append(scans.check(f, limits))
        except scans.ScanRejected as exc:
            bad.append((rel, exc.reason_id))  # the clerk's language only
            continue
        st = f.lstat()
        digest.update(f"{rel}\0{sha256_untrusted(f, None)}\0{st.st_size}\0{st.st_mtime_ns}"
                      f"\0{st.st_ino}\n".encode())
    if bad:
        return bad
    return Judged(files, kinds, digest.hexdigest())


def take(home: Home, cfg: Config, reg: Register, entry: Path) -> str:
    """Handle one stable inbox entry. Returns what happened: case id, or a word.

    Raises MachineFault (the entry stays, try again later) and RegisterBehind (the
    register is behind the case folders: no number is given, the entry stays)."""
    with machine_faults(home, entry):
        return _take(home, cfg, reg, entry)


@contextlib.contextmanager
def machine_faults(home: Home, entry: Path) -> Iterator[None]:
    """A fault of the machine while taking *entry* as MachineFault, saying so in one line."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:  # a full disk reaches sqlite too
        if is_machine_fault(exc):
            raise MachineFault(fault_line(entry.name, exc, home.root)) from exc
        raise


def _take(home: Home, cfg: Config, reg: Register, entry: Path) -> str:
    attempt = begin(home, cfg, reg, entry)
    if isinstance(attempt, str):
        return attempt
    try:
        bundled = bundle(attempt)
    except BaseException:
        attempt.staged.unlink(missing_ok=True)
        raise
    case = number(home, cfg, reg, attempt, bundled)
    if isinstance(case, str):
        return case
    env = Env(home, cfg)
    with undone_on_failure(home, cfg, reg, case, attempt):
        case.data = case_data(attempt, bundled)
        service = services.of(case)
        first = service.first_desk.number

        def place() -> None:
            handler(service, first).on_enter(reg, case)
            placing.place(env, case, first)
        open_case(env, reg, case, attempt, bundled, place)
    return removed(home, cfg, reg, case, attempt)


@dataclass
class Attempt:
    """An entry judged good, on its way to a case: what the bundling and the writer need.
    *case*: the number an earlier, interrupted attempt was given (resumed with it)."""
    entry: Path
    judged: Judged
    case: Case | None
    staged: Path
    max_bytes: int

    @property
    def title(self) -> str:
        return f"Berkas permohonan {self.entry.name}"


@dataclass
class Bundled:
    """What bundling an attempt's files gave: a pure result, sent back from a worker.
    *rejected*: (file at fault, Indonesian reason) when the bundle could not be made."""
    note: str = ""
    pages: list[int] | None = None
    rejected: tuple[str, str] | None = None


def begin(home: Home, cfg: Config, reg: Register, entry: Path,
          checked: bool = False) -> str | Attempt:
    """Judge *entry*: an outcome word when there is nothing to bundle (held, empty,
    quarantined, or only the removal left by a crash), else the Attempt to bundle.
    *checked*: the register was just checked against the case folders (a backlog checks
    once, not once per entry: each new number's own folder is still checked)."""
    held = faults.load(home).held.get(entry_key(entry))
    if held is not None and held.get("identitas") not in (None, "", holding.identity(entry)):
        holding.release(home, entry_key(entry))  # the leftover went: a new drop of that name
        held = None
    if held is not None:
        return holding.still_held(home, cfg, entry, held["kasus"])
    if entry.is_dir() and not entry.is_symlink() and not entry_files(entry):
        return "empty-folder"  # a clerk's new, still empty folder: wait for its files
    limits = scans.Limits(max_bytes=cfg.max_file_mb * 1024 * 1024)
    judged = judge(entry, limits)
    if isinstance(judged, list):
        quarantine(home, entry, judged, tz=cfg.tz)
        return "quarantined"

    case = reg.by_source(judged.key) or _interrupted(home, cfg, reg, entry)
    if case is not None and case.status != "intake":
        return holding.remove_taken(home, cfg, reg, case, entry)  # a crash left only the removal
    if case is None and not checked:
        reg.check_against_disk([home.cases, home.archive])
    return Attempt(entry, judged, case, home.staging / f"{judged.key[:32]}.pdf",
                   limits.max_bytes)


def bundle(attempt: Attempt) -> Bundled:
    """The scans as one PDF/A in staging, and the pages each adds: a pure function of the
    attempt's files (run in a worker process for a backlog)."""
    limits = scans.Limits(max_bytes=attempt.max_bytes)
    entry = attempt.entry
    try:
        report = scans.bundle(attempt.judged.files, attempt.staged, title=attempt.title,
                              limits=limits)
    except scans.ScanRejected as exc:
        attempt.staged.unlink(missing_ok=True)
        bad = Path(getattr(exc, "path", None) or entry)
        name = str(bad.relative_to(entry)) if bad != entry and bad.is_relative_to(entry) \
            else entry.name
        return Bundled(rejected=(name, exc.reason_id))
    pages = [page_count(f, k) for f, k in zip(attempt.judged.files, attempt.judged.kinds,
                                              strict=True)]
    return Bundled(report.history_note(), pages)


def number(home: Home, cfg: Config, reg: Register, attempt: Attempt,
           bundled: Bundled) -> str | Case:
    """The one writer's turn: quarantine a bundle that failed, else give the attempt its
    number (recorded as 'intake'), or take back the one it was given before a crash."""
    if bundled.rejected is not None:
        quarantine(home, attempt.entry, [bundled.rejected], tz=cfg.tz)
        return "quarantined"
    case = attempt.case
    if case is None:
        now = clock.now(cfg.tz)
        title = safe_title(attempt.entry.name)
        with reg.transaction() as db:
            case = reg.open_case(
                db, year=now.year, title=title, received_at=now,
                clock_start=clock.next_opening(cfg, now),
                outside_hours=not clock.in_service_hours(cfg, now),
                folder_for=lambda cid: f"cases/{cid} {title}",
                source_name=attempt.entry.name, source_key=attempt.judged.key,
                service=service_of_entry(attempt.entry).code)
            _refuse_existing_folder(home, reg, case)  # rolls the number back
        crash.point("intake-numbered")
    else:
        remove_tree(home.root / case.folder)  # half-written by an attempt that stopped
    return case


def case_data(attempt: Attempt, bundled: Bundled) -> dict[str, object]:
    """The case's data at intake, before the first desk's handler adds its own."""
    names = [Path(f).name for f in attempt.judged.files]
    return {"berkas": names, "halaman": list(bundled.pages or [])}


@contextlib.contextmanager
def undone_on_failure(home: Home, cfg: Config, reg: Register, case: Case, attempt: Attempt,
                      *extra: Path) -> Iterator[None]:
    """Remove what a failed attempt to open *case* wrote (and *extra* files in staging);
    cancel its number unless the machine is at fault (then the retry reuses it)."""
    try:
        yield
    except BaseException as exc:
        _undo(home, case, attempt.staged)
        for path in extra:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        if isinstance(exc, Exception) and not is_machine_fault(exc):
            _cancel(reg, case, f"gagal diterima: {type(exc).__name__}: {exc}",
                    clock.now(cfg.tz))
        raise


def open_case(env: Env, reg: Register, case: Case, attempt: Attempt, bundled: Bundled,
              place: Callable[[], object]) -> None:
    _open(env, reg, case, attempt.entry, attempt.judged, attempt.staged, bundled.note, place)


def removed(home: Home, cfg: Config, reg: Register, case: Case, attempt: Attempt) -> str:
    outcome = holding.remove_taken(home, cfg, reg, case, attempt.entry)
    crash.point("removed", services.of(case).first.number)
    return outcome


def _interrupted(home: Home, cfg: Config, reg: Register, entry: Path) -> Case | None:
    """The case this entry already became although its fingerprint changed: a file was
    added or removed while a crash stood between the commit and the removal. One
    application is one case: when files the case took are still here with the same bytes,
    the removal is finished (`_remove_taken`) and what was added is held with its note
    (None: no file of it was taken, a new drop). An attempt interrupted before its commit
    filed nothing: its number is cancelled, and the entry as it is now is taken afresh."""
    rows = reg.db.execute(  # an entry of the same name in another inbox is another drop
        "SELECT id FROM cases WHERE source_name = ? AND service = ? AND source_removed = 0"
        " AND status != 'cancelled' ORDER BY year DESC, seq DESC",
        (entry.name, service_of_entry(entry).code)).fetchall()
    for case in [reg.get(row[0]) for row in rows]:
        copies = holding.taken_copies(reg, case)
        if case.status == "intake":
            _undo(home, case, home.staging / f"{case.source_key[:32]}.pdf")
            _cancel(reg, case, "berkas di inbox berubah sebelum selesai diterima",
                    clock.now(cfg.tz))
        elif any(holding.same_bytes(entry / rel if entry.is_dir() else entry, digest)
                 for rel, digest in copies.items()):
            return case
    return None


def _refuse_existing_folder(home: Home, reg: Register, case: Case) -> None:
    """A case folder is never written over: one already carrying the number just given
    means the register is behind the disk (check_against_disk missed a folder)."""
    found = [p for p in home.cases.glob(f"{case.id}*")
             if p.name == case.id or p.name.startswith(f"{case.id} ")]
    if found or (home.root / case.folder).exists():
        name = found[0].name if found else case.folder
        raise RegisterBehind(
            f"Folder kasus '{name}' sudah ada, padahal register akan memberi nomor {case.id}: "
            f"register tertinggal. Hentikan kkwna watch, pulihkan cadangan register terbaru "
            f"ke {reg.path}, dan jangan hapus folder kasus.")


def _undo(home: Home, case: Case, staged: Path) -> None:
    """Remove what a failed attempt to open *case* wrote (its folder, its desk form)."""
    cleanups: list[Callable[[], None]] = [
        lambda: remove_tree(home.root / case.folder),
        lambda: placing.discard(home, case, services.of(case).first_desk.number),
        lambda: staged.unlink(missing_ok=True)]
    for cleanup in cleanups:
        try:
            cleanup()
        except OSError:
            log.exception("%s: sisa percobaan yang gagal tidak dapat dihapus", case.id)


def _cancel(reg: Register, case: Case, reason: str, at: datetime) -> None:
    """Account for a number that will never become a case (recorded, never reused)."""
    with reg.transaction() as db:
        reg.update(db, case, status="cancelled")
        reg.add_event(db, case.id, at=at, step=services.of(case).first.number,
                      action=Action.CANCELLED,
                      detail={"alasan": reason})
    log.warning("%s dibatalkan: %s", case.id, reason)


def _open(env: Env, reg: Register, case: Case, entry: Path, judged: Judged,
          staged: Path, note: str, place: Callable[[], object]) -> None:
    """*note*: what the bundle changed (pages pictured), for the case history; *place*
    puts the first desk's form (drawn now, or already drawn in staging)."""
    home = env.home
    folder = home.root / case.folder
    scans_dir = folder / SCANS
    originals = []
    for f in judged.files:
        rel = f.relative_to(entry) if f != entry else Path(f.name)
        atomic_copy(f, scans_dir / rel)
        originals.append(f"{SCANS}/{rel.as_posix()}")
    apply_file_policy(staged)  # written by the bundler's own temporary file
    os.replace(staged, folder / BERKAS)
    fsync_dir(folder)

    names = [Path(o).name for o in originals]
    service = services.of(case)
    first, intake_step = service.first_desk.number, service.first.number
    place()
    crash.point("intake-written")

    now = clock.now(env.cfg.tz)
    with reg.transaction() as db:
        reg.update(db, case, status="open", step=first, rounds={first: 1},
                   step_since=case.clock_start)
        reg.set_identities(db, case.id, [("nama", case.title)])
        reg.add_event(db, case.id, at=case.received_at, step=intake_step,
                      action=Action.RECEIVED,
                      detail={"berkas": names, "di_luar_jam_layanan": case.outside_hours,
                              "sumber": entry.name, **({"catatan": note} if note else {})})
        for name in [BERKAS, *originals]:
            path = folder / name
            reg.add_document(db, case.id, name=name, step=intake_step,
                             sha256=sha256_file(path), size=path.stat().st_size, at=now)
    crash.point("committed", intake_step)
    log.info("%s dibuka dari %s (%d berkas)", case.id, entry.name, len(originals))


def page_count(path: Path, kind: str) -> int:
    """Pages a scan adds to the bundle (for the checklist's list of files)."""
    if kind == "pdf":
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1) if kind == "tiff" else 1


def recover(home: Home, reg: Register) -> list[str]:
    """Cases left in 'intake' whose inbox entry is gone (removed by hand while the watcher
    was down) can never be completed: record them as cancelled, so the number is accounted
    for rather than silently skipped."""
    for leftover in home.staging.glob(".scans-*"):  # a bundle a crash interrupted
        remove_tree(leftover)
    # a backlog's checklist, drawn or half-written by a killed worker (ours, pikepdf's)
    for pattern in (f"{FORM_PREFIX}*", f"{TEMP_PREFIX}*", ".pikepdf.*"):
        for leftover in home.staging.glob(pattern):
            leftover.unlink(missing_ok=True)
    cancelled = []
    for case in reg.cases("intake"):
        entry = holding.source_entry(home, case)
        if not (entry.exists() or entry.is_symlink()):
            _cancel(reg, case, "berkas di inbox hilang sebelum selesai diterima",
                    case.received_at)
            cancelled.append(case.id)
    release_gone(home)
    return cancelled
