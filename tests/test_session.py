"""The session's pacing of Lambda's control plane and what it tells the app."""

from __future__ import annotations

import asyncio
from typing import Any

from lambdatui.aws.errors import CredentialsError, EndpointUnreachable, ServerError, Throttled
from lambdatui.aws.ratelimit import current_priority
from lambdatui.aws.session import (
    CONTROL_PLANE_RATE,
    AwsSession,
    Health,
    Notice,
    Priority,
    RateLimit,
    call,
    priority,
)

from .helpers import arrives, session_for


async def test_rate_limit_holds_the_rate_after_a_burst() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limit = RateLimit(15, clock=lambda: now[0], sleep=sleep)
    for _ in range(45):
        await limit.acquire()
    # 15 at once, then 30 more at 15 a second.
    assert abs(now[0] - 2.0) < 1e-6


def _fake_time() -> tuple[list[float], Any]:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0)

    return now, sleep


async def test_rate_limit_serves_waiting_calls_by_priority_then_arrival() -> None:
    now, sleep = _fake_time()
    limit = RateLimit(1, clock=lambda: now[0], sleep=sleep)
    await limit.acquire()  # the bucket is empty now: everyone below waits
    served: list[str] = []

    async def wants(name: str, level: Priority) -> None:
        await limit.acquire(level)
        served.append(name)

    arrivals = [
        ("scan-1", Priority.BACKGROUND),
        ("scan-2", Priority.BACKGROUND),
        ("row", Priority.FOREGROUND),
        ("page", Priority.LISTING),
        ("scan-3", Priority.BACKGROUND),
        ("row-2", Priority.FOREGROUND),
    ]
    await asyncio.gather(*(wants(name, level) for name, level in arrivals))
    assert served == ["page", "row", "row-2", "scan-1", "scan-2", "scan-3"]
    # The quota is unchanged: one a second.
    assert abs(now[0] - 6.0) < 1e-6


async def test_priority_is_the_callers_and_tasks_inherit_it() -> None:
    now, sleep = _fake_time()
    limit = RateLimit(1, clock=lambda: now[0], sleep=sleep)
    await limit.acquire()
    served: list[str] = []

    async def wants(name: str) -> None:
        await limit.acquire()
        served.append(name)

    assert current_priority() is Priority.FOREGROUND
    with priority(Priority.BACKGROUND):
        scan = asyncio.ensure_future(wants("scan"))
    row = asyncio.ensure_future(wants("row"))
    with priority(Priority.LISTING):
        page = asyncio.ensure_future(wants("page"))
    await asyncio.gather(scan, row, page)
    assert served == ["page", "row", "scan"]


async def test_a_cancelled_waiter_gives_its_turn_to_the_next() -> None:
    now, sleep = _fake_time()
    limit = RateLimit(1, clock=lambda: now[0], sleep=sleep)
    await limit.acquire()
    gone = asyncio.ensure_future(limit.acquire(Priority.LISTING))
    later = asyncio.ensure_future(limit.acquire(Priority.BACKGROUND))
    await asyncio.sleep(0)
    gone.cancel()
    await later
    assert gone.cancelled()
    assert abs(now[0] - 1.0) < 1e-6


async def test_the_list_pages_go_before_a_background_scan_at_the_sandbox(sandbox: Any) -> None:
    """30 background calls at once (past the burst of 15, half of them wait), then one
    ListFunctions at LISTING: it is sent before the background calls still waiting."""
    session = _session(sandbox, pacing=True)
    done: list[str] = []

    async def background(i: int) -> None:
        await call(session, "lambda", "GetAccountSettings")
        done.append(f"scan-{i}")

    async def listing() -> None:
        await call(session, "lambda", "ListFunctions", MaxItems=50)
        done.append("page")

    try:
        await call(session, "lambda", "GetAccountSettings")  # the client exists
        with priority(Priority.BACKGROUND):
            scans = [asyncio.ensure_future(background(i)) for i in range(30)]
        await arrives(lambda: session.limits["lambda"].waiting)
        with priority(Priority.LISTING):
            page = asyncio.ensure_future(listing())
        await asyncio.gather(page, *scans)
    finally:
        await session.close()
    assert done.index("page") < 20, done  # not behind the queued background calls
    # Quotas are per region: another region's bucket is its own.
    assert session.in_region("eu-west-1").limits["lambda"] is not session.limits["lambda"]
    assert session.limits["lambda:GetPolicy"].rate == 15
    assert session.limits["logs:FilterLogEvents"].rate == 5


def _session(box: Any, *, pacing: bool = False) -> AwsSession:
    session = session_for(box, pacing=pacing)
    session.max_attempts = 2
    return session


async def test_lambda_calls_pass_the_control_plane_limit(sandbox: Any) -> None:
    session = _session(sandbox, pacing=True)
    try:
        await asyncio.gather(*(call(session, "lambda", "ListFunctions") for _ in range(25)))
        await call(session, "lambda", "Invoke", FunctionName="orders-api")
    finally:
        await session.close()
    limit = session.limits["lambda"]
    assert limit.rate == CONTROL_PLANE_RATE
    assert limit.waited > 0  # 25 calls at once: past the burst of 15, calls waited their turn


async def test_without_pacing_no_call_waits_for_the_limiter(sandbox: Any) -> None:
    session = _session(sandbox, pacing=False)
    try:
        await asyncio.gather(*(call(session, "lambda", "ListFunctions") for _ in range(25)))
    finally:
        await session.close()
    assert session.limits["lambda"].waited == 0


async def test_notices_and_domain_errors_for_each_fault(sandbox: Any) -> None:
    session = _session(sandbox)
    notices: list[Notice] = []
    session.watch(notices.append)
    expected = {
        "throttle": (Throttled, Health.THROTTLED),
        "503": (ServerError, Health.SERVER_ERROR),
        "drop": (EndpointUnreachable, Health.DISCONNECTED),
    }
    try:
        for kind, (error, health) in expected.items():
            notices.clear()
            sandbox.fault("lambda:ListFunctions", kind)
            try:
                await call(session, "lambda", "ListFunctions")
            except error:
                pass
            else:
                raise AssertionError(f"{kind}: no {error.__name__}")
            finally:
                sandbox.allow()
            assert Notice(health, "lambda:ListFunctions") in notices
            assert notices[-1].health is Health.SETTLED
        sandbox.fault("*", "expired")
        try:
            await call(session, "lambda", "ListFunctions")
        except CredentialsError as exc:
            assert "aws sso login" in exc.sentence
        finally:
            sandbox.allow()
        assert notices[-1].health is Health.CREDENTIALS
        await call(session, "lambda", "ListFunctions")
        assert notices[-1] == Notice(Health.OK, "lambda:ListFunctions")
    finally:
        await session.close()


async def test_a_region_view_follows_the_session_across_a_reset(sandbox: Any) -> None:
    """ctrl+r (reset) gives every region view fresh clients, closed with the session."""
    session = _session(sandbox)
    view = session.in_region("eu-west-1")
    try:
        before = await view.client("lambda")
        await session.reset()
        after = await view.client("lambda")
        assert after is not before  # the view made its client on the fresh session
        assert await session.in_region("eu-west-1").client("lambda") is after
        reply = await call(view, "lambda", "ListFunctions")
        assert "Functions" in reply
    finally:
        await session.close()
    # Closing the session closed the view's client too: nothing is left open.
    assert after._endpoint.http_session._sessions is None  # type: ignore[attr-defined]


async def test_clients_share_one_tls_context_unless_theirs_differs(sandbox: Any) -> None:
    """Each client's first call used to parse the CA bundle again (about 16 ms of CPU);
    the console's clients now share one context, and a client certificate, a proxy or
    another `verify` still gets a context of its own."""
    import ssl

    from lambdatui.aws.tls import SharedTlsSession

    session = session_for(sandbox)
    try:
        lam = await session.client("lambda")
        logs = await session.client("logs")
        assert lam.meta.config.http_session_cls is SharedTlsSession
        assert logs.meta.config.http_session_cls is SharedTlsSession
        await call(session, "lambda", "list_functions")
        await call(session, "logs", "describe_log_groups")
    finally:
        await session.close()

    plain, proxied = SharedTlsSession(), SharedTlsSession()
    first, _ = plain._build_ssl_contexts(None)
    assert plain._build_ssl_contexts(None)[0] is first
    assert first.verify_mode is ssl.CERT_REQUIRED and first.check_hostname
    assert proxied._build_ssl_contexts("http://proxy.internal:3128")[0] is not first
    unverified, _ = SharedTlsSession(verify=False)._build_ssl_contexts(None)
    assert unverified is not first and unverified.verify_mode is ssl.CERT_NONE
