"""A virtual log view: a bounded buffer of records, rendering only what is visible."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..aws.logbuffer import LogBuffer, Query
from ..aws.logparse import compact
from ..aws.logrecords import Level, LogRecord, RecordKind
from ..format import plural
from ..safetext import visible
from .lines import highlight, overlaid, text_strip

LEVEL_CLASS = {
    Level.TRACE: "logview--debug",
    Level.DEBUG: "logview--debug",
    Level.INFO: "logview--info",
    Level.WARN: "logview--warn",
    Level.ERROR: "logview--error",
    Level.FATAL: "logview--error",
}
LEVEL_LABEL = {
    Level.NONE: "     ",
    Level.TRACE: "TRACE",
    Level.DEBUG: "DEBUG",
    Level.INFO: "INFO ",
    Level.WARN: "WARN ",
    Level.ERROR: "ERROR",
    Level.FATAL: "FATAL",
}
PLATFORM = {
    RecordKind.START,
    RecordKind.END,
    RecordKind.REPORT,
    RecordKind.INIT_START,
    RecordKind.RUNTIME_DONE,
    RecordKind.PLATFORM_OTHER,
}
MAX_RENDERED = 4096  # characters of one record rendered in the list

__all__ = ["LogView", "Query"]


class LogView(ScrollView, can_focus=True):
    """Records in timestamp order; a filtered view over them; follows the end unless paused."""

    DEFAULT_CSS = """
    LogView { background: $surface; overflow-x: hidden; }
    LogView > .logview--time { color: $text-muted; }
    LogView > .logview--rid { color: $text-secondary; }
    LogView > .logview--source { color: $text-accent; }
    LogView > .logview--error { color: $log-error; text-style: bold; }
    LogView > .logview--warn { color: $log-warn; }
    LogView > .logview--info { color: $log-info; }
    LogView > .logview--debug { color: $log-debug; }
    LogView > .logview--platform { color: $text-muted; }
    LogView > .logview--extra { color: $text-muted; }
    LogView > .logview--match { background: $warning 40%; text-style: bold; }
    LogView > .logview--cursor { background: $block-cursor-blurred-background; }
    LogView:focus > .logview--cursor { background: $block-cursor-background 60%; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "logview--time",
        "logview--rid",
        "logview--source",
        "logview--error",
        "logview--warn",
        "logview--info",
        "logview--debug",
        "logview--platform",
        "logview--extra",
        "logview--match",
        "logview--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="logview.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="logview.down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="logview.page_up"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="logview.page_down"),
        Binding("home,g", "top", "Oldest", show=False, id="logview.top"),
        Binding("end,G", "bottom", "Newest (follow)", show=False, id="logview.bottom"),
    ]

    follow: reactive[bool] = reactive(True)
    wrap: reactive[bool] = reactive(False)
    relative_time: reactive[bool] = reactive(False)

    class Changed(Message):
        """Counts or follow state changed (for the status line)."""

    def __init__(
        self,
        *,
        capacity: int = 100_000,
        clock: Callable[[], datetime] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.capacity = capacity
        self.clock = clock or (lambda: datetime.now(UTC))
        self.buffer = LogBuffer(capacity)
        self._view = self.buffer.view
        self.unseen = 0
        self.cursor = -1  # index into the view; -1 = none (following)
        self.show_source = False
        self.sources: dict[str, str] = {}
        self._cache: LRUCache[tuple[object, ...], tuple[LogRecord, list[Strip]]] = LRUCache(1024)

    # ----- data ---------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.buffer.records)

    @property
    def shown(self) -> int:
        return len(self._view)

    @property
    def dropped(self) -> int:
        return self.buffer.dropped

    @property
    def view_query(self) -> Query:
        return self.buffer.query

    def records(self) -> list[LogRecord]:
        """The records the view shows now (filtered), oldest first."""
        return list(self._view)

    def buffered(self) -> list[LogRecord]:
        return list(self.buffer.records)

    @property
    def current(self) -> LogRecord | None:
        if 0 <= self.cursor < len(self._view):
            return self._view[self.cursor]
        return None

    def clear(self) -> None:
        self.buffer.clear()
        self.unseen = 0
        self.cursor = -1
        self._cache.clear()
        self._resize_virtual()
        self.post_message(self.Changed())

    def append(self, records: Iterable[LogRecord]) -> None:
        """Add records where their timestamps place them; the lines in sight stay put."""
        view = self._view
        keep, keep_at = self.current, self.cursor
        top = int(self.scroll_offset.y)
        anchor = view[top] if not self.follow and 0 <= top < len(view) else None
        change = self.buffer.extend(records)
        if keep is not None:
            self.cursor = max(self.buffer.relocate(keep, keep_at, change), 0)
        if change.added > 0 and not self.follow:
            self.unseen += change.added
        self._resize_virtual()
        if anchor is not None:
            moved = self.buffer.relocate(anchor, top, change)
            if moved != top:
                self.scroll_to(y=max(moved, 0), animate=False, immediate=True)
        if self.follow:
            self._to_end()
        self.refresh()
        self.post_message(self.Changed())

    def set_query(self, query: Query) -> None:
        keep = self.current
        self.buffer.set_query(query)
        self._cache.clear()
        self.cursor = -1
        if keep is not None:
            for i, record in enumerate(self._view):
                if record is keep:
                    self.cursor = i
                    break
        self._resize_virtual()
        if self.follow or self.cursor < 0:
            self._to_end()
        else:
            self._show_cursor()
        self.refresh()
        self.post_message(self.Changed())

    # ----- matches --------------------------------------------------------------

    def next_match(self, direction: int) -> bool:
        """Move the cursor to the next (1) or previous (-1) record matching the text query."""
        if not self.buffer.pattern or not self._view:
            return False
        start = self.cursor if self.cursor >= 0 else (len(self._view) if direction < 0 else -1)
        index = start + direction
        while 0 <= index < len(self._view):
            if self.buffer.pattern.search(self._view[index].raw):
                self.follow = False
                self.move_cursor(index)
                return True
            index += direction
        return False

    # ----- rendering -----------------------------------------------------------

    def _to_end(self) -> None:
        # After the refresh, so the new virtual size is in force.
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._view))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._resize_virtual()
        if self.follow:
            self._to_end()

    def watch_wrap(self) -> None:
        self._cache.clear()
        self.refresh()

    def watch_relative_time(self) -> None:
        self._cache.clear()
        self.refresh()

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.unseen = 0
            self.cursor = -1
            self._to_end()
        self.post_message(self.Changed())

    def _time(self, record: LogRecord) -> str:
        when = datetime.fromtimestamp(record.timestamp / 1000, UTC)
        if self.relative_time:
            seconds = (self.clock() - when).total_seconds()
            if seconds < 60:
                return f"{seconds:>8.1f}s"
            if seconds < 3600:
                return f"{seconds / 60:>8.1f}m"
            return f"{seconds / 3600:>8.1f}h"
        return when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"

    def _parts(self, record: LogRecord) -> tuple[list[tuple[str, Style]], int, str]:
        """The pieces of one line: (text, style) pairs, where the body starts, the body."""
        style = self.get_component_rich_style
        plain = Style()
        parts: list[tuple[str, Style]] = [
            (self._time(record), style("logview--time")),
            (" ", plain),
        ]
        level_class = LEVEL_CLASS.get(record.level)
        parts.append((LEVEL_LABEL[record.level], style(level_class) if level_class else plain))
        parts.append((" ", plain))
        rid = visible((record.request_id or "")[:8])
        parts.append((f"{rid:<8} ", style("logview--rid")))
        if self.show_source:
            label = self.sources.get(record.log_group, record.log_group.rsplit("/", 1)[-1])
            parts.append((visible(label[:18]).ljust(18) + " ", style("logview--source")))
        message = record.message or record.raw.rstrip("\n")
        first, newline, rest = message.partition("\n")
        if self.wrap:
            body = visible(message[: MAX_RENDERED * 4], keep_newlines=True)
        else:
            body = visible(first[:MAX_RENDERED])
        start = sum(len(t) for t, _ in parts)
        parts.append((body, style("logview--platform") if record.kind in PLATFORM else plain))
        if newline and not self.wrap:
            more = plural(rest.count("\n") + 1, "line")
            parts.append((f"  ⏎ +{more}", style("logview--extra")))
        if record.fields:
            extras = " ".join(f"{k}={compact(v)[:200]}" for k, v in record.fields)
            parts.append(("  " + visible(extras[:MAX_RENDERED]), style("logview--extra")))
        return parts, start, body

    def line_text(self, record: LogRecord) -> Text:
        """One record as styled text: time, level, request id, source, message, extras."""
        parts, start, body = self._parts(record)
        text = Text(no_wrap=True, end="")
        for piece, piece_style in parts:
            text.append(piece, piece_style)
        if self.buffer.pattern:
            match_style = self.get_component_rich_style("logview--match")
            for match in self.buffer.pattern.finditer(body):
                if match.end() > match.start():
                    text.stylize(match_style, start + match.start(), start + match.end())
        return text

    def _record_strips(self, index: int, width: int) -> list[Strip]:
        record = self._view[index]
        is_cursor = index == self.cursor
        key = (id(record), width, is_cursor, self.wrap, self.relative_time, self.has_focus)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is record:
            return cached[1]
        base = self.rich_style
        # The cursor's highlight goes over every cell, the level's colours too.
        over = highlight(self.get_component_rich_style("logview--cursor")) if is_cursor else None
        if not self.wrap and not self.buffer.pattern:
            # The common case, built straight from segments.
            parts, _, _ = self._parts(record)
            segments = [Segment(piece, base + piece_style) for piece, piece_style in parts]
            length = sum(cell_len(piece) for piece, _ in parts)
            strips = [overlaid(Strip(segments, length).crop_extend(0, width, base), over)]
            self._cache[key] = (record, strips)
            return strips
        text = self.line_text(record)
        console = self.app.console
        lines = (
            list(text.wrap(console, width, overflow="fold", no_wrap=False)) if self.wrap else [text]
        )
        strips = [text_strip(line, width, base, console, over=over) for line in lines]
        self._cache[key] = (record, strips)
        return strips

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        top = int(self.scroll_offset.y)
        if not self._view:
            if y == 0:
                message = (
                    "Waiting for log events…"
                    if not self.view_query.active
                    else ("No line matches the filter.")
                )
                return text_strip(
                    Text(message, style="italic"), width, self.rich_style, self.app.console
                )
            return Strip.blank(width, self.rich_style)
        if not self.wrap:
            index = top + y
            if index >= len(self._view):
                return Strip.blank(width, self.rich_style)
            return self._record_strips(index, width)[0]
        # Wrapped: the view scrolls by record; the top record's lines come first.
        index, row = top, 0
        while index < len(self._view):
            strips = self._record_strips(index, width)
            if row + len(strips) > y:
                return strips[y - row]
            row += len(strips)
            index += 1
        return Strip.blank(width, self.rich_style)

    # ----- cursor and following ------------------------------------------------

    @property
    def page_height(self) -> int:
        return max(self.scrollable_content_region.height, 1)

    def _show_cursor(self) -> None:
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self.page_height:
            self.scroll_to(y=self.cursor - self.page_height + 1, animate=False, immediate=True)

    def move_cursor(self, index: int) -> None:
        if not self._view:
            return
        index = max(0, min(index, len(self._view) - 1))
        self.cursor = index
        self._cache.clear()
        self._show_cursor()
        self.refresh()
        self.post_message(self.Changed())

    def _pause(self) -> None:
        if self.follow:
            self.follow = False
            if self.cursor < 0:
                self.cursor = max(len(self._view) - 1, 0)

    def action_cursor(self, delta: int) -> None:
        self._pause()
        if delta > 0 and self.cursor >= len(self._view) - 1:
            self.follow = True
            return
        self.move_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._pause()
        self.move_cursor(self.cursor + direction * self.page_height)

    def action_top(self) -> None:
        self._pause()
        self.move_cursor(0)

    def action_bottom(self) -> None:
        self.follow = True
        self.refresh()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._pause()
        self.cursor = -1 if self.cursor < 0 else self.cursor

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        at_bottom = new >= self.max_scroll_y
        if not self.follow and at_bottom and self.cursor in (-1, len(self._view) - 1):
            self.follow = True

    async def _on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < len(self._view) and not self.wrap:
            self._pause()
            self.move_cursor(index)
