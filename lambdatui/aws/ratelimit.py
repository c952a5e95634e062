"""Quotas kept on the console's side, serving what the operator waits for first.

Lambda's control plane allows 15 requests/s per account and region for most
calls together (GetFunction 100/s and GetPolicy 15/s of their own); CloudWatch
Logs about 5 FilterLogEvents/s. A launch's ListFunctions pages share the 15/s
with the findings scan, so a bucket hands its tokens out by priority: the
list's pages first, then what is on screen, then background scans. The caller
says which with `priority(...)`; a task inherits its creator's priority.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from enum import IntEnum


class Priority(IntEnum):
    """Who is waiting for a call: lower is served first."""

    LISTING = 0  # ListFunctions pages: the list the operator is waiting to see
    FOREGROUND = 1  # what is on screen (rows' State, a pane the operator opened)
    BACKGROUND = 2  # scans: findings, alarms, rows off screen


_current: ContextVar[Priority] = ContextVar("lambdatui_priority", default=Priority.FOREGROUND)


def current_priority() -> Priority:
    return _current.get()


@contextlib.contextmanager
def priority(level: Priority) -> Iterator[None]:
    """Calls made in this block (and tasks created in it) wait at `level`."""
    token = _current.set(level)
    try:
        yield
    finally:
        _current.reset(token)


class RateLimit:
    """A token bucket: at most `rate` acquisitions per second, bursts up to `burst`.

    Callers that find it empty queue by (priority, arrival); one granter hands
    out tokens as they refill, so a waiting LISTING call goes before every
    waiting BACKGROUND one whatever their order of arrival.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else rate
        self.clock = clock
        self.sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()
        self._granter: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waited = 0.0

    @property
    def waiting(self) -> int:
        """Calls waiting for a token now."""
        return sum(1 for *_, waiter in self._queue if not waiter.done())

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def _take(self) -> bool:
        self._refill()
        # (A hair under 1 counts: float sums of refills stop just short.)
        if self._tokens >= 1 - 1e-9:
            self._tokens = max(self._tokens - 1, 0.0)
            return True
        return False

    async def acquire(self, level: Priority | None = None) -> None:
        """Wait for a token; `level` defaults to the caller's `priority(...)`."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # (a new event loop: nothing of the old one waits)
            self._loop = loop
            self._queue.clear()
            self._granter = None
        if not self._queue and self._take():
            return
        waiter: asyncio.Future[None] = loop.create_future()
        rank = current_priority() if level is None else level
        heapq.heappush(self._queue, (int(rank), next(self._arrivals), waiter))
        if self._granter is None or self._granter.done():
            self._granter = loop.create_task(self._grant())
        await waiter

    async def _grant(self) -> None:
        queue = self._queue
        while True:
            while queue and queue[0][2].done():  # given up (cancelled) meanwhile
                heapq.heappop(queue)
            if not queue:
                return
            if self._take():
                heapq.heappop(queue)[2].set_result(None)
                continue
            wait = (1 - self._tokens) / self.rate
            self.waited += wait
            await self.sleep(wait)
