"""`kkwna watch`: watch inbox/ and desks/, take what is completely written, never die.

watchdog's handlers only enqueue the top-level entry an event touched (a handler that
raises silently kills the observer thread); one worker loop waits until each entry has
been still for `stable_seconds`, then handles it, catching everything per item. A full
rescan at start and every `rescan_seconds` covers missed events (network shares).

At start the register is checked against the case folders, the chain log and the filed
documents (`restored.check`, as every command that writes): a register behind them
(restored from an old copy, recreated) would give numbers twice or file documents over
filed ones, so the watcher refuses to start (RegisterBehind, exit 1, one Indonesian line).
The event chain is verified too (`Register.verify_chain`); its problems are logged as
warnings and shown by `kkwna status`, but do not stop the office: they concern history
already written, and numbering stays safe (checked against the disk).

A fault of the machine while taking an entry (`taking.MachineFault`: a full disk, no
permission; or the register found behind before a number is given) leaves the entry in
the inbox: one line is logged and kept for `kkwna status` (`pipeline.office.faults`), and the
entry is tried again after a growing pause (RETRY_FIRST seconds, doubling up to
RETRY_MAX). `--once` does not wait for a retry.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from pipeline import flow, outbox, services
from pipeline.desks import placing
from pipeline.domain import clock
from pipeline.domain.model import Env
from pipeline.domain.sop import Kind
from pipeline.intake import backlog, drawing_pool, taking
from pipeline.intake.quarantine import quarantine
from pipeline.office import faults, machine, restored
from pipeline.office.config import Config
from pipeline.office.home import Home, WatchLock, WorkLock
from pipeline.store.register import Register, RegisterBehind

log = logging.getLogger(__name__)
TICK = 0.05  # how often pending entries are looked at (seconds)
RETRY_FIRST = 5.0  # seconds before an entry waiting on a machine fault is tried again
RETRY_MAX = 300.0  # the longest pause between two tries
BACKLOG = 8  # inbox entries due at once that start the worker pool (its start costs ~1 s)


class _Enqueue(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                self.watcher.notice(Path(str(raw)))


class Watcher:
    def __init__(self, home: Home, cfg: Config, poll: float | None = None,
                 once: bool = False, on_item: Callable[[Path, str], None] | None = None,
                 workers: int | None = None) -> None:
        """*workers*: processes that draw a backlog (None: one per core; 0: none, every
        entry taken on its own)."""
        self.home, self.cfg, self.poll, self.once = home, cfg, poll, once
        self.inbox = home.inbox.resolve()  # KK WNA's
        # every registered service's inbox: a drop's folder tells its service (`intake`)
        self.inboxes = [p.resolve() for p in home.inboxes()]
        self.desks = home.desks.resolve()
        self.events: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self.pending: dict[Path, tuple[object, float]] = {}  # entry -> (signature, still since)
        self.done: dict[Path, object] = {}  # desk form -> signature when last handled
        self.stop = threading.Event()
        self.on_item = on_item
        self.retry_first, self.retry_max = RETRY_FIRST, RETRY_MAX
        self.retries: dict[Path, tuple[int, float]] = {}  # entry -> (tries, next try at)
        self.recover_due = False  # a machine fault may have left a step half carried out
        self.workers = drawing_pool.cores() if workers is None else workers
        self.pool = drawing_pool.Pool(max(self.workers, 1))

    # --- which paths matter --------------------------------------------------------------

    def entry_of(self, path: Path) -> Path | None:
        """The inbox entry or desk form a changed path belongs to, if any."""
        for inbox in self.inboxes:
            try:
                rel = path.relative_to(inbox)
            except ValueError:
                continue
            if rel.parts and not taking.ignored(rel.parts[0]):
                return inbox / rel.parts[0]
            return None
        try:
            rel = path.relative_to(self.desks)
        except ValueError:
            return None
        # desk folders are shared by services: a folder any service's table names
        steps = [s.step_of_desk(rel.parts[0]) for s in services.all()] \
            if len(rel.parts) == 2 else []
        kinds = {step.kind for step in steps if step is not None}
        wanted = (".pdf", *placing.PHOTOS) if Kind.HANDOVER in kinds else (".pdf",)
        if kinds and rel.suffix.lower() in wanted and not taking.ignored(rel.name):
            return self.desks / rel
        return None

    def notice(self, path: Path) -> None:
        entry = self.entry_of(path)
        if entry is not None:
            self.events.put(entry)

    def rescan(self) -> None:
        # forget forms that left their desk, so the memory of handled items stays bounded
        self.done = {p: sig for p, sig in self.done.items() if p.exists() or p.is_symlink()}
        taking.release_gone(self.home)
        for inbox in self.inboxes:
            for child in sorted(inbox.iterdir()) if inbox.is_dir() else []:
                self.notice(child)
        for desk in services.desks():
            folder = self.desks / desk
            for child in sorted(folder.iterdir()) if folder.is_dir() else []:
                self.notice(child)

    # --- the loop ------------------------------------------------------------------------

    def _signature(self, entry: Path) -> object:
        if self.in_inbox(entry):
            return taking.signature(entry)
        try:
            st = entry.lstat()  # a link on a desk is judged as itself, never followed
        except FileNotFoundError:
            return None
        return (st.st_mode, st.st_size, st.st_mtime_ns)

    def _collect(self) -> None:
        now = time.monotonic()
        for entry, (_, at) in list(self.retries.items()):
            if at <= now and entry not in self.pending:  # its pause is over: due at once
                self.pending[entry] = (self._signature(entry),
                                       now - self.cfg.stable_seconds)
        while True:
            try:
                entry = self.events.get_nowait()
            except queue.Empty:
                return
            if entry not in self.pending:
                self.pending[entry] = (self._signature(entry), now)

    def _due(self) -> list[Path]:
        """Entries whose signature has been still for stable_seconds, oldest first."""
        now = time.monotonic()
        ready = []
        for entry, (sig, since) in list(self.pending.items()):
            if entry in self.retries and self.retries[entry][1] > now:
                continue  # waiting out its pause after a machine fault
            current = self._signature(entry)
            if current is None:
                del self.pending[entry]  # gone
                self._forget_fault(entry)
                if self.in_inbox(entry):
                    taking.release_gone(self.home)  # a held leftover the clerk removed
            elif current != sig:
                self.pending[entry] = (current, now)
            elif now - since >= self.cfg.stable_seconds:
                ready.append((since, taking.natural_key(entry.name), entry))
        return [e for _, _, e in sorted(ready, key=lambda r: (r[0], r[1]))]

    def _still(self, entry: Path) -> tuple[bool, object]:
        """Whether *entry* is as it was when judged still (taken off the pending list), and
        its signature then. One written to since (the items before it took a while) waits
        until it is still again: never read half-saved."""
        judged = self.pending.pop(entry, None)
        sig = judged[0] if judged else None
        current = self._signature(entry) if judged else None
        if judged and current != sig:
            if current is not None:
                self.pending[entry] = (current, time.monotonic())
            return False, sig
        return True, sig

    def handle(self, reg: Register, entry: Path) -> str:
        """One item; every failure is contained here so the loop goes on."""
        try:
            still, sig = self._still(entry)
            if not still:
                return "changed"  # not an outcome: it is taken once still again
            if not self.in_inbox(entry) and self.done.get(entry) == sig:
                return "unchanged"
            if self.in_inbox(entry):
                with WorkLock(self.home):
                    outcome = taking.take(self.home, self.cfg, reg, entry)
                self._forget_fault(entry)
            else:
                env = Env(self.home, self.cfg)
                read = flow.read_form(env, entry)  # a form refused on its face waits on no one
                if isinstance(read, str):
                    outcome = read
                else:
                    with WorkLock(self.home):
                        outcome = flow.handle_form(env, reg, entry, read)
                    if entry in self.retries:
                        self._forget_fault(entry)
                self.done[entry] = sig
        except Exception as exc:  # noqa: BLE001 - the watcher must outlive any bad item
            outcome = self._failed(entry, exc)
        return self._report(entry, outcome)

    def _report(self, entry: Path, outcome: str) -> str:
        if self.on_item:
            self.on_item(entry, outcome)
        return outcome

    def _failed(self, entry: Path, exc: Exception) -> str:
        if isinstance(exc, (taking.MachineFault, RegisterBehind)):
            return self._wait(entry, exc)
        if machine.is_machine_fault(exc):  # a full disk at a desk: as intake does
            return self._wait(entry, machine.fault(
                exc, f"'{entry.name}' belum diproses", self.home.root,
                "formulir tetap di meja dan dicoba lagi otomatis"))
        log.error("%s tidak dapat diproses", entry, exc_info=exc)
        return self._contain(entry, exc)

    # --- a backlog: every core draws, one writer --------------------------------------------

    def _work(self, reg: Register, due: list[Path]) -> None:
        """Handle the due items: a backlog of inbox entries (BACKLOG or more, or any number
        once the pool is warm) with the pool, every other item on its own, in order."""
        inbox = [e for e in due if self.in_inbox(e)]
        pooled = self.workers > 0 and len(inbox) > 1 and (len(inbox) >= BACKLOG
                                                           or self.pool.warm)
        for entry in [e for e in due if not self.in_inbox(e)] if pooled else due:
            if self.stop.is_set():
                return
            self.handle(reg, entry)
        if pooled and not self.stop.is_set():
            backlog.Backlog(self.home, self.cfg, reg, self.pool, ready=self._ready,
                            done=self._taken, failed=self._not_taken,
                            stop=self.stop).run(inbox)

    def _ready(self, entry: Path) -> bool:
        return self._still(entry)[0]

    def _taken(self, entry: Path, outcome: str) -> None:
        self._forget_fault(entry)
        self._report(entry, outcome)

    def _not_taken(self, entry: Path, exc: Exception) -> None:
        self._report(entry, self._failed(entry, exc))

    def _wait(self, entry: Path, fault: Exception) -> str:
        """Leave *entry* where it is, say why in one line, try again after a pause."""
        tries = self.retries.get(entry, (0, 0.0))[0] + 1
        pause = min(self.retry_first * 2 ** (tries - 1), self.retry_max)
        line = str(fault)
        if isinstance(fault, RegisterBehind):
            faults.set_register(self.home, [line])
            line = f"'{entry.name}' belum diterima: register tertinggal (lihat baris register)."
        if self.in_inbox(entry):
            faults.set_inbox(self.home, taking.entry_key(entry), line, clock.now(self.cfg.tz))
        else:
            faults.set_waiting(self.home, self._desk_key(entry), line, clock.now(self.cfg.tz))
        self.recover_due = True  # a fault may have stopped a step after its commit
        if self.once:
            log.warning("%s", line)
            return "waiting"
        self.retries[entry] = (tries, time.monotonic() + pause)
        log.warning("%s Dicoba lagi dalam %.0f detik.", line, pause)
        return "waiting"

    def _forget_fault(self, entry: Path) -> None:
        if self.retries.pop(entry, None) is not None or self.in_inbox(entry):
            if self.in_inbox(entry):
                faults.clear_inbox(self.home, taking.entry_key(entry))
            else:
                faults.clear_waiting(self.home, self._desk_key(entry))

    def in_inbox(self, entry: Path) -> bool:
        """*entry* is a drop in one of the services' inboxes (not a desk form)."""
        return entry.parent in self.inboxes

    def _desk_key(self, entry: Path) -> str:
        return f"desks/{entry.parent.name}/{entry.name}"

    def _recover(self, reg: Register) -> None:
        """Finish what a crash or a machine fault stopped (automatic steps, filing); a
        machine fault here waits for the next try."""
        try:
            with WorkLock(self.home), machine.guard(self.home, self.cfg.tz, "kkwna watch",
                                                    "penyelesaian langkah otomatis tertunda"):
                taking.recover(self.home, reg)
                flow.recover(Env(self.home, self.cfg), reg)
            self.recover_due = False
        except machine.MachineFault as fault:
            log.warning("%s", fault)
            self.recover_due = True

    def _contain(self, entry: Path, exc: Exception) -> str:
        reason = f"kesalahan sistem / internal error: {type(exc).__name__}: {exc}"
        try:
            if self.in_inbox(entry) and (entry.exists() or entry.is_symlink()):
                quarantine(self.home, entry, [(entry.name, reason)], tz=self.cfg.tz)
                self._forget_fault(entry)
                return "quarantined"
            if entry.exists():
                placing.write_errors(self.cfg, entry, [reason])
        except Exception:  # noqa: BLE001
            log.exception("%s juga tidak dapat disisihkan; tetap di tempatnya", entry)
        return "error"

    def run(self) -> None:
        lock = WatchLock(self.home)
        lock.acquire()
        try:
            reg = Register(self.home.register_path)
            self._check_register(reg)
        except BaseException:
            lock.release()
            raise
        for folder in (*self.inboxes, self.desks):
            folder.mkdir(parents=True, exist_ok=True)
        # --once only rescans; an observer (watchdog's inotify one opens its inotify instance
        # and thread on creation) exists only when the watcher keeps running
        observer = None if self.once else self._observer()
        previous = self._trap_signals()
        env = Env(self.home, self.cfg)
        mailer = outbox.Retrier(env, self.stop)
        sender = None if self.once else threading.Thread(target=mailer.run, daemon=True,
                                                         name="kkwna-email")
        try:
            if observer is not None:
                observer.start()
            self.rescan()
            last_scan = time.monotonic()
            self._collect()
            self._recover(reg)
            if sender is not None:  # e-mails go in the background, outside the work lock
                sender.start()
            while not self.stop.is_set():
                self._collect()
                self._work(reg, self._due())
                self.pool.idle_check()
                if self.recover_due and not self.retries:  # the faults are over
                    self._recover(reg)
                if self.once and not self.pending:
                    break
                if time.monotonic() - last_scan >= self.cfg.rescan_seconds:
                    self.rescan()
                    last_scan = time.monotonic()
                self.stop.wait(TICK)
            if self.once:
                mailer.once(reg)  # each queued e-mail tried once, within its deadline
        finally:
            if sender is not None and sender.is_alive():
                self.stop.set()  # the sender stops too, after the e-mail it is sending
                sender.join(timeout=self.cfg.email.deadline_seconds + 5)
            if observer is not None and observer.is_alive():
                observer.stop()
                observer.join(timeout=5)
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, previous[0])  # type: ignore[arg-type]
                signal.signal(signal.SIGTERM, previous[1])  # type: ignore[arg-type]
            self.pool.close()
            reg.close()
            lock.release()

    def _check_register(self, reg: Register) -> None:
        """Refuse to start on a register behind the disk; warn of a broken event chain."""
        try:
            restored.check(self.home, reg)
        except RegisterBehind as behind:
            faults.set_register(self.home, [str(behind)])
            reg.close()
            raise
        problems = reg.verify_chain()
        for line in problems:
            log.warning("register: %s", line)
        faults.set_register(self.home, problems)

    def _observer(self) -> BaseObserver:
        observer = PollingObserver(timeout=self.poll) if self.poll else Observer()
        handler = _Enqueue(self)
        for folder in (*self.inboxes, self.desks):
            observer.schedule(handler, str(folder), recursive=True)
        return observer

    def _trap_signals(self) -> tuple[object, object]:
        """Ctrl-C and SIGTERM stop the loop between items, never in the middle of one."""

        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("berhenti setelah berkas yang sedang diproses")
            self.stop.set()

        if threading.current_thread() is not threading.main_thread():
            return (None, None)  # tests run the watcher in a thread: they set .stop themselves
        return (signal.signal(signal.SIGINT, stop), signal.signal(signal.SIGTERM, stop))
