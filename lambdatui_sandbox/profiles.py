"""Traffic profiles: how often a function is called, how it behaves, and what it logs."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .invocations import InvocationType, Outcome

Vocabulary = Mapping[str, Callable[[random.Random], str]]
PayloadBuilder = Callable[["Context"], dict[str, Any]]


@dataclass(frozen=True)
class Spread:
    """A lognormal-ish figure: ``median`` and ``sigma``, with a rare slow tail."""

    median: float
    sigma: float = 0.4
    tail: float = 0.015
    tail_factor: tuple[float, float] = (3.0, 8.0)

    def draw(self, rng: random.Random) -> float:
        value = self.median * math.exp(self.sigma * rng.gauss(0.0, 1.0))
        if rng.random() < self.tail:
            value *= rng.uniform(*self.tail_factor)
        return value


@dataclass(frozen=True)
class Ramp:
    """A probability moving linearly from ``low`` at ``start_ms`` to ``high`` at ``end_ms``."""

    start_ms: int
    end_ms: int
    low: float
    high: float

    def at(self, t_ms: int) -> float:
        if t_ms <= self.start_ms:
            return self.low
        if t_ms >= self.end_ms:
            return self.high
        share = (t_ms - self.start_ms) / (self.end_ms - self.start_ms)
        return self.low + (self.high - self.low) * share


@dataclass(frozen=True)
class Backlog:
    """A stream consumer's iterator age: steady at ``steady_ms`` until ``since_ms``, then
    growing by ``growth`` ms per ms of world time (the consumer falling behind), up to
    ``cap_ms`` (the stream's retention). Each batch reads up to ``jitter`` younger."""

    since_ms: int
    steady_ms: float = 800.0
    growth: float = 0.15
    cap_ms: float = 86_400_000.0
    jitter: float = 0.05

    def at(self, t_ms: int, rng: random.Random) -> float:
        age = self.steady_ms + self.growth * max(0, t_ms - self.since_ms)
        return round(min(self.cap_ms, age) * (1.0 - self.jitter * rng.random()), 1)


@dataclass(frozen=True)
class Line:
    """One application log line; ``text`` (or one of its alternatives) is a format string."""

    level: str
    text: str | tuple[str, ...]
    chance: float = 1.0
    fields: tuple[tuple[str, str], ...] = ()
    location: str = ""

    def templates(self) -> tuple[str, ...]:
        return self.text if isinstance(self.text, tuple) else (self.text,)


@dataclass(frozen=True)
class Failure:
    """A way an invocation fails, how often, and what it logs before failing."""

    outcome: Outcome
    chance: float | Ramp
    error_type: str = ""
    message: str = ""
    stack: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()
    context: Mapping[str, str] = field(default_factory=dict)

    def probability(self, t_ms: int, version: str) -> float:
        if self.versions and version not in self.versions:
            return 0.0
        return self.chance.at(t_ms) if isinstance(self.chance, Ramp) else self.chance


@dataclass(frozen=True)
class Every:
    """A schedule firing every ``period`` seconds from ``offset`` (epoch-aligned)."""

    period: float
    offset: float = 0.0
    jitter: float = 1.5

    def next_after(self, t_ms: int) -> int:
        period_ms = int(self.period * 1000)
        offset_ms = int(self.offset * 1000)
        k = (t_ms - offset_ms) // period_ms + 1
        return k * period_ms + offset_ms


@dataclass(frozen=True)
class DailyAt:
    """A schedule at ``hour:minute`` UTC, optionally only on a weekday or day of month."""

    hour: int
    minute: int = 0
    weekday: int | None = None
    monthday: int | None = None
    jitter: float = 1.5

    def next_after(self, t_ms: int) -> int:
        day = (t_ms // 86_400_000) * 86_400_000
        for _ in range(400):
            candidate = day + (self.hour * 3600 + self.minute * 60) * 1000
            stamp = time.gmtime(day // 1000)
            fits = (self.weekday is None or stamp.tm_wday == self.weekday) and (
                self.monthday is None or stamp.tm_mday == self.monthday
            )
            if fits and candidate > t_ms:
                return candidate
            day += 86_400_000
        return t_ms + 400 * 86_400_000


Schedule = Every | DailyAt


@dataclass(frozen=True)
class Bursts:
    """Every ``every`` seconds, ``size`` requests arrive within ``spread`` seconds."""

    every: float
    size: int
    spread: float
    offset: float = 0.0


@dataclass(frozen=True)
class Profile:
    """How one function is driven and how it behaves."""

    rate: float = 0.0
    schedule: Schedule | None = None
    bursts: Bursts | None = None
    kind: InvocationType = InvocationType.SYNC
    style: str = "python"
    duration: Spread = Spread(50.0)
    init: Spread = Spread(220.0, 0.2, 0.0)
    memory: tuple[int, int] = (70, 95)
    lines: tuple[Line, ...] = ()
    failures: tuple[Failure, ...] = ()
    payload: PayloadBuilder | None = None
    wobble: float = 0.15
    backlog: Backlog | None = None


class Context(dict[str, str]):
    """The values an invocation's log lines and payload share, drawn on first use."""

    def __init__(
        self, rng: random.Random, vocabulary: Vocabulary, fixed: Mapping[str, str] = {}
    ) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.vocabulary = vocabulary

    def __missing__(self, key: str) -> str:
        maker = self.vocabulary.get(key)
        value = maker(self.rng) if maker is not None else key
        self[key] = value
        return value
