"""ReceiveMessage in O(messages received), not O(queue) per message received.

moto 5.2's `SQSBackend.is_message_valid_based_on_retention_period` runs for
every message ReceiveMessage returns and reads the retention period through
`get_queue_attributes`, which builds the queue's whole attribute dict three
times; each build counts visible, in-flight and delayed messages over the
entire queue with a datetime per message. On a queue of 1,000 messages one
receive of 10 took about 0.7 s. The check below is moto's, reading the same
value (`Queue.message_retention_period`, what the attribute reports) directly.
"""

from __future__ import annotations

import threading
import time

from moto.core.utils import unix_time
from moto.sqs.models import Message, SQSBackend

_lock = threading.Lock()
_installed = False


def install() -> None:
    global _installed
    with _lock:
        if _installed:
            return

        def is_message_valid_based_on_retention_period(
            self: SQSBackend, queue_name: str, message: Message
        ) -> bool:
            queue = self.get_queue(queue_name)
            retention_period = int(queue.message_retention_period)  # type: ignore[attr-defined]
            retain_until = retention_period + message.sent_timestamp / 1000  # type: ignore[operator]
            return bool(retain_until > unix_time())

        SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
            is_message_valid_based_on_retention_period
        )

        def visible(self: Message) -> bool:
            return bool(time.time() * 1000.0 > self.visible_at)

        def delayed(self: Message) -> bool:
            return bool(time.time() * 1000.0 < self.delayed_until)

        Message.visible = property(visible)  # type: ignore[assignment,method-assign]
        Message.delayed = property(delayed)  # type: ignore[assignment,method-assign]
        _installed = True
