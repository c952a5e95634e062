"""CloudWatch Logs Insights: run a query and follow its results; saved query definitions.

A query runs on AWS's side: ``start_query`` answers its id, ``follow_query`` polls
GetQueryResults and yields each answer (Scheduled, Running with partial rows, then
Complete, Failed, Cancelled, Timeout or Unknown) until the query has ended;
``stop_query`` cancels it. ``BUILT_IN`` holds queries for Lambda's logs that read both
log formats (Text REPORT lines and JSON platform.report records).

StartQuery is sent once: botocore retries LimitExceededException as a throttle, and
here it means the account already runs 30 queries, which a retry seconds later rarely
changes. A throttled StartQuery (AWS refused it, so no query started) is retried here.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import AwsError, EndpointUnreachable, ServerError, Throttled, translate
from .session import AwsSession, call, require

#: StartQuery takes at most this many log groups.
MAX_GROUPS = 50
#: Queries an account may have Scheduled or Running at once (dashboards included).
MAX_CONCURRENT_QUERIES = 30
#: Seconds between two GetQueryResults of a running query.
POLL_SECONDS = 1.0
#: StartQuery attempts when AWS throttles it.
START_ATTEMPTS = 3
RUNNING = frozenset({"Scheduled", "Running"})
ENDED = frozenset({"Complete", "Failed", "Cancelled", "Timeout", "Unknown"})

Sleep = Callable[[float], Awaitable[None]]


class QueryRefused(AwsError):
    """The console refused to send the query (nothing was called)."""


class MalformedQuery(AwsError):
    """The query does not compile. ``location`` is (start, end) character offsets into
    the query text when AWS gave them; ``message`` is AWS's own words."""

    def __init__(
        self,
        sentence: str,
        *,
        message: str,
        location: tuple[int, int] | None,
        action: str = "",
        code: str = "",
    ) -> None:
        super().__init__(sentence, action=action, code=code)
        self.message = message
        self.location = location


class TooManyQueries(AwsError):
    """StartQuery refused: the account already has 30 queries Scheduled or Running."""


@dataclass(frozen=True, slots=True)
class QueryStatistics:
    records_matched: float = 0.0
    records_scanned: float = 0.0
    bytes_scanned: float = 0.0


@dataclass(frozen=True, slots=True)
class QueryResults:
    """One look at a query: its status, the rows so far (field -> value, in AWS's
    order; rows of queries without stats carry @ptr) and its statistics."""

    query_id: str
    status: str
    rows: tuple[dict[str, str], ...]
    statistics: QueryStatistics

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def columns(self) -> list[str]:
        """Every field of the rows, in the order they first appear (without @ptr)."""
        seen: dict[str, None] = {}
        for row in self.rows:
            for name in row:
                if name != "@ptr":
                    seen.setdefault(name)
        return list(seen)


@dataclass(frozen=True, slots=True)
class QueryDefinition:
    """A saved query, shared with the CloudWatch console."""

    definition_id: str
    name: str
    query: str
    groups: tuple[str, ...]
    last_modified: datetime | None


def _epoch_seconds(moment: datetime, *, up: bool) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    return int(math.ceil(seconds) if up else math.floor(seconds))


async def start_query(
    session: AwsSession,
    groups: Sequence[str],
    query: str,
    start: datetime,
    end: datetime,
    *,
    limit: int | None = None,
    sleep: Sleep = asyncio.sleep,
) -> str:
    """Start a query of ``groups`` (names or ARNs) over [start, end]; returns its id."""
    action = "logs:StartQuery"
    if not groups:
        raise QueryRefused("choose at least one log group to query", action=action)
    if len(groups) > MAX_GROUPS:
        raise QueryRefused(
            f"a query reads at most {MAX_GROUPS} log groups; {len(groups)} are chosen",
            action=action,
        )
    if end < start:
        raise QueryRefused("the query's time range ends before it starts", action=action)
    params: dict[str, Any] = {
        "startTime": _epoch_seconds(start, up=False),
        "endTime": _epoch_seconds(end, up=True),
        "queryString": query,
    }
    if any(group.startswith("arn:") for group in groups):
        params["logGroupIdentifiers"] = [group.removesuffix(":*") for group in groups]
    else:
        params["logGroupNames"] = list(groups)
    if limit is not None:
        params["limit"] = limit
    client = await session.single_attempt_client("logs")
    attempt = 0
    while True:
        attempt += 1
        try:
            reply = await client.start_query(**params)
        except Exception as exc:
            error = _start_error(exc, session)
            if type(error) is Throttled and attempt < START_ATTEMPTS:
                await sleep(0.5 * 2 ** (attempt - 1))
                continue
            raise error from exc
        return str(require(reply, "queryId", action))


def _start_error(exc: BaseException, session: AwsSession) -> AwsError:
    from botocore import exceptions as bx

    action = "logs:StartQuery"
    if isinstance(exc, bx.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        message = str(exc.response.get("Error", {}).get("Message", "")).strip()
        if code == "MalformedQueryException":
            return _malformed(exc.response, message, action)
        if code == "LimitExceededException":
            return TooManyQueries(
                f"{action} refused: CloudWatch Logs runs at most {MAX_CONCURRENT_QUERIES} "
                "concurrent queries per account (dashboards included); stop one or wait "
                "for one to finish",
                action=action,
                code=code,
            )
        if code == "InvalidParameterException":
            return AwsError(
                f"{action} refused the query: {message or code}", action=action, code=code
            )
    error = translate(exc, action, profile=session.profile, endpoint=session.endpoint)
    if isinstance(error, ServerError | EndpointUnreachable):
        # Sent once: nothing is retrying, and the query may or may not have started.
        return type(error)(
            f"{action} got no answer it could read ({type(error).__name__}); the query "
            "may not have started: run it again",
            action=action,
            code=error.code,
        )
    return error


def _malformed(response: dict[str, Any], message: str, action: str) -> MalformedQuery:
    compile_error = response.get("queryCompileError") or {}
    detail = str(compile_error.get("message") or message or "the query does not compile")
    where = compile_error.get("location") or {}
    start, end = where.get("startCharOffset"), where.get("endCharOffset")
    location = (int(start), int(end)) if isinstance(start, int) and isinstance(end, int) else None
    sentence = f"the query does not compile: {detail}"
    if location is not None:
        sentence += f" (at characters {location[0]}-{location[1]})"
    return MalformedQuery(
        sentence,
        message=detail,
        location=location,
        action=action,
        code="MalformedQueryException",
    )


def _results(query_id: str, reply: dict[str, Any], rows: list[dict[str, str]]) -> QueryResults:
    stats = reply.get("statistics") or {}
    return QueryResults(
        query_id=query_id,
        status=str(reply.get("status") or "Unknown"),
        rows=tuple(rows),
        statistics=QueryStatistics(
            records_matched=float(stats.get("recordsMatched") or 0),
            records_scanned=float(stats.get("recordsScanned") or 0),
            bytes_scanned=float(stats.get("bytesScanned") or 0),
        ),
    )


def _rows(reply: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for entries in reply.get("results") or []:
        row: dict[str, str] = {}
        for entry in entries or []:
            name = entry.get("field")
            if name is not None:
                row[str(name)] = str(entry.get("value", ""))
        rows.append(row)
    return rows


async def query_results(session: AwsSession, query_id: str) -> QueryResults:
    """The query's status, rows and statistics now (every page once it is Complete)."""
    reply = await call(session, "logs", "GetQueryResults", queryId=query_id)
    rows = _rows(reply)
    token = reply.get("nextToken")
    while token and reply.get("status") == "Complete":
        page = await call(session, "logs", "GetQueryResults", queryId=query_id, nextToken=token)
        rows.extend(_rows(page))
        token = page.get("nextToken")
    return _results(query_id, reply, rows)


async def follow_query(
    session: AwsSession,
    query_id: str,
    *,
    interval: float = POLL_SECONDS,
    sleep: Sleep = asyncio.sleep,
) -> AsyncIterator[QueryResults]:
    """Poll a query until it has ended, yielding every answer; the last has ended."""
    while True:
        results = await query_results(session, query_id)
        yield results
        if not results.running:
            return
        await sleep(interval)


async def stop_query(session: AwsSession, query_id: str) -> bool:
    """Cancel a query; False when it had already ended (AWS then refuses the stop)."""
    try:
        reply = await call(session, "logs", "StopQuery", queryId=query_id)
    except AwsError as error:
        if error.code == "InvalidParameterException":
            return False
        raise
    return bool(reply.get("success", True))


# ----- what a query would scan -----------------------------------------------------------

#: Bytes in the GB Logs Insights is priced by.
GB = 1024**3


async def stored_bytes(session: AwsSession, groups: Sequence[str]) -> dict[str, int | None]:
    """Each group's storedBytes (DescribeLogGroups): the group's stored total, over its
    whole retention, not only a query's window; None for a group that does not exist."""
    found: dict[str, int | None] = {}
    for group in groups:
        name = group.removesuffix(":*").rsplit(":log-group:", 1)[-1]
        reply = await call(session, "logs", "DescribeLogGroups", logGroupNamePrefix=name, limit=50)
        found[group] = next(
            (
                int(item.get("storedBytes") or 0)
                for item in reply.get("logGroups") or []
                if item.get("logGroupName") == name
            ),
            None,
        )
    return found


def scan_cost(num_bytes: float, per_gb: float) -> float:
    """What scanning ``num_bytes`` costs at ``per_gb`` (AWS's price per GB scanned)."""
    return num_bytes / GB * per_gb


# ----- saved queries ------------------------------------------------------------------------


async def query_definitions(
    session: AwsSession, prefix: str | None = None
) -> list[QueryDefinition]:
    """The account's saved queries (those whose name starts with ``prefix``)."""
    params: dict[str, Any] = {"maxResults": 1000}
    if prefix:
        params["queryDefinitionNamePrefix"] = prefix
    found: list[QueryDefinition] = []
    while True:
        reply = await call(session, "logs", "DescribeQueryDefinitions", **params)
        for item in reply.get("queryDefinitions") or []:
            modified = item.get("lastModified")
            found.append(
                QueryDefinition(
                    definition_id=str(item.get("queryDefinitionId", "")),
                    name=str(item.get("name", "")),
                    query=str(item.get("queryString", "")),
                    groups=tuple(str(g) for g in item.get("logGroupNames") or ()),
                    last_modified=(
                        datetime.fromtimestamp(modified / 1000, UTC)
                        if isinstance(modified, int | float)
                        else None
                    ),
                )
            )
        token = reply.get("nextToken")
        if not token:
            return found
        params["nextToken"] = token


async def put_query_definition(
    session: AwsSession,
    name: str,
    query: str,
    groups: Sequence[str] = (),
    *,
    definition_id: str | None = None,
) -> str:
    """Save a query (a new one, or replace ``definition_id``); returns its id."""
    if len(groups) > MAX_GROUPS:
        raise QueryRefused(
            f"a saved query names at most {MAX_GROUPS} log groups; {len(groups)} are chosen",
            action="logs:PutQueryDefinition",
        )
    params: dict[str, Any] = {"name": name, "queryString": query}
    if groups:
        params["logGroupNames"] = list(groups)
    if definition_id:
        params["queryDefinitionId"] = definition_id
    reply = await call(session, "logs", "PutQueryDefinition", **params)
    return str(require(reply, "queryDefinitionId", "logs:PutQueryDefinition"))


async def delete_query_definition(session: AwsSession, definition_id: str) -> None:
    await call(session, "logs", "DeleteQueryDefinition", queryDefinitionId=definition_id)


# ----- built-in queries for Lambda ------------------------------------------------------------

# Error lines: Python's "[ERROR]\t<time>\t<request id>\t<message>" and unhandled
# "[ERROR] <Type>: <message>", Node's "<time>\t<request id>\tERROR\t<message>", and
# JSON records with an error level or an errorMessage.
_ERROR_LINES = (
    r"parse @message /^\[ERROR\](?:\t[^\t]*\t(?<textRequestId>[^\t]*)\t| )"
    r"(?<textError>[^\n]*)/"
    "\n"
    r"| parse @message /^[^\t\n]*\t(?<nodeRequestId>[^\t\n]*)\tERROR\t(?<nodeError>[^\n]*)/"
    "\n"
    "| filter ispresent(textError) or ispresent(nodeError) or ispresent(errorMessage)\n"
    '    or level in ["ERROR", "FATAL", "CRITICAL"]\n'
)
_ERROR_TEXT = "coalesce(errorMessage, message.errorMessage, textError, nodeError, message, msg)"
# A REPORT line (Text) or a platform.report record (JSON): one per invocation.
_REPORTS = 'filter @type = "REPORT" or type = "platform.report"\n'

BUILT_IN: dict[str, str] = {
    "Errors by message": (
        "# Error lines grouped by their message, the most frequent first.\n"
        + _ERROR_LINES
        + f"| fields {_ERROR_TEXT} as error\n"
        "| stats count(*) as errors by error\n"
        "| sort errors desc\n"
        "| limit 100"
    ),
    "Slowest invocations": (
        "# The slowest invocations, with their request ids.\n"
        + _REPORTS
        + "| fields @timestamp, coalesce(@requestId, record.requestId) as requestId,\n"
        "    coalesce(@duration, record.metrics.durationMs) as durationMs,\n"
        "    coalesce(@billedDuration, record.metrics.billedDurationMs) as billedDurationMs,\n"
        "    coalesce(@initDuration, record.metrics.initDurationMs) as initDurationMs,\n"
        "    @logStream\n"
        "| sort durationMs desc\n"
        "| limit 25"
    ),
    "Cold starts": (
        "# Invocations that began with an init, and the init's length, per 5 minutes.\n"
        + _REPORTS
        + "| fields coalesce(@initDuration, record.metrics.initDurationMs) as initDurationMs\n"
        "| stats count(*) as invocations, count(initDurationMs) as coldStarts,\n"
        "    coldStarts * 100 / invocations as coldStartPct,\n"
        "    avg(initDurationMs) as avgInitMs, max(initDurationMs) as maxInitMs\n"
        "    by bin(5m)"
    ),
    "Duration percentiles": (
        "# p50, p95 and p99 of the invocations' duration (ms) per 5 minutes.\n"
        + _REPORTS
        + "| fields coalesce(@duration, record.metrics.durationMs) as durationMs\n"
        "| stats pct(durationMs, 50) as p50, pct(durationMs, 95) as p95,\n"
        "    pct(durationMs, 99) as p99, count(*) as invocations by bin(5m)"
    ),
    "Memory used vs configured": (
        "# Memory the invocations used against the memory configured (MB), per log group.\n"
        "# Text REPORT lines give bytes (1 MB = 1,000,000), JSON records give MB.\n"
        + _REPORTS
        + "| fields coalesce(@memorySize / 1000 / 1000, record.metrics.memorySizeMB)"
        " as memorySizeMB,\n"
        "    coalesce(@maxMemoryUsed / 1000 / 1000, record.metrics.maxMemoryUsedMB)"
        " as maxMemoryUsedMB\n"
        "| stats max(memorySizeMB) as configuredMB, max(maxMemoryUsedMB) as maxUsedMB,\n"
        "    avg(maxMemoryUsedMB) as avgUsedMB, pct(maxMemoryUsedMB, 95) as p95UsedMB,\n"
        "    maxUsedMB * 100 / configuredMB as maxUsedPct by @log"
    ),
    "Timeouts": (
        "# Invocations that ran out of time, the latest first.\n"
        r"parse @message /^\S+ (?<timedOutRequestId>\S+) Task timed out after"
        r" (?<timeoutSeconds>[\d.]+) seconds/"
        "\n"
        '| filter ispresent(timedOutRequestId) or (type = "platform.report"'
        ' and record.status = "timeout")\n'
        "| fields @timestamp, coalesce(timedOutRequestId, record.requestId) as requestId,\n"
        "    coalesce(timeoutSeconds * 1000, record.metrics.durationMs) as durationMs,\n"
        "    @logStream\n"
        "| sort @timestamp desc\n"
        "| limit 100"
    ),
    "Recent errors with request ids": (
        "# The latest error lines, each with the request it belongs to.\n"
        + _ERROR_LINES
        + "| fields @timestamp, coalesce(textRequestId, nodeRequestId, requestId,"
        " message.requestId,\n"
        "    function_request_id, AWSRequestId, @requestId) as requestId,\n"
        f"    {_ERROR_TEXT} as error, @logStream\n"
        "| sort @timestamp desc\n"
        "| limit 50"
    ),
}
