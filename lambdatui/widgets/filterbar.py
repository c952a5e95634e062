"""The one filter bar: `/` opens it, typing filters, enter applies, esc clears and closes.

Every screen with a filter uses this widget, so it behaves the same everywhere:

- `open()` shows the bar and gives it the keys at once (a burst typed after `/`
  lands in it, see `widgets.keys`);
- each edit posts `FilterBar.Filtered` with the text;
- enter posts `FilterBar.Done`: the screen gives focus back to its rows, and the
  bar stays visible while it holds a filter;
- esc in the bar clears it, closes it and posts `Filtered("")` then `Done`;
- `close()` (a screen's esc on its rows) does the same and says whether there
  was anything to clear.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    DEFAULT_CSS = """
    FilterBar { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Clear filter", show=False, id="filter.close"),
    ]

    class Filtered(Message):
        """The filter text changed (empty: no filter)."""

        def __init__(self, bar: FilterBar, text: str) -> None:
            super().__init__()
            self.bar = bar
            self.text = text

        @property
        def control(self) -> FilterBar:
            return self.bar

    class Done(Message):
        """Enter or esc: the screen takes the focus back to its rows."""

        def __init__(self, bar: FilterBar) -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> FilterBar:
            return self.bar

    def __init__(self, placeholder: str = "filter (enter applies, esc clears)", **kw: str) -> None:
        super().__init__(placeholder=placeholder, **kw)  # type: ignore[arg-type]
        # Closed, the bar takes no focus (a screen's first focus goes to its rows).
        self.can_focus = False

    @property
    def text(self) -> str:
        """The filter in force (stripped)."""
        return self.value.strip()

    @property
    def active(self) -> bool:
        return bool(self.text)

    def open(self) -> None:
        """Show the bar and focus it now, so the rest of a burst of keys lands here."""
        self.display = True
        self.can_focus = True
        self.screen.set_focus(self)
        self.cursor_position = len(self.value)

    def close(self) -> bool:
        """Empty and close the bar; True if there was something to clear or close."""
        had = bool(self.value) or bool(self.display)
        self.value = ""  # Input.Changed, hence FilterBar.Filtered(""), follows
        self.display = False
        self.can_focus = False
        return had

    def action_close(self) -> None:
        self.close()
        self.post_message(self.Done(self))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Filtered(self, event.value.strip()))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.value.strip():
            self.display = False
            self.can_focus = False
        self.post_message(self.Done(self))
