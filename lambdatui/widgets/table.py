"""A virtual table: holds models, renders only the visible rows (line API)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.style import Style
from rich.text import Span, Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..safetext import visible
from .lines import text_strip

R = TypeVar("R")

Cell = str | Text


@dataclass(frozen=True)
class Column(Generic[R]):
    key: str
    label: str
    width: int
    render: Callable[[R], Cell]
    sort_key: Callable[[R], Any] | None = None
    align: Literal["left", "right"] = "left"
    # Columns with a higher number are dropped first when the table is narrow.
    drop: int = 0
    flex: bool = False


def depth_class(visible: int | None) -> str | None:
    """DLQ rows: holding messages, or empty (no class while unknown)."""
    if visible is None:
        return None
    return "vtable--deep" if visible > 0 else "vtable--drained"


class VirtualTable(ScrollView, Generic[R], can_focus=True):
    """Rows are models; a column knows how to render and sort them.

    Filtering and sorting re-index a list of models; nothing is created per
    row, so 10,000 rows cost what the visible 40 cost.
    """

    DEFAULT_CSS = """
    VirtualTable { background: $surface; overflow-x: hidden; }
    VirtualTable > .vtable--header { text-style: bold; color: $text-accent; background: $panel; }
    VirtualTable > .vtable--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .vtable--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    VirtualTable > .vtable--marked { color: $text-warning; text-style: bold; }
    VirtualTable > .vtable--hot { color: $error-highlight; }
    VirtualTable > .vtable--warm { color: $throttle-highlight; }
    VirtualTable > .vtable--failed { color: $state-failed; text-style: bold; }
    VirtualTable > .vtable--pending { color: $state-pending; }
    VirtualTable > .vtable--dim { color: $text-muted; }
    VirtualTable > .vtable--deep { color: $dlq-depth; }
    VirtualTable > .vtable--drained { color: $dlq-empty; }
    VirtualTable > .vtable--bad { color: $text-error; text-style: bold; }
    VirtualTable > .vtable--good { color: $text-success; }
    VirtualTable > .vtable--notice { color: $text-warning; }
    VirtualTable > .vtable--info { color: $text-accent; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "vtable--header",
        "vtable--cursor",
        "vtable--marked",
        "vtable--hot",
        "vtable--warm",
        "vtable--dim",
        "vtable--failed",
        "vtable--pending",
        "vtable--deep",
        "vtable--drained",
        # For cells: a Text cell styled with one of these names takes the theme's style.
        "vtable--bad",
        "vtable--good",
        "vtable--notice",
        "vtable--info",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "jump(0)", "First row", show=False, id="table.first"),
        Binding("end,G", "jump(-1)", "Last row", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
    ]

    class Highlighted(Message):
        def __init__(self, table: VirtualTable[Any], row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class Selected(Message):
        def __init__(self, table: VirtualTable[Any], row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    def __init__(
        self,
        columns: list[Column[R]],
        *,
        key: Callable[[R], Hashable],
        haystack: Callable[[R], str] | None = None,
        row_class: Callable[[R], str | None] | None = None,
        empty: str = "Nothing to show.",
        markable: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = columns
        # A table whose rows can be marked keeps a cell before each row for the mark.
        self.mark_cells = 1 if markable else 0
        self._key = key
        self._haystack_of = haystack
        self._row_class = row_class
        self.empty_text = empty
        self._rows: list[R] = []
        self._view: list[R] = []
        self._haystack: dict[Hashable, str] = {}
        self._query = ""
        self._predicate: Callable[[R], bool] | None = None
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.cursor = 0
        self.marked: set[Hashable] = set()
        # Which columns show: the operator's choice (pinned shows, hidden does not) and
        # what the screen needs seen (a filter's column); the sort column always shows.
        # The rest give way by `drop` when the table is narrow.
        self.pinned: frozenset[str] = frozenset()
        self.hidden: frozenset[str] = frozenset()
        self.wanted: frozenset[str] = frozenset()
        self._column_widths: tuple[int, list[tuple[Column[R], int]]] | None = None
        self._line_cache: LRUCache[tuple[Any, ...], Strip] = LRUCache(512)

    # ----- data -------------------------------------------------------------

    @property
    def rows(self) -> list[R]:
        return self._rows

    @property
    def view(self) -> list[R]:
        """The rows shown, filtered and sorted."""
        return self._view

    @property
    def current(self) -> R | None:
        if 0 <= self.cursor < len(self._view):
            return self._view[self.cursor]
        return None

    def set_rows(self, rows: Iterable[R]) -> None:
        self._line_cache.clear()
        self._rows = list(rows)
        self._haystack.clear()
        self._rebuild()

    def set_columns(self, columns: list[Column[R]]) -> None:
        """Show other columns (a query's result fields); a sort by a column now gone ends."""
        self.columns = columns
        if all(c.key != self.sort_column for c in columns):
            self.sort_column = None
        self._column_widths = None
        self._line_cache.clear()
        self._rebuild()

    def add_rows(self, rows: Iterable[R]) -> None:
        self._rows.extend(rows)
        self._rebuild()

    def update_rows(self, updates: dict[Hashable, Callable[[R], R]]) -> None:
        """Apply `updates[key](row)` to the rows with those keys, keeping order and cursor."""
        if not updates:
            return
        self._line_cache.clear()
        rows = []
        for row in self._rows:
            update = updates.get(self._key(row))
            rows.append(update(row) if update else row)
        self._rows = rows
        for k in updates:
            self._haystack.pop(k, None)
        self._rebuild()

    def visible_range(self) -> range:
        """Indexes into `view` of the rows on screen now."""
        top = int(self.scroll_offset.y)
        return range(top, min(top + self.page_height, len(self._view)))

    def set_query(self, query: str, predicate: Callable[[R], bool] | None = None) -> None:
        """Show only rows whose haystack contains `query` (lowercase) or match `predicate`."""
        self._query = query.lower()
        self._predicate = predicate
        self._rebuild()

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        if column != self.sort_column:
            self._relayout()
        self.sort_column = column
        self.sort_reverse = reverse
        self._rebuild()

    def choose_columns(self, pinned: Iterable[str], hidden: Iterable[str]) -> None:
        """The operator's choice: `pinned` columns show whatever the width, `hidden` never
        do (unless the table is sorted by one); the others show as the width allows."""
        self.pinned = frozenset(pinned)
        self.hidden = frozenset(hidden) - self.pinned
        self._relayout()

    def want_columns(self, keys: Iterable[str]) -> None:
        """Columns the screen needs seen now (what a filter is about)."""
        wanted = frozenset(keys)
        if wanted != self.wanted:
            self.wanted = wanted
            self._relayout()

    def shown_columns(self) -> list[str]:
        """The keys of the columns on screen now, left to right."""
        return [c.key for c, _ in self._layout(self.scrollable_content_region.width)]

    def _relayout(self) -> None:
        self._column_widths = None
        self._line_cache.clear()
        self.refresh()

    def _haystack_for(self, row: R) -> str:
        k = self._key(row)
        text = self._haystack.get(k)
        if text is None:
            text = (self._haystack_of(row) if self._haystack_of else str(row)).lower()
            self._haystack[k] = text
        return text

    def _rebuild(self) -> None:
        current = self.current
        current_key = self._key(current) if current is not None else None
        rows = self._rows
        if self._query:
            q = self._query
            rows = [r for r in rows if q in self._haystack_for(r)]
        if self._predicate is not None:
            predicate = self._predicate
            rows = [r for r in rows if predicate(r)]
        column = next((c for c in self.columns if c.key == self.sort_column), None)
        if column is not None and column.sort_key is not None:
            sort_key = column.sort_key
            rows = sorted(rows, key=sort_key, reverse=self.sort_reverse)
        elif rows is self._rows:
            rows = list(rows)
        self._view = rows
        cursor = 0
        if current_key is not None:
            for i, row in enumerate(rows):
                if self._key(row) == current_key:
                    cursor = i
                    break
        self.cursor = min(cursor, max(len(rows) - 1, 0))
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self._keep_cursor_visible()
        self.refresh()
        if self.current is not None and current_key != self._key(self.current):
            self.post_message(self.Highlighted(self, self.current))

    # ----- marking -----------------------------------------------------------

    def toggle_mark(self) -> None:
        row = self.current
        if row is None:
            return
        k = self._key(row)
        self.marked.symmetric_difference_update({k})
        self._line_cache.clear()
        self.refresh()

    def marked_rows(self) -> list[R]:
        return [r for r in self._rows if self._key(r) in self.marked]

    # ----- layout and rendering ---------------------------------------------

    def _layout(self, width: int) -> list[tuple[Column[R], int]]:
        if self._column_widths and self._column_widths[0] == width:
            return self._column_widths[1]
        # Shown whatever the width: the sort column, what the screen wants, the pinned.
        needed = self.wanted | ({self.sort_column} if self.sort_column else set())
        must = needed | self.pinned
        chosen = [c for c in self.columns if c.key not in self.hidden or c.key in needed]
        gaps = lambda cols: sum(c.width for c in cols) + len(cols) - 1  # noqa: E731
        while len(chosen) > 1 and gaps(chosen) > width:
            # The lowest-priority column gives way first; one that must show takes the
            # place of others, and gives way itself only when nothing else can.
            optional = [c for c in chosen if c.drop and c.key not in must]
            optional = optional or [c for c in chosen if c.drop and c.key not in needed]
            if not optional:
                break
            chosen.remove(max(optional, key=lambda c: c.drop))
        spare = max(width - gaps(chosen), 0)
        flex = [c for c in chosen if c.flex]
        widths: list[tuple[Column[R], int]] = []
        for c in chosen:
            extra = 0
            if flex and c is flex[0]:
                extra = spare
            widths.append((c, c.width + extra))
        self._column_widths = (width, widths)
        return widths

    def on_mount(self) -> None:
        # Relative times ("3m ago") age; redraw now and then.
        self.set_interval(30, self.redraw)

    def redraw(self) -> None:
        self._line_cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._column_widths = None
        self._line_cache.clear()
        self.virtual_size = Size(event.size.width, len(self._view) + 1)

    def _themed(self, style: str | Style) -> str | Style:
        """A component class name used as a cell style becomes the theme's style for it."""
        if isinstance(style, str) and style in self.COMPONENT_CLASSES:
            # The full style has its colour blended (muted text has alpha); the row
            # keeps its own background (the cursor's, for one).
            full = self.get_component_rich_style(style)
            return Style(color=full.color, bold=full.bold, italic=full.italic)
        return style

    def _cell(self, value: Cell, width: int, align: str) -> Text:
        if isinstance(value, Text):
            text = value.copy()
            text.style = self._themed(text.style)
            text.spans = [Span(s.start, s.end, self._themed(s.style)) for s in text.spans]
        else:
            text = Text(visible(value, limit=512))
        text.truncate(width, overflow="ellipsis")
        if align == "right":
            text.pad_left(width - text.cell_len)
        else:
            text.pad_right(width - text.cell_len)
        return text

    def _header(self, width: int) -> Text:
        line = Text(" " * self.mark_cells)
        for i, (column, w) in enumerate(self._layout(width - self.mark_cells)):
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.sort_reverse else " ▲"
            if i:
                line.append(" ")
            line.append_text(self._cell(label, w, column.align))
        return line

    def _row_text(self, row: R, width: int, marked: bool = False) -> Text:
        line = Text(("●" if marked else " ") * self.mark_cells)
        for i, (column, w) in enumerate(self._layout(width - self.mark_cells)):
            if i:
                line.append(" ")
            line.append_text(self._cell(column.render(row), w, column.align))
        return line

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("vtable--header")
            return self._strip(self._header(width), width, style)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self._view):
            sentence = self._empty_lines(width) if not self._view else []
            if 0 <= y - 2 < len(sentence):
                return self._strip(Text(f"  {sentence[y - 2]}"), width, base)
            return Strip.blank(width, base)
        row = self._view[index]
        k = self._key(row)
        is_cursor = index == self.cursor
        is_marked = k in self.marked
        row_class = self._row_class(row) if self._row_class else None
        cache_key = (id(row), width, is_cursor, is_marked, row_class, self.has_focus)
        cached = self._line_cache.get(cache_key)
        if cached is not None:
            return cached
        style = base
        if row_class:
            style = style + self.get_component_rich_style(row_class)
        if is_marked:
            style = style + self.get_component_rich_style("vtable--marked")
        if is_cursor:
            style = style + self.get_component_rich_style("vtable--cursor")
        text = self._row_text(row, width, is_marked)
        strip = self._strip(text, width, style)
        self._line_cache[cache_key] = strip
        return strip

    def _empty_lines(self, width: int) -> list[str]:
        """What an empty table says, wrapped to its width (indented by two)."""
        return textwrap.wrap(visible(self.empty_text), max(width - 3, 10)) or [""]

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        return text_strip(text, width, style, self.app.console)

    # ----- cursor -------------------------------------------------------------

    @property
    def page_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _keep_cursor_visible(self) -> None:
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self.page_height:
            self.scroll_to(y=self.cursor - self.page_height + 1, animate=False, immediate=True)

    def move_cursor(self, index: int) -> None:
        if not self._view:
            return
        index = max(0, min(index, len(self._view) - 1))
        if index == self.cursor:
            return
        self.cursor = index
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.Highlighted(self, self._view[index]))

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * self.page_height)

    def action_jump(self, where: int) -> None:
        self.move_cursor(len(self._view) - 1 if where < 0 else where)

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row))

    def select_key(self, key: Hashable) -> bool:
        for i, row in enumerate(self._view):
            if self._key(row) == key:
                self.move_cursor(i)
                return True
        return False

    async def _on_click(self, event: events.Click) -> None:
        if event.y == 0:
            self._sort_from_header(event.x)
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self._view):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            else:
                self.move_cursor(index)

    def _sort_from_header(self, x: int) -> None:
        left = self.mark_cells
        for column, w in self._layout(self.scrollable_content_region.width - self.mark_cells):
            if left <= x < left + w and column.sort_key is not None:
                reverse = not self.sort_reverse if self.sort_column == column.key else False
                self.sort_by(column.key, reverse)
                return
            left += w + 1
