"""`/verifikasi`: anyone checks a KK, a PDF or a photo of the printed card, with the same
judgement as `kkwna verify` (`register_check`). No login: nothing is changed here.

A hostile upload gets TIDAK ASLI and the reason, never a 500: the body is counted while it
is read (past `max_upload` it is refused at once), images past Pillow's pixel limit are
refused from their header (`verify.too_many_pixels`), each request has a time limit and
each client a rate limit. The signature verdict of a file already seen is kept by its
SHA-256 (a card does not change; the register is asked again every time)."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import anyio
from anyio import to_thread
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipeline.domain.errors import KkwnaError
from pipeline.signing.register_check import Judged, card_verdict, with_register
from pipeline.web.base import Door, client, door, page
from pipeline.web.verdicts import Verdicts

log = logging.getLogger(__name__)
FIELD = "berkas"
TOO_MANY = "terlalu banyak permintaan dari alamat ini; coba lagi sebentar lagi"
TIMED_OUT = "pemeriksaan melebihi batas waktu; berkas ini tidak dapat diperiksa"
NO_FILE = "berkas belum dipilih (kolom 'berkas')"
BAD_UPLOAD = "unggahan tidak dapat dibaca; kirim berkas sebagai multipart/form-data"
_workers = anyio.CapacityLimiter(4)  # verifications at once; the rest wait their turn


class TooLarge(Exception):
    pass


def too_large(d: Door) -> str:
    return f"berkas lebih dari {d.settings.max_upload // (1024 * 1024)} MB"


def _judge_bytes(d: Door, data: bytes, name: str) -> Judged:
    key = hashlib.sha256(data).hexdigest()
    cache: Verdicts = d.verdicts
    found = cache.get(key)
    if found is None:
        suffix = Path(name).suffix[:8] if Path(name).suffix.isascii() else ""
        with tempfile.NamedTemporaryFile(prefix="verifikasi-", suffix=suffix) as fh:
            fh.write(data)
            fh.flush()
            try:
                found = card_verdict(d.env, Path(fh.name))
            except KkwnaError as exc:  # the office's [tte] is not set: say so, do not crash
                return Judged(False, str(exc), {}, True)
        cache.put(key, found)
    return with_register(d.env, *found)


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise TooLarge
        yield chunk


async def _upload(request: Request, limit: int) -> tuple[bytes, str] | None:
    parser = MultiPartParser(request.headers, _limited(request, limit), max_files=1,
                             max_fields=5, max_part_size=64 * 1024)
    form = await parser.parse()
    try:
        item = form.get(FIELD)
        if not isinstance(item, UploadFile):
            return None
        return await item.read(), item.filename or ""
    finally:
        await form.close()


def _answer(request: Request, judged: Judged, status: int = 200) -> Response:
    details = judged.details
    if "application/json" in request.headers.get("accept", ""):
        body: dict[str, Any] = {
            "asli": judged.ok, "status": judged.status,
            "alasan": judged.reason, "nomor_register": details.get("register_no") or None,
            "no_kk": details.get("no_kk") or None}
        return JSONResponse(body, status_code=status)
    return page(request, "verifikasi.html", {"hasil": judged, "rincian": judged.shown()},
                status=status)


def _refusal(request: Request, reason: str, status: int) -> Response:
    return _answer(request, Judged(False, reason, {}, False), status)


async def verify_form(request: Request) -> Response:
    return page(request, "verifikasi.html", {"hasil": None})


async def verify(request: Request) -> Response:
    d = door(request)
    if not d.rate.allow(client(request)):
        return _refusal(request, TOO_MANY, 429)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > d.settings.max_upload:
        return _refusal(request, too_large(d), 413)  # refused before a byte is read
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return _refusal(request, BAD_UPLOAD, 415)
    try:
        with anyio.fail_after(d.settings.verify_seconds):
            upload = await _upload(request, d.settings.max_upload)
            if upload is None:
                return _refusal(request, NO_FILE, 400)
            judged = await to_thread.run_sync(_judge_bytes, d, *upload, limiter=_workers,
                                              abandon_on_cancel=True)
    except TooLarge:
        return _refusal(request, too_large(d), 413)
    except TimeoutError:
        return _refusal(request, TIMED_OUT, 200)
    except MultiPartException:
        return _refusal(request, BAD_UPLOAD, 400)
    except Exception as exc:  # noqa: BLE001 - a hostile file never gets a 500
        log.error("verifikasi gagal: %s", type(exc).__name__)
        return _refusal(request, "berkas tidak dapat diperiksa", 200)
    return _answer(request, judged)


routes = [Route("/verifikasi", verify_form, methods=["GET"]),
          Route("/verifikasi", verify, methods=["POST"])]
