"""The web door's security decisions on their own, with a clock the test moves."""

from __future__ import annotations

from pipeline.web import guard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_lives_while_used_and_dies_idle() -> None:
    clock = Clock()
    sessions = guard.Sessions(idle_seconds=900, clock=clock)
    cookie = sessions.dump(sessions.new("198203112005012017"))
    clock.now += 899
    alive = sessions.load(cookie)
    assert alive is not None and alive.nip == "198203112005012017"
    cookie = sessions.dump(sessions.touched(alive))  # used: the idle clock starts again
    clock.now += 899
    assert sessions.load(cookie) is not None
    clock.now += 2
    assert sessions.load(cookie) is None


def test_a_cookie_signed_by_another_server_or_changed_is_no_session() -> None:
    ours, theirs = guard.Sessions(900), guard.Sessions(900)
    cookie = theirs.dump(theirs.new("1"))
    assert ours.load(cookie) is None
    mine = ours.dump(ours.new("1"))
    assert ours.load(mine[:-2] + ("A" if mine[-2] != "A" else "B") + mine[-1]) is None
    assert ours.load("") is None and ours.load("sampah") is None


def test_csrf_needs_the_sessions_own_token() -> None:
    session = guard.Sessions(900).new("1")
    assert guard.csrf_ok(session, session.csrf)
    assert not guard.csrf_ok(session, "")
    # the last character changed (to "y" when it was "x": the forgery must differ)
    forged = session.csrf[:-1] + ("y" if session.csrf.endswith("x") else "x")
    assert not guard.csrf_ok(session, forged)
    assert not guard.csrf_ok(None, session.csrf)


def test_five_failures_lock_and_time_unlocks() -> None:
    clock = Clock()
    lock = guard.Lockout(limit=5, seconds=900, clock=clock)
    for _ in range(4):
        lock.fail("nip")
    assert lock.remaining("nip") == 0
    lock.fail("nip")
    assert lock.remaining("nip") == 900
    assert lock.remaining("another") == 0
    clock.now += 600
    assert lock.remaining("nip") == 300
    clock.now += 301
    assert lock.remaining("nip") == 0
    lock.fail("nip")  # the old failures are forgotten: one new one does not lock
    assert lock.remaining("nip") == 0


def test_a_right_answer_clears_the_count() -> None:
    lock = guard.Lockout(limit=5, seconds=900, clock=Clock())
    for _ in range(4):
        lock.fail("nip")
    lock.succeed("nip")
    lock.fail("nip")
    assert lock.remaining("nip") == 0


def test_the_rate_limit_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    rate = guard.RateLimit(per_minute=60, burst=3, clock=clock)
    assert [rate.allow("a") for _ in range(4)] == [True, True, True, False]
    assert rate.allow("b")  # per client
    clock.now += 1.0  # one more token a second
    assert rate.allow("a") and not rate.allow("a")
    assert guard.RateLimit(per_minute=0, burst=0, clock=clock).allow("a")  # 0: no limit


def test_hsts_only_over_tls_and_static_files_may_be_cached() -> None:
    plain, tls = dict(guard.headers(False)), dict(guard.headers(True))
    assert "strict-transport-security" not in plain
    assert tls["strict-transport-security"].startswith("max-age=")
    assert plain["cache-control"] == "no-store"
    assert "cache-control" not in dict(guard.headers(False, cacheable=True))
