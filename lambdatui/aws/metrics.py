"""AWS/Lambda metrics through GetMetricData, batched at the API's 500 queries per call."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .errors import (
    AccessDenied,
    AwsError,
    CredentialsError,
    EndpointUnreachable,
    Throttled,
    readable,
)
from .session import AwsSession, call

MAX_QUERIES = 500  # per GetMetricData call
MAX_DATAPOINTS = 100_800  # per GetMetricData call
NAMESPACE = "AWS/Lambda"


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One metric of a function: name, statistic and unit for display."""

    key: str
    name: str
    stat: str
    unit: str = ""


# The function list's health columns: six queries per function.
HEALTH = (
    MetricSpec("invocations", "Invocations", "Sum"),
    MetricSpec("errors", "Errors", "Sum"),
    MetricSpec("throttles", "Throttles", "Sum"),
    MetricSpec("p95", "Duration", "p95", "ms"),
    MetricSpec("duration_avg", "Duration", "Average", "ms"),
    MetricSpec("concurrency", "ConcurrentExecutions", "Maximum"),
)

# How the list names each health figure.
HEALTH_LABELS = {
    "invocations": "Invocations",
    "errors": "Errors",
    "throttles": "Throttles",
    "p95": "p95 duration",
    "duration_avg": "average duration",
    "concurrency": "concurrency",
}

# Windows of the list (key cycles) and the period each uses.
WINDOWS = {"5m": 300, "15m": 900, "1h": 3600, "3h": 10800}


# Extended statistics (percentiles, trimmed means, ...): what an endpoint may refuse
# while it serves Sum / Average / Maximum.
_EXTENDED = re.compile(r"^(p\d|tm|tc|ts|wm|iqm|pr\()", re.IGNORECASE)


def is_extended(stat: str) -> bool:
    return bool(_EXTENDED.match(stat))


@dataclass(frozen=True, slots=True)
class Series:
    """Values of one metric over a window, oldest first; None where there is no data.

    `unavailable` says why the endpoint gave no figures at all (refused the
    statistic, StatusCode Forbidden / InternalError): not the same as no data."""

    timestamps: tuple[datetime, ...]
    values: tuple[float | None, ...]
    unavailable: str = ""

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in self.values)

    def total(self) -> float | None:
        present = [v for v in self.values if v is not None]
        return sum(present) if present else None

    def peak(self) -> float | None:
        present = [v for v in self.values if v is not None]
        return max(present) if present else None

    def finished(self, now: datetime) -> Series:
        """The series without its last point while that period is still running."""
        if len(self.timestamps) < 2:
            return self
        step = self.timestamps[1] - self.timestamps[0]
        if self.timestamps[-1] + step <= now:
            return self
        return Series(self.timestamps[:-1], self.values[:-1])

    def last(self) -> float | None:
        for v in reversed(self.values):
            if v is not None:
                return v
        return None


@dataclass(frozen=True, slots=True)
class Health:
    """A function's health over the list's window."""

    series: dict[str, Series] = field(default_factory=dict)

    def get(self, key: str) -> Series | None:
        return self.series.get(key)

    def unavailable(self, key: str) -> str:
        """Why `key` has no figures ("" when it has, or simply no data)."""
        s = self.series.get(key)
        return s.unavailable if s is not None else ""

    def value(self, key: str) -> float | None:
        """The window's figure: sums add up, p95 / average / maximum take the worst point."""
        s = self.series.get(key)
        if s is None:
            return None
        if key in ("invocations", "errors", "throttles"):
            return s.total()
        return s.peak()

    @property
    def error_rate(self) -> float | None:
        invocations = self.value("invocations")
        errors = self.value("errors")
        if not invocations or errors is None:
            return None
        return 100.0 * errors / invocations


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    function: str
    spec: MetricSpec
    dimensions: tuple[tuple[str, str], ...] = ()

    def api(self, period: int) -> dict[str, object]:
        # An empty function name asks for the account-wide metric (no dimensions).
        dims = [{"Name": "FunctionName", "Value": self.function}] if self.function else []
        dims += [{"Name": k, "Value": v} for k, v in self.dimensions]
        return {
            "Id": self.id,
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": self.spec.name,
                    "Dimensions": dims,
                },
                "Period": period,
                "Stat": self.spec.stat,
            },
            "ReturnData": True,
        }


def period_for(window_s: int) -> int:
    """A period that gives a readable chart and respects CloudWatch's rules.

    Multiples of 60 (standard resolution); at most about 360 points per series;
    and data older than 15 days only exists at 5 minutes, older than 63 days
    at 1 hour.
    """
    period = max(60, math.ceil(window_s / 360 / 60) * 60)
    if window_s > 15 * 86400:
        period = max(period, 300)
    if window_s > 63 * 86400:
        period = max(period, 3600)
    return period


# Points per health series: the list's sparklines are this many cells wide.
HEALTH_POINTS = 5


def health_period(window_s: int) -> int:
    """The list needs HEALTH_POINTS points per window: fewer points, smaller replies."""
    return max(60, math.ceil(window_s / HEALTH_POINTS / 60) * 60)


def batches(queries: Sequence[Query], size: int = MAX_QUERIES) -> list[Sequence[Query]]:
    return [queries[i : i + size] for i in range(0, len(queries), size)]


def _points(start: datetime, end: datetime, period: int) -> list[datetime]:
    count = max(1, int((end - start).total_seconds() // period))
    return [start + timedelta(seconds=period * i) for i in range(count)]


async def fetch(
    session: AwsSession,
    queries: Sequence[Query],
    start: datetime,
    end: datetime,
    period: int,
) -> dict[str, Series]:
    """Series for each query id: ceil(len/500) GetMetricData calls, plus NextToken pages.

    A batch the endpoint fails as a whole while it holds extended statistics (a
    plain moto server answers HTTP 500 for p95) is sent again without them; those
    series, and any a reply marks Forbidden / InternalError, come back with
    `unavailable` saying why instead of blanking every other figure.
    """
    found: dict[str, dict[datetime, float]] = {q.id: {} for q in queries}
    missing: dict[str, str] = {}
    refused = _refused(session)
    for batch in batches(queries):
        asked = [q for q in batch if not (is_extended(q.spec.stat) and refused)]
        if refused:
            for q in batch:
                if is_extended(q.spec.stat):
                    missing[q.id] = refused
        try:
            await _fetch_batch(session, asked, start, end, period, found, missing)
        except (Throttled, EndpointUnreachable, CredentialsError, AccessDenied):
            raise
        except AwsError as exc:
            plain = [q for q in asked if not is_extended(q.spec.stat)]
            if len(plain) == len(asked):
                raise
            await _fetch_batch(session, plain, start, end, period, found, missing)
            # The same call without them answered: the endpoint refuses the statistics.
            refused = _refuse(session, exc)
            for q in asked:
                if is_extended(q.spec.stat):
                    missing[q.id] = refused
    grid = _points(start, end, period)
    return {
        qid: Series(tuple(grid), tuple(points.get(t) for t in grid), missing.get(qid, ""))
        for qid, points in found.items()
    }


def _refused(session: AwsSession) -> str:
    """Why this session's endpoint was seen refusing extended statistics ("" if not)."""
    return str(session.memo.get("metrics:extended-refused", ""))


def _refuse(session: AwsSession, error: AwsError) -> str:
    """Remember that the endpoint refuses extended statistics, so later refreshes ask
    without them at once (and need no retries to find out); the reason shown."""
    detail = error.code or ("server error" if "server error" in error.sentence else "refused")
    reason = f"{session.endpoint} refuses percentile statistics in GetMetricData ({detail})"
    session.memo["metrics:extended-refused"] = reason
    return reason


async def _fetch_batch(
    session: AwsSession,
    batch: Sequence[Query],
    start: datetime,
    end: datetime,
    period: int,
    found: dict[str, dict[datetime, float]],
    missing: dict[str, str],
) -> None:
    if not batch:
        return
    params: dict[str, object] = {
        "MetricDataQueries": [q.api(period) for q in batch],
        "StartTime": start,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }
    while True:
        reply = await call(session, "cloudwatch", "GetMetricData", **params)
        for result in reply.get("MetricDataResults", []):
            qid = result["Id"]
            points = found.setdefault(qid, {})
            status = result.get("StatusCode")
            if status in ("Forbidden", "InternalError"):
                said = "; ".join(
                    readable(str(m.get("Value", ""))) for m in result.get("Messages") or []
                )
                missing[qid] = f"CloudWatch answered {status}" + (f": {said}" if said else "")
            for when, value in zip(
                result.get("Timestamps", []), result.get("Values", []), strict=False
            ):
                points[_bucket(when, start, period)] = float(value)
        token = reply.get("NextToken")
        if not token:
            return
        params["NextToken"] = token


def _bucket(when: datetime, start: datetime, period: int) -> datetime:
    offset = int((when - start).total_seconds() // period)
    return start + timedelta(seconds=period * max(offset, 0))


def window_bounds(now: datetime, window_s: int, period: int) -> tuple[datetime, datetime]:
    """[start, end) aligned to the period, ending at the current (partial) period's end.

    Figures count the partial period (the newest errors show at once); trends drop
    it (`Series.finished`), or it would end every one of them in a dip."""
    epoch = int(now.timestamp())
    end_epoch = (epoch // period + 1) * period
    end = datetime.fromtimestamp(end_epoch, now.tzinfo)
    return end - timedelta(seconds=window_s), end


def health_queries(functions: Iterable[str]) -> list[Query]:
    out: list[Query] = []
    for i, name in enumerate(functions):
        out.extend(Query(f"f{i}_{spec.key}", name, spec) for spec in HEALTH)
    return out


async def iter_health(
    session: AwsSession, functions: Sequence[str], now: datetime, window_s: int
) -> AsyncIterator[dict[str, Health]]:
    """Health of each function over the window, six metrics each.

    Functions are fetched in the order given (put the ones on screen first),
    500 queries per GetMetricData call; after each call, yields the functions
    whose six series are complete so far.
    """
    period = health_period(window_s)
    start, end = window_bounds(now, window_s, period)
    queries = health_queries(functions)
    by_function: dict[str, dict[str, Series]] = {}
    for batch in batches(queries):
        series = await fetch(session, batch, start, end, period)
        done: dict[str, Health] = {}
        for q in batch:
            got = by_function.setdefault(q.function, {})
            got[q.spec.key] = series[q.id]
            if len(got) == len(HEALTH):
                done[q.function] = Health(dict(got))
        yield done


ACCOUNT = (
    MetricSpec("invocations", "Invocations", "Sum"),
    MetricSpec("errors", "Errors", "Sum"),
    MetricSpec("throttles", "Throttles", "Sum"),
    MetricSpec("concurrency", "ConcurrentExecutions", "Maximum"),
)


async def account_health(session: AwsSession, now: datetime, window_s: int) -> Health:
    """Account-wide Invocations, Errors, Throttles and ConcurrentExecutions (one call)."""
    period = period_for(window_s)
    start, end = window_bounds(now, window_s, period)
    queries = [Query(f"a_{spec.key}", "", spec) for spec in ACCOUNT]
    series = await fetch(session, queries, start, end, period)
    return Health({q.spec.key: series[q.id] for q in queries})


@dataclass(frozen=True, slots=True)
class AccountSettings:
    concurrency_limit: int | None
    unreserved: int | None
    function_count: int | None
    code_size_used: int | None


async def account_settings(session: AwsSession) -> AccountSettings:
    reply = await call(session, "lambda", "GetAccountSettings")
    limit = reply.get("AccountLimit") or {}
    usage = reply.get("AccountUsage") or {}
    return AccountSettings(
        concurrency_limit=limit.get("ConcurrentExecutions"),
        unreserved=limit.get("UnreservedConcurrentExecutions"),
        function_count=usage.get("FunctionCount"),
        code_size_used=usage.get("TotalCodeSize"),
    )
