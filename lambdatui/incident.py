"""Incident snapshot: one function's state written as Markdown, its logs as JSONL beside it.

The report holds the configuration (environment values masked), the metrics of
the window (a table and sparklines), the last errors with their request ids,
and each failure target's depth with a sample of its messages. Every part that
cannot be read says why instead of stopping the report.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import format as fmt
from .aws.dlq import DlqMessage, failure_targets, peek, queue_depth
from .aws.errors import AwsError
from .aws.functions import function_detail
from .aws.logparse import StreamContext, is_continuation
from .aws.logrecords import Level, LogRecord, RecordKind, export_record
from .aws.logs import filter_pages
from .aws.metrics import HEALTH, Series, fetch, health_queries, period_for, window_bounds
from .aws.models import Function, FunctionDetail
from .aws.session import AwsSession
from .files import write_jsonl, write_text
from .format import plural, sparkline
from .safetext import visible

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .journal import Entry

T = TypeVar("T")

WINDOW_S = 3600
# Log history read when no log pane holds this function's lines.
LOG_HISTORY_S = 900
MAX_FETCHED_RECORDS = 20_000
LAST_ERRORS = 20
DLQ_SAMPLE = 3
BODY_CHARS = 1_000
MASK = "••••••"


@dataclass(frozen=True)
class Snapshot:
    report: Path
    logs: Path
    records: int
    errors: int


def _cell(text: object) -> str:
    return visible(str(text), limit=300).replace("|", "\\|")


def _fenced(text: str) -> str:
    body = visible(text[:BODY_CHARS], keep_newlines=True)
    if len(text) > BODY_CHARS:
        body += f"\n…[{plural(len(text) - BODY_CHARS, 'more char')}]"
    longest = max((len(m) for m in re.findall(r"~+", body)), default=0)
    fence = "~" * max(3, longest + 1)
    return f"{fence}\n{body}\n{fence}"


async def _try(make: Awaitable[T]) -> T | str:
    try:
        return await make
    except AwsError as exc:
        return f"unavailable: {exc.sentence}"


def is_error(record: LogRecord) -> bool:
    if is_continuation(record.raw):
        return False  # a stack frame: the line that began the trace is the error
    if record.level >= Level.ERROR or record.kind is RecordKind.TIMEOUT or record.exception:
        return True
    return record.report is not None and record.report.status not in (None, "", "success")


async def _fetch_logs(session: AwsSession, fn: Function, now: datetime) -> list[LogRecord]:
    start = int((now - timedelta(seconds=LOG_HISTORY_S)).timestamp() * 1000)
    out: list[LogRecord] = []
    async for page in filter_pages(session, fn.log_group, start):
        out.extend(page)
        if len(out) >= MAX_FETCHED_RECORDS:
            break
    # FilterLogEvents interleaves streams: the report reads them in time order.
    out.sort(key=lambda r: r.timestamp)
    return StreamContext().apply(out[-MAX_FETCHED_RECORDS:])


async def _metrics(session: AwsSession, fn: Function, now: datetime) -> dict[str, Series]:
    period = period_for(WINDOW_S)
    start, end = window_bounds(now, WINDOW_S, period)
    queries = health_queries([fn.name])
    series = await fetch(session, queries, start, end, period)
    return {q.spec.key: series[q.id] for q in queries}


async def _dlqs(
    session: AwsSession, fn: Function, detail: FunctionDetail
) -> list[tuple[str, str, str, list[DlqMessage] | str]]:
    """(kind, arn, depth text, sample or why not) per failure target."""
    out: list[tuple[str, str, str, list[DlqMessage] | str]] = []
    for target in await failure_targets(session, fn.name, detail):
        if not target.can_peek:
            out.append((target.kind, target.arn, "-", "not a queue: no sample"))
            continue
        depth = await _try(queue_depth(session, target.arn))
        if isinstance(depth, str):
            out.append((target.kind, target.arn, "?", depth))
            continue
        text = f"{depth.visible:,} visible, {depth.in_flight:,} in flight"
        if depth.visible == 0:
            out.append((target.kind, target.arn, text, []))
            continue
        if depth.policy is not None:
            # A sample is a receive, which counts toward the queue's own policy.
            out.append((target.kind, target.arn, text, f"no sample: {depth.policy.sentence}"))
            continue
        sample = await _try(peek(session, target.arn, limit=DLQ_SAMPLE))
        out.append((target.kind, target.arn, text, sample))
    return out


def _configuration(detail: FunctionDetail) -> list[str]:
    config = detail.configuration.value
    if config is None:
        return [f"Configuration unavailable: {_cell(detail.configuration.error or '')}"]
    f = config.function
    rows = [
        ("ARN", f.arn),
        ("Runtime", f.runtime_label),
        ("Handler", f.handler or "-"),
        ("Memory", fmt.memory(f.memory_mb)),
        ("Timeout", fmt.duration(f.timeout_s)),
        ("Architecture", f.architecture),
        ("State", f"{f.state or '-'} (last update {f.last_update_status or '-'})"),
        ("Last modified", f.last_modified.isoformat() if f.last_modified else "-"),
        ("Code size", fmt.size(f.code_size)),
        ("Version", config.version),
        ("Log group", f"{f.log_group} ({f.log_format})"),
        ("Role", f.role or "-"),
        ("Reserved concurrency", _value(detail.reserved_concurrency.value, "unreserved")),
        ("Dead-letter queue", config.dlq_target or "none"),
        ("Tracing", config.tracing),
        ("VPC", config.vpc.vpc_id if config.vpc else "none"),
        ("Layers", ", ".join(layer.arn for layer in config.layers) or "none"),
    ]
    async_config = detail.async_config.value
    if async_config is not None:
        rows.append(("On failure", async_config.on_failure or "none"))
    lines = ["| Setting | Value |", "|---|---|"]
    lines += [f"| {name} | {_cell(value)} |" for name, value in rows]
    if config.environment:
        lines += ["", "Environment (values masked):", ""]
        lines += [f"- `{_cell(name)}` = {MASK}" for name, _ in config.environment]
    return lines


def _value(value: object, none: str) -> str:
    return none if value is None else str(value)


def _metric_lines(got: dict[str, Series] | str) -> list[str]:
    if isinstance(got, str):
        return [f"Metrics {got}"]
    lines = ["| Metric | Total | Peak | Last | Trend |", "|---|---:|---:|---:|---|"]
    for spec in HEALTH:
        series = got.get(spec.key)
        if series is None:
            continue
        unit = f" {spec.unit}" if spec.unit else ""
        additive = spec.stat == "Sum"

        def n(value: float | None, unit: str = unit) -> str:
            return "-" if value is None else f"{value:,.0f}{unit}"

        trend = sparkline(series.values, 30).rstrip() or "no data"
        lines.append(
            f"| {spec.name} ({spec.stat}) | {n(series.total()) if additive else '-'} "
            f"| {n(series.peak())} | {n(series.last())} | `{trend}` |"
        )
    return lines


def failed_requests(records: list[LogRecord]) -> list[LogRecord]:
    """One error per failed request (its most telling line), oldest first.

    An invocation that fails writes several error lines (the exception, the
    runtime's status, REPORT); the report wants the exception's, else the first.
    """
    chosen: dict[str, LogRecord] = {}
    for record in sorted(records, key=lambda r: r.timestamp):
        if not is_error(record):
            continue
        key = record.request_id or f"#{record.timestamp}:{record.event_id}"
        best = chosen.get(key)
        if best is None or (record.exception_name and not best.exception_name):
            chosen[key] = record
    return sorted(chosen.values(), key=lambda r: r.timestamp)


def _error_lines(errors: list[LogRecord]) -> list[str]:
    if not errors:
        return ["No errors in the log lines read."]
    lines = ["| Time (UTC) | Request id | Level | Message |", "|---|---|---|---|"]
    for record in errors[-LAST_ERRORS:]:
        when = datetime.fromtimestamp(record.timestamp / 1000, UTC)
        message = (record.message or record.raw or record.exception or "").strip()
        level = record.level.name if record.level is not Level.NONE else record.kind.value
        lines.append(
            f"| {when.strftime('%Y-%m-%d %H:%M:%S')} | {_cell(record.request_id or '-')} "
            f"| {level} | {_cell(message.splitlines()[0] if message else '')} |"
        )
    return lines


def _dlq_lines(dlqs: list[tuple[str, str, str, list[DlqMessage] | str]] | str) -> list[str]:
    if isinstance(dlqs, str):
        return [f"Failure targets {dlqs}"]
    if not dlqs:
        return ["No dead-letter queue or on-failure destination is configured."]
    lines: list[str] = []
    for kind, arn, depth, sample in dlqs:
        lines += [f"### {_cell(kind)}: {_cell(arn.rsplit(':', 1)[-1])}", ""]
        lines += [f"- ARN: `{_cell(arn)}`", f"- Depth: {depth}"]
        if isinstance(sample, str):
            lines.append(f"- Sample: {_cell(sample)}")
        elif not sample:
            lines.append("- Sample: the queue is empty")
        for message in sample if isinstance(sample, list) else []:
            lines += [
                "",
                f"Message `{_cell(message.message_id)}` (received {message.receive_count}x, "
                f"request id {_cell(message.request_id or '-')}, "
                f"error {_cell(message.error_message or message.error_code or '-')}):",
                "",
                _fenced(message.original_event),
            ]
        lines.append("")
    return lines


def _action_lines(actions: Sequence[Entry]) -> list[str]:
    """The journal's entries of this session, oldest first, as a table."""
    if not actions:
        return ["The console changed nothing in this session."]
    lines = [
        "| Time | Account | Region | Action | Target | Before -> after | Outcome |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for e in reversed(actions):
        outcome = e.outcome + (f": {e.error}" if e.error else "")
        lines.append(
            f"| {_cell(e.time)} | {_cell(e.account)} | {_cell(e.region)} | {_cell(e.action)} "
            f"| {_cell(e.target)} | {_cell(e.before)} -> {_cell(e.after)} | {_cell(outcome)} |"
        )
    return lines


def render(
    fn: Function,
    *,
    now: datetime,
    where: str,
    detail: FunctionDetail,
    metrics: dict[str, Series] | str,
    errors: list[LogRecord],
    records: int,
    source: str,
    dlqs: list[tuple[str, str, str, list[DlqMessage] | str]] | str,
    logs_name: str,
    actions: Sequence[Entry] = (),
) -> str:
    lines = [
        f"# Incident snapshot: {_cell(fn.name)}",
        "",
        f"Taken {now.strftime('%Y-%m-%d %H:%M:%S UTC')} · {_cell(where)}",
        "",
        "## Configuration",
        "",
        *_configuration(detail),
        "",
        f"## Metrics, last {WINDOW_S // 60} minutes",
        "",
        *_metric_lines(metrics),
        "",
        f"## Last errors ({plural(len(errors), 'failed request')} in "
        f"{plural(records, 'log line')}, {source})",
        "",
        *_error_lines(errors),
        "",
        "## Dead-letter queues and failure destinations",
        "",
        *_dlq_lines(dlqs),
        "",
        "## Actions taken this session (the action journal)",
        "",
        *_action_lines(actions),
        "",
        f"Log lines: `{logs_name}` (JSON Lines, one event per line).",
        "",
    ]
    return "\n".join(lines)


async def take_snapshot(
    session: AwsSession,
    fn: Function,
    *,
    now: datetime,
    where: str,
    directory: Path,
    records: list[LogRecord] | None = None,
    actions: Sequence[Entry] = (),
) -> Snapshot:
    """Gather everything concurrently, then write the report and the JSONL beside it."""

    detail = await function_detail(session, fn.name)
    metrics, fetched, dlqs = await asyncio.gather(
        _try(_metrics(session, fn, now)),
        _try(_fetch_logs(session, fn, now)) if records is None else _given(records),
        _try(_dlqs(session, fn, detail)),
    )
    source = "from the open log pane" if records is not None else "the last 15 minutes"
    lines: list[LogRecord] = []
    if isinstance(fetched, str):
        source = f"logs {fetched}"
    else:
        lines = fetched
    errors = failed_requests(lines)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", fn.name)[:64]
    directory = directory.expanduser()
    report = directory / f"lambdatui-incident-{safe}-{stamp}.md"
    logs = report.with_suffix(".jsonl")
    text = render(
        fn,
        now=now,
        where=where,
        detail=detail,
        metrics=metrics,
        errors=errors,
        records=len(lines),
        source=source,
        dlqs=dlqs,
        logs_name=logs.name,
        actions=actions,
    )

    def write() -> None:
        write_text(report, text)
        write_jsonl(logs, map(export_record, lines))

    await asyncio.to_thread(write)
    return Snapshot(report, logs, len(lines), len(errors))


async def _given(records: list[LogRecord]) -> list[LogRecord]:
    return records
