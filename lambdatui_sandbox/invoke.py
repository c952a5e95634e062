"""Lambda's Invoke, run for real (moto 5.2 without Docker only echoes the payload).

RequestResponse runs the handler and answers with its result, or with Lambda's error
payload and ``X-Amz-Function-Error: Unhandled`` when it raises or times out; LogType=Tail
adds ``X-Amz-Log-Result`` (base64 of the last 4 KB of the invocation's log). An alias
with AdditionalVersionWeights runs its other version in that share of invokes, and
``X-Amz-Executed-Version`` names the version that ran. DryRun checks the request and
answers 204.

Event answers 202 and queues the event, as Lambda does. A failure is retried as the
function's async configuration says (MaximumRetryAttempts, default 2, after AWS's waits
of 1 and 2 minutes), then the event goes to the function's SQS dead-letter queue and
on-failure destination. While the function's reserved concurrency is 0 the event is
throttled: it stays queued and is tried again after 1 s, 2 s, 4 s... up to 5 minutes,
until MaximumEventAgeInSeconds (default 6 hours) runs out, when it goes to the
dead-letter queue and destination (condition EventAgeExceeded). Every wait is
multiplied by the sandbox's time scale (1 = AWS's real waits; the demo's default
compresses a minute to a second).

Demo functions tell the story of their simulated traffic (storyline.py). Every run
writes START / END / REPORT (or the JSON platform records) and what the handler logged
and printed, in order, to the function's log group, in its log format and its logging
library's style.

Refusals follow the API reference: an unknown function or qualifier (404), a payload
over 6 MB synchronous or 1 MB asynchronous (413), a body that is not JSON (400), and a
synchronous call of a function whose reserved concurrency is zero (429).
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.awslambda.utils import get_backend
from moto.logs.models import logs_backends

from . import ingestion
from .executor import Code, Execution, Executor, Line
from .extensions import LATEST, LambdaExtensions, function_reference
from .invocations import InvocationType, Outcome, SimulatedInvocation
from .lambdalogs import AppLine, Event, FunctionSetup, LogRenderer
from .middleware import Call, Forward, Handler, Reply
from .operations import Operation, account_for
from .simulation import function_setup
from .storyline import StoryTeller

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
LOG_RESULT_BYTES = 4096
DEFAULT_RETRIES = 2
DEFAULT_MAX_EVENT_AGE_S = 21_600
#: Waits before the second and third attempt of an async event that failed.
RETRY_DELAYS_S = (60.0, 120.0)
#: A throttled async event waits this long before its next try, doubling up to the cap.
THROTTLE_FIRST_S = 1.0
THROTTLE_MAX_S = 300.0
#: The demo's time scale: a minute of AWS's waits takes a second.
DEFAULT_TIME_SCALE = 1 / 60
#: Async events run a few at a time, as a bounded set of execution environments.
ASYNC_WORKERS = 4

Failure = Callable[[SimulatedInvocation, str | None, str | None], None]


class InvokeError(Exception):
    def __init__(self, code: str, message: str, status: int, **extra: str) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra

    def reply(self) -> Reply:
        reply = Reply.error(self.code, self.message, self.status)
        if self.extra:
            return reply.with_payload({"Type": "User", "message": self.message, **self.extra})
        return reply


class Invoker:
    """The Invoke handler; ``on_failure`` receives async events whose retries ran out."""

    def __init__(
        self,
        extensions: LambdaExtensions,
        on_failure: Failure | None = None,
        *,
        time_scale: float = DEFAULT_TIME_SCALE,
    ) -> None:
        if not time_scale > 0:
            raise ValueError("The time scale must be positive.")
        self.extensions = extensions
        self.on_failure = on_failure
        self.executor = Executor()
        self.time_scale = time_scale
        self.retry_delays = tuple(delay * time_scale for delay in RETRY_DELAYS_S)
        self.stories: StoryTeller | None = None
        self._routing = random.Random("lambdatui-sandbox:alias-routing")
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()
        self.errors: list[str] = []
        self._stopping = threading.Event()

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service == "lambda" and operation.action == "Invoke":
            return self._invoke
        return None

    def reset(self) -> None:
        self.stop()
        self._stopping.clear()

    def stop(self) -> None:
        """Stop background retries and every warm environment."""
        self._stopping.set()
        with self._lock:
            pool, self._pool = self._pool, None
            self._pending.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self.executor.close()

    def wait_async(self, timeout: float = 30.0) -> bool:
        """Wait until every accepted async event has finished its attempts (tests)."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    # The request.

    def _invoke(self, call: Call, forward: Forward) -> Reply:
        try:
            return self._answer(call)
        except InvokeError as exc:
            return exc.reply()

    def _answer(self, call: Call) -> Reply:
        operation = call.operation
        account = account_for(call.environ, operation.access_key)
        region = operation.region
        name, inline = function_reference(operation.params.get("FunctionName", ""))
        qualifier = call.query.get("Qualifier") or inline
        kind = call.environ.get("HTTP_X_AMZ_INVOCATION_TYPE") or "RequestResponse"
        tail = call.environ.get("HTTP_X_AMZ_LOG_TYPE") == "Tail"
        if kind not in ("RequestResponse", "Event", "DryRun"):
            raise InvokeError(
                "InvalidParameterValueException", f"Unsupported invocation type {kind}.", 400
            )
        function = self._function(account, region, name, qualifier)
        limit = ASYNC_PAYLOAD_LIMIT if kind == "Event" else SYNC_PAYLOAD_LIMIT
        if len(call.body) > limit:
            raise InvokeError(
                "RequestEntityTooLargeException",
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
                413,
            )
        event = _event(call.body)
        version = str(function.version)
        headers = [("X-Amz-Executed-Version", version)]
        if kind == "DryRun":
            return _reply(204, headers, b"")
        request_id = str(uuid.uuid4())
        if kind == "Event":
            self._start_async(
                account, region, function, qualifier, event, call.body, request_id, time.monotonic()
            )
            return _reply(202, [], b"", request_id)
        if _throttled(account, region, function):
            raise InvokeError(
                "TooManyRequestsException",
                "Rate Exceeded.",
                429,
                Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
            )
        execution, _, logs = self._run(
            account, region, function, qualifier, event, request_id, InvocationType.SYNC
        )
        if tail:
            text = "".join(
                message if message.endswith("\n") else message + "\n" for _, message in logs
            ).encode("utf-8")
            encoded = base64.b64encode(text[-LOG_RESULT_BYTES:]).decode("ascii")
            headers.append(("X-Amz-Log-Result", encoded))
        if execution.ok:
            body = json.dumps(execution.result).encode("utf-8")
        else:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
            body = json.dumps(execution.error).encode("utf-8")
        return _reply(200, headers, body, request_id)

    def _function(
        self, account: str, region: str, name: str, qualifier: str | None
    ) -> LambdaFunction:
        """The version that runs: the qualifier's, or one an alias's weights picked."""
        backend = get_backend(account, region)
        try:
            function = backend.get_function(name, qualifier)
        except Exception:
            function = None
        if function is None:
            target = f"arn:aws:lambda:{region}:{account}:function:{name}"
            if qualifier:
                target = f"{target}:{qualifier}"
            raise InvokeError("ResourceNotFoundException", f"Function not found: {target}", 404)
        weights = _weights(backend, name, qualifier)
        if weights:
            with self._lock:
                roll = self._routing.random()
            for version, weight in weights.items():
                if roll < weight:
                    return backend.get_function(name, version)
                roll -= weight
        return function

    # Running.

    def _run(
        self,
        account: str,
        region: str,
        function: LambdaFunction,
        qualifier: str | None,
        event: Any,
        request_id: str,
        kind: InvocationType,
        attempt: int = 1,
        will_retry: bool = False,
        raw_event: str | None = None,
    ) -> tuple[Execution, SimulatedInvocation, list[Event]]:
        name = str(function.function_name)
        setup = function_setup(function, self.extensions, account, region)
        version = str(function.version)
        stories = self.stories
        story = None
        if stories is not None and stories.tells(name):
            story = stories.story(name, version, event, int(function.memory_size))
        package = getattr(function, "code_bytes", None)  # image functions have none
        told = ":story" if story is not None else ""
        code = Code(
            key=f"{function.function_arn}:{version}:{function.code_sha_256}{told}",
            package=bytes(package) if package else None,
            runtime=function.run_time,
            handler=str(function.handler or ""),
            name=name,
            description=str(function.description or ""),
            version=version,
            story=story is not None,
        )
        execution = self.executor.run(
            code,
            event,
            request_id=request_id,
            timeout_s=float(function.timeout),
            memory_mb=int(function.memory_size),
            arn=str(function.function_arn),
            log_group=setup.log_group,
            story=story.request() if story is not None else None,
        )
        if story is not None:
            # The stand-in starts in milliseconds and uses little memory: the story says
            # how long the function's start takes and how much memory it uses.
            if execution.init_ms is not None:
                execution.init_ms = story.init_ms
            if not execution.timed_out:
                execution.max_memory_mb = story.memory_mb
        if execution.ok:
            outcome = Outcome.OK
        elif execution.timed_out:
            outcome = Outcome.TIMEOUT
        elif execution.out_of_memory:
            outcome = Outcome.OOM
        else:
            outcome = Outcome.ERROR
        error = execution.error or {}
        duration = execution.duration_ms
        inv = SimulatedInvocation(
            function_name=name,
            version=version,
            qualifier=qualifier,
            request_id=request_id,
            start_ms=execution.start_ms,
            duration_ms=duration,
            billed_duration_ms=max(1, int(-(-duration // 1))),
            memory_size_mb=int(function.memory_size),
            max_memory_used_mb=execution.max_memory_mb or min(int(function.memory_size), 40),
            init_duration_ms=execution.init_ms,
            outcome=outcome,
            invocation_type=kind,
            log_group=setup.log_group,
            log_stream=execution.stream,
            error_type=None if execution.ok else str(error.get("errorType", "Error")),
            error_message=None if execution.ok else str(error.get("errorMessage", "")),
            stack_trace=tuple(str(line) for line in error.get("stackTrace", []) or []),
            attempt=attempt,
            will_retry=will_retry,
            event=raw_event,
        )
        style = (stories.style(name) if stories else None) or _style(function.run_time)
        events = self._write_logs(account, region, setup, style, execution, inv)
        return execution, inv, events

    def _write_logs(
        self,
        account: str,
        region: str,
        setup: FunctionSetup,
        style: str,
        execution: Execution,
        inv: SimulatedInvocation,
    ) -> list[Event]:
        """Store the run's log events in the function's group; returns them.

        What the handler printed and what it logged stay in the order it wrote them,
        all before the error Lambda reports and the END / REPORT lines.
        """
        renderer = LogRenderer(setup, style)
        events: list[Event] = []
        if execution.init_ms is not None:
            arrival = execution.start_ms - round(execution.init_ms)
            events.extend(renderer.init_events(arrival, inv.version))
            events.extend(_raw(execution.init_lines))
        lines = [
            AppLine(t, level, message, tuple(fields.items()), location)
            for t, level, message, fields, location in execution.lines
        ]
        events.extend(renderer.invocation_events(inv, lines, uuid.uuid4().hex[:16]))
        events.sort(key=lambda item: item[0])
        _store(account, region, setup.log_group, execution.stream, events)
        return events

    # Asynchronous events.

    def _start_async(self, *request: Any) -> None:
        """Queue ``_run_async(*request)`` on the bounded pool of async environments."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(ASYNC_WORKERS, thread_name_prefix="sandbox-async")
            future = self._pool.submit(self._run_async, *request)
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run_async(
        self,
        account: str,
        region: str,
        function: LambdaFunction,
        qualifier: str | None,
        event: Any,
        body: bytes,
        request_id: str,
        accepted: float,
    ) -> None:
        """Lambda's handling of one queued event: throttles, attempts, retries, failure."""
        try:
            configs = _latest(account, region, function).event_invoke_config
            retries = int(_setting(configs, "MaximumRetryAttempts", DEFAULT_RETRIES))
            max_age = float(_setting(configs, "MaximumEventAgeInSeconds", DEFAULT_MAX_EVENT_AGE_S))
            max_age *= self.time_scale
            raw = body.decode("utf-8", "replace") or "{}"
            attempt = 1
            backoff = THROTTLE_FIRST_S
            while not self._stopping.is_set():
                age = time.monotonic() - accepted
                if _throttled(account, region, function):
                    wait = backoff * self.time_scale
                    if age + wait > max_age:
                        self._expired(
                            account, region, function, qualifier, request_id, raw, attempt
                        )
                        return
                    backoff = min(backoff * 2, THROTTLE_MAX_S)
                    self._stopping.wait(wait)
                    continue
                last = attempt == retries + 1
                execution, inv, _ = self._run(
                    account,
                    region,
                    function,
                    qualifier,
                    event,
                    request_id,
                    InvocationType.ASYNC,
                    attempt=attempt,
                    will_retry=not last,
                    raw_event=raw,
                )
                if execution.ok:
                    return
                if last:
                    self._failed(account, region, function, inv)
                    return
                delay = self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]
                if self._stopping.wait(delay):
                    return
                attempt += 1
        except Exception as exc:  # a broken event must not take the pool down
            self.errors.append(f"async invoke {request_id}: {exc!r}")

    def _expired(
        self,
        account: str,
        region: str,
        function: LambdaFunction,
        qualifier: str | None,
        request_id: str,
        raw: str,
        attempt: int,
    ) -> None:
        """A throttled event whose maximum age ran out: Lambda discards it."""
        setup = function_setup(function, self.extensions, account, region)
        now_ms = int(time.time() * 1000)
        inv = SimulatedInvocation(
            function_name=str(function.function_name),
            version=str(function.version),
            qualifier=qualifier,
            request_id=request_id,
            start_ms=now_ms,
            duration_ms=0.0,
            billed_duration_ms=0,
            memory_size_mb=int(function.memory_size),
            max_memory_used_mb=0,
            init_duration_ms=None,
            outcome=Outcome.THROTTLED,
            invocation_type=InvocationType.ASYNC,
            log_group=setup.log_group,
            log_stream=None,
            error_type="TooManyRequestsException",
            error_message="Rate Exceeded.",
            attempt=attempt,
            event=raw,
        )
        self._failed(account, region, function, inv)

    def _failed(
        self, account: str, region: str, function: LambdaFunction, inv: SimulatedInvocation
    ) -> None:
        if self.on_failure is not None:
            dead_letter, destination = self._failure_targets(account, region, function)
            self.on_failure(inv, dead_letter, destination)

    def _failure_targets(
        self, account: str, region: str, function: LambdaFunction
    ) -> tuple[str | None, str | None]:
        name = str(function.function_name)
        settings = self.extensions.settings(account, region, name, LATEST)
        destination = None
        for config in _latest(account, region, function).event_invoke_config:
            on_failure = config.config.get("DestinationConfig", {}).get("OnFailure", {})
            destination = on_failure.get("Destination") or destination
        return settings.dead_letter_target, destination


def _style(runtime: str | None) -> str:
    """The log style of a runtime's logging library, as the simulator writes it."""
    if runtime and runtime.startswith("nodejs"):
        return "node"
    if runtime and runtime.startswith("java"):
        return "java"
    if runtime is None or runtime.startswith("provided"):
        return "go"
    return "python"


def _latest(account: str, region: str, function: LambdaFunction) -> LambdaFunction:
    """$LATEST of the function (reserved concurrency and async settings are kept there)."""
    try:
        return get_backend(account, region).get_function(str(function.function_name))
    except Exception:
        return function


def _throttled(account: str, region: str, function: LambdaFunction) -> bool:
    """Whether the function's reserved concurrency is 0 (it applies to every version)."""
    reserved = _latest(account, region, function).reserved_concurrency
    return reserved is not None and int(reserved) == 0


def _setting(configs: list[Any], key: str, default: float) -> Any:
    for config in configs:
        if key in config.config:
            return config.config[key]
    return default


def _weights(backend: Any, name: str, qualifier: str | None) -> dict[str, float]:
    """An alias's AdditionalVersionWeights (empty for a version or an unweighted alias)."""
    if not qualifier or qualifier == LATEST or qualifier.isdigit():
        return {}
    try:
        alias = backend.get_alias(qualifier, name)
    except Exception:
        return {}
    routing = alias.routing_config or {}
    weights = routing.get("AdditionalVersionWeights") if isinstance(routing, dict) else None
    return {str(version): float(weight) for version, weight in (weights or {}).items()}


def _event(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvokeError(
            "InvalidRequestContentException",
            f"Could not parse request body into json: {exc}",
            400,
        ) from None


def _raw(lines: list[Line]) -> list[Event]:
    """What the handler printed while it started (no level): written as it is."""
    return [(t, f"{text}\n") for t, level, text, _, _ in lines if not level]


def _store(account: str, region: str, group: str, stream: str, events: list[Event]) -> None:
    if not events:
        return
    backend = logs_backends[account][region]
    if group not in backend.groups:
        backend.create_log_group(group, tags={})
    log_stream = ingestion.stream_in(backend.groups[group], stream, events[0][0])
    ingestion.append(log_stream, events, int(time.time() * 1000))


def _reply(
    status: int, headers: list[tuple[str, str]], body: bytes, request_id: str | None = None
) -> Reply:
    headers = [*headers, ("x-amzn-RequestId", request_id or str(uuid.uuid4()))]
    if body:
        headers.append(("Content-Type", "application/json"))
    return Reply(status, headers, body)
