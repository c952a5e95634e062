"""Findings: every function's posture problems, worst first, each with its reason and fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Input, Static

from ..aws.findings import KINDS, Finding, Severity, check
from ..aws.models import Function
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.table import Column, VirtualTable
from .base import Pane
from .functions import list_screen
from .posture import SEVERITY_STYLE


@dataclass(frozen=True, slots=True)
class Row:
    finding: Finding
    index: int  # position worst first, then by function

    @property
    def key(self) -> tuple[str, str, str]:
        # Stable across rescans, so the cursor stays on its finding.
        return (self.finding.function, self.finding.kind, self.finding.reason)


def _severity(row: Row) -> Text:
    severity = row.finding.severity
    return Text(severity.label, style=SEVERITY_STYLE[severity])


def columns() -> list[Column[Row]]:
    return [
        # Rows arrive worst first, then by function: `index` keeps that order.
        Column("severity", "Severity", 10, _severity, lambda r: -r.index),
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


class FindingsTable(VirtualTable[Row]):
    pass


class FindingsScreen(Pane):
    HELP_TITLE = "Findings"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open function", id="findings.open"),
        Binding("slash", "filter", "Filter", id="findings.filter"),
        Binding("escape", "clear_or_back", "Back", id="findings.back"),
        Binding("s", "severity", "Min severity", id="findings.severity"),
        Binding("r", "refresh", "Rescan", id="findings.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.min_severity = Severity.INFO
        self.scanning = False

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static("Findings, worst first", id="title")
            yield Static("", id="count")
        yield Input(placeholder="filter: function, finding or reason (esc clears)", id="filter")
        yield Static("", id="message")
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
        yield Footer()

    @property
    def table(self) -> FindingsTable:
        return self.query_one(FindingsTable)

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.query_one("#message").display = False
        self.table.sort_by("severity", reverse=True)
        self.table.focus()
        if self.tui.posture.result is None or self.tui.posture.scanning:
            self.scan()
        else:
            self._show()

    def _functions(self) -> list[Function]:
        return list(self.tui.functions)

    def _findings(self) -> list[Finding]:
        result = self.tui.posture.result
        if result is None:
            return []
        listing = list_screen(self.tui)
        if listing is not None:
            return [f for fn in self._functions() for f in listing.findings_of(fn) or ()]
        now = self.tui.settings.clock()
        observations = self.tui.posture.observations
        return [
            f
            for facts in result.facts.values()
            for f in check(facts, now, observations.get(facts.function.arn))
        ]

    def _show(self) -> None:
        findings = sorted(
            (f for f in self._findings() if f.severity >= self.min_severity),
            key=lambda f: (-f.severity, f.function, f.kind),
        )
        rows = [Row(f, i) for i, f in enumerate(findings)]
        table = self.table
        table.set_rows(rows)
        functions = len({f.function for f in findings})
        high = sum(1 for f in findings if f.severity == Severity.HIGH)
        scanned = self.tui.posture.result.checked if self.tui.posture.result else 0
        total = len(self._functions())
        progress = f"checking {scanned} of {total} functions · " if self.scanning else ""
        self.query_one("#count", Static).update(
            f"{progress}{len(findings)} findings ({high} high) in {functions} functions"
        )
        title = "Findings, worst first"
        if self.min_severity > Severity.INFO:
            title += f"  ({self.min_severity.label} and worse)"
        self.query_one("#title", Static).update(Content.assemble((title, "bold")))
        if not self.scanning:
            table.empty_text = "No findings: every function passes these checks."
        self._show_gaps()
        self._show_fix()

    def _show_gaps(self) -> None:
        result = self.tui.posture.result
        message = self.query_one("#message", Static)
        gaps = result.gaps if result else []
        message.display = bool(gaps)
        message.update(Content(visible(" · ".join(gaps))))

    @work(exclusive=True, group="findings-scan", exit_on_error=False)
    async def scan(self) -> None:
        """Scan (or join the scan the list started), showing findings as they come."""
        self.scanning = True
        self._show()

        def progress(_: object) -> None:
            listing = list_screen(self.tui)
            if listing is not None:
                listing.forget_findings()
            self._show()

        try:
            await self.tui.posture.scan(self._functions(), self.tui.settings.clock(), progress)
        finally:
            self.scanning = False
        progress(None)

    @on(VirtualTable.Highlighted, "#findings")
    def _highlighted(self) -> None:
        self._show_fix()

    def _show_fix(self) -> None:
        row = self.table.current
        fix = self.query_one("#fix", Static)
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

    @on(VirtualTable.Selected, "#findings")
    def _selected(self, event: VirtualTable.Selected) -> None:
        self._open(event.row)

    def action_open(self) -> None:
        if self.table.current is not None:
            self._open(self.table.current)

    def _open(self, row: Row) -> None:
        fn = next((f for f in self.tui.functions if f.arn == row.finding.arn), None)
        if fn is not None:
            self.tui.open_function(fn)

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        self.set_focus(field)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_query(event.value.strip())

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        field = self.query_one("#filter", Input)
        if not field.value:
            field.display = False
        self.table.focus()

    def action_clear_or_back(self) -> None:
        field = self.query_one("#filter", Input)
        if field.display:
            field.value = ""
            field.display = False
            self.table.set_query("")
            self.table.focus()
            return
        self.action_back()

    def action_severity(self) -> None:
        """Cycle the minimum severity shown: all, low, medium, high."""
        order = [Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH]
        self.min_severity = order[(order.index(self.min_severity) + 1) % len(order)]
        self._show()

    def action_refresh(self) -> None:
        self.scan()

    def on_screen_resume(self) -> None:
        if not self.scanning:
            self._show()
