"""Lines for the line-API widgets: every segment carries a style.

A segment without a style is a hole in a line: the colour filters Textual runs
(NO_COLOR's monochrome filter, dimming) expect a style on every segment, and a
hole crashes them. Lines built here have none.
"""

from __future__ import annotations

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def text_strip(text: Text, width: int, style: Style, console: Console) -> Strip:
    """`text` on one line of exactly `width` cells, over `style`."""
    text = text.copy()
    text.end = ""
    return Strip(list(text.render(console))).crop_extend(0, width, None).apply_style(style)
