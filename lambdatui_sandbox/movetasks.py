"""SQS message move tasks (DLQ redrive), which moto 5.2 lacks.

StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask, as the SQS API
reference describes them: the source must be the dead-letter queue of SQS queues; the
destination defaults to each message's original source queue; one RUNNING task per
source queue; a background thread moves the messages that were in the queue when the
task started (send to the destination, then delete from the source) at the rate asked.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.sqs.models import Message, Queue, SQSBackend, sqs_backends

from .middleware import Call, Forward, Handler, Reply
from .operations import Operation

MAX_RATE = 500
MAX_RESULTS = 10
#: Messages a task without a rate limit moves per step.
UNLIMITED_BATCH = 10
#: Where the sandbox notes a message's source queue when it puts it in a DLQ itself.
SOURCE_ATTRIBUTE = "lambdatui_dead_letter_source_arn"


class MoveTaskError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def reply(self) -> Reply:
        reply = Reply.json(
            {"__type": f"com.amazonaws.sqs#{self.code}", "message": self.message}, 400
        )
        reply.headers.append(("x-amzn-query-error", f"{self.code};Sender"))
        return reply


@dataclass
class MoveTask:
    handle: str
    account: str
    region: str
    source: Queue
    destination_arn: str | None
    rate: int | None
    to_move: int
    started_ms: int
    status: str = "RUNNING"
    moved: int = 0
    failure: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def entry(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "Status": self.status,
            "SourceArn": self.source.queue_arn,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started_ms,
        }
        if self.status == "RUNNING":
            result["TaskHandle"] = self.handle
        if self.destination_arn:
            result["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            result["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure:
            result["FailureReason"] = self.failure
        return result


def parse_queue_arn(arn: str) -> tuple[str, str, str] | None:
    """(account, region, name) of an SQS queue ARN."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
        return None
    return parts[4], parts[3], parts[5]


def find_queue(arn: str) -> tuple[SQSBackend, Queue] | None:
    parsed = parse_queue_arn(arn)
    if parsed is None:
        return None
    account, region, name = parsed
    if account not in sqs_backends or region not in sqs_backends[account]:
        return None
    backend = sqs_backends[account][region]
    queue = backend.queues.get(name)
    if queue is None or queue.queue_arn != arn:
        return None
    return backend, queue


def dead_letter_sources(backend: SQSBackend, dlq: Queue) -> list[Queue]:
    """The queues whose RedrivePolicy names ``dlq`` as their dead-letter target."""
    sources = []
    for queue in backend.queues.values():
        policy = queue.redrive_policy
        if isinstance(policy, dict) and policy.get("deadLetterTargetArn") == dlq.queue_arn:
            sources.append(queue)
    return sorted(sources, key=lambda q: q.name)


class MessageMoveTasks:
    """The three move-task actions and the threads that run the tasks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: list[MoveTask] = []
        self._handlers: dict[str, Handler] = {
            "StartMessageMoveTask": self._start,
            "ListMessageMoveTasks": self._list,
            "CancelMessageMoveTask": self._cancel,
        }

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service != "sqs":
            return None
        return self._handlers.get(operation.action)

    def reset(self) -> None:
        self.stop()
        with self._lock:
            self._tasks.clear()

    def stop(self) -> None:
        """Stop every task's thread (they stay listed)."""
        with self._lock:
            tasks = list(self._tasks)
        for task in tasks:
            task.stop.set()
        for task in tasks:
            if task.thread is not None and task.thread is not threading.current_thread():
                task.thread.join(timeout=5)

    # The actions.

    def start(
        self, source_arn: str, destination_arn: str | None = None, rate: int | None = None
    ) -> MoveTask:
        found = find_queue(source_arn)
        if found is None:
            raise MoveTaskError(
                "ResourceNotFoundException",
                "The resource that you specified for the SourceArn parameter doesn't exist.",
            )
        backend, source = found
        if not dead_letter_sources(backend, source):
            raise MoveTaskError(
                "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue."
            )
        if destination_arn is not None:
            if destination_arn == source_arn:
                raise MoveTaskError(
                    "InvalidParameterValue", "Destination queue must be different from the source."
                )
            if find_queue(destination_arn) is None:
                raise MoveTaskError(
                    "ResourceNotFoundException",
                    "The resource that you specified for the DestinationArn parameter "
                    "doesn't exist.",
                )
        if rate is not None and not 1 <= rate <= MAX_RATE:
            raise MoveTaskError(
                "InvalidParameterValue",
                f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. "
                f"Reason: must be between 1 and {MAX_RATE}.",
            )
        parsed = parse_queue_arn(source_arn)
        assert parsed is not None
        account, region, _ = parsed
        with self._lock:
            for task in self._tasks:
                if task.source.queue_arn == source_arn and task.status in ("RUNNING", "CANCELLING"):
                    raise MoveTaskError(
                        "UnsupportedOperation",
                        "There is already a task running. Only one active task is allowed "
                        "for a source queue arn at a given time.",
                    )
            handle_info = {"taskId": str(uuid.uuid4()), "sourceArn": source_arn}
            handle = base64.b64encode(json.dumps(handle_info).encode()).decode()
            task = MoveTask(
                handle,
                account,
                region,
                source,
                destination_arn,
                rate,
                len(source.messages),
                int(time.time() * 1000),
            )
            self._tasks.append(task)
            task.thread = threading.Thread(
                target=self._run, args=(task,), name="lambdatui-sqs-move", daemon=True
            )
            task.thread.start()
        return task

    def tasks(self, source_arn: str) -> list[MoveTask]:
        """The tasks of a source queue, newest first."""
        with self._lock:
            return [t for t in reversed(self._tasks) if t.source.queue_arn == source_arn]

    def cancel(self, handle: str) -> MoveTask:
        with self._lock:
            task = next((t for t in self._tasks if t.handle == handle), None)
            if task is None:
                raise MoveTaskError("ResourceNotFoundException", "Task does not exist.")
            if task.status != "RUNNING":
                raise MoveTaskError(
                    "UnsupportedOperation",
                    f"Only a RUNNING task can be cancelled; it is {task.status}.",
                )
            task.status = "CANCELLING"
        task.stop.set()
        return task

    # The HTTP handlers.

    def _start(self, call: Call, forward: Forward) -> Reply:
        body = call.json_body()
        try:
            source = body.get("SourceArn")
            if not isinstance(source, str) or not source:
                raise MoveTaskError(
                    "MissingParameter", "The request must contain the parameter SourceArn."
                )
            destination = body.get("DestinationArn") or None
            rate = body.get("MaxNumberOfMessagesPerSecond")
            task = self.start(source, destination, None if rate is None else int(rate))
        except MoveTaskError as error:
            return error.reply()
        return Reply.json({"TaskHandle": task.handle})

    def _list(self, call: Call, forward: Forward) -> Reply:
        body = call.json_body()
        try:
            source = body.get("SourceArn")
            if not isinstance(source, str) or not source:
                raise MoveTaskError(
                    "MissingParameter", "The request must contain the parameter SourceArn."
                )
            limit = int(body.get("MaxResults") or 1)
            if not 1 <= limit <= MAX_RESULTS:
                raise MoveTaskError(
                    "InvalidParameterValue",
                    f"Value {limit} for parameter MaxResults is invalid. "
                    f"Reason: must be between 1 and {MAX_RESULTS}.",
                )
            if find_queue(source) is None:
                raise MoveTaskError(
                    "ResourceNotFoundException",
                    "The resource that you specified for the SourceArn parameter doesn't exist.",
                )
        except MoveTaskError as error:
            return error.reply()
        return Reply.json({"Results": [task.entry() for task in self.tasks(source)[:limit]]})

    def _cancel(self, call: Call, forward: Forward) -> Reply:
        handle = call.json_body().get("TaskHandle")
        try:
            if not isinstance(handle, str) or not handle:
                raise MoveTaskError(
                    "MissingParameter", "The request must contain the parameter TaskHandle."
                )
            task = self.cancel(handle)
        except MoveTaskError as error:
            return error.reply()
        return Reply.json({"ApproximateNumberOfMessagesMoved": task.moved})

    # The thread.

    def _run(self, task: MoveTask) -> None:
        try:
            self._move_all(task)
        except Exception as error:
            with self._lock:
                task.status = "FAILED"
                task.failure = f"{type(error).__name__}: {error}"
            return
        with self._lock:
            if task.status == "CANCELLING" or (task.stop.is_set() and task.status == "RUNNING"):
                task.status = "CANCELLED"
            elif task.status == "RUNNING":
                task.status = "COMPLETED"

    def _move_all(self, task: MoveTask) -> None:
        backend = sqs_backends[task.account][task.region]
        interval = 1.0 / task.rate if task.rate else 0.0
        began = time.monotonic()
        while task.moved < task.to_move and not task.stop.is_set():
            batch = 1 if task.rate else UNLIMITED_BATCH
            batch = min(batch, task.to_move - task.moved)
            messages = backend.receive_message(
                task.source.name, batch, 0, 30, message_attribute_names=["All"]
            )
            if not messages:
                break
            for message in messages:
                self._move_one(task, backend, message)
                with self._lock:
                    task.moved += 1
            if interval:
                due = began + task.moved * interval
                task.stop.wait(max(0.0, due - time.monotonic()))

    def _move_one(self, task: MoveTask, backend: SQSBackend, message: Message) -> None:
        target_arn = task.destination_arn or getattr(message, SOURCE_ATTRIBUTE, None)
        if target_arn is None:
            sources = dead_letter_sources(backend, task.source)
            if len(sources) != 1:
                raise RuntimeError(
                    f"The original source of message {message.id} is not known; "
                    "name a DestinationArn."
                )
            target_arn = sources[0].queue_arn
        found = find_queue(target_arn)
        if found is None:
            raise RuntimeError(f"AWS.SimpleQueueService.NonExistentQueue: {target_arn}")
        target = found[1]
        moved = Message(message.id, message.body, dict(message.system_attributes))
        moved.message_attributes = dict(message.message_attributes)
        moved.mark_sent()
        target.add_message(moved)
        assert message.receipt_handle is not None
        backend.delete_message(task.source.name, message.receipt_handle)
