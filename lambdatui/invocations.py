"""The invocations made in this session (the invoke pane's history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .aws.invoke import InvocationType


@dataclass(frozen=True)
class Invocation:
    """One invoke: what was sent, with which options, and what came back."""

    function: str
    event: str
    event_name: str
    kind: InvocationType
    qualifier: str | None
    when: datetime
    status: str
    failed: bool
    duration_s: float | None = None
    request_id: str = ""
    payload: bytes = b""

    @property
    def options(self) -> str:
        return f"{self.kind.label} · {self.qualifier or '$LATEST'}"
