"""The Logs Insights pane: opened from the list, a function and its logs; queries run,
stop, save and load through CloudWatch's query definitions; rows lead to the log pane."""

from __future__ import annotations

import csv
import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from lambdatui.__main__ import _link_parser, linked_settings
from lambdatui.app import LambdaTui, make_app
from lambdatui.aws.cost import money
from lambdatui.aws.functions import find_function
from lambdatui.aws.insights import BUILT_IN
from lambdatui.aws.models import Function
from lambdatui.format import size as human_bytes
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.insights import InsightsScreen
from lambdatui.screens.logs import LogsScreen
from lambdatui.screens.pickers import Picker
from lambdatui.screens.prompt import Prompt
from lambdatui_sandbox import Sandbox

from .helpers import (
    FROZEN_NOW,
    app_for,
    client,
    eventually,
    listed,
    mode,
    screen_text,
    session_for,
    settings_for,
    wait_until,
)

WEBHOOK = "payments-webhook"
ORDERS = "orders-api"


@pytest.fixture(scope="module")
def history() -> Iterator[Sandbox]:
    """The demo world with its last hours of invocations and logs, for queries to read."""
    with Sandbox(now=FROZEN_NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        yield box


async def functions(box: Sandbox, *names: str) -> list[Function]:
    aws = session_for(box)
    try:
        return [await find_function(aws, name) for name in names]
    finally:
        await aws.close()


async def on_top(pilot: Any, kind: type) -> Any:
    """The screen on top once it is a `kind` and has the focus where it puts it."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, kind) and app.screen.focused is not None)
    return app.screen


async def open_pane(app: LambdaTui, pilot: Any, fns: list[Function]) -> InsightsScreen:
    app.open_insights(fns)
    screen: InsightsScreen = await on_top(pilot, InsightsScreen)
    return screen


async def choose(app: LambdaTui, pilot: Any, label: str) -> None:
    """In the picker on screen, move to the option `label` and take it, as a user would."""
    await wait_until(pilot, lambda: isinstance(app.screen, Picker))
    options = app.screen.query_one(OptionList)
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    target = next(i for i, text in enumerate(labels) if text.startswith(label))
    while options.highlighted != target:
        await pilot.press("down")
    await pilot.press("enter")


async def finished(pilot: Any, screen: InsightsScreen) -> None:
    await wait_until(pilot, lambda: screen.state in ("Complete", "malformed", "failed"))


async def run_built_in(app: LambdaTui, pilot: Any, screen: InsightsScreen, name: str) -> None:
    await pilot.press("ctrl+t")
    await choose(app, pilot, name)
    await wait_until(pilot, lambda: screen.state != "ready")
    await finished(pilot, screen)
    assert screen.state == "Complete", screen_text(app)


def status_of(screen: InsightsScreen) -> str:
    return str(screen.query_one("#status").render())


# ----- opening ------------------------------------------------------------------------------


async def test_capital_i_opens_insights_from_the_list_on_the_marked_functions(
    history: Sandbox,
) -> None:
    app = app_for(history)
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await listed(pilot)
        first, second = listing.table.view[0], listing.table.view[1]
        await pilot.press("I")
        await on_top(pilot, InsightsScreen)
        assert [f.name for f in app.screen.functions] == [first.name]
        assert first.name in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is listing)
        await pilot.press("space", "space", "I")
        await on_top(pilot, InsightsScreen)
        assert {f.name for f in app.screen.functions} == {first.name, second.name}
        assert "2 log groups" in screen_text(app)


async def test_capital_i_opens_insights_from_the_detail_and_the_logs(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_function(webhook)
        await on_top(pilot, DetailScreen)
        await pilot.press("I")
        await on_top(pilot, InsightsScreen)
        assert [f.name for f in app.screen.functions] == [WEBHOOK]
        app.open_logs([webhook])
        await on_top(pilot, LogsScreen)
        await pilot.press("I")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, InsightsScreen)
                and isinstance(app.screen_stack[-2], LogsScreen)
            ),
        )
        assert app.screen.editor.has_focus


async def test_more_than_fifty_groups_are_refused_with_a_sentence(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_insights([webhook] * 51)
        await pilot.pause()
        assert not isinstance(app.screen, InsightsScreen)
        assert any("at most 50 log groups" in n.message for n in app._notifications)


# ----- running and stopping ----------------------------------------------------------------


async def test_a_built_in_query_fills_the_table_the_status_and_the_chart(
    history: Sandbox,
) -> None:
    fns = await functions(history, WEBHOOK, ORDERS)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, fns)
        await run_built_in(app, pilot, screen, "Duration percentiles")
        assert screen.editor.text == BUILT_IN["Duration percentiles"]
        assert [c.label for c in screen.table.columns] == [
            "bin(5m)",
            "p50",
            "p95",
            "p99",
            "invocations",
        ]
        assert len(screen.table.rows) == 12
        status = status_of(screen)
        assert "complete" in status and "records matched" in status and "12 rows" in status
        assert screen.query_one("#chart").display

        await run_built_in(app, pilot, screen, "Errors by message")
        assert [c.label for c in screen.table.columns] == ["error", "errors"]
        assert not screen.query_one("#chart").display


async def test_ctrl_b_stops_a_running_query(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    history.insights.hold(0)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_pane(app, pilot, [webhook])
            await pilot.press("ctrl+j")
            await wait_until(pilot, lambda: screen.state == "Scheduled")
            assert "ctrl+b or esc stops" in status_of(screen)
            await pilot.press("ctrl+b")
            await wait_until(pilot, lambda: screen.state == "Cancelled")
            assert screen.query_id is not None
            assert history.insights.status_of(screen.query_id) == "Cancelled"
            assert "cancelled" in status_of(screen)
    finally:
        history.insights.release()


async def test_a_malformed_query_is_said_and_the_cursor_goes_to_its_place(
    history: Sandbox,
) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, [webhook])
        screen.editor.load_text("fields @message\n| sortt @timestamp")
        await pilot.press("ctrl+j")
        await finished(pilot, screen)
        assert screen.state == "malformed"
        assert "does not compile" in screen_text(app)
        assert "sortt" in screen_text(app)
        assert screen.editor.has_focus
        assert screen.editor.selection.start == (1, 2)
        assert screen.editor.selected_text == "sortt"


async def test_digits_typed_in_the_editor_stay_in_the_query(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, [webhook])
        await pilot.press("6")
        assert screen.editor.text.endswith("limit 1006")
        assert screen.range_s == 3600


# ----- saved queries -------------------------------------------------------------------------


async def test_save_then_load_through_cloudwatch_query_definitions(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    logs = client(history, "logs")
    app = app_for(history, fleet_autoload=False)
    query = "fields @timestamp, @message\n| filter @message like /ERROR/\n| limit 20"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, [webhook])
        screen.editor.load_text(query)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, Prompt))
        await pilot.press(*"webhook errors", "enter")

        def saved() -> dict[str, Any] | None:
            found = logs.describe_query_definitions(queryDefinitionNamePrefix="webhook errors")
            return next(iter(found["queryDefinitions"]), None)

        definition = eventually(saved)
        assert definition["queryString"] == query
        assert definition["logGroupNames"] == [webhook.log_group]

        screen.editor.load_text("fields @message")
        await pilot.press("ctrl+o")
        await choose(app, pilot, "webhook errors")
        await wait_until(pilot, lambda: screen.editor.text == query)


async def test_read_only_refuses_saving_before_any_call(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(app, pilot, [webhook])
        history.reset_calls()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, Prompt)
        assert any("Read-only" in n.message for n in app._notifications)
        assert history.calls["logs:PutQueryDefinition"] == 0


# ----- results: to the log pane, exports ----------------------------------------------------


async def test_enter_on_a_row_opens_that_invocation_in_the_log_pane(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, [webhook])
        await run_built_in(app, pilot, screen, "Recent errors with request ids")
        wanted = screen.table.view[0]["requestId"]
        await pilot.press("tab")
        assert screen.table.has_focus
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        assert logs.request_id == wanted
        assert [f.name for f in logs.functions] == [WEBHOOK]
        await wait_until(pilot, lambda: wanted in screen_text(app))


async def test_export_csv_and_jsonl_files_readable_by_the_user_alone(
    history: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    monkeypatch.chdir(tmp_path)
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, [webhook])
        await run_built_in(app, pilot, screen, "Errors by message")
        shown = [dict(row) for row in screen.table.view]
        await pilot.press("tab", "e")
        await choose(app, pilot, "CSV")
        written = eventually(lambda: list(tmp_path.glob("*.csv")))
        await pilot.press("e")
        await choose(app, pilot, "JSON Lines")
        lines = eventually(lambda: list(tmp_path.glob("*.jsonl")))
    (csv_path,) = written
    (jsonl_path,) = lines
    with csv_path.open(newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["error", "errors"]
    assert table[1:] == [[row["error"], row["errors"]] for row in shown]
    records = [json.loads(line) for line in jsonl_path.read_text().splitlines()]
    assert records == [{"error": row["error"], "errors": row["errors"]} for row in shown]
    assert mode(csv_path) == 0o600 and mode(jsonl_path) == 0o600


# ----- ranges over an hour: what the scan costs ----------------------------------------------


async def test_a_range_over_an_hour_shows_the_bytes_held_and_the_cost(history: Sandbox) -> None:
    fns = await functions(history, WEBHOOK, ORDERS)
    logs = client(history, "logs")
    stored = sum(
        next(
            g["storedBytes"]
            for g in logs.describe_log_groups(logGroupNamePrefix=f.log_group)["logGroups"]
            if g["logGroupName"] == f.log_group
        )
        for f in fns
    )
    app = app_for(history, fleet_autoload=False, prices={"insights_per_gb": 0.5})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, fns)
        assert not screen.query_one("#cost").display
        await pilot.press("tab", "6")
        await wait_until(pilot, lambda: screen.query_one("#cost").display)
        line = str(screen.query_one("#cost").render())
        assert "Over 3h" in line and human_bytes(stored) in line
        assert "stored total" in line
        assert f"{money(stored / 1024**3 * 0.5)} at $0.5/GB" in line
        assert "last 3h" in screen_text(app)


# ----- deep link --------------------------------------------------------------------------------


async def test_deep_link_opens_the_pane_with_the_query_and_runs_it(history: Sandbox) -> None:
    argv = [WEBHOOK, ORDERS, "--since", "2h", "--query", "stats count(*) as n by @log"]
    args = _link_parser("insights").parse_args(argv)
    settings = await linked_settings(settings_for(history, fleet_autoload=False), "insights", args)
    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await on_top(pilot, InsightsScreen)
        await finished(pilot, screen)
        assert screen.editor.text == "stats count(*) as n by @log"
        assert [c.label for c in screen.table.columns] == ["@log", "n"]
        assert len(screen.table.rows) == 2
        assert "last 2h" in screen_text(app)
        await wait_until(pilot, lambda: screen.query_one("#cost").display)


# ----- palette and help -----------------------------------------------------------------------


async def test_the_palette_and_help_offer_logs_insights(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_function(webhook)
        detail = await on_top(pilot, DetailScreen)
        (entry,) = [cb for title, _, cb in app.palette_actions(detail) if title == "Logs Insights"]
        result = entry()
        if inspect.isawaitable(result):
            await result
        screen = await on_top(pilot, InsightsScreen)
        assert [f.name for f in screen.functions] == [WEBHOOK]
        await pilot.press("tab", "question_mark")  # in the editor, ? is part of the query
        await wait_until(pilot, lambda: "Built-in queries" in screen_text(app))
        help_text = screen_text(app)
        assert "Built-in queries" in help_text and "Range 3h (results)" in help_text


async def test_the_thirty_query_limit_is_said_in_words(history: Sandbox) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    logs = client(history, "logs")
    history.insights.hold(0)
    started = []
    try:
        end = int(FROZEN_NOW.timestamp())
        for _ in range(30):
            started.append(
                logs.start_query(
                    logGroupName=webhook.log_group,
                    startTime=end - 3600,
                    endTime=end,
                    queryString="fields @message",
                )["queryId"]
            )
        app = app_for(history, fleet_autoload=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_pane(app, pilot, [webhook])
            await pilot.press("ctrl+j")
            await finished(pilot, screen)
            assert screen.state == "failed"
            assert "at most 30 concurrent queries" in screen_text(app)
    finally:
        for query_id in started:
            logs.stop_query(queryId=query_id)
        history.insights.release()


async def test_a_query_past_the_sixty_minute_limit_is_said_to_have_timed_out(
    history: Sandbox,
) -> None:
    (webhook,) = await functions(history, WEBHOOK)
    history.insights.timeout_seconds = 0  # AWS's 60 minutes, reached at once
    try:
        app = app_for(history, fleet_autoload=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_pane(app, pilot, [webhook])
            await pilot.press("ctrl+j")
            await wait_until(pilot, lambda: screen.state == "Timeout")
            assert "AWS stops a query after 60 minutes" in screen_text(app)
    finally:
        history.insights.timeout_seconds = 3600


async def test_ten_thousand_rows_are_said_to_be_the_most_aws_returns(history: Sandbox) -> None:
    fns = await functions(history, WEBHOOK, ORDERS)
    app = app_for(history, fleet_autoload=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_pane(app, pilot, fns)
        screen.editor.load_text("fields @timestamp, @logStream\n| limit 10000")
        await pilot.press("tab", "6", "ctrl+j")
        await wait_until(pilot, lambda: screen.state == "Complete")
        assert len(screen.table.rows) == 10_000
        assert "AWS returns at most 10,000 rows" in status_of(screen)


async def test_deep_link_refuses_more_than_fifty_groups_and_an_empty_query(
    history: Sandbox,
) -> None:
    from lambdatui.__main__ import UsageError

    settings = settings_for(history, fleet_autoload=False)
    many = _link_parser("insights").parse_args([f"fn-{i}" for i in range(51)])
    with pytest.raises(UsageError, match="at most 50 log groups"):
        await linked_settings(settings, "insights", many)
    empty = _link_parser("insights").parse_args([WEBHOOK, "--query", " "])
    with pytest.raises(UsageError, match="--query is empty"):
        await linked_settings(settings, "insights", empty)
