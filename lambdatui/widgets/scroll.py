"""A scrolling pane that answers the same keys as the tables and the log view."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll


class KeyScroll(VerticalScroll):
    """Up/down, page, first/last: arrows and vi keys alike."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="scroll.up"),
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="scroll.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="scroll.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="scroll.page_down"),
        Binding("home,g", "scroll_home", "Top", show=False, id="scroll.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="scroll.bottom"),
    ]
