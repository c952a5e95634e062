"""CloudWatch Logs calls the log pane needs: group ARNs, FilterLogEvents pages, Live Tail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from .errors import AccessDenied, AwsError, NotFound, Unsupported, translate
from .logparse import parse_event
from .logrecords import LogRecord
from .session import AwsSession, call

# Live Tail accepts at most this many log groups in one session.
MAX_LIVE_GROUPS = 10
# FilterLogEvents returns at most this many events per page.
FILTER_PAGE_LIMIT = 10_000

_UNAVAILABLE_CODES = {
    "AccessDeniedException",
    "LimitExceededException",
    "InvalidOperationException",
    "UnknownOperationException",
    "NotImplemented",
    "UnsupportedOperation",
}


class LiveTailUnavailable(AwsError):
    """Live Tail cannot be used here (permission, session limit, endpoint without it)."""


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    records: list[LogRecord]
    sampled: bool
    # True for the one update that says the session has started.
    started: bool = False


async def group_arn(session: AwsSession, name: str) -> str:
    """The log group's ARN without the trailing ":*", as Live Tail wants it."""
    reply = await call(session, "logs", "DescribeLogGroups", logGroupNamePrefix=name, limit=50)
    for group in reply.get("logGroups", []):
        if group.get("logGroupName") == name:
            arn = str(group.get("logGroupArn") or group.get("arn") or "")
            return arn.removesuffix(":*")
    raise NotFound(f"log group {name} does not exist (the function may never have run)")


def _record(event: dict[str, Any], group: str) -> LogRecord:
    return parse_event(
        str(event.get("message", "")),
        timestamp=int(event.get("timestamp") or 0),
        log_group=group,
        log_stream=str(event.get("logStreamName", "")),
        event_id=event.get("eventId"),
        ingestion_time=event.get("ingestionTime"),
    )


async def filter_pages(
    session: AwsSession,
    group: str,
    start_ms: int,
    end_ms: int | None = None,
    pattern: str | None = None,
) -> AsyncIterator[list[LogRecord]]:
    """FilterLogEvents over one group, page by page (empty pages are skipped)."""
    params: dict[str, Any] = {
        "logGroupName": group,
        "startTime": start_ms,
        "limit": FILTER_PAGE_LIMIT,
    }
    if end_ms is not None:
        params["endTime"] = end_ms
    if pattern:
        params["filterPattern"] = pattern
    while True:
        reply = await call(session, "logs", "FilterLogEvents", **params)
        # An event that names another group (not in AWS's shape, but an endpoint may
        # add it) is not this group's: dropped.
        events = [e for e in reply.get("events", []) if e.get("logGroupName", group) == group]
        if events:
            yield [_record(e, group) for e in events]
        token = reply.get("nextToken")
        if not token:
            return
        params["nextToken"] = token


async def live_tail(
    session: AwsSession,
    arns: dict[str, str],
    pattern: str | None = None,
) -> AsyncIterator[LiveUpdate]:
    """One Live Tail session over `arns` ({arn: group name}); yields each update.

    The first item is an empty update, yielded once the session has started, so
    the caller can backfill a gap knowing new events are already being caught.
    Ends when the stream closes; raises LiveTailUnavailable when Live Tail
    cannot be used at all, and AwsError for a session that failed.
    """
    client = await session.stream_client("logs")
    params: dict[str, Any] = {"logGroupIdentifiers": list(arns)[:MAX_LIVE_GROUPS]}
    if pattern:
        params["logEventFilterPattern"] = pattern
    try:
        reply = await client.start_live_tail(**params)
    except Exception as exc:
        error = translate(
            exc, "logs:StartLiveTail", profile=session.profile, endpoint=session.endpoint
        )
        if isinstance(error, AccessDenied | Unsupported) or error.code in _UNAVAILABLE_CODES:
            raise LiveTailUnavailable(error.sentence, action=error.action, code=error.code) from exc
        raise error from exc
    stream = reply["responseStream"]
    # Each group as a result may name it: its ARN (with or without ":*") or its name.
    by_name = {arn: name for arn, name in arns.items()}
    by_name.update({name: name for name in arns.values()})
    try:
        async for event in stream:
            if "sessionStart" in event:
                yield LiveUpdate([], False, started=True)
                continue
            update = event.get("sessionUpdate")
            if update is None:
                continue
            # A result of a group not asked for (an endpoint that streams every
            # group) is not this pane's: dropped, never shown as the function's line.
            records = [
                _record(r, group)
                for r in update.get("sessionResults") or []
                if (group := by_name.get(str(r.get("logGroupIdentifier", "")).removesuffix(":*")))
            ]
            sampled = bool((update.get("sessionMetadata") or {}).get("sampled"))
            yield LiveUpdate(records, sampled)
    except AwsError:
        raise
    except Exception as exc:
        raise translate(
            exc, "logs:StartLiveTail", profile=session.profile, endpoint=session.endpoint
        ) from exc
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            try:
                result = close()
                if hasattr(result, "__await__"):
                    await result
            except Exception:  # closing a broken stream must not hide why it broke
                pass
