"""What an Invoke of a demo function does: the story its simulated traffic tells.

The traffic simulator draws each invocation from the function's profile (stories.py):
the lines it logs, how long it runs, whether and how it fails for the version that runs.
An Invoke of a demo function whose code the sandbox does not have tells the same story
through the executor's stand-in (handlers.py), so what the response says and what the
logs show is what the function's traffic shows:

- An event the simulated traffic failed (a dead-letter message, say) fails again the
  same way, with the same lines, as long as its failure still befalls the version that
  runs now (a rollback to a version the failure spares makes it succeed).
- Any other event fails as often as the traffic does at this moment of the story, the
  draw seeded by the function, the version and the event: the same event meets the
  same fate each time.
- Runs longer than a few seconds are shortened by the sandbox's time scale (AWS's own
  durations at a time scale of 1).

Functions with code of their own (handlers.STORY_CODE) run it; that code is written to
tell their story.
"""

from __future__ import annotations

import json
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .handlers import STORY_CODE
from .invocations import Outcome
from .profiles import Context, Failure, Line, Profile, Vocabulary

#: Runs up to this long take their story's time; longer ones are scaled down to it or more.
REAL_RUN_MS = 3000.0
#: Failed events remembered per function.
REMEMBERED = 2000


def canonical(event: Any) -> str:
    """One text per event, whatever the spacing or key order it came in."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), default=str)


class EventMemory:
    """The events the simulated traffic failed, per function, with what their story drew."""

    def __init__(self, per_function: int = REMEMBERED) -> None:
        self.per_function = per_function
        self._lock = threading.Lock()
        self._events: dict[str, OrderedDict[str, tuple[Failure, dict[str, str]]]] = {}

    def remember(self, function: str, event: str, failure: Failure, context: Context) -> None:
        try:
            key = canonical(json.loads(event))
        except ValueError:
            return
        with self._lock:
            known = self._events.setdefault(function, OrderedDict())
            known[key] = (failure, dict(context))
            known.move_to_end(key)
            while len(known) > self.per_function:
                known.popitem(last=False)

    def recall(self, function: str, event: Any) -> tuple[Failure, dict[str, str]] | None:
        with self._lock:
            known = self._events.get(function)
            return known.get(canonical(event)) if known is not None else None


@dataclass(frozen=True)
class Story:
    """One invocation as the stand-in tells it."""

    outcome: Outcome
    lines: tuple[tuple[str, str, dict[str, str], str], ...]
    run_ms: float
    init_ms: float
    memory_mb: int
    error: dict[str, Any] | None = None
    result: Any = None

    def request(self) -> dict[str, Any]:
        """What the stand-in reads as ``context.story``."""
        return {
            "outcome": self.outcome.value,
            "lines": [list(line) for line in self.lines],
            "runMs": self.run_ms,
            "error": self.error,
            "result": self.result,
        }


class StoryTeller:
    """Stories of the demo functions, for the invocations the sandbox runs."""

    def __init__(
        self,
        profiles: Mapping[str, Profile],
        vocabulary: Vocabulary,
        memory: EventMemory,
        now_ms: Callable[[], int],
        time_scale: float,
    ) -> None:
        self.profiles = profiles
        self.vocabulary = vocabulary
        self.memory = memory
        self.now_ms = now_ms
        self.time_scale = time_scale

    def style(self, function: str) -> str | None:
        """How the function's logging library writes (None when it has no story)."""
        profile = self.profiles.get(function)
        return profile.style if profile is not None else None

    def tells(self, function: str) -> bool:
        """Whether the stand-in tells this function's story (it has no code of its own)."""
        return function in self.profiles and function not in STORY_CODE

    def story(self, function: str, version: str, event: Any, memory_mb: int) -> Story:
        """How this invocation goes; ``memory_mb`` is the function's memory size."""
        profile = self.profiles[function]
        rng = random.Random(f"{function}:{version}:{canonical(event)}")
        context = Context(rng, self.vocabulary, _values(event, self.vocabulary))
        now = self.now_ms()
        failure: Failure | None = None
        remembered = self.memory.recall(function, event)
        if remembered is not None:
            context.update(remembered[1])
            if remembered[0].probability(now, version) > 0:
                failure = remembered[0]
        else:
            for candidate in profile.failures:
                chance = candidate.probability(now, version)
                if chance > 0 and rng.random() < chance:
                    failure = candidate
                    for key, template in candidate.context.items():
                        context[key] = template.format_map(context)
                    break
        outcome = Outcome.OK if failure is None else failure.outcome
        init = round(profile.init.draw(rng), 2)
        used = min(memory_mb - 1, int(rng.uniform(*profile.memory)))
        duration = profile.duration.draw(rng)
        if outcome is Outcome.ERROR:
            duration *= 0.3 + 0.7 * rng.random()
        elif outcome is Outcome.OOM:
            duration *= 0.6 + rng.random()
        error = None
        if failure is not None and outcome is not Outcome.TIMEOUT:
            error = {
                "errorType": failure.error_type or "Error",
                "errorMessage": failure.message,
                "stackTrace": list(failure.stack),
            }
        return Story(
            outcome=outcome,
            lines=tuple(_lines(profile, failure, outcome, context)),
            run_ms=self.run_ms(duration),
            init_ms=init,
            memory_mb=memory_mb if outcome is Outcome.OOM else max(1, used),
            error=error,
            result=_stand_in_result(function, version),
        )

    def run_ms(self, duration_ms: float) -> float:
        """How long the stand-in runs for a story that takes ``duration_ms``."""
        if duration_ms <= REAL_RUN_MS:
            return duration_ms
        return max(REAL_RUN_MS, duration_ms * self.time_scale)


def _lines(
    profile: Profile, failure: Failure | None, outcome: Outcome, context: Context
) -> list[tuple[str, str, dict[str, str], str]]:
    """The lines the function logs, chosen as the traffic simulator chooses them."""
    templates: tuple[Line, ...]
    if failure is not None and failure.lines:
        templates = failure.lines
    elif outcome is Outcome.TIMEOUT:
        templates = profile.lines[: max(1, len(profile.lines) // 2)]
    else:
        templates = profile.lines
    rng = context.rng
    told = []
    for line in templates:
        if line.chance < 1.0 and rng.random() >= line.chance:
            continue
        options = line.templates()
        template = options[0] if len(options) == 1 else rng.choice(options)
        fields = {key: value.format_map(context) for key, value in line.fields}
        told.append((line.level, template.format_map(context), fields, line.location))
    return told


def _values(event: Any, vocabulary: Vocabulary, depth: int = 4) -> dict[str, str]:
    """Values an event names that the story's lines use (an order id, a template...)."""
    found: dict[str, str] = {}
    stack: list[tuple[Any, int]] = [(event, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, (dict, list)) and level < depth:
                    stack.append((value, level + 1))
                elif key in vocabulary and isinstance(value, (str, int, float)):
                    found.setdefault(str(key), str(value))
        elif isinstance(item, list) and level < depth:
            stack.extend((value, level + 1) for value in item[:20])
    return found


def _stand_in_result(function: str, version: str) -> dict[str, str]:
    return {
        "standIn": (
            f"{function} (version {version}) is answered by the demo's stand-in, which "
            "logged what the function's traffic logs: the sandbox has no code of it to run."
        )
    }
