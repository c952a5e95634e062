"""Simulated Lambda invocations: the one record that logs, metrics and DLQs derive from."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

LATEST = "$LATEST"


class Outcome(StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    OOM = "oom"
    THROTTLED = "throttled"

    @property
    def failed(self) -> bool:
        return self in (Outcome.ERROR, Outcome.TIMEOUT, Outcome.OOM)


class InvocationType(StrEnum):
    SYNC = "sync"
    ASYNC = "async"
    SQS_BATCH = "sqs-batch"
    STREAM = "stream"


@dataclass(frozen=True, slots=True)
class SimulatedInvocation:
    """One request to a function, as Lambda handled it.

    ``start_ms`` is when the handler started (the START line; after init on a cold
    start); for a throttled request it is when Lambda rejected it. ``version`` is the
    version that ran; ``qualifier`` is the alias or version the caller named (None for
    an unqualified call). Async retries repeat the request id with a higher ``attempt``;
    ``will_retry`` says Lambda will try the event again. ``event`` is the request payload,
    kept for failed asynchronous and queue invocations (what a DLQ or destination gets).

    Older history is sampled to keep the backfill cheap: there a record stands for
    ``weight`` identical requests (metrics count it that many times), and ``logged`` is
    False for records whose log lines were left out. The last minutes are complete.

    ``iterator_age_ms`` is, for a stream consumer (Kinesis, DynamoDB Streams), the age of
    the batch's last record when Lambda read it (the IteratorAge metric).
    """

    function_name: str
    version: str
    qualifier: str | None
    request_id: str
    start_ms: int
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    outcome: Outcome
    invocation_type: InvocationType
    log_group: str
    log_stream: str | None
    error_type: str | None = None
    error_message: str | None = None
    stack_trace: tuple[str, ...] = ()
    attempt: int = 1
    will_retry: bool = False
    enqueued_ms: int | None = None
    event: str | None = None
    concurrency: int = 0
    trace_id: str | None = None
    logged: bool = True
    weight: int = 1
    iterator_age_ms: float | None = None

    @property
    def cold_start(self) -> bool:
        return self.init_duration_ms is not None

    @property
    def end_ms(self) -> int:
        """When the REPORT line was written (the request's end)."""
        if self.outcome is Outcome.THROTTLED:
            return self.start_ms
        return self.start_ms + round(self.duration_ms)

    @property
    def arrival_ms(self) -> int:
        """When Lambda received the request (before init on a cold start)."""
        return self.start_ms - round(self.init_duration_ms or 0.0)

    @property
    def resource(self) -> str | None:
        """The metrics ``Resource`` dimension: ``name:qualifier`` for qualified calls."""
        return f"{self.function_name}:{self.qualifier}" if self.qualifier else None


Subscriber = Callable[[SimulatedInvocation], None]


class InvocationBus:
    """A bounded ring of recent invocations and the callbacks that follow them."""

    def __init__(self, capacity: int = 20_000) -> None:
        self._lock = threading.Lock()
        self._ring: deque[SimulatedInvocation] = deque(maxlen=capacity)
        self._subscribers: list[Subscriber] = []

    @property
    def capacity(self) -> int:
        return self._ring.maxlen or 0

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every invocation from now on; returns an unsubscribe."""
        with self._lock:
            self._subscribers = [*self._subscribers, callback]

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers = [s for s in self._subscribers if s is not callback]

        return unsubscribe

    def publish(self, invocation: SimulatedInvocation) -> None:
        with self._lock:
            self._ring.append(invocation)
            subscribers = self._subscribers
        for callback in subscribers:
            callback(invocation)

    def recent(self, limit: int | None = None) -> list[SimulatedInvocation]:
        """The newest invocations, oldest first (at most ``limit``)."""
        with self._lock:
            items = list(self._ring)
        return items if limit is None else items[-limit:]
