"""`I`: CloudWatch Logs Insights over the functions' log groups, from the keyboard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Static, TextArea
from textual.widgets.text_area import Selection

from ..aws import insights as core
from ..aws.cost import money
from ..aws.errors import AwsError
from ..aws.metrics import MetricSpec
from ..aws.models import Function
from ..aws.tail import HISTORY
from ..format import plural
from ..format import size as human_bytes
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.table import VirtualTable
from .base import Pane
from .insightsrows import Row, bin_series, columns, export_csv, export_jsonl, request_id, timestamp
from .metrics import Chart, ChartView
from .pickers import Picker
from .prompt import Prompt

#: Keys 1..6 pick the range, as in the log pane (0, "new only", has no meaning here).
RANGES: dict[int, int] = {key: seconds for key, seconds in HISTORY.items() if seconds}
DEFAULT_RANGE = 3600
#: A query over more than this shows what the groups hold and what scanning costs.
COSTLY_RANGE = 3600
#: Rows AWS returns at most for one query.
MAX_ROWS = 10_000
DEFAULT_QUERY = (
    "fields @timestamp, @requestId, @message, @logStream\n| sort @timestamp desc\n| limit 100"
)
ENDED_SENTENCES = {
    "Timeout": "the query timed out: AWS stops a query after 60 minutes; "
    "narrow the range or the groups",
    "Failed": "the query failed on AWS's side; run it again",
    "Cancelled": "stopped",
    "Unknown": "AWS no longer knows this query (results are kept 7 days)",
}


def range_label(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class ResultTable(VirtualTable[Row]):
    pass


class InsightsScreen(Pane):
    HELP_TITLE = "Logs Insights"

    DEFAULT_CSS = """
    InsightsScreen #query { height: 8; max-height: 35%; border: none; }
    InsightsScreen #query:focus { border: none; }
    InsightsScreen #message { height: auto; padding: 0 1; color: $text-error; display: none; }
    InsightsScreen #cost { height: auto; padding: 0 1; color: $text-warning; display: none; }
    InsightsScreen #status { height: 1; padding: 0 1; text-wrap: nowrap;
        text-overflow: ellipsis; background: $panel; }
    InsightsScreen #results { height: 1fr; }
    InsightsScreen #chart { height: 1fr; min-height: 6; display: none; }
    InsightsScreen #chart.shown { display: block; }
    """

    # ctrl+j is not a priority binding: keys typed just before it reach the query
    # first. Keys that open a picker or a prompt are, so the rest of a burst goes
    # there; ctrl+b is the results' page up, so it takes priority too.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "run", "Run", id="insights.run"),
        Binding("ctrl+b", "stop", "Stop", priority=True, id="insights.stop"),
        Binding("escape", "back", "Stop / back", id="insights.back"),
        Binding("ctrl+t", "built_in", "Built-in queries", priority=True, id="insights.built_in"),
        Binding("ctrl+o", "saved", "Saved queries", priority=True, id="insights.saved"),
        Binding("ctrl+s", "save", "Save query", priority=True, id="insights.save"),
        # Priority: handled as it arrives, so the rest of a burst (tab enter) follows it.
        Binding(
            "tab", "switch_focus", "Editor/results", show=False, priority=True, id="insights.focus"
        ),
        Binding("e", "export", "Export (results)", id="insights.export"),
        Binding("c", "chart", "Chart (results)", show=False, id="insights.chart"),
        *[
            Binding(
                str(key),
                f"set_range({seconds})",
                f"Range {range_label(seconds)} (results)",
                show=False,
                id=f"insights.range_{key}",
            )
            for key, seconds in RANGES.items()
        ],
    ]

    def __init__(
        self,
        functions: list[Function],
        *,
        query: str | None = None,
        range_s: int = DEFAULT_RANGE,
        run: bool = False,
    ) -> None:
        super().__init__()
        self.functions = functions
        self.initial_query = query if query is not None else DEFAULT_QUERY
        self.range_s = range_s
        self.run_at_start = run
        self.query_id: str | None = None
        self.results: core.QueryResults | None = None
        self.names: list[str] = []
        self.state = "ready"  # ready, starting, Scheduled, Running, or how it ended
        self.error: str | None = None
        self.saved: core.QueryDefinition | None = None
        self.chart_shown = True

    @property
    def groups(self) -> list[str]:
        return [f.log_group for f in self.functions]

    # ----- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static(id="title")
            yield Static(id="count")
        yield TextArea(
            self.initial_query,
            show_line_numbers=True,
            soft_wrap=True,
            tab_behavior="focus",
            id="query",
        )
        yield Static("", id="message")
        yield Static("", id="cost")
        yield Static("", id="status")
        yield ResultTable([], key=id, empty="No results yet: ctrl+j runs the query.", id="results")
        yield ChartView(id="chart")
        yield Footer()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#query", TextArea)

    @property
    def table(self) -> ResultTable:
        return self.query_one(ResultTable)

    def on_mount(self) -> None:
        self.editor.focus()
        self.editor.move_cursor(self.editor.document.end)
        self._update_title()
        self._update_status()
        self.estimate()
        if self.run_at_start:
            self.action_run()

    def _update_title(self) -> None:
        names = ", ".join(f.name for f in self.functions)
        self.query_one("#title", Static).update(
            Content.assemble(("Logs Insights ", "bold"), (visible(names), "bold $text-accent"))
        )
        self.query_one("#count", Static).update(
            f"last {range_label(self.range_s)} · {plural(len(self.groups), 'log group')}"
        )

    def _say(self, sentence: str | None) -> None:
        self.error = sentence
        line = self.query_one("#message", Static)
        line.update(visible(sentence) if sentence else "")
        line.display = bool(sentence)

    def _update_status(self) -> None:
        results = self.results
        parts: list[str | tuple[str, str]] = []
        state = self.state
        style = {
            "Complete": "bold $text-success",
            "Running": "bold $text-warning",
            "Scheduled": "bold $text-warning",
        }.get(state, "bold $text-muted")
        parts.append((state.lower(), style))
        if results is not None:
            stats = results.statistics
            parts.append(
                (
                    f"  · {stats.records_matched:,.0f} records matched"
                    f" · {stats.records_scanned:,.0f} scanned"
                    f" · {human_bytes(int(stats.bytes_scanned))} scanned"
                    f" · {plural(len(results.rows), 'row')}",
                    "$text-muted",
                )
            )
            if len(results.rows) >= MAX_ROWS:
                parts.append(
                    (
                        f"  AWS returns at most {MAX_ROWS:,} rows: add a filter, stats or limit",
                        "bold $text-warning",
                    )
                )
        if state in core.RUNNING or state == "starting":
            parts.append(("  · ctrl+b or esc stops", "$text-muted"))
        elif self.table.rows:
            parts.append(("  · tab: results, enter opens the invocation, e exports", "$text-muted"))
        # One line whatever it says (CSS): no layout pass for each answer of a query.
        self.query_one("#status", Static).update(Content.assemble(*parts), layout=False)

    # ----- running ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.state in core.RUNNING or self.state == "starting"

    def action_run(self) -> None:
        query = self.editor.text.strip()
        if not query:
            self._say("Write a query first (ctrl+t lists the built-in ones).")
            return
        self.state = "starting"
        self._say(None)
        self.run_query(query)

    @work(exclusive=True, group="insights-query", exit_on_error=False)
    async def run_query(self, query: str) -> None:
        end = self.tui.settings.clock()
        start = end - timedelta(seconds=self.range_s)
        self.results = None
        self.query_id = None
        self._update_status()
        try:
            self.query_id = await core.start_query(self.aws, self.groups, query, start, end)
            async for results in core.follow_query(self.aws, self.query_id):
                self.state = results.status
                self._show(results)
        except core.MalformedQuery as exc:
            self.state = "malformed"
            self._say(exc.sentence)
            self._point_at(query, exc.location)
        except AwsError as exc:
            self.state = "failed"
            self._say(exc.sentence)
        else:
            ended = ENDED_SENTENCES.get(self.state)
            if ended and self.state != "Cancelled":
                self._say(ended)
        self._update_status()

    def _show(self, results: core.QueryResults) -> None:
        self.results = results
        table = self.table
        shown, rows = table.rows, results.rows
        # More of the same rows (a query still running): the rows drawn stay as they
        # were, and only the new ones are looked at for fields and added.
        grown = len(rows) > len(shown) and all(a == b for a, b in zip(shown, rows, strict=False))
        if grown:
            seen = dict.fromkeys(self.names)
            for row in rows[len(shown) :]:
                seen.update(dict.fromkeys(row))
            seen.pop("@ptr", None)
            names = list(seen)
        else:
            names = results.columns
        if names != self.names:
            self.names = names
            table.set_columns(columns(names, rows))
        if grown:
            table.add_rows(rows[len(shown) :])
        elif rows != tuple(shown):
            table.set_rows(rows)
        self._update_chart()
        self._update_status()

    def _update_chart(self) -> None:
        chart = self.query_one("#chart", ChartView)
        series = bin_series(self.names, self.results.rows) if self.results else None
        shown = bool(series) and self.chart_shown
        if chart.has_class("shown") != shown:
            chart.set_class(shown, "shown")
        if series:
            lines = tuple(MetricSpec(name, name, name) for name in series)
            # A bin still running at the query's end is left out, as on the metrics pane.
            chart.show(Chart("insights", "", "", lines), series, self.tui.settings.clock())

    def _point_at(self, query: str, location: tuple[int, int] | None) -> None:
        """Put the editor's cursor on the part of the query AWS could not read."""
        editor = self.editor
        editor.focus()
        if location is None:
            return
        # Offsets are into the query as sent (stripped): map them into the editor's text.
        lead = len(editor.text) - len(editor.text.lstrip())
        editor.selection = Selection(
            _location(editor.text, lead + location[0]), _location(editor.text, lead + location[1])
        )

    def action_stop(self) -> None:
        if not self.running:
            return
        if self.query_id is None:
            self.workers.cancel_group(self, "insights-query")
            self.state = "Cancelled"
            self._update_status()
            return
        self.stop_query(self.query_id)

    @work(group="insights-stop", exit_on_error=False)
    async def stop_query(self, query_id: str) -> None:
        try:
            await core.stop_query(self.aws, query_id)
        except AwsError as exc:
            self._say(f"Could not stop the query: {exc.sentence}")

    def action_back(self) -> None:
        if self.running:
            self.action_stop()
            return
        super().action_back()

    # ----- time range and cost ---------------------------------------------------------

    def action_set_range(self, seconds: int) -> None:
        self.range_s = seconds
        self._update_title()
        self.estimate()

    @work(exclusive=True, group="insights-estimate", exit_on_error=False)
    async def estimate(self) -> None:
        """Over more than an hour: what the groups hold and what scanning it costs."""
        line = self.query_one("#cost", Static)
        if self.range_s <= COSTLY_RANGE:
            line.display = False
            return
        try:
            stored = await core.stored_bytes(self.aws, self.groups)
        except AwsError as exc:
            line.update(visible(f"Bytes the groups hold unknown: {exc.sentence}"))
            line.display = True
            return
        total = sum(v for v in stored.values() if v)
        prices = self.tui.prices
        cost = core.scan_cost(total, prices.insights_per_gb)
        line.update(
            f"Over {range_label(self.range_s)}: the groups hold {human_bytes(total)} "
            f"(stored total: the most a query scans); a scan costs at most "
            f"{money(cost, prices.currency)} at {money(prices.insights_per_gb, prices.currency)}"
            "/GB"
        )
        line.display = True

    # ----- queries: built-in and saved -------------------------------------------------

    def action_built_in(self) -> None:
        def chosen(name: str | None) -> None:
            if name:
                self._load(core.BUILT_IN[name])
                self.action_run()

        choices = [(name, name) for name in core.BUILT_IN]
        self.app.push_screen(Picker("Built-in queries for Lambda", choices), chosen)

    def _load(self, query: str) -> None:
        editor = self.editor
        editor.load_text(query)
        editor.move_cursor(editor.document.end)
        self.set_focus(editor)

    def action_saved(self) -> None:
        self.list_saved()

    @work(exclusive=True, group="insights-saved", exit_on_error=False)
    async def list_saved(self) -> None:
        try:
            found = await core.query_definitions(self.aws)
        except AwsError as exc:
            self._say(f"Saved queries not read: {exc.sentence}")
            return
        if not found:
            self.notify("No saved queries in this account and region (ctrl+s saves one)")
            return
        by_id = {d.definition_id: d for d in found}

        def chosen(key: str | None) -> None:
            if key and key in by_id:
                self.saved = by_id[key]
                self._load(self.saved.query)
                self.notify(visible(f"Loaded {self.saved.name}"), timeout=3)

        choices = [(d.definition_id, visible(d.name)) for d in found]
        self.app.push_screen(Picker("Saved queries (CloudWatch)", choices), chosen)

    def action_save(self) -> None:
        if self.tui.settings.read_only:
            self.notify(
                "Read-only: saving a query definition is a write (PutQueryDefinition); not sent",
                severity="warning",
            )
            return
        query = self.editor.text.strip()
        if not query:
            self._say("Nothing to save: the query is empty.")
            return

        def named(name: str | None) -> None:
            if name:
                self.save_query(name, query)

        current = f" (again {self.saved.name} replaces it)" if self.saved else ""
        self.app.push_screen(Prompt(f"Save the query as{current}"), named)

    @work(group="insights-save", exit_on_error=False)
    async def save_query(self, name: str, query: str) -> None:
        replace = self.saved.definition_id if self.saved and self.saved.name == name else None
        try:
            definition_id = await core.put_query_definition(
                self.aws, name, query, self.groups, definition_id=replace
            )
        except AwsError as exc:
            self._say(f"Query not saved: {exc.sentence}")
            return
        self.saved = core.QueryDefinition(definition_id, name, query, tuple(self.groups), None)
        self.notify(visible(f"Saved {name} (also in the CloudWatch console)"), timeout=4)

    # ----- results ------------------------------------------------------------------

    def action_switch_focus(self) -> None:
        # At once (not after the next refresh): the rest of a burst of keys lands there.
        self.set_focus(self.table if self.editor.has_focus else self.editor)

    def action_chart(self) -> None:
        self.chart_shown = not self.chart_shown
        self._update_chart()

    @on(VirtualTable.Selected, "#results")
    def _open_row(self, event: VirtualTable.Selected) -> None:
        row: Row = event.row
        rid = request_id(row)
        if rid is None:
            self.notify("This row names no request id (@requestId or requestId)", timeout=3)
            return
        functions = self.functions
        group = row.get("@log", "").rsplit(":", 1)[-1]
        if group:
            functions = [f for f in self.functions if f.log_group == group] or functions
        when = timestamp(row.get("@timestamp", ""))
        since = when - timedelta(minutes=1) if when else None
        self.tui.open_logs(functions[:10], request_id=rid, since=since)

    def action_export(self) -> None:
        if not self.table.rows:
            self.notify("No results to export yet", timeout=3)
            return

        def chosen(kind: str | None) -> None:
            if kind:
                self._export(kind)

        choices = [("csv", "CSV (a header of the fields)"), ("jsonl", "JSON Lines")]
        self.app.push_screen(Picker("Export the results as", choices), chosen)

    def _export(self, kind: str) -> None:
        rows: list[Row] = self.table.view
        label = "-".join(f.name for f in self.functions)[:60]
        stamp = self.tui.settings.clock().strftime("%Y%m%d-%H%M%S")
        path = Path.cwd() / f"lambdatui-insights-{label}-{stamp}.{kind}"
        write = export_csv if kind == "csv" else export_jsonl
        try:
            count = write(path, self.names, rows)
        except OSError as exc:
            self.notify(f"Could not export: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Exported {plural(count, 'row')} to {path}", timeout=8)


def _location(text: str, offset: int) -> tuple[int, int]:
    """(row, column) in the editor of a character offset into its text."""
    before = text[: max(0, min(offset, len(text)))]
    return before.count("\n"), len(before) - (before.rfind("\n") + 1)
