"""The office folder ("home") and `kkwna init`."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline import services
from pipeline.domain import sop
from pipeline.domain.errors import KkwnaError
from pipeline.domain.sop import Step
from pipeline.office import config, config_write
from pipeline.office.fsutil import atomic_write_text
from pipeline.render.layout import BUILTIN_LAYOUTS
from pipeline.services import Service

STATE = ".kkwna"  # the program's own working files: lock, staging


class HomeError(KkwnaError):
    pass


@dataclass(frozen=True)
class Home:
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def desks(self) -> Path:
        return self.root / "desks"

    @property
    def cases(self) -> Path:
        return self.root / "cases"

    @property
    def print(self) -> Path:
        return self.root / "print"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def staging(self) -> Path:
        return self.state / "staging"

    @property
    def register_path(self) -> Path:
        return self.archive / "register.sqlite3"

    @property
    def layout_dirs(self) -> list[Path]:
        """The office's own layouts first (editable copies), then the built-in ones."""
        return [self.root / "layouts", BUILTIN_LAYOUTS]

    def desk(self, step: Step | int) -> Path:
        """The desk folder of *step* (a service's step; a bare number is KK WNA's)."""
        found = step if isinstance(step, Step) else sop.step(step)
        if found.desk is None:
            raise KeyError(f"step {found.number} has no desk")
        return self.desks / found.desk

    def inbox_of(self, service: Service) -> Path:
        """Where applications of *service* are dropped (KK WNA's is `inbox`)."""
        return self.root / service.inbox

    def inboxes(self) -> list[Path]:
        """Every registered service's inbox, KK WNA's first."""
        return [self.root / name for name in services.inboxes()]

    def folders(self) -> list[Path]:
        return [*self.inboxes(), self.cases, self.print, self.archive, self.quarantine,
                self.staging, *(self.desks / d for d in services.desks())]


def resolve(home: str | None) -> Home:
    root = Path(home or os.environ.get("KKWNA_HOME") or ".").expanduser().resolve()
    return Home(root)


def init(home: Home) -> list[str]:
    """Create the folders and a kkwna.toml (kept if present). Returns what it did."""
    done = []
    for folder in home.folders():
        folder.mkdir(parents=True, exist_ok=True)
    cfg_path = home.root / config.FILENAME
    if cfg_path.exists():
        config.load(home.root)  # an existing profile must still be valid
        done.append(f"kkwna.toml yang ada dipakai: {cfg_path}")
    else:
        # through tomlkit, which checks it reads back, as every later edit of the file
        atomic_write_text(cfg_path, config_write.edit(config.DEFAULT, {}))
        done.append(f"kkwna.toml dibuat: {cfg_path}")
    return done


class WatchLock:
    """One watcher per home. flock is released by the kernel when the holder dies, so a lock
    left by a killed watcher never blocks the next start."""

    def __init__(self, home: Home) -> None:
        self.path = home.state / "watch.lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.read(fd, 64).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise HomeError(f"kkwna watch lain sudah berjalan untuk {self.path.parent.parent}"
                            f" (pid {other})") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class WorkLock:
    """Held while one item is handled, so a CLI command and the watcher never act on the
    same case at once (blocking; released by the kernel if the holder dies)."""

    def __init__(self, home: Home) -> None:
        self.path = home.state / "work.lock"
        self.fd: int | None = None

    def __enter__(self) -> WorkLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
