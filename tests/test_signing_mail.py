"""Step 9 e-mail: the message and the attachment as an SMTP server receives them
(aiosmtpd in-process), login with a password file, and failures in one line."""

from __future__ import annotations

import os
import socket
import tomllib
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipeline.office import config
from pipeline.signing.mail import MailError, send_kk

PASSWORD = "sandi-smtp-rahasia"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"dukcapil@tapin.test" \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            authenticator=_authenticate, auth_require_tls=False,
                            auth_exclude_mechanism=["LOGIN"])
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tapin"


def _cfg(port: int, password_file: Path | None = None) -> config.EmailConfig:
    data = tomllib.loads(config.DEFAULT)
    data["email"].update(host="127.0.0.1", port=port, security="none",
                         sender="dukcapil@tapin.test",
                         password_file=str(password_file) if password_file else "")
    return config.parse(data).email


def _send(cfg: config.EmailConfig, to: str, pdf: Path) -> str:
    return send_kk(cfg, to, pdf, "KKWNA-2026-0001", office=OFFICE)


def _pdf(tmp_path: Path) -> Path:
    pdf = tmp_path / "08 kartu keluarga WNA.pdf"
    pdf.write_bytes(b"%PDF-1.7\n% kartu keluarga uji\n%%EOF\n")
    return pdf


def test_the_kk_arrives_with_an_indonesian_note_and_the_pdf(
        smtp_server: tuple[_Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    pdf = _pdf(tmp_path)
    _send(_cfg(port), "john.smith@contoh.test", pdf)
    assert len(inbox.messages) == 1
    rcpt, raw = inbox.messages[0]
    assert rcpt == ["john.smith@contoh.test"]
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == "Kartu Keluarga WNA - KKWNA-2026-0001"
    assert msg["From"] == "dukcapil@tapin.test"
    body = msg.get_body(("plain",))
    assert body is not None and "ditandatangani secara elektronik" in body.get_content()
    assert body.get_content().split()[-8:] == ["kami,", *OFFICE.split()]  # who sends it
    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == [pdf.name]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == pdf.read_bytes()


def test_login_with_a_password_file(smtp_server: tuple[_Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    secret = tmp_path / "smtp.txt"
    secret.write_text(PASSWORD + "\n")
    os.chmod(secret, 0o600)
    _send(_cfg(port, secret), "john.smith@contoh.test", _pdf(tmp_path))
    assert len(inbox.messages) == 1
    secret.write_text("salah-salah\n")
    with pytest.raises(MailError, match="menolak login") as err:
        _send(_cfg(port, secret), "john.smith@contoh.test", _pdf(tmp_path))
    assert "salah-salah" not in str(err.value)
    os.chmod(secret, 0o644)
    with pytest.raises(MailError, match="dapat dibaca pengguna lain"):
        _send(_cfg(port, secret), "john.smith@contoh.test", _pdf(tmp_path))


def test_failures_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(MailError, match="belum diatur"):
        _send(config.EmailConfig(), "a@b.test", _pdf(tmp_path))
    with pytest.raises(MailError, match="alamat e-mail tidak sah"):
        _send(_cfg(25), "bukan alamat", _pdf(tmp_path))
    with pytest.raises(MailError, match="tidak terkirim") as err:
        _send(_cfg(_free_port()), "a@b.test", _pdf(tmp_path))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("key", "value"), [("security", "ssl"), ("port", 0),
                                            ("sender", "bukan-alamat"), ("smtp", "x")])
def test_bad_email_settings_name_the_key(key: str, value: object) -> None:
    data = tomllib.loads(config.DEFAULT)
    data["email"].update(host="smtp.contoh.test", sender="a@b.test")
    data["email"][key] = value
    with pytest.raises(config.ConfigError, match=rf"\[email\] {key}:"):
        config.parse(data)
