"""AWS/Lambda metrics from simulated invocations, written into moto's CloudWatch backend.

Per function and minute (by the invocation's start): Invocations, Errors, Throttles
(Sum), Duration (every value kept, so percentiles work), ConcurrentExecutions
(Maximum), and for asynchronous invocations AsyncEventsReceived, AsyncEventAge,
AsyncEventsDropped and, for functions with a dead-letter queue, DeadLetterErrors; for
stream consumers IteratorAge (Maximum, the age of a batch's last record when read).
Dimensions are ``FunctionName``; for calls through an alias or version also
``FunctionName, Resource``; for an alias also ``FunctionName, Resource, ExecutedVersion``.
A minute's datums are created once and updated in place as more invocations finish.
A sampled invocation counts ``weight`` times.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from moto.cloudwatch.models import (
    CloudWatchBackend,
    MetricAggregatedDatum,
    MetricDatumBase,
    cloudwatch_backends,
)

from .invocations import InvocationType, Outcome, SimulatedInvocation
from .metricdata import DistributionDatum, invalidate, untracked

NAMESPACE = "AWS/Lambda"
COUNT = "Count"
MILLISECONDS = "Milliseconds"

Dimensions = tuple[tuple[str, str], ...]


@dataclass(slots=True)
class _Cell:
    """What one dimension set saw in one minute."""

    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    durations: list[float] = field(default_factory=list)
    duration_counts: list[float] = field(default_factory=list)
    concurrency: int = 0
    concurrency_sum: int = 0
    concurrency_min: int = 0
    async_received: int = 0
    async_ages: list[float] = field(default_factory=list)
    async_age_counts: list[float] = field(default_factory=list)
    async_dropped: int = 0
    dead_letter: bool = False
    iterator_samples: float = 0.0
    iterator_sum: float = 0.0
    iterator_min: float = 0.0
    iterator_max: float = 0.0
    dirty: bool = True
    datums: dict[str, MetricAggregatedDatum] = field(default_factory=dict)


class LambdaMetrics:
    """Aggregates invocations per minute and publishes them as AWS/Lambda datums."""

    def __init__(
        self,
        account: str,
        region: str,
        has_dead_letter: Callable[[str], bool] = lambda name: False,
        keep_minutes: int = 20,
    ) -> None:
        self.account = account
        self.region = region
        self.has_dead_letter = has_dead_letter
        self.keep_minutes = keep_minutes
        self._lock = threading.Lock()
        self._cells: dict[tuple[Dimensions, int], _Cell] = {}
        self._dimensions: dict[tuple[str, str | None, str], tuple[Dimensions, ...]] = {}
        self._backend_data: list[MetricDatumBase] | None = None

    def record(self, inv: SimulatedInvocation) -> None:
        """Account for one finished (or throttled) invocation."""
        minute = inv.start_ms // 60_000
        weight = inv.weight
        lookup = (inv.function_name, inv.qualifier, inv.version)
        sets = self._dimensions.get(lookup)
        if sets is None:
            sets = self._dimensions[lookup] = dimension_sets(inv)
        throttled = inv.outcome is Outcome.THROTTLED
        failed = inv.outcome.failed
        is_async = inv.invocation_type is InvocationType.ASYNC
        dead_letter = is_async and self.has_dead_letter(inv.function_name)
        duration = round(inv.duration_ms, 2)
        iterator_age = inv.iterator_age_ms
        with self._lock:
            cells = self._cells
            for dims in sets:
                key = (dims, minute)
                cell = cells.get(key)
                if cell is None:
                    cell = cells[key] = _Cell()
                cell.dirty = True
                if throttled:
                    cell.throttles += weight
                    continue
                cell.invocations += weight
                if failed:
                    cell.errors += weight
                cell.durations.append(duration)
                cell.duration_counts.append(weight)
                concurrency = inv.concurrency
                cell.concurrency_sum += concurrency * weight
                if cell.concurrency == 0 or concurrency < cell.concurrency_min:
                    cell.concurrency_min = concurrency
                if concurrency > cell.concurrency:
                    cell.concurrency = concurrency
                if is_async:
                    if inv.attempt == 1:
                        cell.async_received += weight
                    if inv.enqueued_ms is not None:
                        cell.async_ages.append(float(max(0, inv.arrival_ms - inv.enqueued_ms)))
                        cell.async_age_counts.append(weight)
                    if failed and not inv.will_retry:
                        cell.async_dropped += weight
                    if dead_letter:
                        cell.dead_letter = True
                if iterator_age is not None and dims:
                    if not cell.iterator_samples or iterator_age < cell.iterator_min:
                        cell.iterator_min = iterator_age
                    cell.iterator_max = max(cell.iterator_max, iterator_age)
                    cell.iterator_samples += weight
                    cell.iterator_sum += iterator_age * weight

    def _account_concurrency(self) -> None:
        """The account-wide ConcurrentExecutions of a minute: its functions' peaks added up."""
        totals: dict[int, int] = {}
        for (dims, minute), cell in self._cells.items():
            if len(dims) == 1 and dims[0][0] == "FunctionName":
                totals[minute] = totals.get(minute, 0) + cell.concurrency
        for (dims, minute), cell in self._cells.items():
            if not dims and cell.concurrency != totals.get(minute, 0):
                cell.concurrency = cell.concurrency_min = totals.get(minute, 0)
                cell.dirty = True

    def flush(self, now_ms: int | None = None) -> int:
        """Write changed minutes into moto; forget minutes ``keep_minutes`` before now.

        Returns how many datums were created.
        """
        backend: CloudWatchBackend = cloudwatch_backends[self.account][self.region]
        created = 0
        with self._lock:
            if self._backend_data is not backend.metric_data:
                self._backend_data = backend.metric_data
                for cell in self._cells.values():
                    cell.datums.clear()
                    cell.dirty = True
            self._account_concurrency()
            newest = max((minute for _, minute in self._cells), default=0)
            horizon = (now_ms // 60_000 if now_ms is not None else newest) - self.keep_minutes
            for key, cell in list(self._cells.items()):
                if cell.dirty:
                    created += self._publish(backend, key[0], key[1], cell)
                    cell.dirty = False
                if key[1] < horizon:
                    del self._cells[key]
        return created

    def prune(self, before_ms: int) -> int:
        """Remove AWS/Lambda datums older than ``before_ms`` from moto; returns how many."""
        backend: CloudWatchBackend = cloudwatch_backends[self.account][self.region]
        data = backend.metric_data
        cutoff = datetime.fromtimestamp(before_ms / 1000, UTC).replace(tzinfo=None)
        count = len(data)
        kept = [
            datum
            for datum in data[:count]
            if datum.namespace != NAMESPACE or _naive(datum.timestamp) >= cutoff
        ]
        if len(kept) == count:
            return 0
        data[:count] = kept
        invalidate(backend)
        return count - len(kept)

    def _publish(
        self, backend: CloudWatchBackend, dims: Dimensions, minute: int, cell: _Cell
    ) -> int:
        created = 0
        stamp = datetime.fromtimestamp(minute * 60, UTC).replace(tzinfo=None)
        dimensions = [{"Name": name, "Value": value} for name, value in dims]

        def datum(name: str, unit: str, distribution: bool = False) -> MetricAggregatedDatum:
            nonlocal created
            found = cell.datums.get(name)
            if found is None:
                if distribution:
                    found = untracked(DistributionDatum, NAMESPACE, name, dimensions, stamp, unit)
                else:
                    found = untracked(
                        MetricAggregatedDatum,
                        NAMESPACE,
                        name,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                        dimensions,
                        stamp,
                        unit,
                    )
                cell.datums[name] = found
                backend.metric_data.append(found)
                created += 1
            return found

        def counted(name: str, hits: int, samples: int) -> None:
            found = datum(name, COUNT)
            found.sum = float(hits)
            found.sample_count = float(samples)
            found.min = 0.0 if hits < samples else 1.0
            found.max = 1.0 if hits else 0.0

        def distribution(name: str, values: list[float], counts: list[float]) -> None:
            found = datum(name, MILLISECONDS, distribution=True)
            assert isinstance(found, DistributionDatum)
            done = len(found.values)
            found.extend(values[done:], counts[done:])

        traffic = cell.invocations + cell.throttles
        if cell.invocations:
            counted("Invocations", cell.invocations, cell.invocations)
            counted("Errors", cell.errors, cell.invocations)
            distribution("Duration", cell.durations, cell.duration_counts)
            concurrency = datum("ConcurrentExecutions", COUNT)
            concurrency.sum = float(cell.concurrency_sum)
            concurrency.sample_count = float(cell.invocations)
            concurrency.min = float(cell.concurrency_min)
            concurrency.max = float(cell.concurrency)
        if traffic:
            counted("Throttles", cell.throttles, traffic)
        if cell.async_received or cell.async_ages:
            samples = max(cell.async_received, 1)
            counted("AsyncEventsReceived", cell.async_received, samples)
            counted("AsyncEventsDropped", cell.async_dropped, samples)
            if cell.async_ages:
                distribution("AsyncEventAge", cell.async_ages, cell.async_age_counts)
            if cell.dead_letter:
                counted("DeadLetterErrors", 0, samples)
        if cell.iterator_samples:
            age = datum("IteratorAge", MILLISECONDS)
            age.sum = cell.iterator_sum
            age.sample_count = cell.iterator_samples
            age.min = cell.iterator_min
            age.max = cell.iterator_max
        return created


def dimension_sets(inv: SimulatedInvocation) -> tuple[Dimensions, ...]:
    """The dimension sets AWS publishes an invocation's metrics under."""
    base: Dimensions = (("FunctionName", inv.function_name),)
    account: Dimensions = ()
    resource = inv.resource
    if resource is None:
        return (account, base)
    qualified: Dimensions = (("FunctionName", inv.function_name), ("Resource", resource))
    if inv.qualifier is not None and not inv.qualifier.isdigit() and inv.qualifier != "$LATEST":
        executed: Dimensions = (*qualified, ("ExecutedVersion", inv.version))
        return (account, base, qualified, executed)
    return (account, base, qualified)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
