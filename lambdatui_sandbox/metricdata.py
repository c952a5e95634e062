"""CloudWatch GetMetricData as the API reference describes it, on moto's stored data.

moto 5.2 answers extended statistics (p50, p99, ...) with a server error, scans every
stored datum for every period of every query, keeps the request's seconds in the returned
timestamps, labels results "Name Stat", evaluates only metric math that names one query,
and takes any number of queries. This replaces its GetMetricData with one that:

- indexes datums by metric and answers Sum, Average, Minimum, Maximum, SampleCount and
  percentiles (``pNN`` / ``pNN.NN``, from raw values, Values/Counts, or statistic sets
  whose values are all equal);
- rounds StartTime down as CloudWatch does (to the minute for data under 15 days old,
  5 minutes up to 63 days, an hour beyond; to the period for 1-30 second periods), so
  every timestamp is the rounded start plus whole periods;
- refuses more than 500 MetricDataQueries (ValidationError);
- labels a metric with its name and an expression with its Id unless Label is given;
- evaluates metric math arithmetic (ids, numbers, + - * / ^, parentheses), drops points
  that come out NaN or infinite with an ``ArithmeticError`` message, and answers what it
  cannot evaluate (functions) with StatusCode ``InternalError`` for that query alone;
- pages by MaxDatapoints (default 100,800): a cut result is ``PartialData`` and
  NextToken continues it;
- returns results in query order, with the top-level ``Messages`` list.

Metrics Insights queries (SELECT ...) are left to moto. ListMetrics no longer compares
every datum with every other.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from moto.cloudwatch.exceptions import CloudWatchException, ValidationError
from moto.cloudwatch.models import (
    CloudWatchBackend,
    Dimension,
    MetricAggregatedDatum,
    MetricDatum,
    MetricDatumBase,
)
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

T = TypeVar("T")
SeriesKey = tuple[str, str, frozenset[tuple[str, str]]]
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100)$")
_BASIC = ("Sum", "Average", "Minimum", "Maximum", "SampleCount")
_HIGH_RESOLUTION = (1, 5, 10, 20, 30)
MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
ARITHMETIC_ERROR = (
    "One or more data-points have been dropped due to non-numeric values "
    "(NaN, -Infinite, +Infinite)"
)


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


def _wall_clock() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _wall_clock


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """The "now" StartTime's age is measured from (the sandbox's world clock)."""
    global _clock
    _clock = clock or _wall_clock


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
            answer = metric_data(
                self,
                {
                    "MetricDataQueries": queries,
                    "StartTime": start_time,
                    "EndTime": end_time,
                    "ScanBy": scan_by,
                },
                insights=lambda query, start, end: original(self, [query], start, end),
            )
            return [_moto_view(result) for result in answer["MetricDataResults"]]

        def get_metric_data_response(self: CloudWatchResponse) -> ActionResult:
            backend = self.cloudwatch_backend
            return ActionResult(
                metric_data(
                    backend,
                    self._get_params(),
                    insights=lambda query, start, end: original(backend, [query], start, end),
                )
            )

        CloudWatchBackend.get_metric_data = get_metric_data  # type: ignore[method-assign]
        CloudWatchResponse.get_metric_data = get_metric_data_response  # type: ignore[method-assign]
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


class InvalidNextToken(CloudWatchException):
    code = "InvalidNextToken"


class QueryFailed(Exception):
    """One query cannot be answered; the others still are (StatusCode InternalError)."""


@dataclass
class Result:
    """One MetricDataResult, oldest point first."""

    id: str
    label: str
    stamps: list[datetime] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    status: str = "Complete"
    messages: list[dict[str, str]] = field(default_factory=list)
    returned: bool = True

    def view(self, stamps: list[datetime], values: list[float], status: str) -> dict[str, Any]:
        view: dict[str, Any] = {
            "Id": self.id,
            "Label": self.label,
            "Timestamps": stamps,
            "Values": values,
            "StatusCode": status,
        }
        if self.messages:
            view["Messages"] = self.messages
        return view


Insights = Callable[[dict[str, Any], datetime, datetime], list[dict[str, Any]]]


def metric_data(
    backend: CloudWatchBackend, request: dict[str, Any], insights: Insights
) -> dict[str, Any]:
    """The GetMetricData answer: MetricDataResults in query order, NextToken, Messages."""
    queries = list(request.get("MetricDataQueries") or [])
    if len(queries) > MAX_QUERIES:
        raise ValidationError(
            f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )
    for number, query in enumerate(queries, 1):
        if "MetricStat" not in query and "Expression" not in query:
            raise ValidationError(
                f"The parameter MetricDataQueries.member.{number}.MetricStat is required.\n"
            )
    start = _naive(request["StartTime"]).replace(microsecond=0)
    end = _naive(request["EndTime"]).replace(microsecond=0)
    if start > end:
        raise ValidationError("The parameter EndTime must be greater than StartTime.")
    if start == end:
        raise ValidationError("The parameter StartTime must not equal parameter EndTime.")
    results = _evaluate(backend, queries, start, end, insights)
    newest_first = (request.get("ScanBy") or "TimestampDescending") == "TimestampDescending"
    limit = max(1, int(request.get("MaxDatapoints") or MAX_DATAPOINTS))
    fingerprint = _fingerprint(queries, start, end, newest_first)
    offset = _offset(request.get("NextToken"), fingerprint)
    page: list[dict[str, Any]] = []
    delivered = offset
    budget = limit
    for result in results:
        if not result.returned:
            continue
        stamps, values = result.stamps, result.values
        if newest_first:
            stamps, values = stamps[::-1], values[::-1]
        skip = min(offset, len(values))
        offset -= skip
        take = min(len(values) - skip, budget)
        budget -= take
        delivered += take
        status = result.status
        if skip + take < len(values):
            status = "PartialData"
        page.append(result.view(stamps[skip : skip + take], values[skip : skip + take], status))
    answer: dict[str, Any] = {"MetricDataResults": page, "Messages": []}
    if any(item["StatusCode"] == "PartialData" for item in page):
        answer["NextToken"] = _token(delivered, fingerprint)
    return answer


def _evaluate(
    backend: CloudWatchBackend,
    queries: list[dict[str, Any]],
    start: datetime,
    end: datetime,
    insights: Insights,
) -> list[Result]:
    index = _index_for(backend)
    now = _naive(_clock())
    found: dict[str, Result] = {}
    with index.lock:
        index.refresh(backend.metric_data)
        extra = list(backend.aws_metric_data)
        for query in queries:
            if "MetricStat" in query:
                found[query["Id"]] = _metric_stat(index, extra, query, start, end, now)
    expressions = {q["Id"]: q for q in queries if "MetricStat" not in q}

    def rounded_insights(query: dict[str, Any], start: datetime, end: datetime) -> Any:
        return insights(query, rounded_start(start, int(query.get("Period") or 60), now), end)

    for query in expressions.values():
        _expression(query, expressions, found, start, end, rounded_insights, ())
    results = [found[query["Id"]] for query in queries]
    for query, result in zip(queries, results, strict=True):
        result.returned = query.get("ReturnData", True) is not False
    return results


def _metric_stat(
    index: _Index,
    extra: Sequence[MetricDatumBase],
    query: dict[str, Any],
    start: datetime,
    end: datetime,
    now: datetime,
) -> Result:
    stat_spec = query["MetricStat"]
    metric = stat_spec["Metric"]
    namespace, name = metric["Namespace"], metric["MetricName"]
    dimensions = frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    key: SeriesKey = (namespace, name, dimensions)
    period = int(stat_spec["Period"])
    stat = stat_spec["Stat"]
    unit = stat_spec.get("Unit")
    first = rounded_start(start, period, now)
    datums = index.between(key, first, end)
    datums += [d for d in extra if series_key(d) == key and first <= _naive(d.timestamp) < end]
    if unit:
        datums = [d for d in datums if d.unit == unit]
    buckets: dict[int, list[MetricDatumBase]] = {}
    for datum in datums:
        slot = int((_naive(datum.timestamp) - first).total_seconds() // period)
        buckets.setdefault(slot, []).append(datum)
    result = Result(query["Id"], query.get("Label") or name)
    for slot in sorted(buckets):
        value = statistic(buckets[slot], stat)
        if value is not None:
            result.values.append(value)
            result.stamps.append(first + timedelta(seconds=slot * period))
    return result


def rounded_start(start: datetime, period: int, now: datetime) -> datetime:
    """StartTime as CloudWatch rounds it down: to the minute for data under 15 days old,
    5 minutes up to 63 days, an hour beyond; to the period for 1-30 second periods."""
    if period < 60:
        step = period if period in _HIGH_RESOLUTION else 1
    else:
        age = now - start
        step = 60 if age < timedelta(days=15) else 300 if age < timedelta(days=63) else 3600
    epoch = int(start.replace(tzinfo=UTC).timestamp())
    return datetime.fromtimestamp(epoch - epoch % step, UTC).replace(tzinfo=None)


def _expression(
    query: dict[str, Any],
    expressions: dict[str, dict[str, Any]],
    found: dict[str, Result],
    start: datetime,
    end: datetime,
    insights: Insights,
    path: tuple[str, ...],
) -> Result:
    """Evaluate an expression query (and the expressions it uses) into ``found``."""
    qid = query["Id"]
    if qid in found:
        return found[qid]
    if qid in path:
        raise ValidationError(f"Metric math expressions form a cycle through {qid}.")
    text = str(query["Expression"])
    result = Result(qid, query.get("Label") or qid)
    try:
        if text.lstrip().upper().startswith("SELECT"):
            for item in insights(query, start, end):
                result.stamps, result.values = list(item["timestamps"]), list(item["values"])
        else:
            for name in _identifiers(text):
                if name not in found and name in expressions:
                    _expression(
                        expressions[name], expressions, found, start, end, insights, (*path, qid)
                    )
            series, dropped = MathExpression(text, found, qid).evaluate()
            result.stamps = sorted(series)
            result.values = [series[stamp] for stamp in result.stamps]
            if dropped:
                result.messages.append({"Code": "ArithmeticError", "Value": ARITHMETIC_ERROR})
    except QueryFailed as failure:
        result.stamps, result.values = [], []
        result.status = "InternalError"
        result.messages.append({"Code": "InternalError", "Value": str(failure)})
    found[qid] = result
    return result


def _identifiers(text: str) -> list[str]:
    return [token for kind, token in _math_tokens(text) if kind == "id"]


_MATH_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<func>[A-Z][A-Z_0-9]*)\s*(?=\()"
    r"|(?P<id>[a-z][A-Za-z0-9_]*)|(?P<op>[-+*/^(),\[\]]))"
)


def _math_tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        match = _MATH_TOKEN.match(text, at)
        if match is None or match.end() == at:
            if text[at:].strip():
                raise ValidationError(f"Invalid character in metric math expression: {text!r}.")
            break
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        at = match.end()
    return tokens


Value = float | dict[datetime, float]


class MathExpression:
    """Metric math arithmetic: ids, numbers, + - * / ^ and parentheses, point by point.

    Points missing from either side of an operation are left out, as CloudWatch does;
    points that come out NaN or infinite are dropped and reported (ArithmeticError).
    Functions (FILL, SUM, METRICS, SEARCH, ...) are not evaluated by the sandbox.
    """

    def __init__(self, text: str, found: dict[str, Result], qid: str) -> None:
        self.text = text
        self.tokens = _math_tokens(text)
        self.found = found
        self.qid = qid
        self.at = 0
        self.dropped = False

    def evaluate(self) -> tuple[dict[datetime, float], bool]:
        value = self.sum()
        if self.at != len(self.tokens):
            raise ValidationError(f"Invalid metric math expression: {self.text!r}.")
        if not isinstance(value, dict):
            return {}, False
        kept = {stamp: v for stamp, v in value.items() if math.isfinite(v)}
        return kept, len(kept) < len(value)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ValidationError(f"Invalid metric math expression: {self.text!r}.")
        self.at += 1
        return token

    def sum(self) -> Value:
        return self.chain(("+", "-"), self.product)

    def product(self) -> Value:
        return self.chain(("*", "/"), self.power)

    def chain(self, ops: tuple[str, ...], operand: Callable[[], Value]) -> Value:
        """``operand (op operand)*``, left to right, for operators of one precedence."""
        value = operand()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in ops:
            self.take()
            value = _apply(token[1], value, operand())
        return value

    def power(self) -> Value:
        value = self.unary()
        if self.peek() == ("op", "^"):
            self.take()
            value = _apply("^", value, self.power())
        return value

    def unary(self) -> Value:
        if self.peek() == ("op", "-"):
            self.take()
            return _apply("*", -1.0, self.unary())
        return self.atom()

    def atom(self) -> Value:
        kind, token = self.take()
        if kind == "number":
            return float(token)
        if kind == "id":
            result = self.found.get(token)
            if result is None or token == self.qid:
                raise ValidationError(
                    f"The expression of {self.qid} uses {token}, which no query defines."
                )
            if result.status != "Complete":
                raise QueryFailed(f"{token} could not be evaluated.")
            return dict(zip(result.stamps, result.values, strict=True))
        if (kind, token) == ("op", "("):
            value = self.sum()
            if self.take() != ("op", ")"):
                raise ValidationError(f"Invalid metric math expression: {self.text!r}.")
            return value
        if kind == "func":
            raise QueryFailed(f"The sandbox does not evaluate the metric math function {token}.")
        raise ValidationError(f"Invalid metric math expression: {self.text!r}.")


def _apply(op: str, left: Value, right: Value) -> Value:
    if isinstance(left, dict) and isinstance(right, dict):
        return {s: _operate(op, left[s], right[s]) for s in left.keys() & right.keys()}
    if isinstance(left, dict):
        return {s: _operate(op, v, float(right)) for s, v in left.items()}  # type: ignore[arg-type]
    if isinstance(right, dict):
        return {s: _operate(op, float(left), v) for s, v in right.items()}
    return _operate(op, left, right)


def _operate(op: str, left: float, right: float) -> float:
    try:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return left / right
        return float(left**right)
    except ZeroDivisionError:
        return math.nan if left == 0 else math.copysign(math.inf, left)
    except (OverflowError, TypeError):
        return math.nan


def _fingerprint(
    queries: list[dict[str, Any]], start: datetime, end: datetime, newest_first: bool
) -> str:
    text = json.dumps([queries, str(start), str(end), newest_first], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _token(offset: int, fingerprint: str) -> str:
    payload = json.dumps({"o": offset, "f": fingerprint}).encode()
    return base64.urlsafe_b64encode(payload).decode()


def _offset(token: Any, fingerprint: str) -> int:
    if not token:
        return 0
    try:
        payload = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        offset = int(payload["o"])
        if payload["f"] == fingerprint and offset >= 0:
            return offset
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise InvalidNextToken("The NextToken does not belong to this request.")


def _moto_view(result: dict[str, Any]) -> dict[str, Any]:
    """A MetricDataResult in the snake_case shape moto's backend callers expect."""
    return {
        "id": result["Id"],
        "label": result["Label"],
        "values": result["Values"],
        "timestamps": result["Timestamps"],
        "status_code": result["StatusCode"],
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
