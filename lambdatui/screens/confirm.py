"""Confirmations for mutations: what will happen, where, to how many; typed when it is drastic."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..safetext import visible


class Confirm(ModalScreen[bool]):
    """Rows of facts, then y/enter to go ahead or esc/n to cancel.

    With `typed`, the user must type that text (e.g. the queue name) first.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "dismiss(False)", "Cancel", id="confirm.cancel"),
        Binding("enter,y", "accept", "Confirm", id="confirm.accept"),
    ]

    def __init__(self, title: str, facts: list[tuple[str, str]], *, typed: str | None = None):
        super().__init__()
        self.title_text = title
        self.facts = facts
        self.typed = typed

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm"):
            yield Static(Content.styled(visible(self.title_text), "bold $text-warning"))
            for label, value in self.facts:
                yield Static(Content.assemble((f"{label:<10}", "$text-muted"), visible(value)))
            if self.typed:
                yield Static(
                    Content.assemble("Type ", (visible(self.typed), "bold"), " to confirm:")
                )
                yield Input(id="typed")
            else:
                yield Static(
                    Content.styled("y / enter: go ahead    n / esc: cancel", "$text-muted")
                )

    def on_mount(self) -> None:
        if self.typed:
            self.set_focus(self.query_one("#typed", Input))

    @on(Input.Submitted, "#typed")
    def _typed(self) -> None:
        self.action_accept()

    def action_accept(self) -> None:
        if self.typed and self.query_one("#typed", Input).value != self.typed:
            self.notify(f"Type {self.typed} exactly to confirm", severity="warning")
            return
        self.dismiss(True)
