"""The session's pacing of Lambda's control plane and what it tells the app."""

from __future__ import annotations

import asyncio
from typing import Any

from lambdatui.aws.errors import CredentialsError, EndpointUnreachable, ServerError, Throttled
from lambdatui.aws.session import (
    CONTROL_PLANE_RATE,
    AwsSession,
    Health,
    Notice,
    RateLimit,
    call,
)

from .helpers import session_for


async def test_rate_limit_holds_the_rate_after_a_burst() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limit = RateLimit(15, clock=lambda: now[0], sleep=sleep)
    for _ in range(45):
        await limit.acquire()
    # 15 at once, then 30 more at 15 a second.
    assert abs(now[0] - 2.0) < 1e-6


def _session(box: Any) -> AwsSession:
    session = session_for(box)
    session.max_attempts = 2
    return session


async def test_lambda_calls_pass_the_control_plane_limit(sandbox: Any) -> None:
    session = _session(sandbox)
    try:
        await asyncio.gather(*(call(session, "lambda", "ListFunctions") for _ in range(25)))
        await call(session, "lambda", "Invoke", FunctionName="orders-api")
    finally:
        await session.close()
    limit = session.limits["lambda"]
    assert limit.rate == CONTROL_PLANE_RATE
    assert limit.waited > 0  # 25 calls at once: past the burst of 15, calls waited their turn


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
