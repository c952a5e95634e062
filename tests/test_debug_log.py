"""The console's own log (`--log-file`): settings, calls with --debug, unexpected errors
with their traceback, and never a secret, revealed or not."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdatui.__main__ import _log_start
from lambdatui.applog import start_log, stop_log
from lambdatui.screens.detail import DetailScreen

from .helpers import app_for, wait_until

SECRET = "demo-password-not-real"  # payments-reconciler-prod's DB_PASSWORD


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = start_log(tmp_path / "logs" / "lambdatui.log", debug=True)
    yield path
    stop_log()


async def test_the_log_has_settings_calls_and_errors_but_no_secret(
    sandbox: Any, log_file: Path
) -> None:
    app = app_for(sandbox, fleet_autoload=False)
    _log_start(app.settings)
    async with app.run_test(size=(140, 60)) as pilot:
        app.goto_function("payments-reconciler-prod")  # not listed yet: nothing happens
        await app.fleet.load()
        app.call_later(app.goto_function, "payments-reconciler-prod")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        await wait_until(pilot, lambda: "DB_PASSWORD" in screen.text, frames=2000)
        await pilot.press("v")  # revealed on screen...
        await wait_until(pilot, lambda: SECRET in screen.text)
        # ...and a bug whose message carries the value.
        try:
            raise RuntimeError(f"could not parse {SECRET!r}")
        except RuntimeError as exc:
            app.report_error(exc, "a test")
        await pilot.pause()
        toast = [n.message for n in app._notifications][-1]
        assert str(log_file) in toast
        assert SECRET in toast or "could not parse" in toast
    text = log_file.read_text()
    assert "profile=default regions=us-east-1 endpoint=demo sandbox" in text
    assert "lambda:GetFunction us-east-1: ok" in text  # --debug: each call's outcome
    assert "unexpected error in a test" in text and "Traceback" in text
    assert "RuntimeError: could not parse '*****'" in text
    assert SECRET not in text
    assert "testing" not in text  # the access and secret keys of the session
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700


def test_without_debug_calls_are_not_logged(tmp_path: Path) -> None:
    import logging

    path = start_log(tmp_path / "quiet.log")
    try:
        logging.getLogger("lambdatui.aws").debug("lambda:ListFunctions us-east-1: ok")
        logging.getLogger("lambdatui").info("started")
    finally:
        stop_log()
    text = path.read_text()
    assert "started" in text and "ListFunctions" not in text
