"""Step 9: the signed KK sent to the applicant by e-mail (SMTP, settings in `[email]`).

The SMTP password is read from a file only its owner may read and goes to the server
only; failures are one Indonesian line that never contains it.

smtplib's timeout is per socket read: a server answering one byte every 20 s never trips
it. Each e-mail therefore has a total deadline (`deadline_seconds`): a timer shuts the
connection's socket down when it passes, which ends any read or write blocked on it.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pipeline.domain.errors import KkwnaError
from pipeline.office.config import EmailConfig
from pipeline.signing.keys import SigningError, read_passphrase


class MailError(KkwnaError):
    """The KK could not be sent; str() is one Indonesian line."""


def new_message_id(cfg: EmailConfig) -> str:
    """A Message-ID for the KK's e-mail, chosen once and recorded before it is sent."""
    return make_msgid(domain=cfg.sender.rpartition("@")[2] or None)


def kk_message(cfg: EmailConfig, to: str, pdf: Path, case_id: str,
               message_id: str | None = None, *, office: str) -> EmailMessage:
    """The e-mail: a short Indonesian note with the signed KK attached, closed with the
    name of the *office* that sends it (``Office.nama``, from kkwna.toml)."""
    msg = EmailMessage()
    msg["Subject"] = f"Kartu Keluarga WNA - {case_id}"
    msg["From"] = cfg.sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or new_message_id(cfg)
    msg.set_content(
        "Yth. Bapak/Ibu,\n\n"
        f"Bersama ini kami sampaikan Kartu Keluarga WNA (nomor register {case_id}) yang "
        "telah ditandatangani secara elektronik, terlampir dalam berkas PDF.\n\n"
        "Dokumen elektronik ini sah tanpa tanda tangan basah. Keasliannya dapat diperiksa "
        "pada tanda tangan elektronik di berkas PDF atau pada kode QR di kartu yang "
        "dicetak.\n\n"
        "Hormat kami,\n"
        f"{office}\n"
    )
    msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                       filename=pdf.name)
    return msg


class _Deadline:
    """Shuts down the socket it watches once *seconds* have passed."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.passed = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return max(self.end - time.monotonic(), 0.01)

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sock = sock
            if self.passed:
                self._shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            if self._sock is not None:
                self._shut(self._sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the plain socket's, also under TLS: it wakes
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # a read blocked on it

    def cancel(self) -> None:
        self._timer.cancel()


def _client(cfg: EmailConfig, deadline: _Deadline) -> smtplib.SMTP:
    """An SMTP connection whose socket *deadline* watches from the start (the greeting is
    read while connecting)."""
    timeout = min(cfg.timeout_seconds, deadline.left())
    base = smtplib.SMTP_SSL if cfg.security == "tls" else smtplib.SMTP

    class Client(base):  # type: ignore[valid-type,misc]
        def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
            return deadline.watch(super()._get_socket(host, port, timeout))

    if cfg.security == "tls":
        return Client(cfg.host, cfg.port, timeout=timeout,
                      context=ssl.create_default_context())
    return Client(cfg.host, cfg.port, timeout=timeout)


def send_kk(cfg: EmailConfig, to: str, pdf: Path, case_id: str,
            message_id: str | None = None, *, office: str) -> str:
    """Send *pdf* to *to* within `cfg.deadline_seconds`, signed by *office* (its name);
    returns the Message-ID. Raises
    MailError (one Indonesian line) when e-mail is off, the address is bad, or the server
    refuses, cannot be reached or does not finish in time."""
    if not cfg.enabled:
        raise MailError("pengiriman e-mail belum diatur (email.host di kkwna.toml)")
    if "@" not in to or any(c.isspace() for c in to.strip()):
        raise MailError(f"alamat e-mail tidak sah: {to!r}")
    msg = kk_message(cfg, to.strip(), Path(pdf), case_id, message_id, office=office)
    try:
        password = read_passphrase(cfg.password_file).decode("utf-8") \
            if cfg.password_file is not None else None
    except SigningError as exc:  # the password file is missing or others can read it
        raise MailError(str(exc)) from None
    deadline = _Deadline(cfg.deadline_seconds)
    try:
        with _client(cfg, deadline) as smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                if smtp.sock is not None:  # the TLS socket now carries the connection
                    deadline.watch(smtp.sock)
            if password is not None:
                smtp.login(cfg.username or cfg.sender, password)
            smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"server e-mail {cfg.host} menolak login {cfg.username or cfg.sender}") \
            from None
    except smtplib.SMTPRecipientsRefused:
        raise MailError(f"server e-mail menolak alamat penerima {to}") from None
    except (smtplib.SMTPException, OSError) as exc:
        # the server's reply or the socket error; neither can contain the password
        if deadline.passed:
            raise MailError(f"e-mail ke {to} tidak terkirim lewat {cfg.host}:{cfg.port} "
                            f"(server tidak selesai dalam {cfg.deadline_seconds:g} detik)") \
                from None
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise MailError(f"e-mail ke {to} tidak terkirim lewat {cfg.host}:{cfg.port} "
                        f"({reason})") from None
    finally:
        deadline.cancel()
    return str(msg["Message-ID"])
