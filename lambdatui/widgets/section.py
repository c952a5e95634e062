"""A titled block of label / value rows; long values wrap inside their own column."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Static

from ..safetext import visible

Value = str | Content
Row = tuple[str, Value] | Content

LABEL_WIDTH = 20  # cells of the label column (grid-columns below), one the gap before the value


def as_content(value: Value, style: str = "") -> Content:
    """Untrusted strings become plain text with control characters made visible."""
    if isinstance(value, Content):
        return value
    return Content.styled(visible(value), style) if style else Content(visible(value))


class Section(Vertical):
    """Rows are (label, value) pairs or a whole-width note."""

    DEFAULT_CSS = """
    Section { height: auto; margin-bottom: 1; }
    Section > .section-title { text-style: bold; color: $text-accent; }
    Section > Grid { height: auto; grid-size: 2; grid-columns: 20 1fr; grid-rows: auto; }
    Section > Grid > .label { color: $text-muted; padding-right: 1; }
    Section > .label { color: $text-muted; }
    Section > .note { color: $text-muted; text-style: italic; }
    """

    def __init__(self, title: str, rows: Iterable[Row] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self._rows: list[Row] = list(rows)

    def compose(self) -> ComposeResult:
        yield Static(self.title, classes="section-title")
        yield from self._widgets()

    def _widgets(self) -> Iterable[Static | Grid]:
        cells: list[Static] = []
        for row in self._rows:
            if isinstance(row, Content):
                if cells:
                    yield Grid(*cells)
                    cells = []
                yield Static(row, classes="note")
            else:
                label, value = row
                name = Content(visible(label))
                if name.cell_length > LABEL_WIDTH - 1:
                    # Too long for its column: the label gets a line of its own, whole,
                    # and the value goes under the values.
                    if cells:
                        yield Grid(*cells)
                        cells = []
                    yield Static(name, classes="label")
                    cells.append(Static("", classes="label"))
                else:
                    cells.append(Static(name, classes="label"))
                cells.append(Static(as_content(value), classes="value"))
        if cells:
            yield Grid(*cells)

    def show(self, rows: Iterable[Row]) -> None:
        self._rows = list(rows)
        self.refresh(recompose=True)

    @property
    def text(self) -> str:
        """The section as plain text (label and value on one line)."""
        lines = [self.title]
        for row in self._rows:
            if isinstance(row, Content):
                lines.append(row.plain)
            else:
                label, value = row
                lines.append(f"{label} {as_content(value).plain}")
        return "\n".join(lines)
