"""`m`: one function's metrics over time, as charts with axes, units and current values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static
from textual_plotext import PlotextPlot

from ..aws.errors import AwsError, is_transient
from ..aws.metrics import MetricSpec, Query, Series, fetch, period_for, window_bounds
from ..aws.models import Function
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.footer import KeysFooter
from ..widgets.scroll import KeyScroll
from .base import Pane

RANGES = {"15m": 900, "1h": 3600, "3h": 10800, "12h": 43200, "24h": 86400, "7d": 604800}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    unit: str
    lines: tuple[MetricSpec, ...]
    always: bool = True


CHARTS = (
    Chart(
        "invocations", "Invocations", "count", (MetricSpec("invocations", "Invocations", "Sum"),)
    ),
    Chart("errors", "Errors", "count", (MetricSpec("errors", "Errors", "Sum"),)),
    Chart("throttles", "Throttles", "count", (MetricSpec("throttles", "Throttles", "Sum"),)),
    Chart(
        "duration",
        "Duration",
        "ms",
        (
            MetricSpec("d_avg", "Duration", "Average", "ms"),
            MetricSpec("d_p50", "Duration", "p50", "ms"),
            MetricSpec("d_p90", "Duration", "p90", "ms"),
            MetricSpec("d_p99", "Duration", "p99", "ms"),
            MetricSpec("d_max", "Duration", "Maximum", "ms"),
        ),
    ),
    Chart(
        "concurrency",
        "Concurrent executions",
        "max",
        (MetricSpec("concurrency", "ConcurrentExecutions", "Maximum"),),
    ),
    Chart(
        "iterator",
        "Iterator age",
        "ms",
        (MetricSpec("iterator", "IteratorAge", "Maximum", "ms"),),
        always=False,
    ),
    Chart(
        "async",
        "Async events",
        "count",
        (
            MetricSpec("async_received", "AsyncEventsReceived", "Sum"),
            MetricSpec("async_dropped", "AsyncEventsDropped", "Sum"),
        ),
        always=False,
    ),
    Chart(
        "async_age",
        "Async event age",
        "ms",
        (MetricSpec("async_age", "AsyncEventAge", "Maximum", "ms"),),
        always=False,
    ),
    Chart(
        "dlq",
        "Dead-letter and destination failures",
        "count",
        (
            MetricSpec("dlq_errors", "DeadLetterErrors", "Sum"),
            MetricSpec("dest_failures", "DestinationDeliveryFailures", "Sum"),
        ),
        always=False,
    ),
    Chart(
        "provisioned",
        "Provisioned concurrency",
        "",
        (
            MetricSpec("pc_util", "ProvisionedConcurrencyUtilization", "Maximum"),
            MetricSpec("pc_spill", "ProvisionedConcurrencySpilloverInvocations", "Sum"),
        ),
        always=False,
    ),
)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    text = f"{value:,.1f}" if value < 100 and value != int(value) else f"{value:,.0f}"
    return f"{text} {unit}" if unit in ("ms",) else text


# The colour of each line of a chart, by theme variable; the header names each line
# in its colour, so no legend covers the data.
LINE_COLOURS = ("primary", "accent", "success", "warning", "error")


class ChartView(PlotextPlot):
    """A line chart of one or more series over the same time grid (no title of its own)."""

    def show(self, chart: Chart, series: dict[str, Series], now: datetime) -> list[tuple[str, str]]:
        """Draw the chart; returns the current values, one (text, colour variable) per line
        drawn. The running period is left out: it has hardly begun."""
        series = {key: s.finished(now) for key, s in series.items()}
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        first = next(iter(series.values()), None)
        grid = first.timestamps if first else ()
        xs = list(range(len(grid)))
        current = []
        highest = 0.0
        variables = self.app.theme_variables
        for i, spec in enumerate(chart.lines):
            s = series.get(spec.key)
            if s is None or not s.has_data:
                continue
            points = [(x, v) for x, v in zip(xs, s.values, strict=False) if v is not None]
            label = spec.stat if spec.name == "Duration" else spec.name
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            rgb = Color.parse(variables.get(colour, "white")).rgb
            plt.plot([p[0] for p in points], [p[1] for p in points], color=rgb, marker="braille")
            highest = max([highest, *(p[1] for p in points)])
            current.append((f"{label} {_fmt(s.last(), spec.unit)}", colour))
        # Every figure here counts or measures: the axis starts at 0, never below.
        plt.ylim(0, highest * 1.05 if highest > 0 else 1)
        if grid:
            step = max(1, len(grid) // 4)
            ticks: list[float] = [float(x) for x in xs[::step]]
            labels = [grid[int(i)].astimezone(UTC).strftime("%H:%M") for i in ticks]
            plt.xticks(ticks, labels)
            plt.xlim(0, max(len(grid) - 1, 1))
        self.refresh()
        return current


class ChartBox(Vertical):
    """A chart under a one-line header: title, unit, and the current values."""

    def __init__(self, chart: Chart) -> None:
        super().__init__(id=f"chart-{chart.key}", classes="chart")
        self.chart = chart

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(self.chart.title, "bold"), classes="chart-title")
        yield ChartView()

    def show(self, series: dict[str, Series], now: datetime, extra: str = "") -> None:
        current = self.query_one(ChartView).show(self.chart, series, now)
        unit = f" ({self.chart.unit})" if self.chart.unit else ""
        parts: list[str | tuple[str, str]] = [(self.chart.title + unit, "bold $text-accent")]
        parts.append(("  now " if current else "  no data", "$text-muted"))
        for i, (text, colour) in enumerate(current):
            parts.append((", " if i else "", ""))
            parts.append((text, f"${colour}" if len(current) > 1 else ""))
        if extra:
            parts.append(("  " + extra, "$text-muted"))
        self.query_one(".chart-title", Static).update(Content.assemble(*parts))


class MetricsScreen(Pane):
    HELP_TITLE = "Metrics"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "range(-1)", "Shorter", id="metrics.shorter"),
        Binding("right_square_bracket", "range(1)", "Longer", id="metrics.longer"),
        *[
            Binding(
                str(i),
                f"set_range('{name}')",
                f"Range {name}",
                show=False,
                id=f"metrics.range_{name}",
            )
            for i, name in enumerate(RANGES, 1)
        ],
        Binding("r", "refresh", "Refresh", id="metrics.refresh"),
        Binding("l", "logs", "Logs", id="metrics.logs"),
    ]

    def __init__(self, function: Function, *, range_name: str = "1h") -> None:
        super().__init__()
        self.function = function
        self.range_name = range_name
        self.series: dict[str, Series] = {}
        self.error: str | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static(id="title")
            yield Static(id="count")
        yield Static(id="message")
        with KeyScroll(id="charts"):
            for chart in CHARTS:
                box = ChartBox(chart)
                box.display = chart.always
                yield box
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self._title()
        self.load()

    def _title(self) -> None:
        names = "  ".join(f"[{n}]" if n == self.range_name else n for n in RANGES)
        self.query_one("#title", Static).update(
            Content.assemble(
                ("Metrics ", "bold"),
                (visible(self.function.name), "bold $text-accent"),
                ("   " + names, "$text-muted"),
            )
        )

    @work(exclusive=True, group="metrics", exit_on_error=False)
    async def load(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        window = RANGES[self.range_name]
        period = period_for(window)
        start, end = window_bounds(self.tui.settings.clock(), window, period)
        specs = [spec for chart in CHARTS for spec in chart.lines]
        queries = [Query(spec.key, self.function.name, spec) for spec in specs]
        self.query_one("#count", Static).update("loading…")
        wait = self.tui.settings.metrics_refresh
        try:
            self.series = await fetch(self.aws, queries, start, end, period)
            self.error = None
            self.recovered("metrics")
        except AwsError as exc:
            self.error = f"Metrics unavailable: {exc.sentence}"
            if is_transient(exc):
                wait = min(wait, self.backoff("metrics"))
        finally:
            # Re-armed only once this load is done, so loads never overlap.
            self._timer = self.set_timer(wait, self.load)
        self._show_charts(period)

    def _show_charts(self, period: int) -> None:
        message = self.query_one("#message", Static)
        message.display = self.error is not None
        message.update(Content(self.error or ""))
        label = f"{period // 60} min" if period < 3600 else f"{period // 3600} h"
        stamp = self.tui.settings.clock().astimezone(UTC).strftime("%H:%M:%S UTC")
        self.query_one("#count", Static).update(f"period {label} · updated {stamp}")
        for chart in CHARTS:
            box = self.query_one(f"#chart-{chart.key}", ChartBox)
            series = {s.key: self.series[s.key] for s in chart.lines if s.key in self.series}
            box.display = chart.always or any(s.has_data for s in series.values())
            box.show(
                series,
                self.tui.settings.clock(),
                self._success_rate() if chart.key == "errors" else "",
            )

    def _success_rate(self) -> str:
        invocations = self.series.get("invocations")
        errors = self.series.get("errors")
        total = invocations.total() if invocations else None
        failed = errors.total() if errors else None
        if not total:
            return "success rate -"
        return f"success rate {100 * (1 - (failed or 0) / total):.2f}%"

    def action_range(self, step: int) -> None:
        names = list(RANGES)
        index = max(0, min(len(names) - 1, names.index(self.range_name) + step))
        self.action_set_range(names[index])

    def action_set_range(self, name: str) -> None:
        self.range_name = name
        self._title()
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_logs(self) -> None:
        self.tui.open_logs([self.function])
