"""Secrets stay hidden: no environment value of the sandbox in anything the app writes.

The sandbox's environment values (API keys, webhook secrets, JWT secrets) are
read with boto3; then every artifact is searched for them: screenshots and
snapshots in the repository, and what a session writes (a screenshot of every
screen, the saved log, the DLQ export). Revealing with `v` shows them on
screen only while revealed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lambdatui.screens.detail import DetailScreen

from .faultmatrix import DLQ_FUNCTION, open_detail, open_dlq, open_logs, open_metrics, settle
from .helpers import FROZEN_NOW, all_functions, app_for, client, fill_dlq, screen_text

ROOT = Path(__file__).resolve().parent.parent


SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL|DSN", re.IGNORECASE)


def secret_values(box: Any) -> set[str]:
    """The values of the sandbox's secret-named environment variables."""
    lam = client(box, "lambda")
    values = set()
    for fn in all_functions(box):
        config = lam.get_function_configuration(FunctionName=fn["FunctionName"])
        for name, value in (config.get("Environment") or {}).get("Variables", {}).items():
            if SECRET_NAME.search(name) and len(value) >= 6:
                values.add(value)
    return values


def leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in text)


def test_repository_screenshots_and_snapshots_hold_no_secret(sandbox: Any) -> None:
    secrets = secret_values(sandbox)
    assert any(s.startswith("sk_live_") for s in secrets), "the demo world has its secrets"
    artifacts = [*ROOT.glob("screenshots/*.svg"), *ROOT.glob("tests/__snapshots__/**/*.svg")]
    assert artifacts
    for path in artifacts:
        assert not leaks(path.read_text(encoding="utf-8"), secrets), path


async def test_nothing_a_session_writes_holds_a_secret(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    secrets = secret_values(sandbox)
    fill_dlq(sandbox, 3)
    shots = []
    app = app_for(sandbox, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(app, pilot)
        assert isinstance(detail, DetailScreen)
        assert "STRIPE_API_KEY" in detail.text
        shots.append(app.export_screenshot())
        assert not leaks(detail.text + screen_text(app), secrets)
        # Revealed on screen, and only then.
        await pilot.press("v")
        await settle(pilot, lambda: bool(leaks(detail.text, secrets)))
        await pilot.press("v")
        await settle(pilot, lambda: not leaks(detail.text, secrets))
        shots.append(app.export_screenshot())
        app.pop_screen()
        await pilot.pause()
        for opener in (open_metrics, open_dlq):
            await opener(app, pilot)
            shots.append(app.export_screenshot())
            if opener is open_dlq:
                await pilot.press("e")  # export the peeked messages
                await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        app.save_screenshot(path=str(tmp_path))
    live = app_for(sandbox, clock=None)
    async with live.run_test(size=(140, 50)) as pilot:
        await open_logs(live, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        shots.append(live.export_screenshot())
    written = list(tmp_path.iterdir())
    assert any(p.name.startswith("lambdatui-logs-") for p in written)
    assert any(p.name.startswith(f"lambdatui-dlq-{DLQ_FUNCTION}") for p in written)
    for path in written:
        assert not leaks(path.read_text(encoding="utf-8", errors="replace"), secrets), path.name
    for shot in shots:
        assert not leaks(shot, secrets)
