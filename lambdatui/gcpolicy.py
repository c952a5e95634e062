"""When the cyclic garbage collector runs.

A busy log tail keeps 100,000 records alive; CPython's automatic full
collections then walk all of them every few seconds and stall the screen
for 100 ms or more. The app takes over the schedule instead: young
generations often (cheap), a full pass once a minute. Memory stays bounded
(records are freed by reference counting as they leave the ring buffer; only
cyclic garbage waits for the next pass).
"""

from __future__ import annotations

import gc
import time

YOUNG_EVERY = 0.5  # seconds
MIDDLE_EVERY = 5.0
FULL_EVERY = 60.0


class Collector:
    def __init__(self) -> None:
        self._middle = self._full = time.monotonic()
        self.enabled = False

    def start(self) -> None:
        """Freeze what start-up loaded (it lives as long as the app) and take over."""
        gc.collect()
        gc.freeze()
        gc.disable()
        self.enabled = True

    def stop(self) -> None:
        if self.enabled:
            gc.enable()
            self.enabled = False

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._full >= FULL_EVERY:
            gc.collect(2)
            self._full = self._middle = now
        elif now - self._middle >= MIDDLE_EVERY:
            gc.collect(1)
            self._middle = now
        else:
            gc.collect(0)
