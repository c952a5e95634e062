"""The demo world's traffic simulator, writing into moto's logs, CloudWatch and SQS."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.awslambda.utils import get_backend
from moto.logs.models import logs_backends
from moto.sqs.models import Message

from . import ingestion
from .extensions import LATEST, LambdaExtensions, function_reference
from .invocations import Subscriber
from .lambdalogs import Event, FunctionSetup
from .lambdametrics import LambdaMetrics
from .movetasks import find_queue
from .profiles import Profile
from .stories import VOCABULARY, demo_profiles
from .traffic import (
    HOUR_MS,
    IDLE_LIMIT_MS,
    AsyncConfig,
    FunctionPlan,
    LogSink,
    ModelSettings,
    Remember,
    Routing,
    TrafficModel,
    TrafficSimulator,
    world_clock_ms,
)
from .world import FUNCTIONS, SEED

METRICS_KEPT_MS = 6 * 3_600_000
QUIET_MS = IDLE_LIMIT_MS + 2 * 60_000


class MotoLogSink:
    """Writes straight into moto's logs backend (no HTTP), creating streams as needed.

    While ``live`` is False (the backfill) ingestion listeners such as Live Tail are not
    told: those events were ingested before anyone could be listening.
    """

    def __init__(self, account: str, region: str, settings: ModelSettings) -> None:
        self.account = account
        self.region = region
        self.settings = settings
        self.live = True
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], int] = {}

    def write(
        self,
        group: str,
        stream: str,
        events: Sequence[Event],
        ingestion_ms: Sequence[int],
        durability: Sequence[int],
    ) -> None:
        log_group = logs_backends[self.account][self.region].groups.get(group)
        if log_group is None or not events:
            return
        log_stream = ingestion.stream_in(log_group, stream, events[0][0])
        ingestion.append(log_stream, events, ingestion_ms, durability=durability, notify=self.live)
        with self._lock:
            self._last[(group, stream)] = events[-1][0]

    def prune(self, now_ms: int) -> int:
        """Thin aging logs as the backfill thins history, and drop what is older than it.

        Only streams whose execution environment is gone (quiet for longer than any idle
        limit) are thinned, so a client paging a live stream with GetLogEvents tokens
        (positions in the stream) never sees it shift. Returns how many events were dropped.
        """
        settings = self.settings
        before = now_ms - settings.history_ms
        cutoffs = (now_ms - settings.complete_ms, now_ms - HOUR_MS, before)
        with self._lock:
            written = list(self._last.items())
            for key, last in written:
                if last < before:
                    del self._last[key]
        backend = logs_backends[self.account][self.region]
        dropped = 0
        doomed: dict[str, set[str]] = {}
        for (group, stream), last in written:
            log_group = backend.groups.get(group)
            if log_group is None:
                continue
            if last < before:
                doomed.setdefault(group, set()).add(stream)
            elif last < now_ms - QUIET_MS and stream in log_group.streams:
                dropped += ingestion.trim(log_group.streams[stream], cutoffs)
        for group, streams in doomed.items():
            log_group = backend.groups.get(group)
            if log_group is not None:
                dropped += sum(
                    len(log_group.streams[s].events) for s in streams if s in log_group.streams
                )
                ingestion.remove_streams(log_group, streams)
        return dropped


def function_setup(
    function: LambdaFunction, extensions: LambdaExtensions, account: str, region: str
) -> FunctionSetup:
    name = str(function.function_name)
    logging = extensions.settings(account, region, name, LATEST).logging_config(name)
    tracing = (function.tracing_config or {}).get("Mode") == "Active"
    return FunctionSetup(
        name=name,
        arn=str(function.function_arn),
        region=region,
        runtime=function.run_time,
        image=function.package_type == "Image",
        handler=str(function.handler or ""),
        memory=int(function.memory_size),
        timeout=int(function.timeout),
        log_format=logging["LogFormat"],
        log_group=logging["LogGroup"],
        application_level=logging.get("ApplicationLogLevel", "INFO"),
        system_level=logging.get("SystemLogLevel", "INFO"),
        tracing=tracing,
    )


def demo_plans(
    account: str, region: str, extensions: LambdaExtensions, now_ms: int
) -> list[FunctionPlan]:
    """A plan for every demo function that exists in moto and has a traffic profile."""
    backend = get_backend(account, region)
    profiles: Mapping[str, Profile] = demo_profiles(now_ms)
    plans = []
    for spec in FUNCTIONS:
        profile = profiles.get(spec.name)
        if profile is None:
            continue
        try:
            function = backend.get_function(spec.name)
        except Exception:
            continue
        routing = Routing()
        if spec.aliases:
            alias = spec.aliases[0]
            steps = tuple(
                (now_ms - int(spec.releases[number - 1].total_seconds() * 1000), str(number))
                for number in range(1, alias.version + 1)
            )
            canary = None
            if alias.canary is not None:
                version, weight = alias.canary
                since = now_ms - int(spec.releases[version - 1].total_seconds() * 1000)
                canary = (since, str(version), weight)
            routing = Routing(alias.name, steps, canary)
        retries = spec.retries if spec.retries is not None else 2
        age = (spec.max_event_age or 21_600) * 1000
        plans.append(
            FunctionPlan(
                function_setup(function, extensions, account, region),
                profile,
                routing,
                AsyncConfig(retries, age),
            )
        )
    return plans


class DemoControls:
    """The account as operators left it, read from moto for the traffic model (``Controls``).

    ``generation`` comes from the acting extensions (it grows with every change).
    """

    def __init__(
        self, account: str, region: str, names: Sequence[str], generation: Callable[[], int]
    ) -> None:
        self.account = account
        self.region = region
        self.names = tuple(names)
        self._generation = generation

    @property
    def generation(self) -> int:
        return self._generation()

    def reserved(self) -> Mapping[str, int | None]:
        return reserved_concurrency(self.account, self.region, self.names)

    def alias(self, function: str, alias: str) -> tuple[str, Mapping[str, float]] | None:
        try:
            found = get_backend(self.account, self.region).get_alias(alias, function)
        except Exception:
            return None
        routing: dict[str, Any] = (
            found.routing_config if isinstance(found.routing_config, dict) else {}
        )
        weights = routing.get("AdditionalVersionWeights") or {}
        return str(found.function_version), {str(k): float(v) for k, v in weights.items()}

    def consuming(self, function: str) -> bool:
        mappings = mappings_of(self.account, self.region, function)
        return not mappings or any(mapping.enabled for mapping in mappings)


def mappings_of(account: str, region: str, function: str) -> list[Any]:
    """The event source mappings that invoke ``function``."""
    backend = get_backend(account, region)
    return [
        mapping
        for mapping in backend.list_event_source_mappings("", "")
        if function_reference(mapping.function_arn)[0] == function
    ]


class MotoQueues:
    """The SQS queues behind queue consumers, as moto's SQS backend holds them."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region

    def _queue(self, function: str) -> tuple[Any, Any] | None:
        for mapping in mappings_of(self.account, self.region, function):
            if ":sqs:" in mapping.event_source_arn:
                return find_queue(mapping.event_source_arn)
        return None

    def hold(self, function: str, bodies: Sequence[str]) -> None:
        found = self._queue(function)
        if found is None:
            return
        queue = found[1]
        for body in bodies:
            message = Message(str(uuid.uuid4()), body)
            message.mark_sent()
            queue.add_message(message)

    def drain(self, function: str, count: int) -> None:
        found = self._queue(function)
        if found is None:
            return
        backend, queue = found
        taken = backend.receive_message(queue.name, count, 0, 30)
        for message in taken:
            backend.delete_message(queue.name, message.receipt_handle)


def reserved_concurrency(account: str, region: str, names: Sequence[str]) -> dict[str, int | None]:
    backend = get_backend(account, region)
    result: dict[str, int | None] = {}
    for name in names:
        try:
            value = backend.get_function(name).reserved_concurrency
        except Exception:
            continue
        result[name] = None if value is None else int(value)
    return result


def demo_simulator(
    account: str,
    region: str,
    extensions: LambdaExtensions,
    now: datetime,
    seed: int = SEED,
    *,
    generation: Callable[[], int] | None = None,
    remember: Remember | None = None,
) -> TrafficSimulator:
    """A simulator for the demo world seeded in moto (not started).

    Live, it follows what operators change through the acting APIs (``generation``
    grows with each change), and hands every failed event to ``remember``.
    """
    now_ms = world_clock_ms(now)
    plans = demo_plans(account, region, extensions, now_ms)
    names = [plan.setup.name for plan in plans]
    dead_letters = {
        name
        for name in names
        if extensions.settings(account, region, name, LATEST).dead_letter_target
    }
    settings = ModelSettings(now_ms=now_ms, seed=seed)
    sink = MotoLogSink(account, region, settings)

    def factory(log_sink: LogSink, publish: Subscriber) -> TrafficModel:
        return TrafficModel(
            plans,
            settings,
            log_sink,
            publish,
            VOCABULARY,
            reserved_concurrency(account, region, names),
            remember=remember,
            queues=MotoQueues(account, region),
        )

    metrics = LambdaMetrics(account, region, has_dead_letter=dead_letters.__contains__)

    def prune(now_ms: int) -> None:
        sink.prune(now_ms)
        metrics.prune(now_ms - METRICS_KEPT_MS)

    ingestion.install()
    return TrafficSimulator(
        factory,
        sink,
        metrics,
        controls=DemoControls(account, region, names, generation or (lambda: 0)),
        prune=prune,
    )
