"""Step 9's e-mail never holds the office (kkwna issue 14, item 8): a total deadline per
e-mail, sent after the step is committed and outside the work lock, recorded as sent with
its Message-ID so recovery never sends it twice, retried in the background by the watcher.

The SMTP servers are ours, on 127.0.0.1, started by each test: one that trickles its
greeting a byte at a time, and aiosmtpd recording what it receives.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from pipeline.office import config, faults
from pipeline.office import home as homes
from pipeline.store.register import Register
from pipeline.watcher import Watcher
from tests.conftest import MONDAY_9
from tests.office import wait_for
from tests.test_tte_flow import _case, _events, _free_port, _Inbox, _kkwna, _mail_settings, _pki

TO = "john.smith@example.com"


class Trickle:
    """An SMTP server that sends its greeting one byte every *interval* seconds; it notes,
    per connection, whether the office's work lock was free and how long it was held."""

    def __init__(self, home: homes.Home, interval: float, greeting: bytes) -> None:
        self.home, self.interval, self.greeting = home, interval, greeting
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port: int = self.sock.getsockname()[1]
        self.lock_free: list[bool] = []
        self.held: list[float] = []  # seconds from accept until the client hung up
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.lock_free.append(self._work_lock_free())
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _work_lock_free(self) -> bool:
        fd = os.open(self.home.state / "work.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    def _trickle(self, conn: socket.socket) -> None:
        start = time.monotonic()
        with conn:
            for byte in self.greeting:
                if self.stop.wait(self.interval):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:  # the client hung up
                    break
            conn.settimeout(60)
            try:
                while conn.recv(1024):
                    pass
            except OSError:
                pass
        self.held.append(time.monotonic() - start)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _timing(home: homes.Home, deadline: float, retry: float) -> None:
    """The e-mail's total deadline and first retry pause, scaled down for a test."""
    path = home.root / config.FILENAME
    text = path.read_text(encoding="utf-8")
    text = text.replace("deadline_seconds = 120", f"deadline_seconds = {deadline}")
    text = text.replace("retry_seconds = 60", f"retry_seconds = {retry}")
    path.write_text(text, encoding="utf-8")
    assert f"deadline_seconds = {deadline}" in text


def _sign(home: homes.Home, cid: str, crash_at: str = "",
          timeout: float = 60) -> subprocess.CompletedProcess[str]:
    pki = _pki(home)
    env = {**os.environ, "KKWNA_NOW": MONDAY_9}
    env.pop("KKWNA_CRASH_AT", None)
    if crash_at:
        env["KKWNA_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--home", str(home.root), "sign", cid, "--p12",
         str(pki["head"]), "--passphrase-file", str(pki["passphrase"])],
        capture_output=True, text=True, env=env, timeout=timeout, check=False)


def _sent(home: homes.Home, cid: str) -> list[dict[str, str]]:
    return [d for s, a, d in _events(home, cid) if s == 9 and a == "e-mail terkirim"]


@pytest.mark.timeout(120)
def test_a_trickling_server_holds_neither_sign_nor_the_office(demo_at) -> None:
    home, ids = demo_at(8)
    cid = ids["JOHN SMITH"]
    # 40 bytes at 0.5 s: 20 s for the greeting alone, each byte well inside the 30 s
    # per-read timeout; the e-mail's deadline is 1.5 s
    server = Trickle(home, 0.5, b"220 " + b"x" * 34 + b"\r\n")
    try:
        _mail_settings(home, server.port, TO, cid)
        _timing(home, deadline=1.5, retry=60)
        start = time.monotonic()
        result = _sign(home, cid, timeout=45)
        took = time.monotonic() - start
        assert result.returncode == 0, result.stderr
        wait_for(lambda: server.held, timeout=10, what="the client hanging up")
    finally:
        server.close()
    assert server.lock_free == [True]  # sent after the step, outside the work lock
    # the deadline is for the whole e-mail (without it the greeting alone takes 20 s);
    # the margin is for a loaded 2-core machine
    assert server.held[0] < 1.5 + 3.0, server.held
    assert took < 30, took
    assert _case(home, cid).step == 11  # signed, printed, on the hand-over desk
    assert _sent(home, cid) == []
    lines = [line for line in result.stderr.splitlines() if "e-mail" in line]
    assert len(lines) == 1 and "belum terkirim" in lines[0] and "dicoba lagi" in lines[0]
    assert "Traceback" not in result.stderr
    status = _kkwna(home, "status").output
    assert f"{cid}: " in status and "BELUM TERKIRIM" in status
    assert cid in faults.load(home).email


@pytest.mark.timeout(120)
@pytest.mark.parametrize("crash_at", ["", "documents@9", "committed@9", "committed@10"])
def test_a_kill_around_step_9_never_sends_the_kk_twice(demo_at, smtp_server,
                                                        crash_at: str) -> None:
    inbox, port = smtp_server
    home, ids = demo_at(8)
    cid = ids["JOHN SMITH"]
    _mail_settings(home, port, TO, cid)
    result = _sign(home, cid, crash_at)
    assert result.returncode == (86 if crash_at else 0), result.stderr
    for _ in range(2):  # recovery at watcher start, twice
        started = _kkwna(home, "watch", "--once")
        assert started.exit_code == 0, started.output
    assert len(inbox.messages) == 1
    (sent,) = _sent(home, cid)
    msg = message_from_bytes(inbox.messages[0])
    assert sent["message_id"] == msg["Message-ID"] and sent["ke"] == TO
    assert _case(home, cid).step == 11
    assert faults.load(home).email == {}


@pytest.mark.timeout(120)
def test_a_server_down_at_signing_is_retried_in_the_background(demo_at) -> None:
    home, ids = demo_at(8)
    cid, port = ids["JOHN SMITH"], _free_port()  # nobody listens there yet
    _mail_settings(home, port, TO, cid)
    _timing(home, deadline=2, retry=0.2)
    pki = _pki(home)
    result = _kkwna(home, "sign", cid, "--p12", str(pki["head"]),
                    "--passphrase-file", str(pki["passphrase"]))
    assert result.exit_code == 0, result.output
    assert "belum terkirim" in faults.load(home).email[cid]["pesan"]
    status = _kkwna(home, "status").output
    assert "BELUM TERKIRIM" in status and "tidak terkirim" in status

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    watcher = Watcher(home, config.load(home.root))
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: _sent(home, cid), timeout=30, what="the e-mail recorded as sent")
    finally:
        watcher.stop.set()
        thread.join(timeout=20)
        controller.stop()
    assert len(inbox.messages) == 1
    assert faults.load(home).email == {}
    assert "BELUM TERKIRIM" not in _kkwna(home, "status").output
    reg = Register(home.register_path)
    try:
        assert reg.verify_chain() == []
    finally:
        reg.close()
