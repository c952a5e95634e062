"""The traffic simulator: invokes the demo functions over time and writes what Lambda writes.

``TrafficModel`` is the deterministic part: given the functions, their profiles and the
world clock it produces invocations (each published once, to the ring and subscribers)
and their log events (handed to a sink), in time order, as far as ``advance(until)``.
``TrafficSimulator`` drives a model: it backfills the last hours on start, then follows
the wall clock on a daemon thread, and keeps the AWS/Lambda metrics up to date.

Live, the model follows what operators change (``Controls``): a reserved concurrency
of 0 turns a function's invocations into throttles, an alias moved to another version
(or weighted to two) runs that version from then on, and a disabled event source
mapping stops consuming (its queue fills up; a stream consumer falls further behind)
until it is enabled again.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from .invocations import (
    LATEST,
    InvocationBus,
    InvocationType,
    Outcome,
    SimulatedInvocation,
    Subscriber,
)
from .lambdalogs import AppLine, Event, FunctionSetup, LogRenderer, stream_date
from .lambdametrics import LambdaMetrics
from .profiles import Bursts, Context, Failure, Line, Profile, Schedule, Vocabulary

HOUR_MS = 3_600_000
MINUTE_MS = 60_000
HISTORY_MS = 3 * HOUR_MS
COMPLETE_MS = 15 * MINUTE_MS
WARMUP_MS = 10 * MINUTE_MS
IDLE_LIMIT_MS = 14 * MINUTE_MS
INGEST_LAG_MS = 150
RETRY_DELAYS_MS = (60_000, 120_000)
#: Messages one catch-up invocation takes from a queue that filled while not consumed.
CATCH_UP_BATCH = 10
#: Time between catch-up invocations of a queue's backlog.
CATCH_UP_EVERY_MS = 250
DEFAULT_RETRIES = 2
DEFAULT_MAX_EVENT_AGE_MS = 6 * HOUR_MS
TIMEOUT_ERROR = "Sandbox.Timedout"
#: A live simulator looks at the controls at least this often (seconds of wall time).
FOLLOW_EVERY_S = 2.0


class LogSink(Protocol):
    """Where a model's log events go, one stream's batch at a time, in time order.

    ``durability[i]`` says how long event ``i`` is worth keeping as the logs age, as the
    backfill thins history: 0 only while recent, 1 for the last hour's sample, 2 for the
    older sample (failures and cold starts are 2). A sink bounding its memory uses it.
    """

    def write(
        self,
        group: str,
        stream: str,
        events: Sequence[Event],
        ingestion: Sequence[int],
        durability: Sequence[int],
    ) -> None: ...


class QueueSink(Protocol):
    """The queues that feed queue consumers: messages held while a mapping is disabled."""

    def hold(self, function: str, bodies: Sequence[str]) -> None: ...

    def drain(self, function: str, count: int) -> None: ...


class Controls(Protocol):
    """What operators changed in the account, for a live model to follow."""

    @property
    def generation(self) -> int:
        """Grows with every change; the model follows again when it moved."""
        ...

    def reserved(self) -> Mapping[str, int | None]: ...

    def alias(self, function: str, alias: str) -> tuple[str, Mapping[str, float]] | None:
        """The version an alias points to and its AdditionalVersionWeights."""
        ...

    def consuming(self, function: str) -> bool:
        """Whether the function's event source mappings are enabled."""
        ...


Remember = Callable[[str, str, Failure, Context], None]


@dataclass(frozen=True)
class Routing:
    """Which version serves a call: an alias's target over time, and a weighted canary."""

    alias: str | None = None
    steps: tuple[tuple[int, str], ...] = ()
    canary: tuple[int, str, float] | None = None

    def pick(self, t_ms: int, rng: random.Random) -> tuple[str | None, str]:
        if not self.steps:
            return None, LATEST
        version = self.target(t_ms)
        canary = self.canary
        if canary is not None and t_ms >= canary[0] and rng.random() < canary[2]:
            version = canary[1]
        return self.alias, version

    def target(self, t_ms: int) -> str:
        """The alias's own version at ``t_ms`` (the canary aside)."""
        version = self.steps[0][1] if self.steps else LATEST
        for since, target in self.steps:
            if t_ms >= since:
                version = target
        return version

    def moved(self, t_ms: int, version: str, weights: Mapping[str, float]) -> Routing:
        """This routing with the alias pointing to ``version`` (weighted) from ``t_ms``."""
        canary = next(((t_ms, str(v), float(w)) for v, w in weights.items() if w > 0), None)
        current = self.canary[1:] if self.canary is not None else None
        wanted = canary[1:] if canary is not None else None
        if self.target(t_ms) == version and current == wanted:
            return self
        return Routing(self.alias, (*self.steps, (t_ms, version)), canary)


@dataclass(frozen=True)
class AsyncConfig:
    """An asynchronous function's retry policy (PutFunctionEventInvokeConfig)."""

    retries: int = DEFAULT_RETRIES
    max_event_age_ms: int = DEFAULT_MAX_EVENT_AGE_MS


@dataclass(frozen=True)
class FunctionPlan:
    """Everything the model needs about one function."""

    setup: FunctionSetup
    profile: Profile
    routing: Routing = Routing()
    async_config: AsyncConfig = AsyncConfig()


@dataclass(slots=True)
class _Env:
    stream: str
    version: str
    created_ms: int
    busy_until: int
    last_used: int
    idle_limit: int
    retire_at: int
    memory_base: float
    uses: int = 0


@dataclass(slots=True)
class _Arrival:
    t: int
    attempt: int = 1
    request_id: str | None = None
    enqueued_ms: int | None = None
    context: Context | None = None
    failure: Failure | None = None
    event: str | None = None
    weight: int = 1
    drain: int = 0


@dataclass
class _Counters:
    invocations: int = 0
    throttles: int = 0
    events: int = 0
    logged: int = 0


def request_id(rng: random.Random) -> str:
    """A version-4 UUID from ``rng``."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _poisson(
    profile: Profile, rng: random.Random, begin: int, phase: float, sample: int, until: int
) -> Iterator[tuple[int, int]]:
    """Arrivals of a modulated Poisson process; before ``until`` one in ``sample`` is kept."""
    base = profile.rate
    period = 360_000 + int(phase * 420_000)
    peak = base * 1.2 * (1.0 + profile.wobble)
    wobble = profile.wobble
    tau = 2 * math.pi
    t = float(begin)
    while True:
        weight = sample if t < until else 1
        t += rng.expovariate(peak / weight) * 1000.0
        hour = (t / HOUR_MS) % 24.0
        daily = 1.0 + 0.2 * math.sin(tau * (hour - 9.0) / 24.0)
        swing = 1.0 + wobble * math.sin(tau * (t / period + phase))
        if rng.random() * peak < base * daily * swing:
            yield int(t), (sample if t < until else 1)


def _scheduled(schedule: Schedule, rng: random.Random, begin: int) -> Iterator[tuple[int, int]]:
    t = begin
    while True:
        t = schedule.next_after(t)
        yield t + int(rng.uniform(0, schedule.jitter) * 1000), 1


def _bursts(bursts: Bursts, rng: random.Random, begin: int) -> Iterator[tuple[int, int]]:
    every, offset = int(bursts.every * 1000), int(bursts.offset * 1000)
    k = (begin - offset) // every + 1
    while True:
        start = k * every + offset + int(rng.uniform(0, 20) * 1000)
        spread = bursts.spread * 1000
        for moment in sorted(start + int(rng.uniform(0, spread)) for _ in range(bursts.size)):
            yield moment, 1
        k += 1


class _FunctionModel:
    """One function's arrivals, execution environments and invocations."""

    def __init__(
        self,
        plan: FunctionPlan,
        seed: int,
        begin_ms: int,
        vocabulary: Vocabulary,
        sample: int,
        sample_until: int,
    ) -> None:
        self.plan = plan
        self.setup = plan.setup
        self.profile = plan.profile
        self.routing = plan.routing
        self.consuming = True
        self.paused_since: int | None = None
        self.paused_ms = 0
        self.held = 0
        self.vocabulary = vocabulary
        name = self.setup.name
        self.rng = random.Random(f"{seed}:{name}")
        self.text = random.Random(f"{seed}:{name}:text")
        self.renderer = LogRenderer(self.setup, self.profile.style)
        self.envs: dict[str, list[_Env]] = {}
        self.queue: list[tuple[int, int, int, _Arrival]] = []
        self.sequence = itertools.count()
        phase = random.Random(f"{seed}:{name}:phase").random()
        self.sources: list[Iterator[tuple[int, int]]] = []
        profile = self.profile
        if profile.rate > 0:
            rng = random.Random(f"{seed}:{name}:poisson")
            self.sources.append(_poisson(profile, rng, begin_ms, phase, sample, sample_until))
        if profile.schedule is not None:
            rng = random.Random(f"{seed}:{name}:schedule")
            self.sources.append(_scheduled(profile.schedule, rng, begin_ms))
        if profile.bursts is not None:
            rng = random.Random(f"{seed}:{name}:bursts")
            self.sources.append(_bursts(profile.bursts, rng, begin_ms))
        for index in range(len(self.sources)):
            self._next(index)

    def _next(self, source: int) -> None:
        t, weight = next(self.sources[source])
        heapq.heappush(self.queue, (t, next(self.sequence), source, _Arrival(t, weight=weight)))

    def _retry(self, arrival: _Arrival) -> None:
        heapq.heappush(self.queue, (arrival.t, next(self.sequence), -1, arrival))

    def advance(self, until: int, model: TrafficModel) -> None:
        queue = self.queue
        while queue and queue[0][0] <= until:
            _, _, source, arrival = heapq.heappop(queue)
            if source >= 0:
                self._next(source)
            self._handle(arrival, model)

    def _failure(self, t: int, version: str) -> Failure | None:
        rng = self.rng
        for failure in self.profile.failures:
            chance = failure.probability(t, version)
            if chance > 0 and rng.random() < chance:
                return failure
        return None

    def follow(self, controls: Controls, at_ms: int) -> None:
        """Take up what operators changed: the alias's target, the mapping's state."""
        name = self.setup.name
        if self.routing.alias:
            found = controls.alias(name, self.routing.alias)
            if found is not None:
                self.routing = self.routing.moved(at_ms, found[0], found[1])
        if self.profile.kind not in (InvocationType.SQS_BATCH, InvocationType.STREAM):
            return
        consuming = controls.consuming(name)
        if consuming == self.consuming:
            return
        self.consuming = consuming
        if not consuming:
            self.paused_since = at_ms
            return
        if self.paused_since is not None:
            self.paused_ms += at_ms - self.paused_since
            self.paused_since = None
        held, self.held = self.held, 0
        for index, start in enumerate(range(0, held, CATCH_UP_BATCH)):
            count = min(CATCH_UP_BATCH, held - start)
            context = Context(self.text, self.vocabulary, {"records": str(count)})
            t = at_ms + 1 + index * CATCH_UP_EVERY_MS
            self._retry(_Arrival(t, context=context, drain=count))

    def _hold(self, arrival: _Arrival, model: TrafficModel) -> None:
        """A batch that arrives while the mapping is disabled stays in its queue."""
        if arrival.drain:
            self.held += arrival.drain
            return
        payload = self.profile.payload
        if self.profile.kind is not InvocationType.SQS_BATCH or payload is None:
            return
        records = payload(Context(self.text, self.vocabulary)).get("Records") or [{}]
        bodies = [str(record.get("body", "{}")) for record in records]
        self.held += len(bodies)
        if model.queues is not None:
            model.queues.hold(self.setup.name, bodies)

    def _handle(self, arrival: _Arrival, model: TrafficModel) -> None:
        setup, profile, rng = self.setup, self.profile, self.rng
        t, weight = arrival.t, arrival.weight
        kind = profile.kind
        if not self.consuming and (arrival.context is None or arrival.drain):
            self._hold(arrival, model)
            return
        if arrival.drain and model.queues is not None:
            model.queues.drain(setup.name, arrival.drain)
        qualifier, version = self.routing.pick(t, rng)
        context = arrival.context
        if context is None:
            context = Context(self.text, self.vocabulary)
            rid = request_id(rng)
            failure = self._failure(t, version)
            if failure is not None:
                for key, template in failure.context.items():
                    context[key] = template.format_map(context)
            enqueued = t if kind is InvocationType.ASYNC else None
        else:
            rid = arrival.request_id or request_id(rng)
            failure = arrival.failure
            if (
                failure is None
                or failure.outcome is Outcome.TIMEOUT
                or failure.probability(t, version) <= 0
            ):
                failure = self._failure(t, version)
            enqueued = arrival.enqueued_ms
        busy = 0
        for pool in self.envs.values():
            for env in pool:
                if env.busy_until > t:
                    busy += 1
        reserved = model.reserved_concurrency.get(setup.name)
        if reserved is not None and busy * weight >= reserved:
            self._throttled(arrival, model, rid, qualifier, version, context, failure, enqueued)
            return
        warm = self._warm(version, t)
        init: float | None = None
        if warm is not None:
            env = warm
            start = t
        else:
            init = round(profile.init.draw(rng), 2)
            env = _Env(
                stream=f"{stream_date(t)}/[{version}]{rng.getrandbits(128):032x}",
                version=version,
                created_ms=t,
                busy_until=t,
                last_used=t,
                idle_limit=rng.randint(5 * MINUTE_MS, IDLE_LIMIT_MS),
                retire_at=t + rng.randint(30, 75) * MINUTE_MS,
                memory_base=rng.uniform(*profile.memory),
            )
            self.envs.setdefault(version, []).append(env)
            start = t + round(init)
        timeout_ms = setup.timeout * 1000
        duration = profile.duration.draw(rng)
        outcome = Outcome.OK if failure is None else failure.outcome
        if outcome is Outcome.ERROR:
            duration *= 0.3 + 0.7 * rng.random()
        elif outcome is Outcome.OOM:
            duration *= 0.6 + rng.random()
        if outcome is not Outcome.TIMEOUT and duration >= timeout_ms:
            outcome = Outcome.TIMEOUT
            failure = None
        if outcome is Outcome.TIMEOUT:
            duration = float(timeout_ms)
        duration = round(max(duration, 0.8), 2)
        billed = math.ceil(duration) + (math.ceil(init) if init is not None else 0)
        env.uses += 1
        memory = setup.memory
        if outcome is Outcome.OOM:
            used = memory
        else:
            grown = env.memory_base + min(env.uses * 0.02, 10.0) + 3.0 * rng.random()
            used = int(min(memory - 1, grown))
        end = start + round(duration)
        env.busy_until = end
        env.last_used = end
        if outcome is Outcome.TIMEOUT or outcome is Outcome.OOM:
            env.retire_at = end
        trace = segment = None
        if setup.tracing:
            trace = f"1-{start // 1000:08x}-{rng.getrandbits(96):024x}"
            segment = f"{rng.getrandbits(64):016x}"
        draw = rng.random()
        keep = model.keeps(t, outcome, init is not None, draw, weight)
        failed = outcome is not Outcome.OK
        will_retry = (
            failed
            and kind is InvocationType.ASYNC
            and arrival.attempt <= self.plan.async_config.retries
        )
        event = None
        if failed and profile.payload is not None and kind is not InvocationType.SYNC:
            event = arrival.event or json.dumps(profile.payload(context))
        if event is not None and failure is not None and model.remember is not None:
            model.remember(setup.name, event, failure, context)
        error_type, error_message, stack = self._error(outcome, failure)
        backlog = profile.backlog
        iterator_age = backlog.at(t, rng) if backlog is not None else None
        if self.paused_ms and kind is InvocationType.STREAM:
            iterator_age = (iterator_age or 0.0) + self.paused_ms
        inv = SimulatedInvocation(
            setup.name,
            version,
            qualifier,
            rid,
            start,
            duration,
            billed,
            memory,
            used,
            init,
            outcome,
            kind,
            setup.log_group,
            env.stream,
            error_type,
            error_message,
            stack,
            arrival.attempt,
            will_retry,
            enqueued,
            event,
            busy * weight + 1,
            trace,
            keep,
            weight,
            iterator_age,
        )
        if keep:
            events: list[Event] = []
            if init is not None:
                events.extend(self.renderer.init_events(t, version))
            lines = self._lines(inv, failure, context)
            events.extend(self.renderer.invocation_events(inv, lines, segment or ""))
            model.write(
                setup.log_group,
                env.stream,
                events,
                model.durability(init is not None, failed, draw),
            )
        model.finished(inv, t)
        if will_retry:
            delay = RETRY_DELAYS_MS[min(arrival.attempt, len(RETRY_DELAYS_MS)) - 1]
            retry_at = end + delay + int(rng.uniform(0, 10_000))
            self._retry(
                _Arrival(
                    retry_at, arrival.attempt + 1, rid, enqueued, context, failure, event, weight
                )
            )

    def _throttled(
        self,
        arrival: _Arrival,
        model: TrafficModel,
        rid: str,
        qualifier: str | None,
        version: str,
        context: Context,
        failure: Failure | None,
        enqueued: int | None,
    ) -> None:
        setup, t = self.setup, arrival.t
        retry = False
        if self.profile.kind is InvocationType.ASYNC and enqueued is not None:
            retry_at = t + int(self.rng.uniform(30_000, 120_000))
            if retry_at - enqueued <= self.plan.async_config.max_event_age_ms:
                retry = True
                self._retry(
                    _Arrival(
                        retry_at,
                        arrival.attempt,
                        rid,
                        enqueued,
                        context,
                        failure,
                        arrival.event,
                        arrival.weight,
                    )
                )
        event = None
        payload = self.profile.payload
        if not retry and enqueued is not None and payload is not None:
            event = arrival.event or json.dumps(payload(context))
        inv = SimulatedInvocation(
            function_name=setup.name,
            version=version,
            qualifier=qualifier,
            request_id=rid,
            start_ms=t,
            duration_ms=0.0,
            billed_duration_ms=0,
            memory_size_mb=setup.memory,
            max_memory_used_mb=0,
            init_duration_ms=None,
            outcome=Outcome.THROTTLED,
            invocation_type=self.profile.kind,
            log_group=setup.log_group,
            log_stream=None,
            error_type="TooManyRequestsException",
            error_message="Rate Exceeded.",
            attempt=arrival.attempt,
            will_retry=retry,
            enqueued_ms=enqueued,
            event=event,
            logged=False,
            weight=arrival.weight,
        )
        model.finished(inv, t)

    def _warm(self, version: str, t: int) -> _Env | None:
        pool = self.envs.get(version)
        if not pool:
            return None
        best: _Env | None = None
        expired = False
        for env in pool:
            if env.busy_until > t:
                continue
            if t - env.last_used > env.idle_limit or t >= env.retire_at:
                expired = True
                continue
            if best is None or env.last_used > best.last_used:
                best = env
        if expired:
            pool[:] = [
                env
                for env in pool
                if env.busy_until > t or (t - env.last_used <= env.idle_limit and t < env.retire_at)
            ]
        return best

    def _error(
        self, outcome: Outcome, failure: Failure | None
    ) -> tuple[str | None, str | None, tuple[str, ...]]:
        if outcome is Outcome.TIMEOUT:
            seconds = f"{self.setup.timeout:.2f}"
            return TIMEOUT_ERROR, f"Task timed out after {seconds} seconds", ()
        if failure is None or outcome is Outcome.OK:
            return None, None, ()
        return failure.error_type or None, failure.message or None, failure.stack

    def _lines(
        self, inv: SimulatedInvocation, failure: Failure | None, context: Context
    ) -> list[AppLine]:
        text = self.text
        if failure is not None and failure.lines:
            templates: Sequence[Line] = failure.lines
        elif inv.outcome is Outcome.TIMEOUT:
            templates = self.profile.lines[: max(1, len(self.profile.lines) // 2)]
        else:
            templates = self.profile.lines
        chosen = [line for line in templates if line.chance >= 1.0 or text.random() < line.chance]
        if not chosen:
            return []
        start = inv.start_ms
        span = max(inv.end_ms - start - 1, 1)
        if inv.outcome is Outcome.TIMEOUT:
            span = max(span // 5, 1)
        step = span / (len(chosen) + 1)
        lines = []
        for index, line in enumerate(chosen, start=1):
            options = line.templates()
            template = options[0] if len(options) == 1 else text.choice(options)
            lines.append(
                AppLine(
                    start + int(step * index),
                    line.level,
                    template.format_map(context),
                    tuple((key, value.format_map(context)) for key, value in line.fields),
                    line.location,
                )
            )
        return lines


@dataclass
class ModelSettings:
    """The world clock, the seed and how much history to keep."""

    now_ms: int
    seed: int
    history_ms: int = HISTORY_MS
    complete_ms: int = COMPLETE_MS
    warmup_ms: int = WARMUP_MS
    keep_recent_hour: float = 1 / 6
    keep_older: float = 1 / 30
    max_sample: int = 8
    ingest_lag_ms: int = INGEST_LAG_MS


class TrafficModel:
    """Deterministic traffic for a set of functions; see the module docstring."""

    def __init__(
        self,
        plans: Sequence[FunctionPlan],
        settings: ModelSettings,
        sink: LogSink,
        publish: Subscriber,
        vocabulary: Vocabulary,
        reserved: Mapping[str, int | None] | None = None,
        *,
        remember: Remember | None = None,
        queues: QueueSink | None = None,
    ) -> None:
        self.plans = tuple(plans)
        self.settings = settings
        self.sink = sink
        self.publish = publish
        self.vocabulary = vocabulary
        self.initial_reserved: dict[str, int | None] = dict(reserved or {})
        self.reserved_concurrency: dict[str, int | None] = dict(self.initial_reserved)
        self.remember = remember
        self.queues = queues
        self.history_from = settings.now_ms - settings.history_ms
        self.complete_from = settings.now_ms - settings.complete_ms
        self.hour_from = settings.now_ms - HOUR_MS
        begin = self.history_from - settings.warmup_ms
        self.functions = [
            _FunctionModel(
                plan,
                settings.seed,
                begin,
                vocabulary,
                self.sample_factor(plan),
                self.complete_from,
            )
            for plan in self.plans
        ]
        self.position = begin
        self.counters = _Counters()
        self._logs: list[tuple[int, int, str, str, str, int]] = []
        self._done: list[tuple[int, int, SimulatedInvocation]] = []
        self._sequence = itertools.count()

    def fresh(self, sink: LogSink, publish: Subscriber) -> TrafficModel:
        """A new model with the same inputs, from the beginning (nothing followed live)."""
        return TrafficModel(
            self.plans,
            replace(self.settings),
            sink,
            publish,
            self.vocabulary,
            self.initial_reserved,
        )

    def follow(self, controls: Controls, at_ms: int) -> None:
        """From ``at_ms`` on, run the account as operators left it (see ``Controls``)."""
        self.reserved_concurrency.update(controls.reserved())
        for function in self.functions:
            function.follow(controls, at_ms)

    def keeps(self, t: int, outcome: Outcome, cold: bool, draw: float, weight: int = 1) -> bool:
        """Whether an invocation's log lines are written (older history is thinned)."""
        if t < self.history_from:
            return False
        if t >= self.complete_from or cold or outcome is not Outcome.OK:
            return True
        share = self.settings.keep_recent_hour if t >= self.hour_from else self.settings.keep_older
        return draw < share * weight

    def sample_factor(self, plan: FunctionPlan) -> int:
        """How many requests one simulated request stands for before the complete window.

        Busy functions are sampled. Bursty ones and those whose reserved concurrency
        could bind are not, so their throttles stay real; nor are asynchronous ones, whose
        failed events are retried and delivered to dead-letter queues one by one.
        """
        profile = plan.profile
        reserved = self.reserved_concurrency.get(plan.setup.name)
        if profile.bursts is not None or (reserved is not None and reserved < 50):
            return 1
        if profile.kind is InvocationType.ASYNC:
            return 1
        return max(1, min(self.settings.max_sample, int(profile.rate / 0.25)))

    def durability(self, cold: bool, failed: bool, draw: float) -> int:
        """How long an invocation's logs are kept as they age (see ``LogSink``)."""
        if cold or failed or draw < self.settings.keep_older:
            return 2
        return 1 if draw < self.settings.keep_recent_hour else 0

    def write(self, group: str, stream: str, events: Sequence[Event], durability: int) -> None:
        push, sequence = heapq.heappush, self._sequence
        for ts, message in events:
            push(self._logs, (ts, next(sequence), group, stream, message, durability))

    def finished(self, inv: SimulatedInvocation, arrival_ms: int) -> None:
        if arrival_ms < self.history_from:
            return
        heapq.heappush(self._done, (inv.end_ms, next(self._sequence), inv))

    def backfill(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Generate the history up to the world clock, a minute at a time."""
        now = self.settings.now_ms
        t = self.position
        while t < now and not stop():
            t = min(t + MINUTE_MS, now)
            self.advance(t, live=False)

    def advance(self, until: int, *, live: bool = True) -> None:
        """Run every function up to ``until``; write the logs and publish the invocations."""
        if until < self.position:
            return
        self.position = until
        for function in self.functions:
            function.advance(until, self)
        done = self._done
        while done and done[0][0] <= until:
            inv = heapq.heappop(done)[2]
            self.counters.invocations += 1
            if inv.outcome is Outcome.THROTTLED:
                self.counters.throttles += 1
            if inv.logged:
                self.counters.logged += 1
            self.publish(inv)
        self._flush(until - self.settings.ingest_lag_ms, until if live else None)

    def _flush(self, horizon: int, ingestion: int | None) -> None:
        logs = self._logs
        if not logs or logs[0][0] > horizon:
            return
        batches: dict[tuple[str, str], tuple[list[Event], list[int]]] = {}
        while logs and logs[0][0] <= horizon:
            ts, _, group, stream, message, kept = heapq.heappop(logs)
            batch = batches.get((group, stream))
            if batch is None:
                batch = batches[(group, stream)] = ([], [])
            batch[0].append((ts, message))
            batch[1].append(kept)
        lag = self.settings.ingest_lag_ms
        for (group, stream), (events, durability) in batches.items():
            if ingestion is None:
                times = [ts + lag + (ts % 7) * 53 for ts, _ in events]
            else:
                times = [max(ingestion, ts) for ts, _ in events]
            self.counters.events += len(events)
            self.sink.write(group, stream, events, times, durability)


@dataclass
class _Clock:
    anchor_sim: int
    anchor_wall: float = field(default_factory=time.monotonic)
    speed: float = 1.0

    def now(self) -> int:
        return self.anchor_sim + int((time.monotonic() - self.anchor_wall) * 1000 * self.speed)


class LiveSink(LogSink, Protocol):
    live: bool


class TrafficSimulator:
    """A model on a daemon thread: it backfills the history, then follows the clock.

    The simulated clock starts at the world's ``now`` when ``start()`` is called and runs
    at ``speed`` times the wall clock. ``ready`` is set once the backfill is done.
    """

    def __init__(
        self,
        model_factory: Callable[[LogSink, Subscriber], TrafficModel],
        sink: LiveSink,
        metrics: LambdaMetrics | None = None,
        *,
        ring: int = 20_000,
        tick: float = 0.25,
        metrics_every: float = 2.0,
        controls: Controls | None = None,
        prune: Callable[[int], object] | None = None,
    ) -> None:
        self.bus = InvocationBus(ring)
        self.metrics = metrics
        if metrics is not None:
            self.bus.subscribe(metrics.record)
        self.sink = sink
        self.model = model_factory(sink, self.bus.publish)
        self.tick = tick
        # False: backfill the history, then stop (nothing changes afterwards).
        self.live = True
        self.metrics_every = metrics_every
        self._controls = controls
        self._prune = prune
        self._clock = _Clock(self.model.settings.now_ms)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()
        self.errors: deque[str] = deque(maxlen=50)
        self.backfill_seconds = 0.0

    @property
    def now_ms(self) -> int:
        """The simulated clock (the world's ``now`` plus elapsed time times the speed)."""
        with self._lock:
            return self._clock.now()

    @property
    def speed(self) -> float:
        return self._clock.speed

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every invocation as it finishes; returns an unsubscribe.

        Callbacks run on the simulator's thread and should be quick. Subscribe before
        ``start()`` to see the backfilled history too.
        """
        return self.bus.subscribe(callback)

    def recent(self, limit: int | None = None) -> list[SimulatedInvocation]:
        """The newest invocations (throttles included), oldest first."""
        return self.bus.recent(limit)

    def set_speed(self, multiplier: float) -> None:
        """Run the clock ``multiplier`` times as fast as the wall clock (from now on)."""
        if not multiplier > 0:
            raise ValueError("The speed must be positive.")
        with self._lock:
            self._clock = _Clock(self._clock.now(), speed=float(multiplier))

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the backfill is done; False if ``timeout`` passed first."""
        return self.ready.wait(timeout)

    def start(self) -> TrafficSimulator:
        """Start the thread: backfill the history, then keep generating."""
        if self._thread is not None:
            return self
        with self._lock:
            self._clock = _Clock(self.model.settings.now_ms, speed=self._clock.speed)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lambdatui-traffic", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)

    def step(self) -> None:
        """Advance to the current simulated time (the thread calls this every tick)."""
        self.model.advance(self.now_ms)

    def _backfill(self) -> None:
        began = time.perf_counter()
        self.sink.live = False
        try:
            self.model.backfill(self._stop.is_set)
        finally:
            self.sink.live = True
        if self.metrics is not None:
            self.metrics.flush(self.model.settings.now_ms)
        self.backfill_seconds = time.perf_counter() - began

    def _run(self) -> None:
        try:
            self._backfill()
        except Exception as error:
            self.errors.append(f"{type(error).__name__}: {error}")
        if not self.live:
            # History only: a fixed world for screenshots and snapshot tests.
            if self.metrics is not None:
                self.metrics.flush(self.now_ms)
            self.ready.set()
            return
        self.ready.set()
        last_metrics = last_followed = time.monotonic()
        followed: int | None = None
        pruned_at = self.now_ms
        while not self._stop.wait(self.tick):
            try:
                moment = time.monotonic()
                controls = self._controls
                if controls is not None:
                    generation = controls.generation
                    if generation != followed or moment - last_followed >= FOLLOW_EVERY_S:
                        self.model.follow(controls, self.now_ms)
                        followed, last_followed = generation, moment
                self.step()
                if self.metrics is not None and moment - last_metrics >= self.metrics_every:
                    self.metrics.flush(self.now_ms)
                    last_metrics = moment
                now = self.now_ms
                if self._prune is not None and now - pruned_at >= max(MINUTE_MS, 5000 * self.speed):
                    self._prune(now)
                    pruned_at = now
            except Exception as error:
                self.errors.append(f"{type(error).__name__}: {error}")
        if self.metrics is not None:
            try:
                self.metrics.flush(self.now_ms)
            except Exception as error:
                self.errors.append(f"{type(error).__name__}: {error}")


def world_clock_ms(now: datetime) -> int:
    return int(now.timestamp() * 1000)
