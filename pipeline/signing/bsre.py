"""A client of a BSrE-style TTE service: the national e-signature service signs the PDF
for the signer's NIK and passphrase (`[tte] backend = "bsre"`).

The calls are those of BSrE's e-sign API that client projects use: ``POST
/api/sign/pdf`` (multipart: ``file``, ``nik``, ``passphrase``, ``tampilan``) answers the
signed PDF, or a JSON error (``{"error": ..., "status_code": ...}``), or a JSON
``id_dokumen`` to fetch with ``GET /api/sign/download/{id}``. Each request carries an
``Idempotency-Key`` (case and round) so a retry after a lost answer is the same request;
kkwna keeps the first answer it gets (see `backends`), so it never asks twice for a
card it already has.

A request has one deadline for all of it (connect, send, the answer), not a timeout per
read: a service that trickles its answer cannot hold the office. The passphrase goes
into the request body only; no message, log or exception carries it.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import secrets
import socket
import ssl
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from pipeline.signing.keys import SigningError, read_passphrase

UNREACHABLE = "layanan TTE tidak dapat dihubungi; coba lagi"
WRONG_PASSPHRASE = "passphrase TTE salah"
# BSrE's documented error codes that mean the signer must act, in their words
_CODES = {2031: WRONG_PASSPHRASE, 2011: "NIK tidak terdaftar di layanan TTE",
          2021: "sertifikat TTE penanda tangan kedaluwarsa atau dicabut"}


class Unreachable(SigningError):
    """The service did not answer in time (or at all): nothing was decided."""


@dataclass(frozen=True)
class Service:
    base_url: str
    timeout: float
    auth_file: Path | None = None

    def _authorization(self) -> dict[str, str]:
        if self.auth_file is None:
            return {}
        token = base64.b64encode(read_passphrase(self.auth_file)).decode("ascii")
        return {"Authorization": f"Basic {token}"}

    def sign_pdf(self, pdf: bytes, *, nik: str, passphrase: bytes, key: str) -> bytes:
        """The signed PDF; SigningError (one Indonesian line) on a refusal, Unreachable
        when the service cannot be reached or does not finish within the deadline."""
        body, ctype = _multipart({"nik": nik.encode(), "passphrase": passphrase,
                                  "tampilan": b"invisible"}, ("file", "kk.pdf", pdf))
        headers = {"Content-Type": ctype, "Idempotency-Key": key, **self._authorization()}
        status, answer_type, answer = self._request("POST", "/api/sign/pdf", body, headers)
        if status == 200 and answer.startswith(b"%PDF-"):
            return answer
        found = _json(answer) if "json" in answer_type or answer[:1] == b"{" else {}
        if status == 200 and found.get("id_dokumen"):
            ident = urllib.parse.quote(str(found["id_dokumen"]), safe="")
            status, _, answer = self._request("GET", f"/api/sign/download/{ident}", None,
                                              self._authorization())
            if status == 200 and answer.startswith(b"%PDF-"):
                return answer
        raise _refusal(status, found)

    def _request(self, method: str, path: str, body: bytes | None,
                 headers: dict[str, str]) -> tuple[int, str, bytes]:
        """One HTTP exchange within the deadline, run in a helper thread so that the
        deadline holds however slowly the bytes come."""
        result: list[tuple[int, str, bytes]] = []
        failure: list[BaseException] = []
        conn = self._connection()

        def exchange() -> None:
            try:
                url = urllib.parse.urlsplit(self.base_url)
                conn.request(method, url.path.rstrip("/") + path, body=body, headers=headers)
                response = conn.getresponse()
                result.append((response.status, response.getheader("Content-Type", ""),
                               response.read()))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                failure.append(exc)

        worker = threading.Thread(target=exchange, name="tte-request", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            _close(conn)  # the thread ends with the socket
            raise Unreachable(UNREACHABLE)
        if failure:
            if isinstance(failure[0], OSError | http.client.HTTPException):
                raise Unreachable(UNREACHABLE)
            raise failure[0]
        return result[0]

    def _connection(self) -> http.client.HTTPConnection:
        url = urllib.parse.urlsplit(self.base_url)
        if url.scheme == "https":
            return http.client.HTTPSConnection(url.hostname or "", url.port,
                                               timeout=self.timeout,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(url.hostname or "", url.port, timeout=self.timeout)


def _close(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    conn.close()


def _json(data: bytes) -> dict[str, object]:
    try:
        found = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _refusal(status: int, found: dict[str, object]) -> SigningError:
    code = found.get("status_code")
    if isinstance(code, int) and code in _CODES:
        return SigningError(_CODES[code])
    if status >= 500:
        return Unreachable(f"layanan TTE sedang bermasalah (HTTP {status}); coba lagi")
    said = str(found.get("error") or found.get("message") or "").splitlines()
    reason = said[0][:200] if said else f"HTTP {status}"
    return SigningError(f"layanan TTE menolak: {reason}")


def _multipart(values: dict[str, bytes], upload: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in values.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     .encode() + value + b"\r\n")
    field, filename, data = upload
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                 f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
