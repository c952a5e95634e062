"""Small modal pickers."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class SortPicker(ModalScreen[str | None]):
    """Choose the column to sort by; choosing the current one flips the order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
    ]

    def __init__(self, columns: dict[str, str], current: str | None) -> None:
        super().__init__()
        self.columns = columns
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static("Sort by (again to reverse)", classes="picker-title")
            yield OptionList(
                *[
                    Option(label + ("  ●" if key == self.current else ""), id=key)
                    for key, label in self.columns.items()
                ]
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in self.columns:
            options.highlighted = list(self.columns).index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
