"""A stand-in for the national TTE service (BSrE e-sign API) on 127.0.0.1, for the tests.

It speaks the calls kkwna uses: ``POST /api/sign/pdf`` (multipart ``file``, ``nik``,
``passphrase``, ``tampilan``) answering the signed PDF or a JSON error, ``GET
/api/sign/download/{id}`` and ``POST /api/sign/verify``. It signs with pyHanko into the
document's one empty signature field, with the p12 registered for the NIK.

``script`` lists how the next signing requests go, one word each (then "ok"):
"ok", "500", "timeout" (signs, keeps the card for the idempotency key, answers too late),
"other" (signs a changed document), "expired" (BSrE's refusal for an expired
certificate), "download" (answers an id to fetch). A repeated idempotency key is answered
with the card already signed for it: ``signatures`` counts the cards really signed.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from pipeline.signing import keys


class BsreDouble:
    def __init__(self, signers_by_nik: dict[str, tuple[Path, bytes]], *,
                 user: str = "kkwna", password: str = "rahasia-layanan") -> None:
        self.signers = signers_by_nik
        self.auth = (user, password)
        self.script: list[str] = []
        self.hang = 5.0  # seconds a "timeout" answer waits
        self.signatures = 0
        self.requests: list[dict[str, str]] = []
        self.by_key: dict[str, bytes] = {}
        self.downloads: dict[str, bytes] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> BsreDouble:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _sign(self, pdf: bytes, nik: str, *, change: bool = False) -> bytes:
        p12, passphrase = self.signers[nik]
        w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if change:
            from tests.signing_pki import paint_over
            paint_over(w)
        meta = signers.PdfSignatureMetadata(subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256")
        out = io.BytesIO()
        signers.sign_pdf(w, meta, signer=keys.load_signer(p12, passphrase), output=out,
                         existing_fields_only=True)
        with self.lock:
            self.signatures += 1
        return out.getvalue()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, value: dict[str, Any]) -> None:
                self._send(status, json.dumps(value).encode(), "application/json")

            def _authorised(self) -> bool:
                import base64
                expected = base64.b64encode(":".join(double.auth).encode()).decode()
                if self.headers.get("Authorization") == f"Basic {expected}":
                    return True
                self._json(401, {"error": "Unauthorized", "status_code": 1001})
                return False

            def _form(self) -> dict[str, bytes]:
                length = int(self.headers.get("Content-Length", "0"))
                raw = (f"Content-Type: {self.headers['Content-Type']}\r\n\r\n").encode() \
                    + self.rfile.read(length)
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
                return {part.get_param("name", header="content-disposition"):
                        part.get_payload(decode=True) for part in message.iter_parts()}

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                ident = self.path.rsplit("/", 1)[-1]
                if self.path.startswith("/api/sign/download/") and ident in double.downloads:
                    self._send(200, double.downloads[ident], "application/pdf")
                else:
                    self._json(404, {"error": "Dokumen tidak ditemukan"})

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                form = self._form()
                if self.path == "/api/sign/verify":
                    ok = form.get("signed_file", b"").startswith(b"%PDF-")
                    self._json(200, {"conclusion": "VALID" if ok else "NO_SIGNATURE"})
                    return
                if self.path != "/api/sign/pdf":
                    self._json(404, {"error": "Not found"})
                    return
                nik = form.get("nik", b"").decode()
                key = self.headers.get("Idempotency-Key", "")
                with double.lock:
                    double.requests.append({"nik": nik, "key": key,
                                            "tampilan": form.get("tampilan", b"").decode()})
                    behaviour = double.script.pop(0) if double.script else "ok"
                if nik not in double.signers:
                    self._json(400, {"error": "NIK tidak terdaftar", "status_code": 2011})
                    return
                if form.get("passphrase") != double.signers[nik][1]:
                    self._json(400, {"error": "Passphrase anda salah", "status_code": 2031})
                    return
                if behaviour == "500":
                    self._json(500, {"error": "Internal Server Error"})
                    return
                if behaviour == "expired":
                    self._json(400, {"error": "Sertifikat kadaluarsa", "status_code": 2021})
                    return
                if key and key in double.by_key:
                    signed = double.by_key[key]  # the same request: the same card
                else:
                    signed = double._sign(form["file"], nik, change=behaviour == "other")
                    if key:
                        double.by_key[key] = signed
                if behaviour == "timeout":
                    time.sleep(double.hang)
                if behaviour == "download":
                    ident = f"doc{len(double.downloads) + 1}"
                    double.downloads[ident] = signed
                    self._json(200, {"id_dokumen": ident})
                    return
                with contextlib.suppress(OSError):  # the client may have given up waiting
                    self._send(200, signed, "application/pdf")

        return Handler
