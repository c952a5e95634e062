"""One log record in full: pretty JSON when it is JSON, every parsed field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..aws.logrecords import LogRecord
from ..safetext import visible
from ..widgets.scroll import KeyScroll
from ..widgets.section import Row, Section

MAX_PRETTY = 512 * 1024


def pretty(raw: str) -> str | None:
    """Indented JSON for a JSON message, else None (never raises)."""
    stripped = raw.strip()
    if not stripped.startswith(("{", "[")) or len(stripped) > MAX_PRETTY:
        return None
    try:
        return json.dumps(json.loads(stripped), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


def _unit(value: float | None, unit: str, digits: int) -> str | None:
    return None if value is None else f"{value:,.{digits}f} {unit}"


def record_rows(record: LogRecord) -> list[Row]:
    when = datetime.fromtimestamp(record.timestamp / 1000, UTC)
    rows: list[Row] = [
        ("Time", when.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"),
        ("Level", record.level.name),
        ("Kind", record.kind.name.lower()),
        ("Request id", record.request_id or "-"),
        ("Log group", record.log_group),
        ("Log stream", record.log_stream),
    ]
    for label, value in (
        ("Service", record.service),
        ("Location", record.location),
        ("X-Ray trace", record.xray_trace_id),
        ("Exception", record.exception_name),
    ):
        if value:
            rows.append((label, value))
    if record.cold_start is not None:
        rows.append(("Cold start", "yes" if record.cold_start else "no"))
    report = record.report
    if report is not None:
        figures: list[tuple[str, str | None]] = [
            ("Duration", _unit(report.duration_ms, "ms", 2)),
            ("Billed", _unit(report.billed_duration_ms, "ms", 0)),
            ("Memory size", _unit(report.memory_size_mb, "MB", 0)),
            ("Max memory used", _unit(report.max_memory_used_mb, "MB", 0)),
            ("Init duration", _unit(report.init_duration_ms, "ms", 2)),
            ("Status", report.status),
            ("Error type", report.error_type),
        ]
        rows += [(label, value) for label, value in figures if value]
    for key, value in record.fields:
        text = value if isinstance(value, str) else json.dumps(value, default=str)[:4096]
        rows.append((key, text))
    return rows


class LogLineScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="logline.close"),
        Binding("y", "copy", "Copy line", id="logline.copy"),
    ]

    def __init__(self, record: LogRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        record = self.record
        with KeyScroll(id="logline"):
            yield Section("Log line", record_rows(record))
            yield Static(Content.styled("Message", "bold $text-accent"))
            body = pretty(record.raw) or record.message or record.raw
            yield Static(Content(visible(body, keep_newlines=True)), id="logline-body")
            if record.exception and record.exception not in body:
                yield Static(Content.styled("Exception", "bold $text-accent"))
                yield Static(Content(visible(record.exception, keep_newlines=True)))

    def action_copy(self) -> None:
        copy = getattr(self.app, "copy", None)
        if callable(copy):
            copy(self.record.raw, "the log line")
