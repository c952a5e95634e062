"""The fault matrix: every pane against every fault kind the sandbox injects.

One row per pane (how to open it, which actions it calls, how it says what is
wrong, when it shows its data again) and one column per fault kind (what the
pane must say, and whether it recovers by itself or after the retry key).
A new pane is one more `PaneCase` in `PANES`. Used by tests/test_fault_matrix.py
and by benchmarks/fault_matrix.py (which times recovery).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from lambdatui.app import LambdaTui
from lambdatui.aws.tail import TROUBLES, TailMode
from lambdatui.screens.base import Pane
from lambdatui.screens.detail import DetailScreen
from lambdatui.screens.dlq import DlqScreen
from lambdatui.screens.functions import FunctionsScreen
from lambdatui.screens.logs import LogsScreen
from lambdatui.screens.metrics import MetricsScreen
from lambdatui_sandbox import Sandbox

from .helpers import app_for, client, screen_text, wait_until

LOG_FUNCTION = "orders-api"
DLQ_FUNCTION = "payments-webhook"
TIMEOUT_S = 30.0


async def settle(pilot: Any, predicate: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    """Let the app run until `predicate()` holds (the faults here take wall-clock time)."""
    await wait_until(pilot, predicate, frames=0, within=timeout)


def text_of(app: LambdaTui) -> str:
    """What the screen says, with the context bar and its banner."""
    return screen_text(app)


@dataclass(frozen=True)
class PaneCase:
    name: str
    # The actions the pane needs, faulted together ("service:Action").
    actions: tuple[str, ...]
    open: Callable[[LambdaTui, Any], Awaitable[Pane]]
    # Showing its data, with no error and nothing loading.
    ready: Callable[[Pane], bool]
    # Still waiting for a first answer (a pane must never stay here).
    loading: Callable[[Pane], bool]
    # Make the pane call AWS again (a refresh key, a dropped stream).
    trigger: Callable[[LambdaTui, Any, Sandbox], Awaitable[None]]
    live: bool = False


@dataclass(frozen=True)
class FaultCase:
    kind: str
    # What the pane (or the banner) says while the fault lasts; None: whatever it
    # says, it says it without a traceback.
    says: str | None
    # "auto": recovers once the fault clears; "key": after the retry key (ctrl+r).
    recovery: str
    # Fault every action, as expired credentials do.
    everywhere: bool = False


FAULTS = (
    FaultCase("throttle", "throttled", "auto"),
    FaultCase("500", "server error", "auto"),
    FaultCase("503", "server error", "auto"),
    FaultCase("slow", "timed out", "auto"),
    FaultCase("drop", "disconnected", "auto"),
    FaultCase("denied", "no permission: {action}", "key"),
    FaultCase("expired", "AWS credentials expired", "key", everywhere=True),
    FaultCase("malformed", None, "key"),
)


def press(*keys: str) -> Callable[[LambdaTui, Any, Sandbox], Awaitable[None]]:
    async def go(app: LambdaTui, pilot: Any, box: Sandbox) -> None:
        await pilot.press(*keys)

    return go


async def _first_page(app: LambdaTui, pilot: Any) -> FunctionsScreen:
    await settle(pilot, lambda: isinstance(app.screen, FunctionsScreen))
    screen = app.screen
    assert isinstance(screen, FunctionsScreen)
    await settle(pilot, lambda: app.fleet.loaded)
    return screen


async def open_functions(app: LambdaTui, pilot: Any) -> Pane:
    return await _first_page(app, pilot)


async def open_detail(app: LambdaTui, pilot: Any) -> Pane:
    await _first_page(app, pilot)
    app.open_function(next(f for f in app.fleet.functions if f.name == DLQ_FUNCTION))
    await settle(pilot, lambda: isinstance(app.screen, DetailScreen))
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    await settle(pilot, lambda: _detail_ready(screen))
    return screen


async def open_metrics(app: LambdaTui, pilot: Any) -> Pane:
    await _first_page(app, pilot)
    app.open_metrics(next(f for f in app.fleet.functions if f.name == LOG_FUNCTION))
    await settle(pilot, lambda: isinstance(app.screen, MetricsScreen))
    screen = app.screen
    await settle(pilot, lambda: _metrics_ready(screen))
    return screen  # type: ignore[return-value]


async def open_dlq(app: LambdaTui, pilot: Any) -> Pane:
    await _first_page(app, pilot)
    app.open_dlq(next(f for f in app.fleet.functions if f.name == DLQ_FUNCTION))
    await settle(pilot, lambda: isinstance(app.screen, DlqScreen))
    screen = app.screen
    await settle(pilot, lambda: _dlq_ready(screen))
    return screen  # type: ignore[return-value]


async def open_logs(app: LambdaTui, pilot: Any) -> Pane:
    await _first_page(app, pilot)
    app.open_logs([next(f for f in app.fleet.functions if f.name == LOG_FUNCTION)])
    await settle(pilot, lambda: isinstance(app.screen, LogsScreen))
    screen = app.screen
    await settle(pilot, lambda: _logs_ready(screen))
    return screen  # type: ignore[return-value]


def _functions_ready(screen: Pane) -> bool:
    assert isinstance(screen, FunctionsScreen)
    fleet = screen.fleet
    return fleet.loaded and fleet.load_error is None and len(screen.table.rows) >= 30


def _detail_ready(screen: Pane) -> bool:
    assert isinstance(screen, DetailScreen)
    detail = screen.detail
    return (
        detail is not None
        and detail.configuration.ok
        and detail.tags.ok
        and "loading" not in str(screen.query_one("#count").render())
    )


def _metrics_ready(screen: Pane) -> bool:
    assert isinstance(screen, MetricsScreen)
    return (
        screen.error is None
        and bool(screen.series)
        and "loading" not in str(screen.query_one("#count").render())
    )


def _dlq_ready(screen: Pane) -> bool:
    assert isinstance(screen, DlqScreen)
    if not screen.query("#dlqstatus"):
        return False  # not composed yet
    status = str(screen.query_one("#dlqstatus").render())
    return "seen" in status and "Could not" not in status


def _logs_ready(screen: Pane) -> bool:
    assert isinstance(screen, LogsScreen)
    status = screen.tail_status
    return (
        screen.error is None
        and status.mode in (TailMode.LIVE, TailMode.POLLING)
        and not status.note.startswith((*TROUBLES, "loading"))
    )


def _count_says(screen: Pane, word: str) -> bool:
    return word in str(screen.query_one("#count").render())


async def _drop_tails(app: LambdaTui, pilot: Any, box: Sandbox) -> None:
    box.drop_live_tails()


PANES = (
    PaneCase(
        "function list",
        ("lambda:ListFunctions",),
        open_functions,
        _functions_ready,
        lambda s: _count_says(s, "loading"),
        press("r"),
    ),
    PaneCase(
        "function detail",
        ("lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListTags"),
        open_detail,
        _detail_ready,
        lambda s: _count_says(s, "loading"),
        press("r"),
    ),
    PaneCase(
        "metrics",
        ("cloudwatch:GetMetricData",),
        open_metrics,
        _metrics_ready,
        lambda s: _count_says(s, "loading"),
        press("r"),
    ),
    PaneCase(
        "DLQ",
        ("sqs:ReceiveMessage",),
        open_dlq,
        _dlq_ready,
        lambda s: "Peeking" in str(s.query_one("#dlqstatus").render()),
        press("r"),
    ),
    PaneCase(
        "logs (live tail)",
        ("logs:StartLiveTail", "logs:FilterLogEvents"),
        open_logs,
        _logs_ready,
        lambda s: False,
        _drop_tails,
        live=True,
    ),
)


def make_app(box: Sandbox, pane: PaneCase, retry_after: float = 0.1) -> LambdaTui:
    """The app with quick retries, so a matrix cell takes seconds, not minutes."""
    overrides: dict[str, object] = {"retry_after": retry_after, "log_poll_interval": 0.3}
    if pane.live:
        overrides["clock"] = None
    app = app_for(box, **overrides)
    app.aws.max_attempts = 2
    # Above the DLQ peek's one-second long poll, below the "slow" fault's delay.
    app.aws.read_timeout = 1.3
    # Live Tail's stream too (it waits a minute by default), as the sandbox sends an
    # update every second.
    app.aws.stream_read_timeout = 1.3
    return app


def put_marker(box: Sandbox) -> str:
    """One log line written to the tailed function while the fault lasts."""
    marker = f"marker {uuid.uuid4()}"
    logs = client(box, "logs")
    group = f"/aws/lambda/{LOG_FUNCTION}"
    stream = f"2026/11/27/[$LATEST]{uuid.uuid4().hex}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(time.time() * 1000), "message": marker + "\n"}],
    )
    return marker


@dataclass
class Outcome:
    pane: str
    fault: str
    said: str
    recovered: bool
    seconds: float


async def run_cell(
    app: LambdaTui, pilot: Any, box: Sandbox, pane: PaneCase, fault: FaultCase
) -> Outcome:
    """Inject `fault` into `pane`'s actions, check what it says, clear it, time recovery."""
    screen = app.screen
    assert isinstance(screen, Pane)
    actions = ("*",) if fault.everywhere else pane.actions
    rules = [box.fault(action, fault.kind, delay=1.6) for action in actions]
    # A pane may name any of its actions (the one that failed first).
    says_any = [(fault.says or "").format(action=action) for action in pane.actions]

    def saying() -> str:
        text = text_of(app)
        return next((s for s in says_any if s and s in text), "")

    marker = ""
    try:
        await pane.trigger(app, pilot, box)
        if fault.says:
            await settle(pilot, lambda: bool(saying()))
        else:
            # Whatever the pane makes of it, the fault is met and the pane stops loading.
            await settle(pilot, lambda: any(rule.hits for rule in rules))
            await settle(pilot, lambda: not pane.loading(screen))
        said = text_of(app)
        says = saying()
        assert "Traceback" not in said
        if pane.live and not fault.everywhere:
            marker = put_marker(box)  # written while the tail cannot read
    finally:
        box.allow()
    if pane.live and not marker:
        marker = put_marker(box)  # the fault stopped the test's writes too
    started = time.monotonic()
    if fault.recovery == "key":
        await pilot.press("ctrl+r")
    else:
        await pilot.pause()
    recovered = True
    try:
        await settle(pilot, lambda: pane.ready(screen) and not pane.loading(screen))
        if says:
            await settle(pilot, lambda: says not in text_of(app))
        if marker:
            assert isinstance(screen, LogsScreen)
            await settle(pilot, lambda: _seen(screen, marker) >= 1)
            assert _seen(screen, marker) == 1, "the line written during the fault, once"
    except AssertionError:
        recovered = False
    seconds = time.monotonic() - started
    line = next((ln for ln in said.splitlines() if says and says in ln), "")
    return Outcome(pane.name, fault.kind, line.strip(), recovered, seconds)


def _seen(screen: LogsScreen, marker: str) -> int:
    return sum(1 for record in screen.logview.records() if marker in record.raw)
