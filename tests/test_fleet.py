"""The fleet model on its own (no Textual): what the console knows of the account."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from lambdatui.aws.cost import Prices
from lambdatui.fleet import Change, Fleet
from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, all_functions, client, session_for


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """The demo world with its last hours of traffic (metrics, logs), frozen in time."""
    with Sandbox(now=FROZEN_NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        yield box


@pytest.fixture
async def fleet(sandbox: Any) -> AsyncIterator[Fleet]:
    session = session_for(sandbox)
    found = Fleet(session, (sandbox.region,), clock=lambda: FROZEN_NOW, prices=Prices.shipped())
    yield found
    found.close()
    await session.close()


async def test_load_lists_every_function_and_tells_who_listens(fleet: Fleet, sandbox: Any) -> None:
    heard: list[Change] = []
    fleet.listen(heard.append)
    firsts: list[int] = []
    await fleet.load(lambda: firsts.append(len(fleet.functions)))
    names = {f["FunctionName"] for f in all_functions(sandbox)}
    assert {f.name for f in fleet.functions} == names
    assert fleet.loaded and not fleet.loading and fleet.load_error is None
    assert firsts and 0 < firsts[0] <= 50  # told after the first page of 50
    assert heard[0] is Change.FUNCTIONS and heard[-1] is Change.FUNCTIONS
    assert fleet.named("payments-webhook") is fleet.function(fleet.named("payments-webhook").arn)  # type: ignore[union-attr]


async def test_a_reload_keeps_what_list_functions_omits_and_drops_the_deleted(
    fleet: Fleet, sandbox: Any
) -> None:
    lam = client(sandbox, "lambda")
    role = all_functions(sandbox)[0]["Role"]
    lam.create_function(
        FunctionName="fleet-doomed",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )
    try:
        await fleet.load()
        doomed = fleet.named("fleet-doomed")
        assert doomed is not None
        await fleet.fill_states(fleet.wanting_state([doomed]))
        state = fleet.named("fleet-doomed").state  # type: ignore[union-attr]
        assert state
    finally:
        lam.delete_function(FunctionName="fleet-doomed")
    webhook = fleet.named("payments-webhook")
    assert webhook is not None
    await fleet.fill_states([webhook])
    known = fleet.named("payments-webhook").state  # type: ignore[union-attr]
    await fleet.load()
    assert fleet.named("fleet-doomed") is None
    # ListFunctions says nothing of State: the state read before stays.
    assert fleet.named("payments-webhook").state == known  # type: ignore[union-attr]


async def test_health_merges_per_function_and_a_window_change_starts_afresh(
    fleet: Fleet,
) -> None:
    await fleet.load()
    webhook = fleet.named("payments-webhook")
    assert webhook is not None
    await fleet.refresh_health([webhook])
    assert len(fleet.health) == len(fleet.functions)
    errors_15m = fleet.health_of(webhook).value("errors")  # type: ignore[union-attr]
    assert errors_15m and errors_15m > 0
    assert fleet.cost_of(webhook) is not None

    heard: list[Change] = []
    fleet.listen(heard.append)
    fleet.set_window("3h")
    assert fleet.health == {} and heard == [Change.HEALTH]
    assert fleet.cost_of(webhook) is None  # no health for the new window yet
    await fleet.refresh_health()
    errors_3h = fleet.health_of(webhook).value("errors")  # type: ignore[union-attr]
    assert errors_3h is not None and errors_3h >= errors_15m


async def test_replies_for_a_window_left_behind_are_dropped(fleet: Fleet) -> None:
    await fleet.load()
    refresh = asyncio.ensure_future(fleet.refresh_health())
    await asyncio.sleep(0)  # the refresh has started for 15m
    fleet.set_window("1h")
    await refresh
    assert fleet.health == {}  # nothing of the 15m answer was kept under 1h


async def test_identity_is_asked_once_however_many_wait(fleet: Fleet, sandbox: Any) -> None:
    sandbox.reset_calls()
    accounts = await asyncio.gather(*(fleet.identity() for _ in range(5)))
    assert set(accounts) == {sandbox.account_id}
    assert fleet.account == sandbox.account_id
    assert sandbox.calls["sts:GetCallerIdentity"] == 1


async def test_findings_follow_the_scan_and_a_new_connection_starts_empty(
    fleet: Fleet, sandbox: Any
) -> None:
    await fleet.load()
    await fleet.scan()
    shared = fleet.named("payments-webhook")
    assert shared is not None
    kinds = {f.kind for f in fleet.findings_of(shared) or ()}
    assert "shared-role" in kinds
    # A profile switch builds a new fleet for the new connection: nothing carries over.
    fleet.close()
    other = Fleet(
        session_for(sandbox),
        (sandbox.region,),
        clock=lambda: FROZEN_NOW,
        prices=Prices.shipped(),
    )
    try:
        assert other.findings_of(shared) is None and other.functions == []
        assert other.alarm_state(shared) is None
    finally:
        await other.session.close()


async def test_log_observations_invalidate_that_functions_findings(fleet: Fleet) -> None:
    await fleet.load()
    await fleet.scan()
    fn = fleet.named("orders-api")
    assert fn is not None
    before = {f.kind for f in fleet.findings_of(fn) or ()}
    assert "timeout-close" not in before
    # REPORT records from a log pane: the longest run took the whole timeout.
    fleet.observe(fn.arn, fn.timeout_s * 1000.0, 100, fn.memory_mb)
    after = {f.kind for f in fleet.findings_of(fn) or ()}
    assert "timeout-close" in after
