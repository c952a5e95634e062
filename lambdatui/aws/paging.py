"""Overlap fetching the next page with using the current one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


async def prefetch(pages: AsyncIterator[T], depth: int = 1) -> AsyncIterator[T]:
    """Yield from `pages`, fetching up to `depth` pages ahead while the caller works.

    Errors from `pages` are raised to the caller at the point they occurred.
    """
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=depth)

    async def pump() -> None:
        try:
            async for page in pages:
                await queue.put(page)
        except BaseException as exc:  # handed to the consumer below
            await queue.put(exc)
            return
        await queue.put(_DONE)

    task = asyncio.create_task(pump())
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        task.cancel()


async def merge(sources: list[AsyncIterator[T]]) -> AsyncIterator[T]:
    """Yield items of several iterators as they come, all fetched concurrently.

    The first error is raised once the items before it have been yielded; the
    other iterators are then cancelled.
    """
    if len(sources) == 1:
        async for only in sources[0]:
            yield only
        return
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def pump(source: AsyncIterator[T]) -> None:
        try:
            async for item in source:
                await queue.put(item)
        except BaseException as exc:  # handed to the consumer below
            await queue.put(exc)
            return
        await queue.put(_DONE)

    tasks = [asyncio.create_task(pump(source)) for source in sources]
    running = len(tasks)
    try:
        while running:
            item = await queue.get()
            if item is _DONE:
                running -= 1
                continue
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        for task in tasks:
            task.cancel()
