"""Findings: the account's posture problems, summarised by kind, each with its reason and fix.

It opens on a summary (one row per kind of finding, with what its functions share
and how many it touches); enter drills into that kind's functions, and `a` shows
every finding of every function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from ..aws.findings import KINDS, Finding, FindingGroup, Severity, summarize
from ..fleet import Change
from ..format import plural
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.filterbar import FilterBar
from ..widgets.footer import KeysFooter
from ..widgets.table import Column, VirtualTable
from .base import FleetChanged, Pane
from .posture import SEVERITY_STYLE


@dataclass(frozen=True, slots=True)
class Row:
    finding: Finding
    index: int  # position worst first, then by function

    @property
    def key(self) -> tuple[str, str, str]:
        # Stable across rescans, so the cursor stays on its finding.
        return (self.finding.arn or self.finding.function, self.finding.kind, self.finding.reason)


def _severity_text(severity: Severity) -> Text:
    return Text(severity.label, style=SEVERITY_STYLE[severity])


def columns() -> list[Column[Row]]:
    return [
        # Rows arrive worst first, then by function: `index` keeps that order.
        Column(
            "severity",
            "Severity",
            10,
            lambda r: _severity_text(r.finding.severity),
            lambda r: -r.index,
        ),
        Column(
            "function",
            "Function",
            26,
            lambda r: r.finding.function,
            lambda r: r.finding.function,
        ),
        Column(
            "kind",
            "Finding",
            18,
            lambda r: KINDS[r.finding.kind].short,
            lambda r: r.finding.kind,
            drop=1,
        ),
        Column("reason", "Reason", 30, lambda r: r.finding.reason, flex=True),
    ]


def summary_columns() -> list[Column[FindingGroup]]:
    return [
        Column(
            "severity",
            "Severity",
            10,
            lambda g: _severity_text(g.severity),
            lambda g: (int(g.severity), g.functions),
        ),
        Column("finding", "Finding", 30, lambda g: g.label, lambda g: g.label, flex=True),
        Column(
            "functions",
            "Functions",
            10,
            lambda g: f"{g.functions:,}",
            lambda g: g.functions,
            align="right",
        ),
        Column("title", "What it means", 30, lambda g: KINDS[g.kind].title, flex=True, drop=1),
    ]


class FindingsTable(VirtualTable[Row]):
    pass


class SummaryTable(VirtualTable[FindingGroup]):
    pass


class FindingsScreen(Pane):
    HELP_TITLE = "Findings"
    SHOWS_HEALTH = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="findings.open"),
        Binding("slash", "filter", "Filter", id="findings.filter"),
        Binding("escape", "clear_or_back", "Back", id="findings.back"),
        Binding("a", "all", "Summary / all", id="findings.all"),
        Binding("s", "severity", "Min severity", id="findings.severity"),
        Binding("r", "refresh", "Rescan", id="findings.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.min_severity = Severity.INFO
        # None: the summary; a group: its findings; "all": every finding.
        self.showing: FindingGroup | str | None = None

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Findings by kind", id="title")
            yield Static("", id="count")
        yield FilterBar("filter: function, finding or reason (enter applies, esc clears)")
        yield Static("", id="message")
        yield SummaryTable(
            summary_columns(),
            key=lambda g: g.key,
            haystack=lambda g: f"{g.label} {KINDS[g.kind].title} {g.severity.label}",
            empty="Checking every function…",
            id="summary",
        )
        yield FindingsTable(
            columns(),
            key=lambda r: r.key,
            haystack=lambda r: (
                f"{r.finding.function} {KINDS[r.finding.kind].short} {r.finding.title} "
                f"{r.finding.severity.label} {r.finding.reason}"
            ),
            empty="Checking every function…",
            id="findings",
        )
        yield Static("", id="fix")
        yield KeysFooter()

    @property
    def table(self) -> FindingsTable:
        return self.query_one(FindingsTable)

    @property
    def summary(self) -> SummaryTable:
        return self.query_one(SummaryTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def rows_widget(self) -> VirtualTable[Row] | VirtualTable[FindingGroup]:
        return self.summary if self.showing is None else self.table

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self.table.sort_by("severity", reverse=True)
        self.summary.sort_by("severity", reverse=True)
        self._show()
        self.tui.ensure_scan()

    @on(FleetChanged)
    def _fleet_changed(self, event: FleetChanged) -> None:
        if event.change in (Change.POSTURE, Change.FUNCTIONS, Change.HEALTH):
            self._show()

    def _findings(self) -> list[Finding]:
        return [f for f in self.fleet.all_findings() if f.severity >= self.min_severity]

    def _show(self) -> None:
        findings = self._findings()
        groups = summarize(findings)
        showing = self.showing
        if isinstance(showing, FindingGroup):
            fresh = next((g for g in groups if g.key == showing.key), None)
            self.showing = showing = fresh or FindingGroup(
                showing.kind, showing.subject, showing.severity, ()
            )
        self.summary.set_rows(groups)
        shown = (
            list(showing.findings)
            if isinstance(showing, FindingGroup)
            else findings
            if showing == "all"
            else []
        )
        shown.sort(key=lambda f: (-f.severity, f.function, f.kind))
        self.table.set_rows([Row(f, i) for i, f in enumerate(shown)])
        summary_mode = showing is None
        self.summary.display = summary_mode
        self.table.display = not summary_mode
        if not self.filter_bar.has_focus:
            self.rows_widget.focus()
        self._update_count(findings, groups)
        self._show_gaps()
        self._show_fix()

    def _update_count(self, findings: list[Finding], groups: list[FindingGroup]) -> None:
        fleet = self.fleet
        result = fleet.posture.result
        rows = self.rows_widget
        scanned = result.checked if result else 0
        total = len(fleet.functions)
        progress = ""
        if fleet.loading:
            progress = f"listing functions ({total} so far) · "
        elif fleet.scanning:
            progress = f"checking {scanned} of {total} functions · "
        functions = len({f.arn or f.function for f in findings})
        high = sum(1 for f in findings if f.severity == Severity.HIGH)
        if self.filter_bar.active:
            noun = "kind" if self.showing is None else "finding"
            counted = f"{len(rows.view):,} of {plural(len(rows.rows), noun)} · "
        else:
            counted = ""
        self.query_one("#count", Static).update(
            f"{progress}{counted}{plural(len(findings), 'finding')} ({high} high) "
            f"in {plural(functions, 'function')}"
        )
        showing = self.showing
        if showing is None:
            title = f"Findings by kind: {plural(len(groups), 'kind')}"
        elif showing == "all":
            title = "Every finding, worst first"
        else:
            assert isinstance(showing, FindingGroup)
            title = f"{showing.label}: {plural(showing.functions, 'function')}"
        if self.min_severity > Severity.INFO:
            title += f"  ({self.min_severity.label} and worse)"
        self.query_one("#title", Static).update(Content.assemble((title, "bold")))
        done = not fleet.scanning and not fleet.loading and fleet.posture.result is not None
        empty = "No findings: every function passes these checks." if done else "Checking…"
        self.summary.empty_text = empty
        self.table.empty_text = empty

    def _show_gaps(self) -> None:
        result = self.fleet.posture.result
        message = self.query_one("#message", Static)
        gaps = result.gaps if result else []
        message.display = bool(gaps)
        message.update(Content(visible(" · ".join(gaps))))

    @on(VirtualTable.Highlighted)
    def _highlighted(self) -> None:
        self._show_fix()

    def _show_fix(self) -> None:
        fix = self.query_one("#fix", Static)
        if self.showing is None:
            group = self.summary.current
            if group is None:
                fix.update("")
                return
            fix.update(
                Content.assemble(
                    (f"{KINDS[group.kind].title}: ", "bold"),
                    visible(group.findings[0].reason) if group.findings else "",
                    "\n",
                    ("fix: ", "bold $text-success"),
                    visible(group.findings[0].fix) if group.findings else "",
                    ("  (enter: its functions)", "$text-muted"),
                )
            )
            return
        row = self.table.current
        if row is None:
            fix.update("")
            return
        f = row.finding
        fix.update(
            Content.assemble(
                (f"{KINDS[f.kind].title}: ", "bold"),
                visible(f.reason),
                "\n",
                ("fix: ", "bold $text-success"),
                visible(f.fix),
            )
        )

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        if self.showing is None:
            group = self.summary.current
            if group is not None:
                self._switch(group)
            return
        row = self.table.current
        if row is not None:
            fn = self.fleet.function(row.finding.arn)
            if fn is not None:
                self.tui.open_function(fn)

    def _switch(self, showing: FindingGroup | str | None) -> None:
        self.showing = showing
        self.filter_bar.close()
        self.summary.set_query("")
        self.table.set_query("")
        self._show()
        self.rows_widget.focus()

    def action_all(self) -> None:
        self._switch(None if self.showing == "all" else "all")

    def action_filter(self) -> None:
        self.filter_bar.open()

    @on(FilterBar.Filtered)
    def _filter_changed(self, event: FilterBar.Filtered) -> None:
        self.rows_widget.set_query(event.text)
        self._update_count(self._findings(), list(self.summary.rows))

    @on(FilterBar.Done)
    def _filter_done(self) -> None:
        self.rows_widget.focus()

    def action_clear_or_back(self) -> None:
        if self.filter_bar.close():
            self.rows_widget.focus()
            return
        if self.showing is not None:
            self._switch(None)
            return
        self.action_back()

    def action_severity(self) -> None:
        """Cycle the minimum severity shown: all, low, medium, high."""
        order = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH]
        self.min_severity = order[(order.index(self.min_severity) + 1) % len(order)]
        self._show()

    def action_refresh(self) -> None:
        self.tui.refresh_posture()

    def retry(self) -> None:
        """Nothing of its own to retry: the app retries the fleet these findings read."""

    def on_screen_resume(self) -> None:
        self._show()
        self.tui.screen_resumed()
