"""Lambda runtime deprecation dates, from the one data file lambdatui/data/runtimes.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

# A runtime whose deprecation is this close counts as "deprecated soon".
SOON_DAYS = 180


@dataclass(frozen=True, slots=True)
class RuntimeSchedule:
    id: str
    deprecated: date
    block_create: date | None = None
    block_update: date | None = None
    upgrade: str | None = None


@cache
def schedules() -> dict[str, RuntimeSchedule]:
    text = resources.files("lambdatui").joinpath("data/runtimes.toml").read_text("utf-8")
    out: dict[str, RuntimeSchedule] = {}
    for entry in tomllib.loads(text).values():
        schedule = RuntimeSchedule(
            id=str(entry["id"]),
            deprecated=entry["deprecated"],
            block_create=entry.get("block_create"),
            block_update=entry.get("block_update"),
            upgrade=entry.get("upgrade"),
        )
        out[schedule.id] = schedule
    return out


def schedule(runtime: str) -> RuntimeSchedule | None:
    return schedules().get(runtime)
