"""The invoke pane under every fault: a sentence, never a retry behind the user's back.

An invoke is a mutation: unlike the read-only panes of the fault matrix, the pane
must not try it again by itself (the function may already have run). Each fault
gives one sentence, the pane is not left "Invoking…", exactly one Invoke reached
AWS, and the next ctrl+j works once the fault is gone.
"""

from __future__ import annotations

from typing import Any

import pytest

from lambdatui.screens.invoke import InvokeScreen

from .helpers import app_for, wait_until

FUNCTION = "dev-sandbox-hello"  # env=dev: no production confirmation
FAULTS = {
    "throttle": "throttled",
    "500": "Invoke failed",
    "503": "Invoke failed",
    "drop": "Invoke failed",
    "denied": "no permission: lambda:InvokeFunction",
    "expired": "credentials",
    # botocore takes an unreadable body for an empty reply; the pane shows what came.
    "malformed": "200",
}


async def open_pane(app: Any, pilot: Any) -> InvokeScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.open_invoke(next(f for f in app.fleet.functions if f.name == FUNCTION))
    await wait_until(
        pilot, lambda: isinstance(app.screen, InvokeScreen) and bool(app.screen.query("#tail"))
    )
    screen: InvokeScreen = app.screen
    return screen


def head(screen: InvokeScreen) -> str:
    return str(screen.query_one("#response-head").render())


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_invoke_under_a_fault(sandbox: Any, kind: str) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_pane(app, pilot)
        await app.workers.wait_for_complete()
        sandbox.fault("lambda:Invoke", kind)
        sandbox.reset_calls()
        try:
            await pilot.press("ctrl+j")
            await wait_until(pilot, lambda: FAULTS[kind] in head(screen), frames=3000)
            assert "Invoking" not in head(screen)
            assert "Traceback" not in head(screen)
            assert sandbox.calls["lambda:Invoke"] == 1, "an invoke is never retried"
        finally:
            sandbox.allow()
        if kind == "expired":
            await pilot.press("ctrl+r")  # the app's retry key, after fixing credentials
            await pilot.pause()
        await pilot.press("ctrl+j")
        await wait_until(pilot, lambda: "200 · OK" in head(screen), frames=3000)


async def test_a_slow_invoke_shows_its_time_and_can_be_abandoned(sandbox: Any) -> None:
    app = app_for(sandbox)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_pane(app, pilot)
        sandbox.fault("lambda:Invoke", "slow", delay=3.0)
        try:
            await pilot.press("ctrl+j")
            await wait_until(pilot, lambda: " s (ctrl+b abandons" in head(screen), frames=3000)
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert "Abandoned after" in head(screen)
            assert "keeps running" in head(screen)
        finally:
            sandbox.allow()
