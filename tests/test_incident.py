"""Incident snapshot (`!`): a Markdown report of one function and the JSONL of its logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambdatui.aws.functions import find_function
from lambdatui.aws.logrecords import Level, RecordKind
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.logs import LogsScreen
from lambdatui_sandbox import Sandbox

from .helpers import FROZEN_NOW, app_for, client, mode, wait_until

NAME = "payments-webhook"


@pytest.fixture(scope="module")
def history() -> Iterator[Sandbox]:
    with Sandbox(now=FROZEN_NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        yield box


def _depths(box: Sandbox) -> dict[str, str]:
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=f"{NAME}-dlq")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return dict(attrs["Attributes"])


async def _snapshot(pilot: Any) -> Any:
    app = pilot.app
    await pilot.press("exclamation_mark")
    await wait_until(pilot, lambda: app.last_snapshot is not None, frames=2000)
    return app.last_snapshot


async def test_snapshot_from_the_detail_screen(history: Sandbox, tmp_path: Path) -> None:
    config = client(history, "lambda").get_function_configuration(FunctionName=NAME)
    secrets = [v for v in config["Environment"]["Variables"].values() if len(v) > 3]
    before = _depths(history)
    app = app_for(history, snapshot_dir=str(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, FunctionsScreen) and app.fleet.loaded
        )
        app.goto_function(NAME)
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        shot = await _snapshot(pilot)
        said = [n.message for n in app._notifications]
    assert shot.report.parent == tmp_path and shot.logs.parent == tmp_path
    assert any(str(shot.report) in m and shot.logs.name in m for m in said)

    report = shot.report.read_text()
    assert report.startswith(f"# Incident snapshot: {NAME}")
    assert "account 123456789012 · region us-east-1" in report
    # Configuration, with the environment's names and none of its values.
    assert "| Runtime | python3.12 |" in report
    for name in config["Environment"]["Variables"]:
        assert f"`{name}` = ••••••" in report
    assert secrets and not any(secret in report for secret in secrets)
    # Metrics of the window: a table row per metric, with a sparkline.
    invocations = next(line for line in report.splitlines() if line.startswith("| Invocations"))
    assert any(block in invocations for block in "▁▂▃▄▅▆▇█")
    # The last errors carry request ids found in the JSONL beside it.
    lines = [json.loads(line) for line in shot.logs.read_text().splitlines()]
    assert len(lines) == shot.records > 0
    request_ids = {line["requestId"] for line in lines if line["requestId"]}
    section = report.split("## Last errors", 1)[1].split("## Dead-letter", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| 2026-")]
    assert 0 < len(rows) <= 20 and shot.errors >= len(rows)
    assert all(row.split(" | ")[1] in request_ids for row in rows)
    assert "KeyError" in section
    # DLQ depth and a sample; the sample consumed nothing.
    dlq = report.split("## Dead-letter queues", 1)[1]
    assert f"dead-letter queue: {NAME}-dlq" in dlq
    assert f"Depth: {int(before['ApproximateNumberOfMessages']):,} visible" in dlq
    assert dlq.count("\nMessage `") >= 2
    assert _depths(history) == before


async def test_snapshot_from_the_log_pane_writes_its_buffer(
    history: Sandbox, tmp_path: Path
) -> None:
    app = app_for(history, snapshot_dir=str(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, FunctionsScreen) and app.fleet.loaded
        )
        app.open_logs([f for f in app.fleet.functions if f.name == NAME])
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.tail_status.mode.value == "live tail", frames=600)
        buffered = len(screen.logview.records())
        assert buffered > 0
        shot = await _snapshot(pilot)
    assert shot.records == buffered
    assert "from the open log pane" in shot.report.read_text()


async def test_several_streams_read_in_time_order_into_a_private_snapshot(
    history: Sandbox, tmp_path: Path, open_umask: None
) -> None:
    """shipping-label-printer runs in several environments (log streams) at once."""
    tmp_path.chmod(0o755)
    where = tmp_path / "incidents" / "today"
    app = app_for(history, snapshot_dir=str(where), fleet_autoload=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_logs([await find_function(app.aws, "shipping-label-printer")])
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        screen = app.screen
        await pilot.press("3")  # 15 minutes of history
        await wait_until(
            pilot,
            lambda: screen.tail_status.mode.value == "live tail" and not screen.tail_status.note,
            frames=600,
        )
        records = screen.logview.records()
        shot = await _snapshot(pilot)
    assert len({r.log_stream for r in records}) > 1
    assert [r.timestamp for r in records] == sorted(r.timestamp for r in records)
    # The Java function's own lines carry their level and request id.
    java = [r for r in records if r.kind is RecordKind.APP]
    assert java and all(r.level >= Level.INFO and r.request_id for r in java)
    rows = [json.loads(line) for line in shot.logs.read_text().splitlines()]
    assert len(rows) == len(records)
    assert [row["timestamp"] for row in rows] == sorted(row["timestamp"] for row in rows)
    # Readable by the user alone, in directories made for it; the one above untouched.
    assert mode(shot.report) == mode(shot.logs) == 0o600
    assert mode(where) == mode(where.parent) == 0o700
    assert mode(tmp_path) == 0o755
    assert sorted(p.name for p in where.iterdir()) == sorted([shot.report.name, shot.logs.name])


async def test_snapshot_needs_a_function(history: Sandbox, tmp_path: Path) -> None:
    app = app_for(history, snapshot_dir=str(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("Q")  # the DLQ overview is about no one function
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DlqOverviewScreen")
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert any("Choose a function first" in n.message for n in app._notifications)
    assert list(tmp_path.iterdir()) == []


async def test_snapshot_at_once_from_a_deep_link_waits_for_the_account(
    history: Sandbox, tmp_path: Path
) -> None:
    """`lambdatui show NAME`, then `!` before anything else: the list never shown, the
    account not yet asked for; the report still names the account."""
    from lambdatui.__main__ import _link_parser, linked_settings

    from .helpers import settings_for

    args = _link_parser("show").parse_args([NAME])
    settings = await linked_settings(
        settings_for(history, snapshot_dir=str(tmp_path), fleet_autoload=False), "show", args
    )
    from lambdatui.app import make_app

    app = make_app(settings, system_clipboard=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.fleet.account is None
        shot = await _snapshot(pilot)
        assert not any(isinstance(s, FunctionsScreen) for s in app.screen_stack)
    report = shot.report.read_text()
    assert "account 123456789012 · region us-east-1" in report
    assert "account …" not in report and "account unknown" not in report
