"""The function list's columns: configuration, and health over the metrics window."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual.content import Content

from .. import format as fmt
from ..aws.metrics import AccountSettings, Health
from ..aws.models import Function
from ..format import sparkline
from ..widgets.table import Column

# Health of a function (by region and name: a multi-region list may repeat names).
HealthOf = Callable[[Function], Health | None]

SPARK = 5
NO_DATA = "-"
# A figure the endpoint would not give (the reason is on the screen's message line).
UNAVAILABLE = "n/a"


def _count(value: float | None) -> str:
    if value is None:
        return NO_DATA
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1_000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def _with_spark(
    health: HealthOf,
    key: str,
    render: Callable[[float | None], str],
    clock: Callable[[], datetime],
) -> Callable[[Function], Text]:
    def cell(fn: Function) -> Text:
        h = health(fn)
        series = h.get(key) if h else None
        value = h.value(key) if h else None
        shown = UNAVAILABLE if h and value is None and h.unavailable(key) else render(value)
        text = Text(shown.rjust(5))
        if series is not None and series.has_data:
            done = series.finished(clock())
            if len(done.values) < len(series.values):
                # The running period is marked, not drawn: it has hardly begun.
                trend = sparkline(done.values, SPARK - 1) + "·"
            else:
                trend = sparkline(series.values, SPARK)
            text.append(" " + trend, style="dim")
        else:
            text.append(" " * (SPARK + 1))
        return text

    return cell


def _figure(health: HealthOf, fn: Function, key: str) -> float | None:
    """A health figure of the window ("error_rate" included), None without data."""
    h = health(fn)
    if h is None:
        return None
    return h.error_rate if key == "error_rate" else h.value(key)


def _sort_value(health: HealthOf, key: str) -> Callable[[Function], float]:
    def value(fn: Function) -> float:
        v = _figure(health, fn, key)
        return -1.0 if v is None else v

    return value


# Reserved concurrency of a function where known: (known, value; None is unreserved).
ReservationOf = Callable[[Function], tuple[bool, int | None]]
THROTTLED = "thr 0"


def _unknown(_: Function) -> tuple[bool, int | None]:
    return (False, None)


def function_columns(
    now: Callable[[], datetime],
    health: HealthOf,
    posture: Sequence[Column[Function]] = (),
    reservation: ReservationOf = _unknown,
) -> list[Column[Function]]:
    """`drop`: which columns give way first on a narrow terminal (highest first).

    `posture` (Alarms, Cost, Findings) go after p95 (Alarms) and Conc (the others),
    with drops 7, 9 and 10. Conc is the peak concurrency, against the reservation
    where it is known ("3/10"); a function reserved at 0 is throttled ("thr 0").
    """

    def rate(fn: Function) -> str:
        r = _figure(health, fn, "error_rate")
        return NO_DATA if r is None else f"{r:.1f}%"

    def ms(fn: Function) -> str:
        v = _figure(health, fn, "p95")
        if v is None:
            h = health(fn)
            return UNAVAILABLE if h is not None and h.unavailable("p95") else NO_DATA
        return f"{v:,.0f}"

    def concurrency(fn: Function) -> str | Text:
        h = health(fn)
        if h is not None and h.unavailable("concurrency"):
            return UNAVAILABLE
        used = _count(_figure(health, fn, "concurrency"))
        known, reserved = reservation(fn)
        if not known or reserved is None:
            return used
        if reserved == 0:
            return Text(THROTTLED, style="bold")
        both = f"{used}/{_count(reserved)}"
        return both if len(both) <= 5 else f"r{_count(reserved)}"

    columns = [
        Column("name", "Name", 24, lambda f: f.name, lambda f: f.name.lower(), flex=True),
        Column(
            "invocations",
            "Invocations",
            11,
            _with_spark(health, "invocations", _count, now),
            _sort_value(health, "invocations"),
            align="right",
        ),
        Column(
            "errors",
            "Errors",
            11,
            _with_spark(health, "errors", _count, now),
            _sort_value(health, "errors"),
            align="right",
        ),
        Column("error_rate", "Err %", 6, rate, _sort_value(health, "error_rate"), align="right"),
        Column(
            "throttles",
            "Throttles",
            11,
            _with_spark(health, "throttles", _count, now),
            _sort_value(health, "throttles"),
            align="right",
            drop=5,
        ),
        Column("p95", "p95 ms", 7, ms, _sort_value(health, "p95"), align="right", drop=6),
        Column(
            "concurrency",
            "Conc",
            5,
            concurrency,
            _sort_value(health, "concurrency"),
            align="right",
            drop=8,
        ),
        Column("state", "State", 8, lambda f: f.state or "…", lambda f: f.state, drop=11),
        Column(
            "runtime", "Runtime", 15, lambda f: f.runtime_label, lambda f: f.runtime_label, drop=12
        ),
        Column(
            "memory",
            "Memory",
            7,
            lambda f: fmt.memory(f.memory_mb),
            lambda f: f.memory_mb,
            align="right",
            drop=13,
        ),
        Column(
            "timeout",
            "Timeout",
            7,
            lambda f: fmt.duration(f.timeout_s),
            lambda f: f.timeout_s,
            align="right",
            drop=14,
        ),
        Column(
            "modified",
            "Modified",
            9,
            lambda f: fmt.ago(f.last_modified, now()),
            lambda f: -(f.last_modified.timestamp() if f.last_modified else 0),
            drop=15,
        ),
        Column("arch", "Arch", 6, lambda f: f.architecture, lambda f: f.architecture, drop=16),
        Column(
            "size",
            "Code",
            8,
            lambda f: fmt.size(f.code_size),
            lambda f: f.code_size,
            align="right",
            drop=17,
        ),
    ]
    after = {"alarms": "p95", "cost": "concurrency", "findings": "cost"}
    for column in posture:
        at = next(i for i, c in enumerate(columns) if c.key == after[column.key])
        columns.insert(at + 1, column)
    return columns


def region_column() -> Column[Function]:
    """Shown when the list holds several regions."""
    return Column("region", "Region", 14, lambda f: f.region, lambda f: f.region)


def row_class(health: HealthOf) -> Callable[[Function], str | None]:
    """Rows with errors stand out as hot, throttles as warm; failed and pending states too."""

    def classify(fn: Function) -> str | None:
        if fn.state == "Failed" or fn.last_update_status == "Failed":
            return "vtable--failed"
        h = health(fn)
        if h is not None:
            if (h.value("errors") or 0) > 0:
                return "vtable--hot"
            if (h.value("throttles") or 0) > 0:
                return "vtable--warm"
        if fn.state in ("Inactive", "Pending"):
            return "vtable--pending"
        return None

    return classify


def account_line(settings: AccountSettings, usage: Health, window: str) -> Content:
    """Concurrency in use against the account's limit, and the window's totals."""

    def n(value: float | int | None) -> str:
        return NO_DATA if value is None else f"{value:,.0f}"

    def counted(value: float | None, word: str) -> str:
        return f"{NO_DATA} {word}s" if value is None else fmt.plural(value, word)

    in_use = usage.value("concurrency")
    parts: list[str | tuple[str, str]] = [
        ("Account  ", "bold"),
        ("concurrency ", "$text-muted"),
        f"{n(in_use)} of {n(settings.concurrency_limit)}",
        ("  unreserved ", "$text-muted"),
        n(settings.unreserved),
        (f"  │ last {window}: ", "$text-muted"),
        f"{counted(usage.value('invocations'), 'invocation')}, ",
        (
            counted(usage.value("errors"), "error"),
            "$error-highlight" if usage.value("errors") else "",
        ),
        ", ",
        (
            counted(usage.value("throttles"), "throttle"),
            "$throttle-highlight" if usage.value("throttles") else "",
        ),
    ]
    return Content.assemble(*parts)
