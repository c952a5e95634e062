"""Where a function's failures go, how deep those queues are, and peeking without consuming."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from .errors import AwsError
from .models import FunctionDetail
from .session import AwsSession, call

Kind = Literal[
    "dead-letter queue",
    "on-failure destination",
    "source queue DLQ",
    "stream on-failure destination",
]

# ReceiveMessage returns at most 10 messages per call.
T = TypeVar("T")
RECEIVE_MAX = 10
# Long polling: a short poll samples some of SQS's servers and can come back
# empty while messages remain; one second of long polling asks all of them.
RECEIVE_WAIT_S = 1


@dataclass(frozen=True, slots=True)
class FailureTarget:
    """One place where a function's failed events end up."""

    arn: str
    kind: Kind
    function: str
    via: str = ""  # the event source queue or stream, for mapping-related targets

    @property
    def service(self) -> str:
        parts = self.arn.split(":")
        return parts[2] if len(parts) > 2 else ""

    @property
    def can_peek(self) -> bool:
        return self.service == "sqs"

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]


def queue_url(arn: str, endpoint_url: str | None, region: str) -> str:
    """The queue URL for an SQS ARN (what GetQueueUrl would return)."""
    _, _, _, arn_region, account, name = arn.split(":", 5)
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{account}/{name}"
    return f"https://sqs.{arn_region or region}.amazonaws.com/{account}/{name}"


async def failure_targets(
    session: AwsSession, function: str, detail: FunctionDetail
) -> list[FailureTarget]:
    """Every place the function's failures go: its DLQ, its async on-failure
    destination, the DLQ of each SQS source queue, each stream mapping's
    on-failure destination."""
    found: list[FailureTarget] = []
    config = detail.configuration.value
    if config is not None and config.dlq_target:
        found.append(FailureTarget(config.dlq_target, "dead-letter queue", function))
    async_config = detail.async_config.value
    if async_config is not None and async_config.on_failure:
        found.append(FailureTarget(async_config.on_failure, "on-failure destination", function))
    for mapping in detail.mappings.value or ():
        source = mapping.source_arn
        if source.startswith("arn:aws:sqs:"):
            dlq = await source_queue_dlq(session, source)
            if dlq:
                found.append(FailureTarget(dlq, "source queue DLQ", function, via=source))
        elif mapping.on_failure:
            found.append(
                FailureTarget(
                    mapping.on_failure, "stream on-failure destination", function, via=source
                )
            )
    return found


async def source_queue_dlq(session: AwsSession, queue_arn: str) -> str | None:
    """The deadLetterTargetArn of an SQS queue's RedrivePolicy, if it has one."""
    url = queue_url(queue_arn, session.target.endpoint_url, session.region)
    reply = await call(
        session, "sqs", "GetQueueAttributes", QueueUrl=url, AttributeNames=["RedrivePolicy"]
    )
    policy = redrive_policy((reply.get("Attributes") or {}).get("RedrivePolicy"))
    return policy.target_arn if policy else None


@dataclass(frozen=True, slots=True)
class RedrivePolicy:
    """A queue's own RedrivePolicy: after `max_receives` receives a message moves on."""

    target_arn: str
    max_receives: int | None

    @property
    def target_name(self) -> str:
        return self.target_arn.rsplit(":", 1)[-1]

    @property
    def sentence(self) -> str:
        after = "" if self.max_receives is None else f" after {self.max_receives} receives"
        return f"its redrive policy moves a message to {self.target_name}{after} (maxReceiveCount)"


def redrive_policy(text: str | None) -> RedrivePolicy | None:
    """The RedrivePolicy attribute (a JSON string), if it names a target."""
    if not text:
        return None
    try:
        policy = json.loads(text)
        target = str(policy.get("deadLetterTargetArn") or "")
        count = policy.get("maxReceiveCount")
        receives = int(count) if count is not None else None
    except (ValueError, TypeError, AttributeError):
        return None
    return RedrivePolicy(target, receives) if target else None


@dataclass(frozen=True, slots=True)
class Depth:
    visible: int
    in_flight: int
    delayed: int
    # The queue's own redrive policy: receiving (peeking) counts toward it.
    policy: RedrivePolicy | None = None

    @property
    def total(self) -> int:
        return self.visible + self.in_flight


async def queue_depth(session: AwsSession, arn: str) -> Depth:
    url = queue_url(arn, session.target.endpoint_url, session.region)
    reply = await call(
        session,
        "sqs",
        "GetQueueAttributes",
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
            "RedrivePolicy",
        ],
    )
    attrs = reply.get("Attributes") or {}
    return Depth(
        visible=int(attrs.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
        delayed=int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)),
        policy=redrive_policy(attrs.get("RedrivePolicy")),
    )


@dataclass(frozen=True, slots=True)
class DlqMessage:
    message_id: str
    body: str
    receive_count: int
    sent: datetime | None
    first_received: datetime | None
    attributes: tuple[tuple[str, str], ...] = ()
    # Decoded from what Lambda puts there.
    request_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def original_event(self) -> str:
        """The event the function received: the body, or a destination record's payload."""
        if self.record and "requestPayload" in self.record:
            return json.dumps(self.record["requestPayload"], indent=2)
        return self.body


def export_message(message: DlqMessage) -> dict[str, object]:
    """One message as a JSON object, as DLQ exports write it."""
    return {
        "messageId": message.message_id,
        "body": message.body,
        "sentTimestamp": message.sent.isoformat() if message.sent else None,
        "approximateReceiveCount": message.receive_count,
        "messageAttributes": dict(message.attributes),
    }


def _epoch_ms(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def decode(message: dict[str, Any]) -> DlqMessage:
    """A received SQS message, with Lambda's DLQ attributes or destination record decoded."""
    system = message.get("Attributes") or {}
    attrs = {
        name: str(value.get("StringValue") or value.get("BinaryValue") or "")
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    body = str(message.get("Body", ""))
    record: dict[str, Any] = {}
    request_id = attrs.get("RequestID")
    if body.lstrip().startswith("{") and "requestContext" in body:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("requestContext"), dict):
            record = parsed
            request_id = request_id or parsed["requestContext"].get("requestId")
    response = record.get("responsePayload") if record else None
    error_message = attrs.get("ErrorMessage")
    if isinstance(response, dict):
        error_message = error_message or response.get("errorMessage")
    return DlqMessage(
        message_id=str(message.get("MessageId", "")),
        body=body,
        receive_count=int(system.get("ApproximateReceiveCount", 0) or 0),
        sent=_epoch_ms(system.get("SentTimestamp")),
        first_received=_epoch_ms(system.get("ApproximateFirstReceiveTimestamp")),
        attributes=tuple(sorted(attrs.items())),
        request_id=request_id,
        error_code=attrs.get("ErrorCode"),
        error_message=error_message,
        record=record,
    )


async def peek(
    session: AwsSession, arn: str, *, limit: int = RECEIVE_MAX, visibility_s: int | None = None
) -> list[DlqMessage]:
    """Read up to `limit` messages without consuming them; never deletes.

    Messages already read stay hidden while the next page is read, so each
    read brings new ones; then all of them are made visible again with
    ChangeMessageVisibilityBatch(0), also when a read fails or the peek is
    cancelled. The visibility timeout covers the whole peek (2 s per page, at
    least 20 s, at most 5 minutes): if the release never happens, the
    messages come back by themselves after that.
    """
    url = queue_url(arn, session.target.endpoint_url, session.region)
    if visibility_s is None:
        visibility_s = min(max(20, 2 * -(-limit // RECEIVE_MAX)), 300)
    # One peek of a queue at a time: a second one would find the first one's
    # messages hidden (received, not yet released) and see an empty queue.
    async with session.lock(f"peek:{url}"):
        held: dict[str, dict[str, Any]] = {}
        received: list[dict[str, Any]] = []
        cancelled = False
        try:
            while len(held) < limit and not cancelled:
                # A receive is never abandoned half way: its messages are hidden
                # once SQS has it, and only its reply says which to make visible.
                reply, cancelled = await _to_the_end(
                    call(
                        session,
                        "sqs",
                        "ReceiveMessage",
                        QueueUrl=url,
                        MaxNumberOfMessages=min(RECEIVE_MAX, limit - len(held)),
                        VisibilityTimeout=visibility_s,
                        WaitTimeSeconds=RECEIVE_WAIT_S,
                        MessageSystemAttributeNames=["All"],
                        MessageAttributeNames=["All"],
                    )
                )
                messages = reply.get("Messages") or []
                received.extend(messages)
                fresh = [m for m in messages if m.get("MessageId") not in held]
                if not fresh:
                    break
                held.update((str(m.get("MessageId")), m) for m in fresh)
        finally:
            # The newest receipt handle of each message is the one that counts.
            latest = {str(m.get("MessageId")): m for m in received}
            if latest:
                # Released before the lock is, even when this peek is cancelled.
                _, interrupted = await _to_the_end(release(session, url, list(latest.values())))
                cancelled = cancelled or interrupted
        if cancelled:
            raise asyncio.CancelledError
        return [decode(m) for m in held.values()]


async def _to_the_end(work: Awaitable[T]) -> tuple[T, bool]:
    """Run `work` to its end however often the caller is cancelled meanwhile; its
    result, and whether a cancellation came (for the caller to honour after)."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    return task.result(), cancelled


async def release(session: AwsSession, url: str, messages: list[dict[str, Any]]) -> None:
    """Make received messages visible again (visibility timeout 0), in batches of 10."""
    entries = [
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
        for i, m in enumerate(messages)
    ]
    calls = [
        call(
            session,
            "sqs",
            "ChangeMessageVisibilityBatch",
            QueueUrl=url,
            Entries=entries[i : i + RECEIVE_MAX],
        )
        for i in range(0, len(entries), RECEIVE_MAX)
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, AwsError):
            raise result
