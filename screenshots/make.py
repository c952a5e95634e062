"""Render the main screens on the deterministic demo world into screenshots/*.svg.

uv run python screenshots/make.py [--out DIR] [--size 130x36] [--themes textual-dark,textual-light]

The first theme's files are NAME.svg, the others' NAME-<suffix>.svg (light: -light).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.worker import WorkerCancelled

from lambdatui.app import LambdaTui, make_app
from lambdatui.config import Settings
from lambdatui_sandbox import Sandbox

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
SIZE = (130, 36)


async def settle(app: LambdaTui, pilot: Any) -> None:
    """Every worker done (one cancelled by its successor counts as done), the findings
    scan (a task, not a worker) finished, and the result drawn."""
    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await app.fleet.posture.settled()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return
    raise RuntimeError("the console's workers did not settle")


async def functions(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)


async def detail(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    app.goto_function("payments-webhook")
    await settle(app, pilot)


async def errors_first(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    await pilot.press("E")
    await pilot.press("slash", *"payments")
    await settle(app, pilot)


async def logs(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.screens.logs import LogsScreen

    await settle(app, pilot)
    app.open_logs([f for f in app.fleet.functions if f.name == "payments-webhook"])
    while not isinstance(app.screen, LogsScreen):
        await pilot.pause()
    screen = app.screen
    while screen.tail_status.mode.value != "live tail" or screen.tail_status.note:
        await pilot.pause()
    screen._flush_status()
    await pilot.pause()


async def invocations(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.screens.logs import LogsScreen

    await logs(app, pilot)
    await pilot.press("v")
    screen = app.screen
    assert isinstance(screen, LogsScreen)
    while not screen.invocations.view:
        await pilot.pause()
    await pilot.pause()


async def metrics(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    app.open_metrics(next(f for f in app.fleet.functions if f.name == "payments-webhook"))
    await settle(app, pilot)


async def dlq(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.screens.dlq import DlqScreen

    await settle(app, pilot)
    app.open_dlq(next(f for f in app.fleet.functions if f.name == "payments-webhook"))
    while not isinstance(app.screen, DlqScreen):
        await pilot.pause()
    await settle(app, pilot)
    app.screen.messages.focus()
    await pilot.press("down", "space", "down", "space")
    await pilot.pause()


async def dlqs(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.screens.dlqs import DlqOverviewScreen

    await settle(app, pilot)
    await pilot.press("Q")
    while not isinstance(app.screen, DlqOverviewScreen):
        await pilot.pause()
    await settle(app, pilot)


async def invoke(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.aws.templates import Context
    from lambdatui.aws.templates import render as template
    from lambdatui.screens.confirm import Confirm
    from lambdatui.screens.invoke import InvokeScreen

    await settle(app, pilot)
    app.open_invoke(next(f for f in app.fleet.functions if f.name == "orders-worker"))
    while not (isinstance(app.screen, InvokeScreen) and app.screen.query("#event")):
        await pilot.pause()
    screen = app.screen
    await settle(app, pilot)
    context = Context(app.account or "123456789012", app.aws.region, "orders-worker", NOW)
    screen.set_event(template("sqs", context), "template SQS")
    await pilot.press("ctrl+j")
    while not isinstance(app.screen, Confirm):
        await pilot.pause()
    await pilot.press("y")
    while not screen.last:
        await pilot.pause()
    await settle(app, pilot)


async def by_cost(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    await pilot.press("dollar_sign", "a")
    await settle(app, pilot)


async def findings(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.screens.findings import FindingsScreen

    await settle(app, pilot)
    await pilot.press("f")
    while not isinstance(app.screen, FindingsScreen):
        await pilot.pause()
    await settle(app, pilot)


async def roles(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.screens.roles import RolesScreen

    await settle(app, pilot)
    await pilot.press("e")
    while not isinstance(app.screen, RolesScreen):
        await pilot.pause()
    await pilot.press("down")
    await settle(app, pilot)


async def insights(app: LambdaTui, pilot: Any) -> None:
    from lambdatui.aws.insights import BUILT_IN
    from lambdatui.screens.insights import InsightsScreen

    await settle(app, pilot)
    wanted = {"payments-webhook", "orders-api"}
    app.open_insights(
        [f for f in app.fleet.functions if f.name in wanted],
        query=BUILT_IN["Duration percentiles"],
        run=True,
    )
    while not isinstance(app.screen, InsightsScreen):
        await pilot.pause()
    screen = app.screen
    while screen.state not in ("Complete", "malformed", "failed"):
        await pilot.pause()
    await settle(app, pilot)


async def help_screen(app: LambdaTui, pilot: Any) -> None:
    await settle(app, pilot)
    await pilot.press("question_mark")
    await settle(app, pilot)


SHOTS: dict[str, Callable[[LambdaTui, Any], Awaitable[None]]] = {
    "functions": functions,
    "functions-errors": errors_first,
    "detail": detail,
    "logs": logs,
    "invocations": invocations,
    "metrics": metrics,
    "dlq": dlq,
    "dlqs": dlqs,
    "invoke": invoke,
    "functions-cost": by_cost,
    "findings": findings,
    "roles": roles,
    "insights": insights,
    "help": help_screen,
}


async def render(
    box: Sandbox, out: Path, theme: str, suffix: str, size: tuple[int, int] = SIZE
) -> list[Path]:
    written = []
    for name, steps in SHOTS.items():
        settings = Settings(
            region=box.region,
            endpoint_url=box.endpoint_url,
            endpoint_label="demo sandbox",
            access_key="demo",
            secret_key="demo",
            theme=theme,
            clock=lambda: NOW,
            animations=False,
            pacing=False,  # the sandbox has no quotas
            list_cache=False,  # each shot lists afresh, and the user's cache stays theirs
        )
        app = make_app(settings, system_clipboard=False)
        async with app.run_test(size=size) as pilot:
            await steps(app, pilot)
            path = out / f"{name}{suffix}.svg"
            path.write_text(app.export_screenshot(title=f"lambdatui: {name}"))
            written.append(path)
    return written


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def _suffix(theme: str, first: bool) -> str:
    if first:
        return ""
    return "-light" if theme == "textual-light" else f"-{theme}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    parser.add_argument("--size", type=_size, default=SIZE, help="terminal WIDTHxHEIGHT")
    parser.add_argument("--themes", default="textual-dark,textual-light")
    args = parser.parse_args()
    themes = [t.strip() for t in args.themes.split(",") if t.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    with Sandbox(now=NOW, simulate="history") as box:
        assert box.traffic is not None and box.traffic.wait_ready(120)
        paths: list[Path] = []
        for i, theme in enumerate(themes):
            paths += asyncio.run(render(box, args.out, theme, _suffix(theme, i == 0), args.size))
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
