"""Login and logout (NIP + password), and who may open which page: staff (any officer of
kkwna.toml with a password) see the board; the head of office (`approvers.approver`) also
the approval queue."""

from __future__ import annotations

import logging
import math

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline.office.config import Officer
from pipeline.signing.approvers import approver
from pipeline.web import guard, passwords
from pipeline.web.base import client, door, keep, page, session_of, to_login

log = logging.getLogger(__name__)
CSRF_REFUSED = "formulir kedaluwarsa atau tidak sah; muat ulang halaman lalu coba lagi"


def locked_message(seconds: float) -> str:
    return (f"NIP ini terkunci karena terlalu banyak sandi yang salah; coba lagi dalam "
            f"{max(1, math.ceil(seconds / 60))} menit")


def refused(request: Request, message: str, status: int) -> Response:
    return page(request, "pesan.html", {"judul": "Ditolak", "pesan": message}, status=status)


async def checked_form(request: Request) -> tuple[guard.Session | None, dict[str, list[str]]]:
    """The session and the form of a POST whose CSRF token matches its session (else
    (None, {}))."""
    session = session_of(request)
    form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
    await form.close()
    if not guard.csrf_ok(session, (fields.get("csrf") or [""])[0]):
        return None, {}
    return session, fields


def staff(request: Request) -> Officer | None:
    session = session_of(request)
    if session is None or not session.nip:
        return None
    return door(request).env.cfg.officer(session.nip)


def head(request: Request) -> Officer | None:
    session = session_of(request)
    if session is None or not session.nip:
        return None
    return approver(door(request).env.cfg, session.nip)


async def login_form(request: Request) -> Response:
    session = session_of(request) or door(request).sessions.new()
    return page(request, "masuk.html", {}, session=session)


async def login(request: Request) -> Response:
    d = door(request)
    session, form = await checked_form(request)
    if session is None:
        return refused(request, CSRF_REFUSED, 403)
    nip = "".join(ch for ch in (form.get("nip") or [""])[0] if ch.isdigit())
    password = (form.get("sandi") or [""])[0]
    wait = d.lockout.remaining(nip)
    if wait:
        return page(request, "masuk.html", {"galat": locked_message(wait), "nip": nip},
                    status=429)
    known = d.env.cfg.officer(nip) is not None
    ok = known and await to_thread.run_sync(passwords.check_password, d.home, nip, password)
    if not ok:
        d.lockout.fail(nip)
        log.info("login gagal untuk NIP %s dari %s", nip, client(request))
        return page(request, "masuk.html", {"galat": "NIP atau sandi salah", "nip": nip},
                    status=401)
    d.lockout.succeed(nip)
    fresh = d.sessions.new(nip)  # a new token after login: one seen before cannot be reused
    target = "/persetujuan" if approver(d.env.cfg, nip) is not None else "/papan"
    response = RedirectResponse(target, status_code=303)
    keep(request, response, fresh)
    return response


async def logout(request: Request) -> Response:
    session, _ = await checked_form(request)
    if session is None:
        return refused(request, CSRF_REFUSED, 403)
    return to_login(request)


routes = [Route("/masuk", login_form, methods=["GET"]), Route("/masuk", login, methods=["POST"]),
          Route("/keluar", logout, methods=["POST"])]
