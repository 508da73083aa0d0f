"""What every route of the web door shares: its settings, the office and security state
(`Door`), the session of a request, rendering a page, the client's address."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.domain import clock
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.web import guard
from pipeline.web.verdicts import Verdicts


@dataclass(frozen=True)
class WebSettings:
    """What `kkwna serve` fixes (tests and the benchmark shorten or lift some)."""

    idle_seconds: float = 15 * 60  # the 15 minutes idle
    lockout_limit: int = 5  # wrong passwords or passphrases before a NIP is locked
    lockout_seconds: float = 15 * 60  # then it unlocks by itself
    max_upload: int = 20 * 1024 * 1024  # a phone photo is 3-8 MB, a KK PDF under 1 MB
    verify_seconds: float = 20.0  # one verification at most; then TIDAK ASLI, waktu habis
    verify_per_minute: float = 30.0  # per client (0: no limit)
    verify_burst: int = 10
    verify_cache: int = 256  # signature verdicts kept by the file's SHA-256 (0: none)
    board_refresh: int = 30  # seconds between the board's own reloads


class Door:
    """Everything a route needs: the office, the settings, the security state."""

    def __init__(self, home: Home, settings: WebSettings) -> None:
        self.home = home
        self.env = Env(home, config.load(home.root))
        self.settings = settings
        self.sessions = guard.Sessions(settings.idle_seconds)
        self.lockout = guard.Lockout(settings.lockout_limit, settings.lockout_seconds)
        self.rate = guard.RateLimit(settings.verify_per_minute, settings.verify_burst)
        self.verdicts = Verdicts(settings.verify_cache)
        self.board_kept: tuple[float, dict[str, Any]] | None = None  # board.py's moment
        self.pages = Environment(loader=PackageLoader("pipeline.web", "templates"),
                                 autoescape=select_autoescape(["html"]))


def door(request: Request) -> Door:
    found: Door = request.app.state.door
    return found


def client(request: Request) -> str:
    """The client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "?"


def session_of(request: Request) -> guard.Session | None:
    if "session" not in request.scope.setdefault("state", {}):
        request.state.session = door(request).sessions.load(request.cookies.get(guard.COOKIE))
    found: guard.Session | None = request.state.session
    return found


def page(request: Request, template: str, data: Mapping[str, Any] | None = None,
         status: int = 200, session: guard.Session | None = None,
         touch: bool = True) -> HTMLResponse:
    """A page from *template*; the session (this request's unless given) goes back in the
    cookie, its idle clock restarted unless *touch* is False (the board's own reloads)."""
    d = door(request)
    current = session if session is not None else session_of(request)
    if current is not None and touch:
        current = d.sessions.touched(current)
    who = d.env.cfg.officer(current.nip) if current is not None and current.nip else None
    html = d.pages.get_template(template).render(
        office=d.env.cfg.office, csrf=current.csrf if current else "", user=who,
        now=clock.stamp(clock.now(d.env.cfg.tz), d.env.cfg.tz), **(data or {}))
    response = HTMLResponse(html, status_code=status)
    if current is not None:
        keep(request, response, current)
    return response


def keep(request: Request, response: Response, session: guard.Session) -> None:
    response.set_cookie(guard.COOKIE, door(request).sessions.dump(session), httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/")


def to_login(request: Request) -> Response:
    response = RedirectResponse("/masuk", status_code=303)
    response.delete_cookie(guard.COOKIE, path="/")
    return response


class SecurityHeaders:
    """Adds `guard.headers` to every answer (HSTS when the request came over TLS)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"
        cacheable = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.encode(), v.encode()) for k, v in guard.headers(tls, cacheable)]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)
        await self.app(scope, receive, with_headers)


