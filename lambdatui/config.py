"""Settings: what the app connects to and how it behaves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    # What the header says for the endpoint; defaults to the URL itself.
    endpoint_label: str | None = None
    read_only: bool = False
    theme: str = "textual-dark"
    access_key: str | None = None
    secret_key: str | None = None
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)
    # Log pane: lines kept (oldest dropped first), polling interval, Live Tail on/off.
    log_buffer: int = 100_000
    log_poll_interval: float = 2.0
    live_tail: bool = True
    # Seconds between refreshes of the list's health columns.
    metrics_refresh: float = 60.0
    # Seconds before a pane tries again after a throttle, a 5xx or a lost connection
    # (doubling on each failure, at most a minute).
    retry_after: float = 5.0
    # Tests turn animations and cursor blink off for stable screens.
    animations: bool = True
