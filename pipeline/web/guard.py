"""The web door's security decisions, kept pure (a clock passed in, no I/O): sessions and
their idle expiry, CSRF tokens, the lockout after wrong passwords or passphrases, the
per-client rate limit, and the response headers."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, URLSafeSerializer

Clock = Callable[[], float]
COOKIE = "kkwna_sesi"


@dataclass(frozen=True)
class Session:
    """nip: who logged in ("" before login: the login form's CSRF token needs a session);
    csrf: the token every POST must carry; seen: the last request, by the server's clock."""

    nip: str
    csrf: str
    seen: float


class Sessions:
    """Sessions in a cookie signed with a key made at start (a restart logs everyone out).
    A session idle longer than *idle_seconds* is gone."""

    def __init__(self, idle_seconds: float, clock: Clock = time.time,
                 secret: str | None = None) -> None:
        self.idle = idle_seconds
        self.clock = clock
        self._signer = URLSafeSerializer(secret or secrets.token_urlsafe(32), salt="sesi")

    def new(self, nip: str = "") -> Session:
        return Session(nip=nip, csrf=secrets.token_urlsafe(24), seen=self.clock())

    def load(self, cookie: str | None) -> Session | None:
        """The session the cookie carries, if it is ours and not idle too long."""
        if not cookie:
            return None
        try:
            raw = self._signer.loads(cookie)
            session = Session(nip=str(raw["n"]), csrf=str(raw["c"]), seen=float(raw["t"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        if self.clock() - session.seen > self.idle:
            return None
        return session

    def touched(self, session: Session) -> Session:
        return replace(session, seen=self.clock())

    def dump(self, session: Session) -> str:
        return str(self._signer.dumps({"n": session.nip, "c": session.csrf, "t": session.seen}))


def csrf_ok(session: Session | None, sent: str | None) -> bool:
    return session is not None and bool(sent) and hmac.compare_digest(session.csrf, str(sent))


class Lockout:
    """*limit* wrong passwords or passphrases for one NIP lock it for *seconds* (then it
    unlocks by itself); a right one clears the count."""

    def __init__(self, limit: int = 5, seconds: float = 900, clock: Clock = time.time) -> None:
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._failures: dict[str, list[float]] = {}

    def remaining(self, key: str) -> float:
        """Seconds until *key* unlocks; 0 when it is not locked."""
        now = self.clock()
        recent = [t for t in self._failures.get(key, []) if now - t < self.seconds]
        self._failures[key] = recent
        if len(recent) < self.limit:
            return 0.0
        return max(0.0, self.seconds - (now - recent[-1]))

    def fail(self, key: str) -> None:
        self._failures.setdefault(key, []).append(self.clock())

    def succeed(self, key: str) -> None:
        self._failures.pop(key, None)


class RateLimit:
    """A token bucket per client: *per_minute* requests on average, *burst* at once. The
    least recently seen clients are forgotten past *clients*, so memory stays bounded."""

    def __init__(self, per_minute: float, burst: int, clock: Clock = time.monotonic,
                 clients: int = 10_000) -> None:
        self.rate, self.burst, self.clock, self.max = per_minute / 60.0, burst, clock, clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        if self.rate <= 0:  # no limit (the load benchmark)
            return True
        now = self.clock()
        tokens, then = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        allowed = tokens >= 1
        self._buckets[client] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > self.max:
            self._buckets.popitem(last=False)
        return allowed


# no scripts at all, nothing from elsewhere, never inside another site's frame
CSP = ("default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def headers(tls: bool, cacheable: bool = False) -> list[tuple[str, str]]:
    """The security headers of every answer; HSTS only over TLS (a browser would else
    refuse the plain-HTTP office LAN address for a year). Nothing but static files may be
    cached: a queue page or a verdict stays off the disk of a shared PC."""
    found = [("content-security-policy", CSP), ("x-frame-options", "DENY"),
             ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"),
             ("cross-origin-opener-policy", "same-origin"),
             ("permissions-policy", "camera=(self), geolocation=(), microphone=()")]
    if not cacheable:
        found.append(("cache-control", "no-store"))
    if tls:
        found.append(("strict-transport-security", "max-age=31536000"))
    return found
