"""The invoke pane's dialogs: saved events, saving an event, the session's history."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, OptionList, Static

from ..invocations import Invocation
from ..safetext import visible
from ..savedevents import check_name
from ..widgets.table import Column, VirtualTable
from .pickers import Choice, option_list

#: (action, where, name): action "load" or "delete"; where "local", "shared" or "dlq".
SavedChoice = tuple[str, str, str]


class SavedPicker(ModalScreen[SavedChoice | None]):
    """Local and shareable events of a function (and a DLQ message's event)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="saved.cancel"),
        Binding("D,delete", "delete", "Delete", id="saved.delete"),
    ]

    def __init__(
        self,
        function: str,
        *,
        local: list[str],
        shared: list[str],
        dlq: str | None,
        note: str,
        folder: str,
    ) -> None:
        super().__init__()
        choices: list[Choice] = []
        if dlq:
            choices += [(None, "From the dead-letter queue"), ("dlq:", f"original event of {dlq}")]
        choices.append((None, f"Shareable (Lambda console) · {len(shared)}"))
        choices += [(f"shared:{name}", name) for name in shared]
        choices.append((None, f"On this machine · {len(local)}"))
        choices += [(f"local:{name}", name) for name in local]
        self.choices = choices
        self.function = function
        self.note = note
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker wide-picker"):
            yield Static(f"Saved events of {visible(self.function)}", classes="picker-title")
            if self.note:
                yield Static(Content.styled(visible(self.note), "$text-muted"), classes="note")
            yield Static(
                Content.styled(f"enter loads · D deletes · files in {self.folder}", "$text-muted"),
                classes="note",
            )
            yield option_list(self.choices)

    def on_mount(self) -> None:
        self.query_one(".picker").styles.width = min(72, max(40, self.app.size.width - 8))
        options = self.query_one(OptionList)
        first = next((i for i, (key, _) in enumerate(self.choices) if key), None)
        options.highlighted = first
        self.set_focus(options)

    def _current(self) -> tuple[str, str] | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        key = options.get_option_at_index(options.highlighted).id or ""
        where, _, name = key.partition(":")
        return (where, name) if where else None

    def on_option_list_option_selected(self) -> None:
        current = self._current()
        if current is not None:
            self.dismiss(("load", *current))

    def action_delete(self) -> None:
        current = self._current()
        if current is None or current[0] == "dlq":
            return
        self.dismiss(("delete", *current))


class SaveEvent(ModalScreen[tuple[str, bool] | None]):
    """Name the event; choose local file or shareable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="save.cancel"),
        Binding("enter", "save", "Save", priority=True, id="save.save"),
    ]

    def __init__(self, suggested: str) -> None:
        super().__init__()
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm"):
            yield Static(Content.styled("Save the event as", "bold"))
            yield Input(self.suggested, placeholder="name (letters, digits, . _ -)", id="name")
            yield Checkbox(
                "Shareable: in EventBridge Schemas, seen by the Lambda console", id="shared"
            )
            yield Static(
                Content.styled("enter saves · tab moves · space ticks · esc cancels", "$text-muted")
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#name", Input))

    def action_save(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        problem = check_name(name)
        if problem:
            self.notify(problem, severity="warning")
            return
        self.dismiss((name, self.query_one("#shared", Checkbox).value))


def _history_columns() -> list[Column[Invocation]]:
    return [
        Column("when", "Time", 8, lambda e: e.when.strftime("%H:%M:%S")),
        Column("status", "Status", 14, lambda e: e.status),
        Column(
            "took",
            "Took",
            8,
            lambda e: "-" if e.duration_s is None else f"{e.duration_s * 1000:,.0f} ms",
            align="right",
        ),
        Column("options", "Options", 16, lambda e: e.options, drop=2),
        Column("event", "Event", 20, lambda e: e.event_name or "(edited)", flex=True, drop=1),
        Column("request", "Request id", 36, lambda e: e.request_id or "-", drop=3),
    ]


class HistoryScreen(ModalScreen[tuple[str, Invocation] | None]):
    """This session's invocations of the function, newest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="history.close"),
        Binding("enter", "choose('rerun')", "Re-run", id="history.rerun"),
        Binding("l", "choose('load')", "Load", id="history.load"),
        Binding("y", "choose('copy_request')", "Copy request id", id="history.copy_request"),
        Binding("p", "choose('copy_payload')", "Copy response", id="history.copy_payload"),
    ]

    def __init__(self, entries: list[Invocation]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker history"):
            yield Static("Invocations this session", classes="picker-title")
            yield VirtualTable(
                _history_columns(), key=lambda e: f"{e.when}{e.request_id}", id="history"
            )
            with Horizontal(classes="note"):
                yield Static(
                    Content.styled(
                        "enter re-runs · l loads · y copies the request id · p copies the response",
                        "$text-muted",
                    )
                )

    def on_mount(self) -> None:
        self.query_one(".picker").styles.width = min(110, max(40, self.app.size.width - 8))
        table = self.query_one("#history", VirtualTable)
        table.set_rows(self.entries)
        self.set_focus(table)

    def action_choose(self, action: str) -> None:
        table: VirtualTable[Invocation] = self.query_one("#history", VirtualTable)
        row = table.current
        if row is not None:
            self.dismiss((action, row))

    @on(VirtualTable.Selected, "#history")
    def _selected(self) -> None:
        self.action_choose("rerun")
