"""Step 9: the signed KK sent to the applicant by e-mail (SMTP, settings in `[email]`).

The SMTP password is read from a file only its owner may read and goes to the server
only; failures are one Indonesian line that never contains it.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pipeline.config import EmailConfig
from pipeline.errors import KkwnaError
from pipeline.signing.keys import SigningError, read_passphrase

TIMEOUT = 30  # seconds for connecting and each SMTP command


class MailError(KkwnaError):
    """The KK could not be sent; str() is one Indonesian line."""


def kk_message(cfg: EmailConfig, to: str, pdf: Path, case_id: str) -> EmailMessage:
    """The e-mail: a short Indonesian note with the signed KK attached."""
    msg = EmailMessage()
    msg["Subject"] = f"Kartu Keluarga WNA - {case_id}"
    msg["From"] = cfg.sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.rpartition("@")[2] or None)
    msg.set_content(
        "Yth. Bapak/Ibu,\n\n"
        f"Bersama ini kami sampaikan Kartu Keluarga WNA (nomor register {case_id}) yang "
        "telah ditandatangani secara elektronik, terlampir dalam berkas PDF.\n\n"
        "Dokumen elektronik ini sah tanpa tanda tangan basah. Keasliannya dapat diperiksa "
        "pada tanda tangan elektronik di berkas PDF atau pada kode QR di kartu yang "
        "dicetak.\n\n"
        "Hormat kami,\n"
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tapin\n"
    )
    msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                       filename=pdf.name)
    return msg


def send_kk(cfg: EmailConfig, to: str, pdf: Path, case_id: str) -> None:
    """Send *pdf* to *to*. Raises MailError (one Indonesian line) when e-mail is off, the
    address is bad, or the server refuses or cannot be reached."""
    if not cfg.enabled:
        raise MailError("pengiriman e-mail belum diatur (email.host di kkwna.toml)")
    if "@" not in to or any(c.isspace() for c in to.strip()):
        raise MailError(f"alamat e-mail tidak sah: {to!r}")
    msg = kk_message(cfg, to.strip(), Path(pdf), case_id)
    try:
        password = read_passphrase(cfg.password_file).decode("utf-8") \
            if cfg.password_file is not None else None
    except SigningError as exc:  # the password file is missing or others can read it
        raise MailError(str(exc)) from None
    try:
        if cfg.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=TIMEOUT)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
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
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise MailError(f"e-mail ke {to} tidak terkirim lewat {cfg.host}:{cfg.port} "
                        f"({reason})") from None
