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

from ..aws.errors import AccessDenied, AwsError, Throttled, is_transient
from ..aws.functions import function_state, function_tags, list_function_pages
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
from .columns import account_line, function_columns, row_class

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
}
HEALTH_COLUMNS = {"invocations", "errors", "error_rate", "throttles", "p95", "concurrency"}


def _haystack(fn: Function) -> str:
    tags = " ".join(f"{k}={v}" for k, v in fn.tags)
    return f"{fn.name} {fn.runtime_label} {tags}"


class FunctionTable(VirtualTable[Function]):
    pass


class FunctionsScreen(Pane):
    HELP_TITLE = "Function list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="functions.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="functions.clear"),
        Binding("enter", "open", "Open", id="functions.open"),
        Binding("l", "logs", "Logs", id="functions.logs"),
        Binding("m", "metrics", "Metrics", id="functions.metrics"),
        Binding("d", "dlq", "DLQ", id="functions.dlq"),
        Binding("Q", "app.dlq_overview", "All DLQs", show=False, id="functions.dlqs"),
        Binding("w", "window", "Window", id="functions.window"),
        Binding("a", "account", "Account", id="functions.account"),
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
        self.health: dict[str, Health] = {}
        self.health_error: str | None = None
        self.window = "15m"
        self._health_timer: Timer | None = None
        self._health_due = False

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Functions", id="title")
            yield Static("", id="count")
        yield Input(placeholder="filter: name, runtime or tag value (esc clears)", id="filter")
        yield Static("", id="account")
        yield Static("", id="message")
        yield FunctionTable(
            function_columns(self.tui.settings.clock, self.health.get),
            key=lambda f: f.arn,
            haystack=_haystack,
            row_class=row_class(self.health.get),
            empty="Loading functions…",
            id="functions",
        )
        yield Footer()

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
            async for page in prefetch(list_function_pages(self.tui.aws)):
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
        region = self.tui.settings.region
        table.empty_text = (
            f"No Lambda functions in {region} for this account. "
            "Try another region with --region, or create one with `aws lambda create-function`."
        )
        table.refresh()
        self._update_count()
        await self._load_tags()

    async def _load_tags(self) -> None:
        try:
            tags = await function_tags(self.tui.aws)
        except AwsError as exc:
            self.notify(
                f"Tags not loaded, filtering by tag is off: {exc.sentence}", severity="warning"
            )
            return
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
            *(self._state_of(f.name) for f in functions), return_exceptions=True
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

    async def _state_of(self, name: str) -> tuple[str, str]:
        async with self._state_slots:
            return await function_state(self.tui.aws, name)

    # ----- health (metrics) ---------------------------------------------------------

    def _fetch_order(self) -> list[str]:
        """Functions on screen first, then the filtered view, then the rest."""
        table = self.table
        names: dict[str, None] = {}
        for i in table.visible_range():
            names[table.view[i].name] = None
        for fn in table.view:
            names[fn.name] = None
        for fn in table.rows:
            names[fn.name] = None
        return list(names)

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
            async for part in iter_health(
                self.tui.aws, self._fetch_order(), self.tui.settings.clock(), window
            ):
                self.health.update(part)
                self._health_changed()
            self.health_error = None
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
        table = self.table
        if table.sort_column in HEALTH_COLUMNS:
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
        line.update(account_line(settings, usage, self.window))

    def on_screen_resume(self) -> None:
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
        title = f"Functions  health over {self.window}"
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
        self.table.set_query(event.value.strip())
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
            self.table.set_query("")
            self._update_count()
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
        if table.sort_column == column:
            reverse = not table.sort_reverse
        else:
            # Health columns sort worst first.
            reverse = column in HEALTH_COLUMNS
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
