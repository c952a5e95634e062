"""The log pane: a live, structured tail of one or more functions' log groups."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Static

from ..aws.errors import AwsError
from ..aws.logparse import InvocationTracker
from ..aws.logrecords import Invocation, InvocationStatus, Level, LogRecord, export_record
from ..aws.models import Function
from ..aws.tail import DEFAULT_HISTORY, HISTORY, Tailer, TailMode, TailStatus
from ..files import write_jsonl
from ..format import plural
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.filterbar import FilterBar
from ..widgets.footer import KeysFooter
from ..widgets.logview import LogView, Query
from ..widgets.table import Column, VirtualTable
from .base import Pane

LEVEL_CYCLE = [Level.NONE, Level.ERROR, Level.WARN]
CONTEXT_LINES = 3
INVOCATION_REFRESH_S = 0.5
STATUS_REFRESH_S = 0.25


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _status_class(inv: Invocation) -> str | None:
    if inv.status in (InvocationStatus.ERROR, InvocationStatus.TIMEOUT, InvocationStatus.OOM):
        return "vtable--hot"
    if inv.status == InvocationStatus.RUNNING:
        return "vtable--dim"
    return None


def invocation_columns() -> list[Column[Invocation]]:
    def start(inv: Invocation) -> str:
        return datetime.fromtimestamp(inv.start_ts / 1000, UTC).strftime("%H:%M:%S.%f")[:-3]

    def memory(inv: Invocation) -> str:
        if inv.memory_size_mb is None:
            return "-"
        return f"{inv.max_memory_used_mb or 0}/{inv.memory_size_mb} MB"

    def init(inv: Invocation) -> str:
        if inv.init_duration_ms is not None:
            return f"❄ {inv.init_duration_ms:,.0f}"
        return "❄" if inv.cold_start else ""

    return [
        Column("start", "Start", 12, start, lambda i: i.start_ts),
        Column(
            "request", "Request id", 36, lambda i: i.request_id, lambda i: i.request_id, flex=True
        ),
        Column(
            "duration",
            "Duration ms",
            11,
            lambda i: _ms(i.duration_ms),
            lambda i: i.duration_ms or 0,
            align="right",
        ),
        Column(
            "billed",
            "Billed ms",
            9,
            lambda i: _ms(i.billed_duration_ms),
            lambda i: i.billed_duration_ms or 0,
            align="right",
            drop=3,
        ),
        Column(
            "memory",
            "Memory",
            13,
            memory,
            lambda i: i.max_memory_used_mb or 0,
            align="right",
            drop=2,
        ),
        Column(
            "init", "Init ms", 9, init, lambda i: i.init_duration_ms or 0, align="right", drop=1
        ),
        Column("status", "Status", 8, lambda i: str(i.status), lambda i: str(i.status)),
    ]


class InvocationTable(VirtualTable[Invocation]):
    pass


class LogsScreen(Pane):
    HELP_TITLE = "Logs"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="logs.filter"),
        Binding("n", "next_match(1)", "Next match", show=False, id="logs.next"),
        Binding("N", "next_match(-1)", "Previous match", show=False, id="logs.previous"),
        Binding("e", "level", "Level", id="logs.level"),
        Binding("v", "invocations", "Invocations", id="logs.invocations"),
        Binding("enter", "open", "Open", id="logs.open"),
        Binding("i", "invocation", "Its invocation", show=False, id="logs.invocation"),
        Binding("I", "insights", "Logs Insights", show=False, id="logs.insights"),
        Binding("c", "context", "Context", show=False, id="logs.context"),
        Binding("w", "wrap", "Wrap", id="logs.wrap"),
        Binding("s", "follow", "Autoscroll", id="logs.follow"),
        Binding("t", "time", "Time", show=False, id="logs.time"),
        Binding("F", "pattern", "Server filter", show=False, id="logs.pattern"),
        Binding("y", "copy_line", "Copy line", show=False, id="logs.copy_line"),
        Binding("Y", "copy_request", "Copy request id", show=False, id="logs.copy_request"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
        *[
            Binding(
                str(key),
                f"history({key})",
                f"History {label}",
                show=False,
                id=f"logs.history_{key}",
            )
            for key, label in zip(
                HISTORY, ("none", "1m", "5m", "15m", "30m", "1h", "3h"), strict=True
            )
        ],
    ]

    def __init__(
        self,
        functions: list[Function],
        *,
        request_id: str | None = None,
        history_s: int = DEFAULT_HISTORY,
    ) -> None:
        super().__init__()
        self.functions = functions[:10]
        self.history_s = history_s
        self.level_index = 0
        self.request_id = request_id
        self.initial_request = request_id
        self.pattern = ""
        self.context = False
        self.tail_status = TailStatus(TailMode.CONNECTING)
        self.error: str | None = None
        self.tracker = InvocationTracker()
        self._invocations_dirty = False
        self._status_dirty = False
        self.tailer: Tailer | None = None

    # ----- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static(id="title")
            yield Static(id="count")
        yield Static(id="tailstatus")
        yield FilterBar("filter: text, or /regex/ (enter applies, esc clears)", id="filter")
        yield Input(
            placeholder="CloudWatch filter pattern, sent to AWS (enter applies, esc cancels)",
            id="pattern",
        )
        view = LogView(
            capacity=self.tui.settings.log_buffer, clock=self.tui.settings.clock, id="log"
        )
        view.show_source = len(self.functions) > 1
        view.sources = {f.log_group: f.name for f in self.functions}
        yield view
        yield InvocationTable(
            invocation_columns(),
            key=lambda i: i.request_id,
            row_class=_status_class,
            empty="No invocation seen yet.",
            id="invocations",
        )
        yield KeysFooter()

    @property
    def logview(self) -> LogView:
        return self.query_one(LogView)

    @property
    def invocations(self) -> InvocationTable:
        return self.query_one(InvocationTable)

    def on_mount(self) -> None:
        for name in ("#pattern", "#invocations"):
            self.query_one(name).display = False
        self.invocations.sort_by("start", reverse=True)
        self.logview.focus()
        self._apply_query()
        self.set_interval(INVOCATION_REFRESH_S, self._refresh_invocations)
        self.set_interval(STATUS_REFRESH_S, self._flush_status)
        self.start_tail()

    # ----- tailing ---------------------------------------------------------------

    def start_tail(self) -> None:
        self.logview.clear()
        self.tracker.clear()
        self.invocations.set_rows([])
        self.tail()

    def retry(self) -> None:
        """Resume a tail that stopped on an error: no gap, no line twice."""
        super().retry()
        fell_back = self.tail_status.mode is TailMode.POLLING and self.tui.settings.live_tail
        if self.error is not None or fell_back:
            # Polling because Live Tail was refused: try Live Tail again too.
            self.tail(resume=True)

    @work(exclusive=True, group="tail", exit_on_error=False)
    async def tail(self, resume: bool = False) -> None:
        self.error = None
        self._update_status()
        tailer = self.tailer
        if tailer is None or not resume:
            tailer = self.tailer = Tailer(
                self.aws,
                [f.log_group for f in self.functions],
                sink=self._ingest,
                status=self._on_status,
                history_s=self.history_s,
                pattern=self.pattern or None,
                poll_interval=self.tui.settings.log_poll_interval,
                live=self.tui.settings.live_tail,
                clock=lambda: self.tui.settings.clock().timestamp(),
            )
        try:
            await tailer.run()
        except AwsError as exc:
            self.error = exc.sentence
            self._update_status()

    def _ingest(self, records: list[LogRecord]) -> None:
        self.logview.append(records)
        groups = {f.log_group: f.arn for f in self.functions}
        fleet = self.fleet
        for record in records:
            self.tracker.feed(record)
            report = record.report
            if report is not None and record.log_group in groups:
                # REPORT figures feed the timeout and memory findings.
                fleet.observe(
                    groups[record.log_group],
                    report.duration_ms,
                    report.max_memory_used_mb,
                    report.memory_size_mb,
                )
        self._invocations_dirty = True

    def _on_status(self, status: TailStatus) -> None:
        self.tail_status = status
        self._update_status()

    def _refresh_invocations(self) -> None:
        if self._invocations_dirty and self.invocations.display:
            self._invocations_dirty = False
            self.invocations.set_rows(self.tracker.invocations())
            self._update_status()

    # ----- status -----------------------------------------------------------------

    @on(LogView.Changed)
    def _log_changed(self) -> None:
        # Counts change with every batch: redraw them a few times a second at most.
        self._status_dirty = True

    def _flush_status(self) -> None:
        if self._status_dirty:
            self._status_dirty = False
            self._update_status()

    def _update_status(self) -> None:
        log = self.logview
        names = ", ".join(f.name for f in self.functions)
        title = Content.assemble(("Logs ", "bold"), (visible(names), "bold $text-accent"))
        self.query_one("#title", Static).update(title)
        count = (
            f"{log.shown:,} of {plural(log.total, 'line')}"
            if log.view_query.active
            else plural(log.total, "line")
        )
        if log.dropped:
            count += f" ({log.dropped:,} dropped)"
        self.query_one("#count", Static).update(count)

        status = self.tail_status
        parts: list[tuple[str, str] | str] = []
        mode_style = {"live tail": "bold $text-success", "polling": "bold $text-warning"}.get(
            str(status.mode), "bold $text-muted"
        )
        parts.append((str(status.mode), mode_style))
        if status.sampled:
            parts.append(("  sampled (over 500 events/s)", "bold $text-warning"))
        if status.renewals:
            parts.append((f"  renewed {plural(status.renewals, 'time')}", "$text-muted"))
        if status.note:
            parts.append((f"  {status.note}", "$text-muted"))
        if self.error:
            parts.append((f"  {self.error}", "bold $text-error"))
        follow = (
            "following"
            if log.follow
            else (f"paused, {log.unseen:,} new ↓ (end resumes)" if log.unseen else "paused")
        )
        parts.append((f"  · {follow}", "$text-muted"))
        window = "new only" if not self.history_s else f"history {self._history_label()}"
        parts.append((f"  · {window}", "$text-muted"))
        for label, value in self._filters():
            parts.append(("  · ", "$text-muted"))
            parts.append((f"{label} ", "$text-muted"))
            parts.append(visible(value))
        self.query_one("#tailstatus", Static).update(Content.assemble(*parts))

    def _history_label(self) -> str:
        seconds = self.history_s
        return f"{seconds // 3600}h" if seconds >= 3600 else f"{seconds // 60}m"

    def _filters(self) -> list[tuple[str, str]]:
        out = []
        query = self.logview.view_query
        if query.text:
            out.append(("filter", query.text))
        if query.min_level > Level.NONE:
            out.append(("level ≥", query.min_level.name))
        if query.request_id:
            out.append(("request", query.request_id))
        if self.pattern:
            out.append(("server pattern", self.pattern))
        if self.context:
            out.append(("context", f"±{CONTEXT_LINES}"))
        return out

    # ----- filtering ----------------------------------------------------------------

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def _apply_query(self) -> None:
        text = self.filter_bar.value
        self.logview.set_query(
            Query(
                text=text,
                min_level=LEVEL_CYCLE[self.level_index],
                request_id=self.request_id,
                context=CONTEXT_LINES if self.context else 0,
            )
        )
        self._update_status()

    def action_filter(self) -> None:
        self.filter_bar.open()

    @on(FilterBar.Filtered)
    def _filter_changed(self) -> None:
        self._apply_query()

    @on(FilterBar.Done)
    def _filter_done(self) -> None:
        self.logview.focus()
        if self.filter_bar.value:
            self.logview.next_match(-1)

    def action_pattern(self) -> None:
        field = self.query_one("#pattern", Input)
        field.value = self.pattern
        field.display = True
        self.set_focus(field)

    @on(Input.Submitted, "#pattern")
    def _pattern_done(self) -> None:
        field = self.query_one("#pattern", Input)
        field.display = False
        self.logview.focus()
        if field.value.strip() != self.pattern:
            self.pattern = field.value.strip()[:1024]
            self.start_tail()

    def action_level(self) -> None:
        self.level_index = (self.level_index + 1) % len(LEVEL_CYCLE)
        self._apply_query()

    def action_context(self) -> None:
        self.context = not self.context
        self._apply_query()

    def action_next_match(self, direction: int) -> None:
        if not self.logview.next_match(direction):
            self.notify("No more matches", timeout=2)

    def action_back(self) -> None:
        pattern = self.query_one("#pattern", Input)
        if pattern.has_focus:
            pattern.display = False
            self.logview.focus()
            return
        if self.invocations.display:
            self.action_invocations()
            return
        if self.request_id and self.request_id != self.initial_request:
            self.request_id = None
            self._apply_query()
            return
        if self.filter_bar.close():
            self.logview.focus()
            return
        super().action_back()

    # ----- views and actions ----------------------------------------------------------

    def action_history(self, key: int) -> None:
        self.history_s = HISTORY[key]
        self.start_tail()

    def action_wrap(self) -> None:
        self.logview.wrap = not self.logview.wrap

    def action_follow(self) -> None:
        self.logview.follow = not self.logview.follow

    def action_time(self) -> None:
        self.logview.relative_time = not self.logview.relative_time

    def action_invocations(self) -> None:
        table = self.invocations
        showing = not table.display
        table.display = showing
        self.logview.display = not showing
        if showing:
            self._invocations_dirty = True
            self._refresh_invocations()
            table.focus()
        else:
            self.logview.focus()

    def show_request(self, request_id: str) -> None:
        """Only the lines of one invocation."""
        self.request_id = request_id
        if self.invocations.display:
            self.action_invocations()
        self._apply_query()
        self.logview.follow = False
        self.logview.move_cursor(0)

    @on(VirtualTable.Selected, "#invocations")
    def _invocation_chosen(self, event: VirtualTable.Selected) -> None:
        self.show_request(event.row.request_id)

    def action_open(self) -> None:
        if self.invocations.display:
            self.invocations.action_select()
            return
        record = self.logview.current
        if record is None:
            self.notify("Move the cursor to a line first (↑)", timeout=3)
            return
        from .logline import LogLineScreen

        self.app.push_screen(LogLineScreen(record))

    def action_invocation(self) -> None:
        record = self.logview.current
        if record is None or not record.request_id:
            self.notify("This line belongs to no invocation", timeout=3)
            return
        self.show_request(record.request_id)

    def action_copy_line(self) -> None:
        record = self.logview.current
        if record is not None:
            self.tui.copy(record.raw, "the log line")

    def action_copy_request(self) -> None:
        record = self.logview.current
        rid = record.request_id if record else None
        if self.invocations.display and self.invocations.current is not None:
            rid = self.invocations.current.request_id
        if rid:
            self.tui.copy(rid, f"request id {rid}")
        else:
            self.notify("No request id on this line", timeout=3)

    def action_insights(self) -> None:
        self.tui.open_insights(list(self.functions))

    def action_save(self) -> None:
        records = self.logview.records()
        label = "-".join(f.name for f in self.functions)[:60]
        stamp = self.tui.settings.clock().strftime("%Y%m%d-%H%M%S")
        path = Path.cwd() / f"lambdatui-logs-{label}-{stamp}.jsonl"
        try:
            write_jsonl(path, map(export_record, records))
        except OSError as exc:
            self.notify(f"Could not save: {exc.strerror or exc}", severity="error")
            return
        what = "filtered view" if self.logview.view_query.active else "buffer"
        self.notify(f"Saved {plural(len(records), 'line')} ({what}) to {path}", timeout=8)
