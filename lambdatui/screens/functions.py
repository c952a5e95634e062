"""The first screen: every function of the account, filterable and sortable."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from ..aws.cost import FREE_TIER_NOTE, money, per_month
from ..aws.errors import AwsError
from ..aws.findings import Severity
from ..aws.metrics import WINDOWS, account_health, account_settings
from ..aws.models import Function
from ..fleet import Change
from ..format import ago
from ..widgets.contextbar import ContextBar
from ..widgets.filterbar import FilterBar
from ..widgets.footer import KeysFooter
from ..widgets.table import VirtualTable
from .base import FleetChanged, Pane
from .columns import account_line, function_columns, region_column, row_class
from .posture import NOISY_MARK, posture_columns

SORTS: dict[str, str] = {
    "name": "N",
    "invocations": "V",
    "errors": "E",
    "error_rate": "P",
    "throttles": "X",
    "p95": "D",
    "concurrency": "C",
    "state": "S",
    "runtime": "R",
    "memory": "M",
    "timeout": "T",
    "modified": "A",
    "arch": "H",
    "size": "Z",
    "cost": "dollar_sign",
}
HEALTH_COLUMNS = {"invocations", "errors", "error_rate", "throttles", "p95", "concurrency", "cost"}
# Worst first on the first press, like the health columns.
WORST_FIRST = {*HEALTH_COLUMNS, "alarms", "findings"}


def _haystack(fn: Function) -> str:
    tags = " ".join(f"{k}={v}" for k, v in fn.tags)
    return f"{fn.name} {fn.runtime_label} {tags}"


class FunctionTable(VirtualTable[Function]):
    pass


class FunctionsScreen(Pane):
    HELP_TITLE = "Function list"
    # Below 100 columns the findings count gives its room to the title.
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (100, "-wide"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="functions.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="functions.clear"),
        Binding("enter", "open", "Open", id="functions.open"),
        Binding("l", "logs", "Logs", id="functions.logs"),
        Binding("m", "metrics", "Metrics", id="functions.metrics"),
        Binding("d", "dlq", "DLQ", id="functions.dlq"),
        Binding("i", "invoke", "Invoke", id="functions.invoke"),
        Binding("I", "insights", "Logs Insights", show=False, id="functions.insights"),
        Binding("Q", "app.dlq_overview", "All DLQs", show=False, id="functions.dlqs"),
        Binding("w", "window", "Window", id="functions.window"),
        Binding("a", "account", "Account", id="functions.account"),
        Binding("f", "findings", "Findings", id="functions.findings"),
        Binding("b", "alarm_filter", "Only in ALARM", id="functions.alarm_filter"),
        Binding("e", "roles", "Execution roles", show=False, id="functions.roles"),
        Binding("o", "sort_picker", "Sort", id="functions.sort"),
        Binding("v", "columns", "Choose columns", show=False, id="functions.columns"),
        Binding("r", "refresh", "Refresh", id="functions.refresh"),
        Binding("y", "copy_arn", "Copy ARN", id="functions.copy_arn"),
        Binding("space", "mark", "Mark", show=False, id="functions.mark"),
        Binding("t", "throttle", "Throttle function", id="functions.throttle"),
        Binding("u", "restore", "Restore concurrency", show=False, id="functions.restore"),
        Binding(
            "c", "set_reserved", "Set reserved concurrency", show=False, id="functions.reserve"
        ),
        Binding("x", "disable_source", "Disable event source", show=False, id="functions.disable"),
        Binding("n", "enable_source", "Enable event source", show=False, id="functions.enable"),
        Binding("B", "rollback", "Roll back alias", id="functions.rollback"),
        Binding("q", "app.quit", "Quit", id="functions.quit"),
        *[
            Binding(
                key, f"sort('{name}')", f"Sort by {name}", show=False, id=f"functions.sort_{name}"
            )
            for name, key in SORTS.items()
        ],
    ]

    # The health refresh runs while this screen is on top (others defer it).
    SHOWS_HEALTH = True

    def __init__(self) -> None:
        super().__init__()
        self.alarm_only = False

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Functions", id="title")
            yield Static("", id="posture")
            yield Static("", id="count")
        yield FilterBar(
            "filter: name, runtime or tag value (enter applies, esc clears)", id="filter"
        )
        yield Static("", id="account")
        yield Static("", id="message")
        fleet = self.fleet
        columns = function_columns(
            self.tui.settings.clock,
            fleet.health_of,
            posture_columns(
                fleet.alarm_state,
                fleet.cost_of,
                fleet.findings_of,
                lambda: fleet.prices.currency,
                drops=(7, 9, 10),
            ),
            fleet.reservation,
        )
        if len(self.tui.settings.all_regions) > 1:
            columns.insert(1, region_column())
        yield FunctionTable(
            columns,
            key=lambda f: f.arn,
            haystack=_haystack,
            row_class=row_class(fleet.health_of),
            empty="Loading functions…",
            markable=True,
            id="functions",
        )
        yield KeysFooter()

    @property
    def table(self) -> FunctionTable:
        return self.query_one(FunctionTable)

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self.query_one("#account").display = False
        self.table.sort_by("name")
        pinned, hidden = self.tui.column_choice.get("functions", (frozenset(), frozenset()))
        self.table.choose_columns(pinned, hidden)
        self.table.focus()
        self.watch(self.table, "scroll_y", lambda _: self.request_states(), init=False)
        self._show_functions()

    def on_screen_functions(self) -> list[Function]:
        """The rows on screen now (their health is fetched first)."""
        table = self.table
        return [table.view[i] for i in table.visible_range()]

    # ----- what the fleet says ------------------------------------------------------

    @on(FleetChanged)
    def _fleet_changed(self, event: FleetChanged) -> None:
        if event.change is Change.FUNCTIONS:
            self._show_functions()
        elif event.change is Change.HEALTH:
            self._health_changed()
        elif event.change is Change.POSTURE:
            self.forget_findings()

    def _show_functions(self) -> None:
        fleet = self.fleet
        table = self.table
        table.set_rows(fleet.functions)
        if fleet.loaded and not fleet.functions:
            region = ", ".join(self.tui.settings.all_regions)
            table.empty_text = (
                f"No Lambda functions in {region} for this account. Try another region "
                "(p, or --region), or create one with `aws lambda create-function`."
            )
        elif fleet.load_error is not None and not fleet.functions:
            table.empty_text = "No functions loaded."
        else:
            table.empty_text = fleet.waiting_for or "Loading functions…"
        if self.alarm_only:
            self._apply_filter()
        table.refresh()
        self._update_message()
        self._update_count()
        self.request_states()

    def request_states(self) -> None:
        """Fetch State for the rows on screen that lack it (ListFunctions omits State)."""
        self.tui.request_states(self.on_screen_functions())

    # ----- health (metrics) ---------------------------------------------------------

    def _health_changed(self) -> None:
        table = self.table
        if table.sort_column in HEALTH_COLUMNS or table.sort_column in ("findings", "alarms"):
            table.sort_by(table.sort_column, table.sort_reverse)
        if table.sort_column == "alarms" or self.alarm_only:
            self._apply_filter()
        table.redraw()
        self._update_message()
        self._update_count()
        if self.query_one("#account").display:
            self.refresh_account()

    def action_account(self) -> None:
        line = self.query_one("#account", Static)
        line.display = not line.display
        if line.display:
            line.update(Content.styled("Account: loading…", "$text-muted"))
            self.refresh_account()

    @work(exclusive=True, group="account", exit_on_error=False)
    async def refresh_account(self) -> None:
        line = self.query_one("#account", Static)
        fleet = self.fleet
        window = WINDOWS[fleet.window]
        try:
            settings, usage = await asyncio.gather(
                account_settings(self.tui.aws),
                account_health(self.tui.aws, self.tui.settings.clock(), window),
            )
        except AwsError as exc:
            line.update(Content.styled(f"Account: {exc.sentence}", "$text-error"))
            return
        line.update(account_line(settings, usage, fleet.window) + self._cost_line())

    def on_screen_resume(self) -> None:
        self._show_functions()
        self.tui.screen_resumed()

    def action_window(self) -> None:
        keys = list(WINDOWS)
        fleet = self.fleet
        fleet.set_window(keys[(keys.index(fleet.window) + 1) % len(keys)])
        self.table.redraw()
        self._update_count()
        self.tui.refresh_health()

    def _update_message(self) -> None:
        fleet = self.fleet
        parts = [
            p
            for p in (
                fleet.load_error and f"Could not list functions: {fleet.load_error}",
                fleet.health_error and f"Metrics unavailable: {fleet.health_error}",
                *fleet.health_gaps(),
            )
            if p
        ]
        self._set_message(" · ".join(parts) if parts else None)

    def _set_message(self, text: str | None) -> None:
        message = self.query_one("#message", Static)
        message.display = text is not None
        message.update(Content(text or ""))

    def _update_count(self) -> None:
        table = self.table
        fleet = self.fleet
        total = len(table.rows)
        shown = len(table.view)
        noun = "function" if total == 1 else "functions"
        if fleet.waiting_for and not total:
            text = "starting…"
        elif fleet.loading and fleet.load_error is None:
            text = f"loading… {total} {noun}"
        elif shown != total:
            text = f"{shown} of {total} {noun}"
        else:
            text = f"{total} {noun}"
        if fleet.cached_at is not None:
            text += f" · cached {ago(fleet.cached_at, self.tui.settings.clock())}"
        self.query_one("#count", Static).update(text)
        self.query_one("#posture", Static).update(self._posture_summary())
        title = f"Functions  health over {fleet.window}"
        if self.alarm_only:
            title += "  in ALARM only"
        if table.sort_column:
            arrow = "▼" if table.sort_reverse else "▲"
            title += f"  sorted by {table.sort_column} {arrow}"
        self.query_one("#title", Static).update(Content.assemble((title, "bold")))

    # ----- filter -----------------------------------------------------------------

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def action_filter(self) -> None:
        self.filter_bar.open()

    @on(FilterBar.Filtered)
    def _filter_changed(self) -> None:
        self._apply_filter()

    @on(FilterBar.Done)
    def _filter_done(self) -> None:
        self.table.focus()

    def _apply_filter(self) -> None:
        alarm_state = self.fleet.alarm_state
        predicate = (lambda f: alarm_state(f) == "ALARM") if self.alarm_only else None
        # Filtering by alarm state shows the Alarms column, whatever the width.
        self.table.want_columns({"alarms"} if self.alarm_only else ())
        self.table.set_query(self.filter_bar.text, predicate)
        self._update_count()
        self.request_states()

    def action_clear_filter(self) -> None:
        if self.filter_bar.close():
            self._apply_filter()
        self.table.focus()

    # ----- actions ------------------------------------------------------------------

    def action_open(self) -> None:
        fn = self.table.current
        if fn is not None:
            self.tui.open_function(fn)

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        self.tui.open_function(event.row)

    def action_logs(self) -> None:
        """Tail the marked functions (up to 10), or the one under the cursor."""
        chosen = self.table.marked_rows() or (
            [self.table.current] if self.table.current is not None else []
        )
        self.tui.open_logs(chosen)

    def action_insights(self) -> None:
        """Logs Insights over the marked functions (up to 50), or the one under the cursor."""
        chosen = self.table.marked_rows() or (
            [self.table.current] if self.table.current is not None else []
        )
        self.tui.open_insights(chosen)

    def action_dlq(self) -> None:
        if self.table.current is not None:
            self.tui.open_dlq(self.table.current)

    def action_invoke(self) -> None:
        if self.table.current is not None:
            self.tui.open_invoke(self.table.current)

    def action_metrics(self) -> None:
        if self.table.current is not None:
            self.tui.open_metrics(self.table.current)

    def action_refresh(self) -> None:
        self.tui.reload_fleet()

    def retry(self) -> None:
        """Nothing of its own to retry: the app retries the fleet this list shows."""

    def action_copy_arn(self) -> None:
        fn = self.table.current
        if fn is not None:
            self.tui.copy(fn.arn, f"ARN of {fn.name}")

    def action_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor(1)

    # ----- acting: concurrency, event sources, aliases ---------------------------------

    def _cursor_function(self) -> Function | None:
        fn = self.table.current
        if fn is None:
            self.notify("Choose a function first", timeout=3)
        return fn

    def action_throttle(self) -> None:
        """Throttle the marked functions, or the one under the cursor."""
        chosen = self.table.marked_rows() or (
            [self.table.current] if self.table.current is not None else []
        )
        self.tui.acting.start_throttle(chosen)

    def action_restore(self) -> None:
        if (fn := self._cursor_function()) is not None:
            self.tui.acting.start_restore(fn)

    def action_set_reserved(self) -> None:
        if (fn := self._cursor_function()) is not None:
            self.tui.acting.start_set(fn)

    def action_disable_source(self) -> None:
        if (fn := self._cursor_function()) is not None:
            self.tui.acting.start_mapping(fn, enable=False)

    def action_enable_source(self) -> None:
        if (fn := self._cursor_function()) is not None:
            self.tui.acting.start_mapping(fn, enable=True)

    def action_rollback(self) -> None:
        if (fn := self._cursor_function()) is not None:
            self.tui.acting.start_rollback(fn)

    def action_sort(self, column: str) -> None:
        table = self.table
        # Again reverses; health, alarm and findings columns sort worst first.
        reverse = not table.sort_reverse if table.sort_column == column else column in WORST_FIRST
        table.sort_by(column, reverse)
        # A new order is read from the top: that is where the worst function is.
        table.move_cursor(0)
        self._update_count()
        self.request_states()

    def action_sort_picker(self) -> None:
        from .pickers import SortPicker

        def chosen(column: str | None) -> None:
            if column:
                self.action_sort(column)

        labels = {c.key: c.label for c in self.table.columns if c.sort_key is not None}
        self.app.push_screen(SortPicker(labels, self.table.sort_column), chosen)

    def action_columns(self) -> None:
        """Choose which columns show; the choice holds for the session."""
        from .pickers import ColumnPicker

        table = self.table

        def apply(pinned: frozenset[str], hidden: frozenset[str]) -> list[str]:
            table.choose_columns(pinned, hidden)
            self.tui.column_choice["functions"] = (table.pinned, table.hidden)
            return table.shown_columns()

        choices = [(c.key, c.label) for c in table.columns if not c.flex]
        self.app.push_screen(ColumnPicker(choices, table.pinned, table.hidden, apply))

    def select_function(self, arn: str) -> bool:
        self.action_clear_filter()
        return self.table.select_key(arn)

    # ----- alarms, cost and findings ----------------------------------------------

    def forget_findings(self) -> None:
        """Findings are recomputed from the facts (new health, new log observations)."""
        table = self.table
        if table.sort_column in ("findings", "alarms"):
            table.sort_by(table.sort_column, table.sort_reverse)
        if self.alarm_only:
            self._apply_filter()
        table.redraw()
        self._update_count()

    def _cost_line(self) -> Content:
        fleet = self.fleet
        total = fleet.total_cost()
        currency = fleet.prices.currency
        month = (
            f" ≈ {money(per_month(total, WINDOWS[fleet.window]), currency)}/30 days"
            if total
            else ""
        )
        noisy = fleet.noisy_count()
        return Content.assemble(
            ("  │ est. cost ", "$text-muted"),
            money(total, currency),
            (f" in {fleet.window}{month} ({FREE_TIER_NOTE})", "$text-muted"),
            (f"  {NOISY_MARK} {noisy} noisy" if noisy else "", "$text-warning"),
        )

    def _posture_summary(self) -> str:
        fleet = self.fleet
        if fleet.posture.result is None or not fleet.functions:
            return ""
        counted = fleet.all_findings()
        high = sum(1 for f in counted if f.severity == Severity.HIGH)
        return f"{len(counted)} findings, {high} high  "

    def action_findings(self) -> None:
        self.tui.action_findings()

    def action_roles(self) -> None:
        self.tui.action_roles()

    def action_alarm_filter(self) -> None:
        self.alarm_only = not self.alarm_only
        posture = self.fleet.posture
        if self.alarm_only and not posture.alarms:
            reason = posture.alarm_error or "alarms are still loading"
            self.notify(f"In-ALARM filter: {reason}", severity="warning")
        self._apply_filter()
