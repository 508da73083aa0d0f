"""The app factory: one Starlette app for one office home (the routes of `auth`,
`approval`, `board` and `verification`, the static files, the error pages), wrapped in
the security headers."""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from pipeline.office.home import Home
from pipeline.web import approval, auth, board, verification
from pipeline.web.base import Door, SecurityHeaders, WebSettings, door, page

__all__ = ["WebSettings", "create_app"]
log = logging.getLogger(__name__)


async def _home(request: Request) -> Response:
    return RedirectResponse("/verifikasi", status_code=303)


async def _not_found(request: Request, exc: Exception) -> Response:
    return page(request, "pesan.html", {"judul": "Tidak ditemukan",
                                        "pesan": "halaman ini tidak ada"}, status=404)


async def _internal(request: Request, exc: Exception) -> Response:
    # logged without the request's form: a passphrase typed there stays out of the log
    log.error("kesalahan internal pada %s %s: %s", request.method, request.url.path,
              type(exc).__name__)
    html = door(request).pages.get_template("pesan.html").render(
        office=door(request).env.cfg.office, csrf="", user=None, now="",
        judul="Kesalahan", pesan="terjadi kesalahan di server; coba lagi atau hubungi petugas")
    return HTMLResponse(html, status_code=500)


def create_app(home: Home, settings: WebSettings | None = None) -> ASGIApp:
    """The web door for the office at *home*."""
    d = Door(home, settings or WebSettings())
    static = Path(__file__).with_name("static")
    routes = [Route("/", _home), *auth.routes, *approval.routes, *board.routes,
              *verification.routes, Mount("/static", StaticFiles(directory=static),
                                          name="static")]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 500: _internal})
    app.state.door = d
    return SecurityHeaders(app)
