"""Every dead-letter queue and failure destination of the account, deepest first."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from ..aws.dlq import FailureTarget, failure_targets, queue_depth
from ..aws.errors import AwsError
from ..aws.functions import function_detail
from ..aws.models import Function
from ..format import plural
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.footer import KeysFooter
from ..widgets.table import Column, VirtualTable, depth_class
from .base import Pane

# Functions examined at once while looking for failure targets.
PARALLEL = 8


@dataclass(frozen=True, slots=True)
class QueueRow:
    arn: str
    kinds: tuple[str, ...]
    functions: tuple[str, ...]
    visible: int | None = None
    in_flight: int | None = None
    delayed: int | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]

    @property
    def is_topic(self) -> bool:
        return self.arn.startswith("arn:aws:sns:")


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def columns() -> list[Column[QueueRow]]:
    return [
        Column(
            "name",
            "Queue / topic",
            28,
            lambda r: r.name + (" (SNS)" if r.is_topic else ""),
            lambda r: r.name,
            flex=True,
        ),
        Column(
            "visible",
            "Visible",
            9,
            lambda r: r.error or _n(r.visible),
            lambda r: r.visible or -1,
            align="right",
        ),
        Column(
            "flight",
            "In flight",
            9,
            lambda r: _n(r.in_flight),
            lambda r: r.in_flight or -1,
            align="right",
            drop=2,
        ),
        Column(
            "delayed",
            "Delayed",
            8,
            lambda r: _n(r.delayed),
            lambda r: r.delayed or -1,
            align="right",
            drop=3,
        ),
        Column("functions", "Function(s)", 26, lambda r: ", ".join(r.functions)),
        Column("kind", "Kind", 22, lambda r: ", ".join(r.kinds), drop=1),
    ]


class DlqOverviewScreen(Pane):
    HELP_TITLE = "All dead-letter queues"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="dlqs.open"),
        Binding("r", "refresh", "Refresh", id="dlqs.refresh"),
    ]

    # Why some functions were not checked, when the last look failed for them.
    not_checked = ""

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Dead-letter queues and failure destinations, deepest first", id="title")
            yield Static("", id="count")
        yield VirtualTable(
            columns(),
            key=lambda r: r.arn,
            row_class=lambda r: depth_class(r.visible),
            id="queues",
            empty="Looking at every function's failure handling…",
        )
        yield KeysFooter()

    @property
    def table(self) -> VirtualTable[QueueRow]:
        return self.query_one("#queues", VirtualTable)

    def on_mount(self) -> None:
        self.table.sort_by("visible", reverse=True)
        self.table.focus()
        self.load()

    @work(exclusive=True, group="dlq-overview", exit_on_error=False)
    async def load(self) -> None:
        aws = self.tui.aws
        functions = list(self.fleet.functions)
        slots = asyncio.Semaphore(PARALLEL)
        self.query_one("#count", Static).update(f"checking {plural(len(functions), 'function')}…")

        async def targets_of(fn: Function) -> list[FailureTarget]:
            async with slots:
                try:
                    return await failure_targets(aws, fn.name, await function_detail(aws, fn.name))
                except AwsError as exc:
                    failures.append(exc)
                    return []

        failures: list[AwsError] = []
        found: dict[str, list[FailureTarget]] = {}
        for targets in await asyncio.gather(*(targets_of(f) for f in functions)):
            for target in targets:
                found.setdefault(target.arn, []).append(target)
        rows = []
        for arn, targets in found.items():
            kinds = tuple(sorted({t.kind for t in targets}))
            names = tuple(sorted({t.function for t in targets}))
            if not targets[0].can_peek:
                rows.append(QueueRow(arn, kinds, names, error="topic"))
                continue
            try:
                depth = await queue_depth(aws, arn)
                rows.append(
                    QueueRow(arn, kinds, names, depth.visible, depth.in_flight, depth.delayed)
                )
            except AwsError as exc:
                rows.append(QueueRow(arn, kinds, names, error=exc.sentence))
        self.table.empty_text = "No function has a dead-letter queue or failure destination."
        self.table.set_rows(rows)
        self.not_checked = (
            f" · {plural(len(failures), 'function')} not checked: {failures[0].sentence}"
            if failures
            else ""
        )
        if failures:
            self.retry_soon(failures[0], self.load, "overview")
        else:
            self.recovered("overview")
        self._count(rows)

    def _count(self, rows: list[QueueRow]) -> None:
        total = sum(r.visible or 0 for r in rows)
        count = f"{plural(len(rows), 'target')} · {plural(total, 'message')}{self.not_checked}"
        self.query_one("#count", Static).update(Content(visible(count)))

    def on_screen_resume(self) -> None:
        # Back from a queue's pane, where messages may have moved: read the depths again.
        if self.table.rows:
            self.refresh_depths()

    @work(exclusive=True, group="dlq-overview-depths", exit_on_error=False)
    async def refresh_depths(self) -> None:
        """Each queue's depth read again (GetQueueAttributes), the rest as it was."""
        rows = []
        for row in self.table.rows:
            if row.is_topic:
                rows.append(row)
                continue
            try:
                depth = await queue_depth(self.tui.aws, row.arn)
            except AwsError as exc:
                rows.append(replace(row, error=exc.sentence))
                continue
            rows.append(
                replace(
                    row,
                    visible=depth.visible,
                    in_flight=depth.in_flight,
                    delayed=depth.delayed,
                    error=None,
                )
            )
        self.table.set_rows(rows)
        self._count(rows)

    @on(VirtualTable.Selected, "#queues")
    def _chosen(self, event: VirtualTable.Selected) -> None:
        self._open(event.row)

    def action_open(self) -> None:
        if self.table.current is not None:
            self._open(self.table.current)

    def _open(self, row: QueueRow) -> None:
        fn = next((f for f in self.fleet.functions if f.name == row.functions[0]), None)
        if fn is not None:
            self.tui.open_dlq(fn, target_arn=row.arn)

    def action_refresh(self) -> None:
        self.load()
