"""A cheaper clock for moto's SQS messages.

moto asks every message whether it is visible or delayed, for every message of the
queue, several times per ReceiveMessage, and each answer builds two datetimes
(``unix_time_millis``). On a queue of 1,000 messages that made one receive cost
about 0.7 s. The same comparison against ``time.time()`` (what those datetimes
amount to: milliseconds since the epoch) gives the same answers for a fraction of
the cost.
"""

from __future__ import annotations

import time

from moto.sqs.models import Message

_installed = False


def _visible(self: Message) -> bool:
    return time.time() * 1000.0 > self.visible_at


def _delayed(self: Message) -> bool:
    return time.time() * 1000.0 < self.delayed_until


def install() -> None:
    global _installed
    if _installed:
        return
    Message.visible = property(_visible)  # type: ignore[assignment,method-assign]
    Message.delayed = property(_delayed)  # type: ignore[assignment,method-assign]
    _installed = True
