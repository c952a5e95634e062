"""Send failed messages back, deleting each only after its new home accepted it.

Two per-message paths, for marked messages or all of them:
- re-invoke the function asynchronously with the original event (202 = accepted);
- send to a chosen queue (SendMessageBatch, 10 at a time).
A message leaves the DLQ (DeleteMessageBatch) only after that; a failure leaves
it in the DLQ, visible again, with the error kept. Stopping between messages
leaves every unacknowledged message in the DLQ.
And the native path for SQS-sourced DLQs: StartMessageMoveTask, its progress
and its cancellation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .dlq import RECEIVE_MAX, RECEIVE_WAIT_S, DlqMessage, decode, queue_url, release
from .errors import AwsError
from .session import AwsSession, call

RECEIVE_VISIBILITY_S = 60


@dataclass
class Progress:
    total: int
    done: int = 0
    failed: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # message id -> why
    stopped: bool = False

    @property
    def remaining(self) -> int:
        return max(self.total - self.done - self.failed, 0)


Deliver = Callable[[list[tuple[dict[str, Any], DlqMessage]]], Awaitable[dict[str, str | None]]]
"""Delivers a batch; returns {message id: None if accepted, else the error}."""


async def redrive(
    session: AwsSession,
    source_arn: str,
    deliver: Deliver,
    progress: Progress,
    *,
    only: set[str] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: Callable[[Progress], None] = lambda p: None,
    batch_size: int = RECEIVE_MAX,
) -> Progress:
    """Move `only` these message ids (or all) out of the DLQ through `deliver`."""
    url = queue_url(source_arn, session.target.endpoint_url, session.region)
    handled: set[str] = set()
    # Messages not moved (not chosen, or refused) stay hidden until the run ends,
    # so each receive brings new ones; then they are all made visible again.
    held: list[dict[str, Any]] = []
    try:
        while not should_stop():
            reply = await call(
                session,
                "sqs",
                "ReceiveMessage",
                QueueUrl=url,
                MaxNumberOfMessages=RECEIVE_MAX,
                VisibilityTimeout=RECEIVE_VISIBILITY_S,
                WaitTimeSeconds=RECEIVE_WAIT_S,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = reply.get("Messages") or []
            if not received:
                break
            chosen = [
                m
                for m in received
                if m["MessageId"] not in handled and (only is None or m["MessageId"] in only)
            ]
            held.extend(m for m in received if m not in chosen)
            for start in range(0, len(chosen), batch_size):
                batch = chosen[start : start + batch_size]
                if should_stop():
                    held.extend(chosen[start:])
                    break
                held.extend(await _deliver_batch(session, url, batch, deliver, progress))
                handled.update(m["MessageId"] for m in batch)
                on_progress(progress)
            if only is not None and only <= handled:
                break
        progress.stopped = should_stop()
    finally:
        if held:
            await asyncio.shield(release(session, url, held))
    on_progress(progress)
    return progress


async def _deliver_batch(
    session: AwsSession, url: str, batch: list[dict[str, Any]], deliver: Deliver, progress: Progress
) -> list[dict[str, Any]]:
    """Deliver, then delete what was accepted; returns the refused messages."""
    try:
        outcome = await deliver([(m, decode(m)) for m in batch])
    except AwsError as exc:
        outcome = {m["MessageId"]: exc.sentence for m in batch}
    accepted = [m for m in batch if outcome.get(m["MessageId"], "not delivered") is None]
    refused = [m for m in batch if m not in accepted]
    for m in refused:
        progress.failed += 1
        progress.errors[m["MessageId"]] = str(outcome.get(m["MessageId"]) or "not delivered")
    if accepted:
        progress.done += await _delete(session, url, accepted)
    return refused


async def _delete(session: AwsSession, url: str, messages: list[dict[str, Any]]) -> int:
    reply = await call(
        session,
        "sqs",
        "DeleteMessageBatch",
        QueueUrl=url,
        Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ],
    )
    return len(reply.get("Successful") or [])


def invoke_delivery(session: AwsSession, function: str) -> Deliver:
    """Re-invoke `function` asynchronously with each message's original event."""

    async def one(message: DlqMessage) -> str | None:
        try:
            reply = await call(
                session,
                "lambda",
                "Invoke",
                FunctionName=function,
                InvocationType="Event",
                Payload=message.original_event.encode(),
            )
        except AwsError as exc:
            return exc.sentence
        status = reply.get("StatusCode")
        return None if status == 202 else f"Invoke answered {status}, not 202"

    async def deliver(batch: list[tuple[dict[str, Any], DlqMessage]]) -> dict[str, str | None]:
        results = await asyncio.gather(*(one(decoded) for _, decoded in batch))
        return {raw["MessageId"]: result for (raw, _), result in zip(batch, results, strict=True)}

    return deliver


def queue_delivery(session: AwsSession, target_arn: str) -> Deliver:
    """Send each message (body and message attributes) to another queue, 10 per call."""
    url = queue_url(target_arn, session.target.endpoint_url, session.region)

    async def deliver(batch: list[tuple[dict[str, Any], DlqMessage]]) -> dict[str, str | None]:
        entries = []
        for i, (raw, _) in enumerate(batch):
            entry: dict[str, Any] = {"Id": str(i), "MessageBody": raw.get("Body", "")}
            if raw.get("MessageAttributes"):
                entry["MessageAttributes"] = raw["MessageAttributes"]
            entries.append(entry)
        reply = await call(session, "sqs", "SendMessageBatch", QueueUrl=url, Entries=entries)
        outcome: dict[str, str | None] = {raw["MessageId"]: "not acknowledged" for raw, _ in batch}
        for ok in reply.get("Successful") or []:
            outcome[batch[int(ok["Id"])][0]["MessageId"]] = None
        for bad in reply.get("Failed") or []:
            outcome[batch[int(bad["Id"])][0]["MessageId"]] = str(
                bad.get("Message") or bad.get("Code") or "failed"
            )
        return outcome

    return deliver


@dataclass(frozen=True, slots=True)
class MoveTask:
    handle: str | None
    status: str
    moved: int
    to_move: int | None
    failure: str | None = None

    @property
    def running(self) -> bool:
        return self.status == "RUNNING"

    @property
    def sentence(self) -> str:
        """What the task did so far, e.g. "Move task running: 40 of 135 moved"."""
        total = "?" if self.to_move is None else f"{self.to_move:,}"
        text = f"Move task {self.status.lower()}: {self.moved:,} of {total} moved"
        return text + (f" ({self.failure})" if self.failure else "")


async def start_move(
    session: AwsSession,
    source_arn: str,
    destination_arn: str | None = None,
    rate: int | None = None,
) -> str:
    params: dict[str, Any] = {"SourceArn": source_arn}
    if destination_arn:
        params["DestinationArn"] = destination_arn
    if rate:
        params["MaxNumberOfMessagesPerSecond"] = rate
    reply = await call(session, "sqs", "StartMessageMoveTask", **params)
    return str(reply.get("TaskHandle", ""))


async def move_tasks(session: AwsSession, source_arn: str) -> list[MoveTask]:
    reply = await call(session, "sqs", "ListMessageMoveTasks", SourceArn=source_arn, MaxResults=10)
    return [
        MoveTask(
            handle=r.get("TaskHandle"),
            status=str(r.get("Status", "")),
            moved=int(r.get("ApproximateNumberOfMessagesMoved") or 0),
            to_move=r.get("ApproximateNumberOfMessagesToMove"),
            failure=r.get("FailureReason"),
        )
        for r in reply.get("Results") or []
    ]


async def cancel_move(session: AwsSession, handle: str) -> int:
    reply = await call(session, "sqs", "CancelMessageMoveTask", TaskHandle=handle)
    return int(reply.get("ApproximateNumberOfMessagesMoved") or 0)
