"""What the demo world's dead-letter queues and on-failure destinations hold.

Lambda delivers an asynchronous event whose retries are exhausted to the function's
dead-letter queue (the event unchanged, with RequestID, ErrorCode and ErrorMessage
message attributes) and to its on-failure destination (an invocation record, condition
RetriesExhausted). A throttled event whose maximum age ran out goes the same way
(ErrorCode 429; condition EventAgeExceeded, and no response, as nothing ran). The
simulator's failed invocations are written straight into moto's SQS backend that way.
The SQS source queues' DLQs get a handful of messages that failed from their queue.

Message ids come from a seeded generator and, for history, SentTimestamp is the world
time of the failure, so ``simulate="history"`` with a fixed ``now`` is deterministic.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from moto.awslambda.utils import get_backend
from moto.sqs.models import Message, Queue

from .invocations import InvocationType, Outcome, SimulatedInvocation
from .movetasks import SOURCE_ATTRIBUTE, dead_letter_sources, find_queue
from .world import SEED, SeededWorld

ERROR_MESSAGE_LIMIT = 1024
#: Of the failures older than this (before the world clock), one in THIN_EVERY is kept.
THIN_AFTER_MS = 3_600_000
THIN_EVERY = 2

#: moto refuses ChangeMessageVisibility (how a peek gives messages back) on a message
#: sent more than 12 hours before its real clock; older world times are moved closer.
MAX_AGE_MS = 11 * 3_600_000

#: (queue, messages, hours back the oldest failed) for the SQS source queues' DLQs.
SOURCE_DLQS = (("orders-dlq", 7, 9.0), ("catalog-updates-dlq", 5, 7.0))


def iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _truncate(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


class DeadLetterDelivery:
    """A traffic subscriber that fills DLQs and on-failure destinations (SQS only)."""

    def __init__(
        self, account: str, region: str, world: SeededWorld, now_ms: int, seed: int = SEED
    ) -> None:
        self.account = account
        self.region = region
        self.now_ms = now_ms
        self.dead_letters = {
            name: arn for name, arn in world.dead_letter_targets.items() if ":sqs:" in arn
        }
        self.destinations = {
            name: arn for name, arn in world.failure_destinations.items() if ":sqs:" in arn
        }
        self._ids = random.Random(f"{seed}:dead-letters:ids")
        self._thin = random.Random(f"{seed}:dead-letters:thin")
        self._lock = threading.Lock()
        self._arns: dict[str, str] = {}
        self.delivered = 0

    # Helpers.

    def _message_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def _put(
        self,
        arn: str,
        body: str,
        sent_ms: int,
        attributes: Mapping[str, Any] | None = None,
        *,
        receive_count: int = 0,
        source_arn: str | None = None,
    ) -> None:
        found = find_queue(arn)
        if found is None:
            return
        queue: Queue = found[1]
        message = Message(self._message_id(), body)
        if attributes:
            message.message_attributes = dict(attributes)
        message.mark_sent()
        message.sent_timestamp = self._sent_timestamp(sent_ms)  # type: ignore[assignment]
        message.approximate_receive_count = receive_count
        if source_arn is not None:
            setattr(message, SOURCE_ATTRIBUTE, source_arn)
        queue.add_message(message)
        self.delivered += 1

    def _sent_timestamp(self, world_ms: int) -> int:
        """The world's time, unless moto would find it too old (see MAX_AGE_MS)."""
        real_ms = int(time.time() * 1000)
        if world_ms > real_ms - MAX_AGE_MS:
            return world_ms
        return real_ms - min(max(self.now_ms - world_ms, 0), MAX_AGE_MS)

    def _function_arn(self, name: str) -> str:
        arn = self._arns.get(name)
        if arn is None:
            try:
                arn = str(get_backend(self.account, self.region).get_function(name).function_arn)
            except Exception:
                arn = f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"
            self._arns[name] = arn
        return arn

    # Lambda's asynchronous failures.

    def __call__(self, inv: SimulatedInvocation) -> None:
        if (
            inv.will_retry
            or not (inv.outcome.failed or inv.outcome is Outcome.THROTTLED)
            or inv.invocation_type is not InvocationType.ASYNC
            or inv.event is None
        ):
            return
        dead_letter = self.dead_letters.get(inv.function_name)
        destination = self.destinations.get(inv.function_name)
        if dead_letter is None and destination is None:
            return
        with self._lock:
            if inv.end_ms < self.now_ms - THIN_AFTER_MS and self._thin.randrange(THIN_EVERY):
                return
            if dead_letter is not None:
                self._dead_letter(inv, dead_letter)
            if destination is not None:
                self._destination(inv, destination)

    def deliver(
        self, inv: SimulatedInvocation, dead_letter: str | None, destination: str | None
    ) -> None:
        """Deliver a failed event whose retries are exhausted (an invoke the sandbox ran)."""
        if inv.event is None:
            return
        with self._lock:
            if dead_letter is not None and ":sqs:" in dead_letter:
                self._dead_letter(inv, dead_letter)
            if destination is not None and ":sqs:" in destination:
                self._destination(inv, destination)

    def _dead_letter(self, inv: SimulatedInvocation, arn: str) -> None:
        assert inv.event is not None
        message = inv.error_message or inv.error_type or "Unhandled"
        code = "429" if inv.outcome is Outcome.THROTTLED else "200"
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": inv.request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": code},
            "ErrorMessage": {
                "DataType": "String",
                "StringValue": _truncate(message, ERROR_MESSAGE_LIMIT),
            },
        }
        self._put(arn, inv.event, inv.end_ms + 40, attributes)

    def _destination(self, inv: SimulatedInvocation, arn: str) -> None:
        assert inv.event is not None
        try:
            payload: Any = json.loads(inv.event)
        except ValueError:
            payload = inv.event
        expired = inv.outcome is Outcome.THROTTLED
        record: dict[str, Any] = {
            "version": "1.0",
            "timestamp": iso_ms(inv.end_ms + 35),
            "requestContext": {
                "requestId": inv.request_id,
                "functionArn": f"{self._function_arn(inv.function_name)}:{inv.version}",
                "condition": "EventAgeExceeded" if expired else "RetriesExhausted",
                "approximateInvokeCount": inv.attempt - 1 if expired else inv.attempt,
            },
            "requestPayload": payload,
        }
        if not expired:
            record["responseContext"] = {
                "statusCode": 200,
                "executedVersion": inv.version,
                "functionError": "Unhandled",
            }
            record["responsePayload"] = {
                "errorMessage": inv.error_message or "",
                "errorType": inv.error_type or "Error",
                "stackTrace": list(inv.stack_trace),
            }
        self._put(arn, json.dumps(record), inv.end_ms + 60)

    # The SQS source queues' DLQs.

    def seed_source_dlqs(self) -> None:
        """A few messages that exhausted maxReceiveCount on orders-queue and catalog-updates."""
        rng = random.Random(f"{SEED}:dead-letters:sources")
        for name, count, hours in SOURCE_DLQS:
            arn = f"arn:aws:sqs:{self.region}:{self.account}:{name}"
            found = find_queue(arn)
            if found is None:
                continue
            backend, dlq = found
            sources = dead_letter_sources(backend, dlq)
            if not sources:
                continue
            source = sources[0]
            receives = int((source.redrive_policy or {}).get("maxReceiveCount", 5))
            oldest = self.now_ms - int(hours * 3_600_000)
            times = sorted(rng.randint(oldest, self.now_ms - 300_000) for _ in range(count))
            for sent in times:
                body = _order_event(rng, sent) if name == "orders-dlq" else _catalog_event(rng)
                with self._lock:
                    self._put(
                        arn,
                        json.dumps(body),
                        sent,
                        receive_count=receives,
                        source_arn=source.queue_arn,
                    )


def _order_event(rng: random.Random, sent_ms: int) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {
            "sku": f"SKU-{rng.randint(10000, 99999)}",
            "quantity": rng.randint(1, 3),
            "unit_price": round(rng.uniform(6.0, 120.0), 2),
        }
        for _ in range(rng.randint(1, 4))
    ]
    total = round(sum(i["quantity"] * i["unit_price"] for i in items), 2)
    return {
        "type": rng.choice(("order.created", "order.created", "order.paid")),
        "order_id": f"ord_{rng.getrandbits(40):010x}",
        "customer_id": f"cus_{rng.getrandbits(48):012x}",
        "items": items,
        "total": total,
        "currency": rng.choice(("USD", "USD", "EUR", "GBP")),
        "warehouse": rng.choice(("EWR1", "LAS2", "DFW3")),
        "created_at": iso_ms(sent_ms - rng.randint(60_000, 900_000)),
    }


def _catalog_event(rng: random.Random) -> dict[str, Any]:
    return {
        "type": rng.choice(("price.updated", "stock.updated", "product.updated")),
        "supplier": rng.choice(("acme", "globex", "initech", "umbrella")),
        "sku": f"SKU-{rng.randint(10000, 99999)}",
        "price": round(rng.uniform(4.0, 320.0), 2),
        "stock": rng.randint(0, 400),
        "feed_batch": f"feed_{rng.getrandbits(40):010x}",
    }
