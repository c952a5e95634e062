"""Lines for the line-API widgets: every segment carries a style.

A segment without a style is a hole in a line: the colour filters Textual runs
(NO_COLOR's monochrome filter, dimming) expect a style on every segment, and a
hole crashes them. Lines built here have none.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def text_strip(
    text: Text, width: int, style: Style, console: Console, *, over: Style | None = None
) -> Strip:
    """`text` on one line of exactly `width` cells, over `style`; `over` (a cursor's
    highlight) is laid on top of every cell, whatever the text's own styles say."""
    text = text.copy()
    text.end = ""
    strip = Strip(list(text.render(console))).crop_extend(0, width, None).apply_style(style)
    return overlaid(strip, over)


def overlaid(strip: Strip, over: Style | None) -> Strip:
    """`strip` with `over` laid on top of every segment."""
    if not over:
        return strip
    return Strip(Segment.apply_style(list(strip), post_style=over), strip.cell_length)


def highlight(full: Style) -> Style:
    """What a cursor's component style lays over a line: its background and text style,
    not its foreground (so a line keeps the colours that tell its level or state)."""
    return Style(
        bgcolor=full.bgcolor,
        bold=full.bold,
        italic=full.italic,
        underline=full.underline,
        reverse=full.reverse,
    )
