"""Lambda's Invoke, run for real (moto 5.2 without Docker only echoes the payload).

RequestResponse runs the handler and answers with its result, or with Lambda's error
payload and ``X-Amz-Function-Error: Unhandled`` when it raises or times out; LogType=Tail
adds ``X-Amz-Log-Result`` (base64 of the last 4 KB of the invocation's log). Event
answers 202 at once and runs the handler in the background, retrying a failure as the
function's async configuration says (MaximumRetryAttempts, default 2; the waits between
attempts are compressed to seconds) and then handing the event to the function's SQS
dead-letter queue or on-failure destination. DryRun checks the request and answers 204.
Every run writes START / END / REPORT (or the JSON platform records) and what the
handler logged to the function's log group, in its log format.

Refusals follow the API reference: an unknown function or qualifier (404), a payload
over 6 MB synchronous or 1 MB asynchronous (413), a body that is not JSON (400), and a
function whose reserved concurrency is zero (429).
"""

from __future__ import annotations

import base64
import json
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
from .executor import Code, Execution, Executor
from .extensions import LATEST, LambdaExtensions
from .invocations import InvocationType, Outcome, SimulatedInvocation
from .lambdalogs import AppLine, Event, FunctionSetup, LogRenderer
from .middleware import Call, Forward, Handler, Reply
from .operations import Operation, account_for
from .simulation import function_setup

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
LOG_RESULT_BYTES = 4096
DEFAULT_RETRIES = 2
#: Waits before the second and third attempt of an async event (Lambda: 1 and 2 minutes).
RETRY_DELAYS_S = (1.0, 2.0)
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

    def __init__(self, extensions: LambdaExtensions, on_failure: Failure | None = None) -> None:
        self.extensions = extensions
        self.on_failure = on_failure
        self.executor = Executor()
        self.retry_delays = RETRY_DELAYS_S
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
        name = operation.params.get("FunctionName", "")
        qualifier = call.query.get("Qualifier") or None
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
        if function.reserved_concurrency is not None and int(function.reserved_concurrency) == 0:
            raise InvokeError(
                "TooManyRequestsException",
                "Rate Exceeded.",
                429,
                Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
            )
        version = str(function.version)
        headers = [("X-Amz-Executed-Version", version)]
        if kind == "DryRun":
            return _reply(204, headers, b"")
        request_id = str(uuid.uuid4())
        if kind == "Event":
            self._start_async(account, region, function, qualifier, event, call.body, request_id)
            return _reply(202, [], b"", request_id)
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
        backend = get_backend(account, region)
        try:
            function = backend.get_function(name, qualifier)
        except Exception:
            function = None
        if function is None:
            target = (
                name
                if name.startswith("arn:")
                else (f"arn:aws:lambda:{region}:{account}:function:{name}")
            )
            if qualifier:
                target = f"{target}:{qualifier}"
            raise InvokeError("ResourceNotFoundException", f"Function not found: {target}", 404)
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
        code = Code(
            key=f"{function.function_arn}:{version}:{function.code_sha_256}",
            package=bytes(function.code_bytes) if function.code_bytes else None,
            runtime=function.run_time,
            handler=str(function.handler or ""),
            name=name,
            description=str(function.description or ""),
            version=version,
        )
        execution = self.executor.run(
            code,
            event,
            request_id=request_id,
            timeout_s=float(function.timeout),
            memory_mb=int(function.memory_size),
            arn=str(function.function_arn),
            log_group=setup.log_group,
        )
        if execution.ok:
            outcome = Outcome.OK
        elif execution.timed_out:
            outcome = Outcome.TIMEOUT
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
        events = self._write_logs(account, region, setup, function, execution, inv)
        return execution, inv, events

    def _write_logs(
        self,
        account: str,
        region: str,
        setup: FunctionSetup,
        function: LambdaFunction,
        execution: Execution,
        inv: SimulatedInvocation,
    ) -> list[Event]:
        """Store the run's log events in the function's group; returns them."""
        renderer = LogRenderer(setup, _style(function.run_time))
        events: list[Event] = []
        if execution.init_ms is not None:
            arrival = execution.start_ms - round(execution.init_ms)
            events.extend(renderer.init_events(arrival, inv.version))
            events.extend(_raw(execution.init_lines))
        lines = [AppLine(t, level, message) for t, level, message in execution.lines if level]
        events.extend(renderer.invocation_events(inv, lines, uuid.uuid4().hex[:16]))
        events.extend(_raw(execution.lines))
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
    ) -> None:
        if self._stopping.is_set():
            return
        try:
            retries = _retries(function)
            raw = body.decode("utf-8", "replace") or "{}"
            for attempt in range(1, retries + 2):
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
                    if self.on_failure is not None:
                        dead_letter, destination = self._failure_targets(account, region, function)
                        self.on_failure(inv, dead_letter, destination)
                    return
                delay = self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]
                if self._stopping.wait(delay):
                    return
        except Exception as exc:  # a broken event must not take the pool down
            self.errors.append(f"async invoke {request_id}: {exc!r}")

    def _failure_targets(
        self, account: str, region: str, function: LambdaFunction
    ) -> tuple[str | None, str | None]:
        name = str(function.function_name)
        settings = self.extensions.settings(account, region, name, LATEST)
        destination = None
        for config in function.event_invoke_config:
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


def _retries(function: LambdaFunction) -> int:
    for config in function.event_invoke_config:
        if "MaximumRetryAttempts" in config.config:
            return int(config.config["MaximumRetryAttempts"])
    return DEFAULT_RETRIES


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


def _raw(lines: list[tuple[int, str, str]]) -> list[Event]:
    """What the handler printed (no level): written to the log as it is."""
    return [(t, f"{text}\n") for t, level, text in lines if not level]


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
