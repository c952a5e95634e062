"""CloudWatch GetMetricData as the API reference describes it, on moto's stored data.

moto 5.2 answers extended statistics (p50, p99, ...) with a server error and scans every
stored datum for every period of every query. This replaces its ``get_metric_data`` with
one that indexes datums by metric, answers Sum, Average, Minimum, Maximum, SampleCount and
percentiles (``pNN`` / ``pNN.NN``, from raw values, Values/Counts, or statistic sets whose
values are all equal), and leaves Metrics Insights queries to moto. ListMetrics no longer
compares every datum with every other.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from moto.cloudwatch.exceptions import ValidationError
from moto.cloudwatch.metric_data_expression_parser import parse_expression
from moto.cloudwatch.models import (
    CloudWatchBackend,
    Dimension,
    MetricAggregatedDatum,
    MetricDatum,
    MetricDatumBase,
)

T = TypeVar("T")
SeriesKey = tuple[str, str, frozenset[tuple[str, str]]]
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100)$")
_BASIC = ("Sum", "Average", "Minimum", "Maximum", "SampleCount")


class DistributionDatum(MetricAggregatedDatum):
    """A datum published with Values/Counts: it keeps its values for percentiles."""

    def __init__(
        self,
        namespace: str,
        name: str,
        dimensions: list[dict[str, str]],
        timestamp: datetime,
        unit: str | None = None,
    ) -> None:
        super().__init__(namespace, name, 0.0, 0.0, 0.0, 0.0, dimensions, timestamp, unit)
        self.values: list[float] = []
        self.counts: list[float] = []

    def extend(self, values: Sequence[float], counts: Sequence[float]) -> None:
        """Add ``values[i]`` ``counts[i]`` times (PutMetricData's Values and Counts)."""
        if not values:
            return
        low, high = min(values), max(values)
        if self.values:
            self.min = min(self.min, low)
            self.max = max(self.max, high)
        else:
            self.min, self.max = low, high
        self.values.extend(values)
        self.counts.extend(counts)
        self.sum += sum(v * c for v, c in zip(values, counts, strict=True))
        self.sample_count += sum(counts)


def untracked(cls: type[T], *args: Any) -> T:
    """A moto model object left out of moto's list of every instance ever made."""
    instance = object.__new__(cls)
    instance.__init__(*args)  # type: ignore[misc]
    return instance


def series_key(datum: MetricDatumBase) -> SeriesKey:
    dimensions = frozenset((str(d.name), str(d.value)) for d in datum.dimensions)
    return datum.namespace, datum.name, dimensions


class _Index:
    """Datums by metric and time, kept in step with the backend's append-only list."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.source: list[MetricDatumBase] | None = None
        self.count = 0
        self.times: dict[SeriesKey, list[datetime]] = {}
        self.datums: dict[SeriesKey, list[MetricDatumBase]] = {}

    def refresh(self, data: list[MetricDatumBase]) -> None:
        if data is not self.source or len(data) < self.count:
            self.source = data
            self.count = 0
            self.times = {}
            self.datums = {}
        for datum in data[self.count : len(data)]:
            key = series_key(datum)
            times = self.times.setdefault(key, [])
            datums = self.datums.setdefault(key, [])
            stamp = _naive(datum.timestamp)
            at = bisect.bisect_right(times, stamp)
            times.insert(at, stamp)
            datums.insert(at, datum)
            self.count += 1

    def between(self, key: SeriesKey, start: datetime, end: datetime) -> list[MetricDatumBase]:
        times = self.times.get(key)
        if not times:
            return []
        low = bisect.bisect_left(times, start)
        high = bisect.bisect_left(times, end)
        return self.datums[key][low:high]


_indexes: dict[int, _Index] = {}
_indexes_lock = threading.Lock()
_installed = False


def install() -> None:
    """Replace moto's GetMetricData and ListMetrics filtering (once per process)."""
    global _installed
    with _indexes_lock:
        if _installed:
            return
        original = CloudWatchBackend.get_metric_data

        def get_metric_data(
            self: CloudWatchBackend,
            queries: list[dict[str, Any]],
            start_time: datetime,
            end_time: datetime,
            scan_by: str = "TimestampAscending",
        ) -> list[dict[str, Any]]:
            if any(str(q.get("Expression", "")).startswith("SELECT") for q in queries):
                return original(self, queries, start_time, end_time, scan_by)
            return metric_data(self, queries, start_time, end_time, scan_by)

        CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]
        CloudWatchBackend.get_filtered_metrics = filtered_metrics  # type: ignore[method-assign]
        _installed = True


def invalidate(backend: CloudWatchBackend) -> None:
    """Forget the index of a backend whose datums were removed."""
    with _indexes_lock:
        _indexes.pop(id(backend), None)


def _index_for(backend: CloudWatchBackend) -> _Index:
    with _indexes_lock:
        index = _indexes.get(id(backend))
        if index is None:
            index = _indexes[id(backend)] = _Index()
        return index


def metric_data(
    backend: CloudWatchBackend,
    queries: list[dict[str, Any]],
    start_time: datetime,
    end_time: datetime,
    scan_by: str = "TimestampDescending",
) -> list[dict[str, Any]]:
    start = _naive(start_time).replace(microsecond=0)
    end = _naive(end_time).replace(microsecond=0)
    if start > end:
        raise ValidationError("The parameter EndTime must be greater than StartTime.")
    if start == end:
        raise ValidationError("The parameter StartTime must not equal parameter EndTime.")
    index = _index_for(backend)
    with index.lock:
        index.refresh(backend.metric_data)
        extra = list(backend.aws_metric_data)
        results: list[dict[str, Any]] = []
        returned: list[dict[str, Any]] = []
        for query in queries:
            if "MetricStat" not in query:
                continue
            result = _metric_stat(index, extra, query, start, end, scan_by)
            results.append(result)
            if query.get("ReturnData", True):
                returned.append(result)
    for query in queries:
        if "Expression" in query:
            values, stamps = parse_expression(query["Expression"], results)
            returned.append(
                {
                    "id": query["Id"],
                    "label": query.get("Label") or query["Id"],
                    "values": values,
                    "timestamps": stamps,
                    "status_code": "Complete",
                }
            )
    return returned


def _metric_stat(
    index: _Index,
    extra: Sequence[MetricDatumBase],
    query: dict[str, Any],
    start: datetime,
    end: datetime,
    scan_by: str,
) -> dict[str, Any]:
    stat_spec = query["MetricStat"]
    metric = stat_spec["Metric"]
    namespace, name = metric["Namespace"], metric["MetricName"]
    dimensions = frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    key: SeriesKey = (namespace, name, dimensions)
    period = int(stat_spec["Period"])
    stat = stat_spec["Stat"]
    unit = stat_spec.get("Unit")
    datums = index.between(key, start, end)
    datums += [d for d in extra if series_key(d) == key and start <= _naive(d.timestamp) < end]
    if unit:
        datums = [d for d in datums if d.unit == unit]
    buckets: dict[int, list[MetricDatumBase]] = {}
    for datum in datums:
        slot = int((_naive(datum.timestamp) - start).total_seconds() // period)
        buckets.setdefault(slot, []).append(datum)
    values: list[float] = []
    stamps: list[datetime] = []
    for slot in sorted(buckets):
        value = statistic(buckets[slot], stat)
        if value is None:
            continue
        values.append(value)
        stamps.append(start + timedelta(seconds=slot * period))
    if scan_by == "TimestampDescending":
        values.reverse()
        stamps.reverse()
    return {
        "id": query["Id"],
        "label": query.get("Label") or f"{name} {stat}",
        "values": values,
        "timestamps": stamps,
        "status_code": "Complete",
    }


def statistic(datums: Sequence[MetricDatumBase], stat: str) -> float | None:
    """One statistic over the datums of a period; None when it cannot be answered."""
    if stat in _BASIC:
        count = total = 0.0
        low, high = math.inf, -math.inf
        for datum in datums:
            if isinstance(datum, MetricDatum):
                count += 1
                total += datum.value
                low, high = min(low, datum.value), max(high, datum.value)
            elif isinstance(datum, MetricAggregatedDatum):
                count += datum.sample_count
                total += datum.sum
                low, high = min(low, datum.min), max(high, datum.max)
        if count <= 0:
            return None
        return {
            "Sum": total,
            "Average": total / count,
            "Minimum": low,
            "Maximum": high,
            "SampleCount": count,
        }[stat]
    match = _PERCENTILE.match(stat)
    if match is None:
        return None
    return _percentile(datums, float(match.group(1)))


def _percentile(datums: Sequence[MetricDatumBase], rank: float) -> float | None:
    weighted: list[tuple[float, float]] = []
    for datum in datums:
        if isinstance(datum, DistributionDatum):
            weighted.extend(zip(datum.values, datum.counts, strict=True))
        elif isinstance(datum, MetricDatum):
            weighted.append((datum.value, 1.0))
        elif isinstance(datum, MetricAggregatedDatum):
            if datum.sample_count == 1 or datum.min == datum.max:
                weighted.append((datum.min, datum.sample_count))
            else:
                return None
    total = sum(weight for _, weight in weighted)
    if total <= 0:
        return None
    if any(value < 0 for value, _ in weighted):
        return None
    weighted.sort()
    target = max(1.0, math.ceil(rank / 100.0 * total))
    seen = 0.0
    for value, weight in weighted:
        seen += weight
        if seen >= target:
            return value
    return weighted[-1][0]


def filtered_metrics(
    self: CloudWatchBackend,
    metric_name: str,
    namespace: str,
    dimensions: list[dict[str, str]],
) -> list[MetricDatumBase]:
    """ListMetrics: one datum per distinct metric that matches the filters."""
    wanted = [Dimension(d["Name"], d.get("Value")) for d in dimensions or []]
    seen: set[SeriesKey] = set()
    found: list[MetricDatumBase] = []
    for datum in self.get_all_metrics():
        if namespace and datum.namespace != namespace:
            continue
        if metric_name and datum.name != metric_name:
            continue
        if wanted and any(item not in datum.dimensions for item in wanted):
            continue
        key = series_key(datum)
        if key not in seen:
            seen.add(key)
            found.append(datum)
    return found


def _naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment
