"""The action journal: what the console changed in AWS, newest first, with undo."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static

from ..format import plural
from ..journal import Entry
from ..widgets.contextbar import ContextBar
from ..widgets.section import Row, Section
from ..widgets.table import Column, VirtualTable
from .acting import has_undo
from .base import Acted, Pane


def _outcome(entry: Entry) -> Text:
    if entry.done:
        return Text("done", style="vtable--good")
    return Text(entry.outcome or "?", style="vtable--bad")


class JournalScreen(Pane):
    HELP_TITLE = "Action journal"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "undo", "Undo", id="journal.undo"),
        Binding("s", "session", "This session / all", id="journal.session"),
        Binding("r", "refresh", "Reload", id="journal.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session_only = False

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Action journal, newest first", id="title")
            yield Static("", id="count")
        yield VirtualTable(self._columns(), key=lambda e: e.id, id="journal", empty="")
        with VerticalScroll(id="journal-entry"):
            yield Section("Entry", id="entry")
        yield Footer()

    def _columns(self) -> list[Column[Entry]]:
        return [
            Column("time", "Time", 19, lambda e: e.time[:19].replace("T", " ")),
            Column("action", "Action", 24, lambda e: e.action),
            Column("target", "Target", 24, lambda e: e.target, flex=True),
            Column("change", "Before -> after", 30, lambda e: f"{e.before} -> {e.after}", drop=2),
            Column("outcome", "Outcome", 7, _outcome),
            Column("undo", "Undo", 4, lambda e: "u" if has_undo(e) else "", drop=1),
            Column("region", "Region", 12, lambda e: e.region, drop=3),
        ]

    @property
    def table(self) -> VirtualTable[Entry]:
        return self.query_one("#journal", VirtualTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @on(Acted)
    def _acted(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        journal = self.tui.journal
        try:
            entries = journal.this_session() if self.session_only else journal.entries()
        except OSError as exc:
            entries = []
            self.table.empty_text = f"The journal cannot be read: {exc.strerror or exc}"
        else:
            self.table.empty_text = (
                f"Nothing changed yet. Every change the console makes is written to {journal.path}"
            )
        self.table.set_rows(entries)
        self.table.refresh()
        scope = "this session" if self.session_only else "all sessions"
        self.query_one("#count", Static).update(
            f"{plural(len(entries), 'entry', 'entries')} · {scope}"
        )
        self._show_current()

    def action_session(self) -> None:
        self.session_only = not self.session_only
        self.action_refresh()

    @on(VirtualTable.Highlighted, "#journal")
    def _highlighted(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        entry = self.table.current
        section = self.query_one("#entry", Section)
        if entry is None:
            section.show([("", str(self.tui.journal.path))])
            return
        rows: list[Row] = [
            ("When", entry.time),
            ("Where", f"profile {entry.profile} · account {entry.account} · {entry.region}"),
            ("Action", entry.action),
            ("Target", entry.target),
            ("Change", f"{entry.before} -> {entry.after}"),
            ("Outcome", entry.outcome + (f": {entry.error}" if entry.error else "")),
        ]
        if has_undo(entry):
            rows.append(("Undo", "u puts the before state back (asks first)"))
        section.show(rows)

    def action_undo(self) -> None:
        entry = self.table.current
        if entry is None:
            return
        if not has_undo(entry):
            self.notify("This entry has nothing to undo", timeout=4)
            return
        self.tui.acting.start_undo(entry)
