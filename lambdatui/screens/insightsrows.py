"""Rows of a Logs Insights result: their columns, request ids, bins and exports."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..aws.metrics import Series
from ..files import atomic_writer, write_jsonl
from ..widgets.table import Column

Row = dict[str, str]

#: Widest a column starts (the last one takes what is left).
MAX_WIDTH = 48
#: Rows looked at to size the columns.
SAMPLE = 200
#: Fields that name an invocation, first found wins.
REQUEST_FIELDS = ("@requestId", "requestId", "request_id", "function_request_id", "AWSRequestId")
_BIN = re.compile(r"^bin\(.*\)$")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ")


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _cell(name: str) -> Callable[[Row], str]:
    return lambda row: row.get(name, "")


def _numeric(name: str) -> Callable[[Row], float]:
    return lambda row: _number(row.get(name, "")) or 0.0


def columns(names: Sequence[str], rows: Sequence[Row]) -> list[Column[Row]]:
    """One column per field, as wide as its header and the first rows' values need."""
    sample = rows[:SAMPLE]
    out: list[Column[Row]] = []
    numeric = {
        name: bool(sample) and all(_number(v) is not None for r in sample if (v := r.get(name)))
        for name in names
    }
    widths = {
        name: min(MAX_WIDTH, max([len(name), *(len(row.get(name, "")) for row in sample)]))
        for name in names
    }
    # The widest text column (@message, an error), when it is cut short, takes the
    # spare width; otherwise the columns stay side by side, numbers next to labels.
    texts = [name for name in names if not numeric[name]]
    widest = max(texts, key=lambda name: widths[name]) if texts else None
    flex = widest if widest is not None and widths[widest] >= MAX_WIDTH else None
    for i, name in enumerate(names):
        width = widths[name]
        out.append(
            Column(
                name,
                name,
                max(width, 3),
                _cell(name),
                _numeric(name) if numeric[name] else _cell(name),
                align="right" if numeric[name] else "left",
                drop=i,
                flex=name == flex,
            )
        )
    return out


def request_id(row: Row) -> str | None:
    """The invocation a row is about, if one of its fields names it."""
    for name in REQUEST_FIELDS:
        value = row.get(name, "").strip()
        if value and value != "-":
            return value
    return None


def timestamp(value: str) -> datetime | None:
    """A time as Logs Insights writes it ("2026-11-27 11:55:00.000", UTC)."""
    for layout in _TIME_FORMATS:
        try:
            return datetime.strptime(value.strip(), layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def bin_series(names: Sequence[str], rows: Sequence[Row]) -> dict[str, Series] | None:
    """For ``stats ... by bin()``: each numeric field over the bins, oldest first.

    None when the result has no bin field, or when the rows group by something else
    too (several rows per bin: a chart of them would mix groups)."""
    field = next((name for name in names if _BIN.match(name)), None)
    if field is None or not rows:
        return None
    points: dict[datetime, Row] = {}
    for row in rows:
        when = timestamp(row.get(field, ""))
        if when is None or when in points:
            return None
        points[when] = row
    grid = tuple(sorted(points))
    series: dict[str, Series] = {}
    for name in names:
        if name == field:
            continue
        values = tuple(_number(points[when].get(name, "")) for when in grid)
        if any(v is not None for v in values):
            series[name] = Series(grid, values)
    return series or None


def export_csv(path: Path, names: Sequence[str], rows: Sequence[Row]) -> int:
    """The rows as CSV (a header of the fields), privately and atomically."""
    with atomic_writer(path) as out:
        writer = csv.writer(out)
        writer.writerow(names)
        for row in rows:
            writer.writerow([row.get(name, "") for name in names])
    return len(rows)


def export_jsonl(path: Path, names: Sequence[str], rows: Sequence[Row]) -> int:
    """The rows as JSON Lines, one object of the fields per row."""
    return write_jsonl(path, ({name: row[name] for name in names if name in row} for row in rows))
