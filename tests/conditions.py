"""Helpers of the tests of acting on the sandbox: waiting on a condition, peeking at a queue."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from lambdatui_sandbox import Sandbox

from .helpers import client

T = TypeVar("T")


def eventually(probe: Callable[[], T], *, within: float = 30.0, every: float = 0.05) -> T:
    """Call ``probe`` until it returns something truthy, and return that.

    Raises AssertionError (with the last value seen) when ``within`` seconds pass first.
    """
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {within} s; last value: {value!r}")
        time.sleep(every)


def peek(box: Sandbox, queue: str) -> list[dict[str, Any]]:
    """Up to ten messages of ``queue`` with their attributes, left visible for the next look."""
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    got = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=0
    )
    return list(got.get("Messages", []))
