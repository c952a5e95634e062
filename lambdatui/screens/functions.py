"""The first screen: every function of the account, filterable and sortable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Input, Static

from .. import format as fmt
from ..aws.errors import AccessDenied, AwsError
from ..aws.functions import function_state, function_tags, list_function_pages
from ..aws.models import Function
from ..aws.paging import prefetch
from ..widgets.contextbar import ContextBar
from ..widgets.table import Column, VirtualTable
from .base import Pane

# Seconds between redraws while later ListFunctions pages arrive.
REDRAW_EVERY = 0.1
# GetFunction calls in flight at once while filling the State column.
STATE_BATCH = 10

SORTS: dict[str, str] = {
    "name": "N",
    "runtime": "R",
    "arch": "H",
    "memory": "M",
    "timeout": "T",
    "size": "Z",
    "modified": "A",
    "state": "S",
}


def _state_class(fn: Function) -> str | None:
    if fn.state == "Failed" or fn.last_update_status == "Failed":
        return "vtable--hot"
    if fn.state in ("Inactive", "Pending"):
        return "vtable--dim"
    return None


def _haystack(fn: Function) -> str:
    tags = " ".join(f"{k}={v}" for k, v in fn.tags)
    return f"{fn.name} {fn.runtime_label} {tags}"


class FunctionTable(VirtualTable[Function]):
    pass


def function_columns(now: Any) -> list[Column[Function]]:
    # `drop`: which columns give way first on a narrow terminal (highest first).
    return [
        Column("name", "Name", 24, lambda f: f.name, lambda f: f.name.lower(), flex=True),
        Column("runtime", "Runtime", 15, lambda f: f.runtime_label, lambda f: f.runtime_label),
        Column("arch", "Arch", 6, lambda f: f.architecture, lambda f: f.architecture, drop=4),
        Column(
            "memory",
            "Memory",
            7,
            lambda f: fmt.memory(f.memory_mb),
            lambda f: f.memory_mb,
            align="right",
        ),
        Column(
            "timeout",
            "Timeout",
            7,
            lambda f: fmt.duration(f.timeout_s),
            lambda f: f.timeout_s,
            align="right",
            drop=3,
        ),
        Column(
            "size",
            "Code",
            8,
            lambda f: fmt.size(f.code_size),
            lambda f: f.code_size,
            align="right",
            drop=5,
        ),
        Column(
            "modified",
            "Modified",
            9,
            lambda f: fmt.ago(f.last_modified, now()),
            lambda f: -(f.last_modified.timestamp() if f.last_modified else 0),
            drop=2,
        ),
        Column("state", "State", 8, lambda f: f.state or "…", lambda f: f.state, drop=1),
    ]


class FunctionsScreen(Pane):
    HELP_TITLE = "Function list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="functions.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="functions.clear"),
        Binding("enter", "open", "Open", id="functions.open"),
        Binding("l", "logs", "Logs", id="functions.logs"),
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

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Functions", id="title")
            yield Static("", id="count")
        yield Input(placeholder="filter: name, runtime or tag value (esc clears)", id="filter")
        yield Static("", id="message")
        yield FunctionTable(
            function_columns(self.tui.settings.clock),
            key=lambda f: f.arn,
            haystack=_haystack,
            row_class=_state_class,
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
        self.table.sort_by("name")
        self.table.focus()
        self.watch(self.table, "scroll_y", lambda _: self.request_states(), init=False)
        self.load()

    # ----- loading --------------------------------------------------------------

    @work(exclusive=True, group="functions", exit_on_error=False)
    async def load(self) -> None:
        table = self.table
        self.loading_done = False
        self._set_message(None)
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
                    self.tui.load_identity()
                    self.request_states()
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
            self._set_message(f"Could not list functions: {exc.sentence}")
            table.empty_text = "No functions loaded."
            self._update_count()
            return
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
        self.table.replace_rows(lambda f: replace(f, tags=tags.get(f.arn, f.tags)))
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
        title = "Functions"
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

    def action_refresh(self) -> None:
        self.load()

    def action_copy_arn(self) -> None:
        fn = self.table.current
        if fn is not None:
            self.tui.copy(fn.arn, f"ARN of {fn.name}")

    def action_mark(self) -> None:
        self.table.toggle_mark()
        self.table.action_cursor(1)

    def action_sort(self, column: str) -> None:
        table = self.table
        reverse = not table.sort_reverse if table.sort_column == column else False
        table.sort_by(column, reverse)
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
