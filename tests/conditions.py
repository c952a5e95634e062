"""Waiting on a condition with a deadline, for tests of what the sandbox does over time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

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
