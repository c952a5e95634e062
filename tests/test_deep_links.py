"""Deep links: `lambdatui show|logs|metrics|dlq|invoke NAME` open that pane first; panes
that read the fleet work the same with the list never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from textual import events

from lambdatui.__main__ import _link_parser, linked_settings
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.dlq import DlqScreen
from lambdatui.screens.findings import FindingsScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.invoke import InvokeScreen
from lambdatui.screens.logs import LogsScreen
from lambdatui.screens.metrics import MetricsScreen

from .helpers import app_for, screen_text, settings_for, settled, wait_until

PANES = {
    "show": DetailScreen,
    "logs": LogsScreen,
    "metrics": MetricsScreen,
    "dlq": DlqScreen,
    "invoke": InvokeScreen,
}


async def linked(box: Any, argv: list[str], **overrides: Any) -> Any:
    pane = argv[0]
    args = _link_parser(pane).parse_args(argv[1:])
    return await linked_settings(settings_for(box, **overrides), pane, args)


@pytest.mark.parametrize("pane", list(PANES))
async def test_each_deep_link_opens_its_pane_alone_and_esc_goes_to_the_list(
    sandbox: Any, pane: str
) -> None:
    settings = await linked(sandbox, [pane, "payments-webhook"], fleet_autoload=False)
    from lambdatui.app import make_app

    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, PANES[pane]))
        assert [type(s) for s in app.screen_stack[1:]] == [PANES[pane]]
        assert "payments-webhook" in screen_text(app)
        app.screen.set_focus(None)  # esc belongs to the pane, not to a field inside it
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, FunctionsScreen))
        assert len(app.screen_stack) == 2


async def test_logs_of_several_functions_merge_in_one_pane(sandbox: Any) -> None:
    settings = await linked(
        sandbox, ["logs", "orders-api", "orders-worker", "--since", "1h"], fleet_autoload=False
    )
    assert settings.start.since is not None
    from lambdatui.app import make_app

    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        assert [f.name for f in screen.functions] == ["orders-api", "orders-worker"]
        assert screen.history_s >= 3600


def test_an_unknown_function_is_one_sentence_and_exit_2_before_the_screen(
    sandbox: Any, tmp_path: Any
) -> None:
    env = dict(os.environ) | {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "LAMBDATUI_CONFIG": str(tmp_path / "none.toml"),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lambdatui",
            "show",
            "no-such-function",
            "--endpoint-url",
            sandbox.endpoint_url,
            "--region",
            sandbox.region,
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"lambdatui: no function named 'no-such-function' in {sandbox.region} (profile default)"
    ]


async def test_detail_findings_and_cost_with_the_list_never_shown(sandbox: Any) -> None:
    settings = await linked(sandbox, ["show", "payments-webhook"])
    from lambdatui.app import make_app

    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await settled(pilot)
        text = app.screen.text
        assert "Execution role shared by several functions" in text
        assert "Window" in text  # the cost section read the function's health itself
        assert not any(isinstance(s, FunctionsScreen) for s in app.screen_stack)

        app.call_later(app.action_findings)
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen))
        findings = app.screen
        assert isinstance(findings, FindingsScreen)
        await wait_until(pilot, lambda: bool(findings.summary.rows))
        labels = {g.label for g in findings.summary.rows}
        assert "shared role payments-service-role" in labels
        assert not any(isinstance(s, FunctionsScreen) for s in app.screen_stack)


async def test_palette_goes_to_a_function_from_a_deep_linked_pane(sandbox: Any) -> None:
    settings = await linked(sandbox, ["metrics", "orders-api"])
    from lambdatui.app import make_app

    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet.loaded, frames=2000)
        target = app.fleet.named("payments-webhook")
        assert target is not None
        app.call_later(app.goto_function, target.arn)  # as the palette calls it
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.function.name == "payments-webhook"


async def test_a_burst_of_keys_after_slash_all_lands_in_the_filter(sandbox: Any) -> None:
    app = app_for(sandbox, fleet_autoload=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(
            pilot, lambda: app.fleet.loaded and isinstance(app.screen, FunctionsScreen)
        )
        screen = app.screen
        assert isinstance(screen, FunctionsScreen)
        # As an SSH session delivers "/pay": four key events in one read, nothing awaited.
        for key, char in (("slash", "/"), ("p", "p"), ("a", "a"), ("y", "y")):
            app.post_message(events.Key(key, char))
        await wait_until(pilot, lambda: screen.filter_bar.value == "pay")
        await pilot.pause()
        assert app.screen is screen  # no profile picker (p), no other screen
        assert len(app.screen_stack) == 2
        assert {f.name for f in screen.table.view} == {
            f.name for f in app.fleet.functions if "pay" in f.name
        }
        await pilot.press("enter")
        assert screen.table.has_focus and screen.filter_bar.value == "pay"
        await pilot.press("escape")
        assert screen.filter_bar.value == "" and not screen.filter_bar.display
