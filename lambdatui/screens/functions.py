"""The first screen: every function of the account, filterable and sortable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import replace
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from ..aws.alarms import worst as worst_state
from ..aws.cost import FREE_TIER_NOTE, Cost, estimate, money, per_month
from ..aws.errors import AccessDenied, AwsError, Throttled, is_transient
from ..aws.findings import Finding, Severity, check
from ..aws.functions import function_pages_in, function_state, function_tags
from ..aws.metrics import (
    WINDOWS,
    Health,
    account_health,
    account_settings,
    iter_health,
)
from ..aws.models import Function
from ..aws.paging import prefetch
from ..widgets.contextbar import ContextBar
from ..widgets.table import VirtualTable
from .base import Pane
from .columns import account_line, function_columns, region_column, row_class
from .posture import NOISY_MARK, posture_columns

# Seconds between redraws while later ListFunctions pages arrive.
REDRAW_EVERY = 0.1
# GetFunction calls in flight at once while filling the State column.
STATE_BATCH = 10

SORTS: dict[str, str] = {
    "name": "N",
    "invocations": "I",
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


def list_screen(app: object) -> FunctionsScreen | None:
    """The function list (it owns the health window the cost estimate uses)."""
    for screen in getattr(app, "screen_stack", ()):
        if isinstance(screen, FunctionsScreen):
            return screen
    return None


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
        Binding("Q", "app.dlq_overview", "All DLQs", show=False, id="functions.dlqs"),
        Binding("w", "window", "Window", id="functions.window"),
        Binding("a", "account", "Account", id="functions.account"),
        Binding("f", "findings", "Findings", id="functions.findings"),
        Binding("b", "alarm_filter", "Only in ALARM", id="functions.alarm_filter"),
        Binding("e", "roles", "Execution roles", show=False, id="functions.roles"),
        Binding("o", "sort_picker", "Sort", id="functions.sort"),
        Binding("r", "refresh", "Refresh", id="functions.refresh"),
        Binding("y", "copy_arn", "Copy ARN", id="functions.copy_arn"),
        Binding("space", "mark", "Mark", show=False, id="functions.mark"),
        Binding("q", "app.quit", "Quit", id="functions.quit"),
        *[
            Binding(
                key, f"sort('{name}')", f"Sort by {name}", show=False, id=f"functions.sort_{name}"
            )
            for name, key in SORTS.items()
        ],
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loading_done = False
        self.load_error: str | None = None
        self._state_asked: set[str] = set()
        self._states_denied = False
        self._state_slots = asyncio.Semaphore(STATE_BATCH)
        # By (region, name): a multi-region list may hold one name several times.
        self.health: dict[tuple[str, str], Health] = {}
        self.health_error: str | None = None
        self.window = "15m"
        self._health_timer: Timer | None = None
        self._health_due = False
        self.alarm_only = False
        self._findings: dict[str, list[Finding]] = {}  # by function ARN

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Functions", id="title")
            yield Static("", id="posture")
            yield Static("", id="count")
        yield Input(placeholder="filter: name, runtime or tag value (esc clears)", id="filter")
        yield Static("", id="account")
        yield Static("", id="message")
        columns = function_columns(
            self.tui.settings.clock,
            self.health_of,
            posture_columns(
                self.alarm_state,
                self.cost_of,
                self.findings_of,
                lambda: self.tui.prices.currency,
                drops=(7, 9, 10),
            ),
        )
        if len(self.tui.settings.all_regions) > 1:
            columns.insert(1, region_column())
        yield FunctionTable(
            columns,
            key=lambda f: f.arn,
            haystack=_haystack,
            row_class=row_class(self.health_of),
            empty="Loading functions…",
            id="functions",
        )
        yield Footer()

    def health_of(self, fn: Function) -> Health | None:
        return self.health.get((fn.region, fn.name))

    @property
    def table(self) -> FunctionTable:
        return self.query_one(FunctionTable)

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.query_one("#message").display = False
        self.query_one("#account").display = False
        self.table.sort_by("name")
        self.table.focus()
        self.watch(self.table, "scroll_y", lambda _: self.request_states(), init=False)
        self.load()

    # ----- loading --------------------------------------------------------------

    @work(exclusive=True, group="functions", exit_on_error=False)
    async def load(self) -> None:
        table = self.table
        self.loading_done = False
        self.load_error = None
        self._update_message()
        table.empty_text = "Loading functions…"
        first = True
        pending: list[Function] = []
        applied = time.monotonic()

        def apply() -> None:
            nonlocal applied
            if pending:
                table.add_rows(pending)
                pending.clear()
            applied = time.monotonic()
            self.tui.functions = table.rows
            self._update_count()

        try:
            async for page in prefetch(
                function_pages_in(self.tui.aws, self.tui.settings.all_regions)
            ):
                if first:
                    table.set_rows(page)
                    first = False
                    apply()
                    # After the first rows are painted: these create more clients,
                    # which costs CPU that would otherwise delay the first frame.
                    self.call_after_refresh(self._after_first_page)
                    continue
                # Later pages reach the screen in batches, so a large account
                # costs a few redraws rather than one per page.
                pending.extend(page)
                if time.monotonic() - applied >= REDRAW_EVERY:
                    apply()
        except AwsError as exc:
            apply()
            self.tui.load_identity()
            self.load_error = exc.sentence
            self._update_message()
            table.empty_text = "No functions loaded."
            self._update_count()
            self.retry_soon(exc, self.load, "functions")
            return
        self.recovered("functions")
        apply()
        if first:
            table.set_rows([])
            self.tui.load_identity()
        self.loading_done = True
        self.load_error = None
        self.tui.functions = table.rows
        region = ", ".join(self.tui.settings.all_regions)
        table.empty_text = (
            f"No Lambda functions in {region} for this account. "
            "Try another region (p, or --region), or create one with `aws lambda create-function`."
        )
        table.refresh()
        self._update_count()
        self.refresh_posture()
        await self._load_tags()

    async def _load_tags(self) -> None:
        try:
            found = await asyncio.gather(
                *(function_tags(self.tui.aws.in_region(r)) for r in self.tui.settings.all_regions)
            )
        except AwsError as exc:
            self.notify(
                f"Tags not loaded, filtering by tag is off: {exc.sentence}", severity="warning"
            )
            return
        tags = {arn: pairs for part in found for arn, pairs in part.items()}
        if not tags:
            return
        self.table.update_rows({arn: partial(replace, tags=pairs) for arn, pairs in tags.items()})
        self.tui.functions = self.table.rows

    def request_states(self) -> None:
        """Fetch State for the rows on screen that lack it (ListFunctions omits State)."""
        table = self.table
        wanted = [
            table.view[i]
            for i in table.visible_range()
            if not table.view[i].state and table.view[i].arn not in self._state_asked
        ]
        if wanted and not self._states_denied:
            self._state_asked.update(f.arn for f in wanted)
            self.fill_states(wanted)

    @work(group="function-states", exit_on_error=False)
    async def fill_states(self, functions: list[Function]) -> None:
        results = await asyncio.gather(
            *(self._state_of(f) for f in functions), return_exceptions=True
        )
        updates: dict[Hashable, Callable[[Function], Function]] = {}
        for fn, result in zip(functions, results, strict=True):
            if isinstance(result, tuple):
                state, status = result
                updates[fn.arn] = partial(replace, state=state, last_update_status=status)
            elif isinstance(result, AccessDenied) and not self._states_denied:
                self._states_denied = True
                self.notify(f"State column unavailable: {result.sentence}", severity="warning")
            else:
                self._state_asked.discard(fn.arn)
        self.table.update_rows(updates)
        self.tui.functions = self.table.rows

    async def _state_of(self, fn: Function) -> tuple[str, str]:
        async with self._state_slots:
            return await function_state(self.tui.aws.in_region(fn.region), fn.name)

    # ----- health (metrics) ---------------------------------------------------------

    def _fetch_order(self) -> dict[str, list[str]]:
        """Per region: functions on screen first, then the filtered view, then the rest."""
        table = self.table
        names: dict[tuple[str, str], None] = {}
        for i in table.visible_range():
            names[table.view[i].region, table.view[i].name] = None
        for fn in (*table.view, *table.rows):
            names[fn.region, fn.name] = None
        order: dict[str, list[str]] = {}
        for region, name in names:
            order.setdefault(region, []).append(name)
        return order

    @work(exclusive=True, group="health", exit_on_error=False)
    async def refresh_health(self) -> None:
        if self._health_timer is not None:
            self._health_timer.stop()
            self._health_timer = None
        if not self.is_current:
            self._health_due = True
            return
        interval = self.tui.settings.metrics_refresh
        window = WINDOWS[self.window]
        try:
            for region, names in self._fetch_order().items():
                async for part in iter_health(
                    self.tui.aws.in_region(region), names, self.tui.settings.clock(), window
                ):
                    self.health.update({(region, n): h for n, h in part.items()})
                    self._health_changed()
            self.health_error = None
            # Alarm states change as often as the health figures: refresh them together.
            await self.tui.posture.refresh_alarms(self.tui.settings.all_regions)
            table = self.table
            if table.sort_column == "alarms" or self.alarm_only:
                self._apply_filter()
            table.redraw()
            self.recovered("health")
        except Throttled as exc:
            self.health_error = f"Metrics: {exc.sentence}"
            interval *= 2
        except AwsError as exc:
            self.health_error = f"Metrics unavailable: {exc.sentence}"
            if is_transient(exc):
                interval = min(interval, self.backoff("health"))
        finally:
            self._update_message()
            if self.query_one("#account").display:
                self.refresh_account()
            # Re-armed only once this refresh is done, so refreshes never overlap.
            self._health_timer = self.set_timer(interval, self.refresh_health)

    def _health_changed(self) -> None:
        # The noisy-trigger finding reads the cost, which reads the health.
        self._findings.clear()
        table = self.table
        if table.sort_column in HEALTH_COLUMNS or table.sort_column == "findings":
            table.sort_by(table.sort_column, table.sort_reverse)
        table.redraw()

    def action_account(self) -> None:
        line = self.query_one("#account", Static)
        line.display = not line.display
        if line.display:
            line.update(Content.styled("Account: loading…", "$text-muted"))
            self.refresh_account()

    @work(exclusive=True, group="account", exit_on_error=False)
    async def refresh_account(self) -> None:
        line = self.query_one("#account", Static)
        window = WINDOWS[self.window]
        try:
            settings, usage = await asyncio.gather(
                account_settings(self.tui.aws),
                account_health(self.tui.aws, self.tui.settings.clock(), window),
            )
        except AwsError as exc:
            line.update(Content.styled(f"Account: {exc.sentence}", "$text-error"))
            return
        line.update(account_line(settings, usage, self.window) + self._cost_line())

    def on_screen_resume(self) -> None:
        # Logs read meanwhile may have added observations (timeout and memory findings).
        self.forget_findings()
        if self._health_due:
            self._health_due = False
            self.refresh_health()

    def action_window(self) -> None:
        keys = list(WINDOWS)
        self.window = keys[(keys.index(self.window) + 1) % len(keys)]
        self.health.clear()
        self.table.redraw()
        self._update_count()
        self.refresh_health()

    def _update_message(self) -> None:
        parts = [
            p
            for p in (
                self.load_error and f"Could not list functions: {self.load_error}",
                self.health_error,
            )
            if p
        ]
        self._set_message(" · ".join(parts) if parts else None)

    def _after_first_page(self) -> None:
        self.tui.load_identity()
        self.request_states()
        self.refresh_health()

    def _set_message(self, text: str | None) -> None:
        message = self.query_one("#message", Static)
        message.display = text is not None
        message.update(Content(text or ""))

    def _update_count(self) -> None:
        table = self.table
        total = len(table.rows)
        shown = len(table.view)
        noun = "function" if total == 1 else "functions"
        if not self.loading_done and self.load_error is None:
            text = f"loading… {total} {noun}"
        elif shown != total:
            text = f"{shown} of {total} {noun}"
        else:
            text = f"{total} {noun}"
        self.query_one("#count", Static).update(text)
        self.query_one("#posture", Static).update(self._posture_summary())
        title = f"Functions  health over {self.window}"
        if self.alarm_only:
            title += "  in ALARM only"
        if table.sort_column:
            arrow = "▼" if table.sort_reverse else "▲"
            title += f"  sorted by {table.sort_column} {arrow}"
        self.query_one("#title", Static).update(Content.assemble((title, "bold")))

    # ----- filter -----------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        # Synchronously, so keys typed right after "/" land in the field.
        self.set_focus(field)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        text = self.query_one("#filter", Input).value.strip()
        predicate = (lambda f: self.alarm_state(f) == "ALARM") if self.alarm_only else None
        self.table.set_query(text, predicate)
        self._update_count()
        self.request_states()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        field = self.query_one("#filter", Input)
        if not field.value:
            field.display = False
        self.table.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if field.value or field.display:
            field.value = ""
            field.display = False
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
        self.load()

    def retry(self) -> None:
        super().retry()
        self._state_asked.clear()
        self._states_denied = False
        self.refresh_health()

    def action_copy_arn(self) -> None:
        fn = self.table.current
        if fn is not None:
            self.tui.copy(fn.arn, f"ARN of {fn.name}")

    def action_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor(1)

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

    def select_function(self, name: str) -> bool:
        self.action_clear_filter()
        for fn in self.table.view:
            if fn.name == name:
                return self.table.select_key(fn.arn)
        return False

    # ----- alarms, cost and findings ----------------------------------------------

    def alarm_state(self, fn: Function) -> str | None:
        """Worst state of the function's alarms; None while loading, "unknown" if denied."""
        posture = self.tui.posture
        alarms = posture.alarms_of(fn)
        if alarms is None:
            return "unknown" if posture.alarm_error else None
        return worst_state(alarms)

    def cost_of(self, fn: Function) -> Cost | None:
        return estimate(
            self.health_of(fn),
            fn.memory_mb,
            fn.architecture,
            WINDOWS[self.window],
            self.tui.prices,
        )

    def findings_of(self, fn: Function) -> list[Finding] | None:
        found = self._findings.get(fn.arn)
        if found is None:
            facts = self.tui.posture.facts_of(fn)
            if facts is None:
                return None
            found = check(
                facts,
                self.tui.settings.clock(),
                self.tui.posture.observations.get(fn.arn),
                self.cost_of(fn),
            )
            self._findings[fn.arn] = found
        return found

    def forget_findings(self) -> None:
        """Findings are recomputed from the facts (new health, new log observations)."""
        self._findings.clear()
        table = self.table
        if table.sort_column in ("findings", "alarms"):
            table.sort_by(table.sort_column, table.sort_reverse)
        table.redraw()
        self._update_count()

    def total_cost(self) -> float | None:
        costs = [c for c in (self.cost_of(f) for f in self.table.rows) if c is not None]
        return sum(c.total for c in costs) if costs else None

    def _cost_line(self) -> Content:
        total = self.total_cost()
        currency = self.tui.prices.currency
        month = (
            f" ≈ {money(per_month(total, WINDOWS[self.window]), currency)}/30 days" if total else ""
        )
        noisy = sum(1 for f in self.table.rows if (c := self.cost_of(f)) and c.noisy)
        return Content.assemble(
            ("  │ est. cost ", "$text-muted"),
            money(total, currency),
            (f" in {self.window}{month} ({FREE_TIER_NOTE})", "$text-muted"),
            (f"  {NOISY_MARK} {noisy} noisy" if noisy else "", "$text-warning"),
        )

    def _posture_summary(self) -> str:
        result = self.tui.posture.result
        if result is None or not self.table.rows:
            return ""
        counted = [f for fn in self.table.rows for f in self.findings_of(fn) or ()]
        high = sum(1 for f in counted if f.severity == Severity.HIGH)
        return f"{len(counted)} findings, {high} high  "

    @work(exclusive=True, group="posture", exit_on_error=False)
    async def refresh_posture(self) -> None:
        """Alarms first (the Alarms column), then the findings scan (the Findings column)."""
        posture = self.tui.posture
        await posture.refresh_alarms(self.tui.settings.all_regions)
        if posture.alarm_error:
            self.notify(f"Alarms unavailable: {posture.alarm_error}", severity="warning")
        self._apply_filter()
        self.forget_findings()

        def progress(_: object) -> None:
            self.forget_findings()

        await posture.scan(list(self.table.rows), self.tui.settings.clock(), progress)
        self.forget_findings()

    def action_findings(self) -> None:
        self.tui.action_findings()

    def action_roles(self) -> None:
        self.tui.action_roles()

    def action_alarm_filter(self) -> None:
        self.alarm_only = not self.alarm_only
        if self.alarm_only and not self.tui.posture.alarms:
            reason = self.tui.posture.alarm_error or "alarms are still loading"
            self.notify(f"In-ALARM filter: {reason}", severity="warning")
        self._apply_filter()
