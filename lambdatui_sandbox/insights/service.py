"""CloudWatch Logs Insights over moto's log groups, as the CloudWatch Logs API describes it.

StartQuery checks the request (exactly one of logGroupName, logGroupNames and
logGroupIdentifiers; at most 50 groups, each existing; the query compiles; at most 30
queries Scheduled or Running per account) and answers a queryId at once; a worker
thread then runs the query: Scheduled, Running (GetQueryResults shows partial results
while it runs), then Complete, or Cancelled by StopQuery, Timeout after
``timeout_seconds``, Failed if the engine broke. DescribeQueries lists them, newest
first. Query definitions (PutQueryDefinition, DescribeQueryDefinitions,
DeleteQueryDefinition) are kept per account and region.

Tests steer the worker with ``hold(after_events)`` / ``release()``: held queries stop
once they have read that many events (0: they stay Scheduled).
"""

from __future__ import annotations

import base64
import contextlib
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from moto.logs.models import LogGroup, logs_backends

from ..middleware import Call, Forward, Handler, Reply
from ..operations import Operation, account_for
from .engine import Execution, Result, compile_query
from .syntax import QueryError

MAX_GROUPS = 50
MAX_CONCURRENT = 30
MAX_LIMIT = 100_000
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 10_000
TIMEOUT_SECONDS = 3600
#: Finished queries DescribeQueries remembers (per sandbox).
KEPT_QUERIES = 1000
RUNNING = ("Scheduled", "Running")

_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:*]+)$")


class InsightsError(Exception):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def reply(self) -> Reply:
        reply = Reply.json({"__type": self.code, "message": self.message, **self.extra}, 400)
        reply.headers.append(("x-amzn-ErrorType", self.code))
        return reply


def _invalid(message: str) -> InsightsError:
    return InsightsError("InvalidParameterException", message)


def _constraint(name: str, value: Any, constraint: str) -> InsightsError:
    return _invalid(
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
        f"constraint: {constraint}"
    )


@dataclass
class QueryRun:
    query_id: str
    account: str
    region: str
    text: str
    groups: list[LogGroup]
    start_ms: int
    end_ms: int
    execution: Execution
    created_ms: int
    status: str = "Scheduled"
    result: Result | None = None
    finished_ms: int | None = None
    read: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def info(self) -> dict[str, Any]:
        result = self.result
        info: dict[str, Any] = {
            "queryLanguage": "CWLI",
            "queryId": self.query_id,
            "queryString": self.text,
            "status": self.status,
            "createTime": self.created_ms,
            "logGroupName": self.groups[0].name,
            "bytesScanned": float(result.bytes_scanned if result else 0),
        }
        if self.finished_ms is not None:
            info["queryDuration"] = self.finished_ms - self.created_ms
        return info


@dataclass
class QueryDefinition:
    definition_id: str
    name: str
    text: str
    groups: list[str]
    modified_ms: int

    def shape(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "queryLanguage": "CWLI",
            "queryDefinitionId": self.definition_id,
            "name": self.name,
            "queryString": self.text,
            "lastModified": self.modified_ms,
        }
        if self.groups:
            shape["logGroupNames"] = list(self.groups)
        return shape


class Insights:
    """The Logs Insights operations and the threads that run the queries."""

    def __init__(self) -> None:
        self.max_concurrent = MAX_CONCURRENT
        self.timeout_seconds: float = TIMEOUT_SECONDS
        #: How long a query stays Scheduled, and the least time a run takes, so a
        #: client polling as it would against AWS sees the query's progress.
        self.schedule_seconds = 0.2
        self.min_seconds = 0.5
        #: Events read between two looks at stop, hold and timeout.
        self.chunk_events = 2000
        self._lock = threading.Condition()
        self._queries: dict[str, QueryRun] = {}
        self._definitions: dict[tuple[str, str], dict[str, QueryDefinition]] = {}
        self._hold_after: int | None = None
        self._threads: set[threading.Thread] = set()
        self._handlers: dict[str, Callable[[Call, Forward], Any]] = {
            "StartQuery": self._start_query,
            "GetQueryResults": self._get_query_results,
            "StopQuery": self._stop_query,
            "DescribeQueries": self._describe_queries,
            "PutQueryDefinition": self._put_query_definition,
            "DescribeQueryDefinitions": self._describe_query_definitions,
            "DeleteQueryDefinition": self._delete_query_definition,
        }

    # ----- extension protocol

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service != "logs":
            return None
        handler = self._handlers.get(operation.action)
        if handler is None:
            return None

        def answer(call: Call, forward: Forward) -> Reply:
            try:
                return Reply.json(handler(call, forward))
            except InsightsError as error:
                return error.reply()

        return answer

    def reset(self) -> None:
        self.stop()
        with self._lock:
            self._queries.clear()
            self._definitions.clear()

    def stop(self) -> None:
        """Cancel every query still running and let the workers end."""
        with self._lock:
            self._hold_after = None
            for run in self._queries.values():
                run.stop.set()
            threads = list(self._threads)
            self._lock.notify_all()
        for thread in threads:
            thread.join(timeout=5)

    # ----- steering (tests)

    def hold(self, after_events: int = 0) -> None:
        """Pause every query once it has read ``after_events`` events (0: still Scheduled)."""
        with self._lock:
            self._hold_after = after_events
            self._lock.notify_all()

    def release(self) -> None:
        with self._lock:
            self._hold_after = None
            self._lock.notify_all()

    def status_of(self, query_id: str) -> str | None:
        with self._lock:
            run = self._queries.get(query_id)
            return run.status if run else None

    # ----- StartQuery

    def _start_query(self, call: Call, forward: Forward) -> Any:
        body = call.json_body()
        account = account_for(call.environ, call.operation.access_key)
        region = call.operation.region
        language = body.get("queryLanguage", "CWLI")
        if language != "CWLI":
            raise _invalid(f"The sandbox runs Logs Insights QL (CWLI) queries, not {language}.")
        names = self._group_names(body, account, region)
        text = body.get("queryString")
        if not isinstance(text, str):
            raise _invalid("queryString is required.")
        if len(text) > MAX_QUERY_LENGTH:
            raise _constraint(
                "queryString",
                text[:40] + "...",
                f"Member must have length less than or equal to {MAX_QUERY_LENGTH}",
            )
        start, end = body.get("startTime"), body.get("endTime")
        if not isinstance(start, int) or not isinstance(end, int):
            raise _invalid("startTime and endTime are required (epoch seconds).")
        if start < 0 or end < 0:
            raise _invalid("startTime and endTime cannot be negative.")
        if end < start:
            raise _invalid("endTime cannot be before startTime.")
        limit = body.get("limit")
        if limit is not None and (not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT):
            raise _constraint("limit", limit, f"Member must have value between 1 and {MAX_LIMIT}")
        try:
            compiled = compile_query(text)
        except QueryError as error:
            raise InsightsError(
                "MalformedQueryException",
                error.message,
                queryCompileError={
                    "location": {"startCharOffset": error.start, "endCharOffset": error.end},
                    "message": error.message,
                },
            ) from None
        groups = [self._group(account, region, name) for name in names]
        run = QueryRun(
            query_id=str(uuid.uuid4()),
            account=account,
            region=region,
            text=text,
            groups=groups,
            start_ms=start * 1000,
            end_ms=end * 1000 + 999,
            execution=Execution(compiled, limit, max_rows=MAX_LIMIT),
            created_ms=int(time.time() * 1000),
        )
        with self._lock:
            active = sum(
                1 for q in self._queries.values() if q.account == account and q.status in RUNNING
            )
            if active >= self.max_concurrent:
                raise InsightsError(
                    "LimitExceededException",
                    f"Account maximum query concurrency limit of [{self.max_concurrent}] reached.",
                )
            self._queries[run.query_id] = run
            self._forget_old()
            thread = threading.Thread(
                target=self._work, args=(run,), name=f"insights-{run.query_id[:8]}", daemon=True
            )
            self._threads.add(thread)
        thread.start()
        return {"queryId": run.query_id}

    def _group_names(self, body: dict[str, Any], account: str, region: str) -> list[str]:
        given = [
            key for key in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if key in body
        ]
        if len(given) != 1:
            raise _invalid(
                "Specify exactly one of logGroupName, logGroupNames and logGroupIdentifiers."
            )
        key = given[0]
        value = body[key]
        if key == "logGroupName":
            return [str(value)]
        if not isinstance(value, list) or not value:
            raise _constraint(key, value, "Member must have length greater than or equal to 1")
        if len(value) > MAX_GROUPS:
            raise _constraint(
                key, value, f"Member must have length less than or equal to {MAX_GROUPS}"
            )
        names = []
        for item in value:
            item = str(item)
            match = _GROUP_ARN.match(item) if key == "logGroupIdentifiers" else None
            if match is not None:
                arn_region, arn_account, name = match.groups()
                if (arn_region, arn_account) != (region, account):
                    raise InsightsError(
                        "ResourceNotFoundException",
                        f"Log group '{item}' does not exist for account ID '{account}'.",
                    )
                item = name
            names.append(item)
        return names

    @staticmethod
    def _group(account: str, region: str, name: str) -> LogGroup:
        group = None
        if account in logs_backends and region in logs_backends[account]:
            group = logs_backends[account][region].groups.get(name)
        if group is None:
            raise InsightsError(
                "ResourceNotFoundException",
                f"Log group '{name}' does not exist for account ID '{account}'.",
            )
        return group

    def _forget_old(self) -> None:
        finished = [q for q in self._queries.values() if q.status not in RUNNING]
        for run in finished[: max(0, len(finished) - KEPT_QUERIES)]:
            del self._queries[run.query_id]

    # ----- the worker

    def _work(self, run: QueryRun) -> None:
        try:
            status = self._execute(run)
        except Exception:
            status = "Failed"
        result = None
        if status == "Complete" or run.result is None:
            with contextlib.suppress(Exception):
                result = run.execution.result()
        with self._lock:
            # The final rows and the final status show together.
            if result is not None:
                run.result = result
            if run.status in RUNNING:
                run.status = status
            run.finished_ms = int(time.time() * 1000)
            self._threads.discard(threading.current_thread())
            self._lock.notify_all()

    def _execute(self, run: QueryRun) -> str:
        began = time.monotonic()
        deadline = began + self.timeout_seconds
        if not self._pause(run, deadline, self.schedule_seconds):
            return self._ended(run, deadline)
        with self._lock:
            if run.status != "Scheduled":
                return run.status
            run.status = "Running"
        last_report = time.monotonic()
        for chunk, group, stream in self._chunks(run):
            if not self._pause(run, deadline, 0):
                return self._ended(run, deadline)
            run.execution.feed(chunk, group, stream, run.account)
            run.read += len(chunk)
            if time.monotonic() - last_report > 0.25 or self._held(run):
                self._report(run)
                last_report = time.monotonic()
        rest = self.min_seconds - (time.monotonic() - began)
        if rest > 0 and run.stop.wait(rest):
            return self._ended(run, deadline)
        if time.monotonic() > deadline:
            return "Timeout"
        return "Complete"

    def _held(self, run: QueryRun) -> bool:
        hold = self._hold_after
        return hold is not None and run.read >= hold

    def _pause(self, run: QueryRun, deadline: float, seconds: float) -> bool:
        """Wait ``seconds``, and while held; False when stopped or past the deadline."""
        until = time.monotonic() + seconds
        with self._lock:
            while True:
                if run.stop.is_set() or time.monotonic() > deadline:
                    return False
                now = time.monotonic()
                if now < until:
                    self._lock.wait(min(until, deadline) - now)
                elif self._held(run):
                    self._lock.wait(max(0.0, deadline - now))
                else:
                    return True

    @staticmethod
    def _ended(run: QueryRun, deadline: float) -> str:
        return "Cancelled" if run.stop.is_set() else "Timeout"

    def _report(self, run: QueryRun) -> None:
        result = run.execution.result()
        with self._lock:
            run.result = result
            self._lock.notify_all()

    def _chunks(self, run: QueryRun) -> Iterator[tuple[list[Any], str, str]]:
        size = max(1, self.chunk_events)
        start, end = run.start_ms, run.end_ms
        for group in run.groups:
            for stream in list(group.streams.values()):
                events = stream.events
                chunk: list[Any] = []
                for index in range(len(events)):
                    event = events[index]
                    if start <= event.timestamp <= end:
                        chunk.append(event)
                        if len(chunk) >= size:
                            yield chunk, group.name, stream.log_stream_name
                            chunk = []
                if chunk:
                    yield chunk, group.name, stream.log_stream_name

    # ----- the other query operations

    def _run_of(self, call: Call) -> QueryRun:
        query_id = call.json_body().get("queryId")
        account = account_for(call.environ, call.operation.access_key)
        with self._lock:
            run = self._queries.get(str(query_id))
        if run is None or run.account != account:
            raise InsightsError("ResourceNotFoundException", "The specified query does not exist.")
        return run

    def _get_query_results(self, call: Call, forward: Forward) -> Any:
        run = self._run_of(call)
        body = call.json_body()
        with self._lock:
            status, result = run.status, run.result
        rows = result.rows if result is not None else []
        size = body.get("maxItems", MAX_PAGE)
        if not isinstance(size, int) or not 0 <= size <= MAX_PAGE:
            raise _constraint(
                "maxItems", size, f"Member must have value less than or equal to {MAX_PAGE}"
            )
        offset = _offset(body.get("nextToken"))
        page = rows[offset : offset + size]
        reply: dict[str, Any] = {
            "queryLanguage": "CWLI",
            "results": [[{"field": k, "value": v} for k, v in row] for row in page],
            "statistics": {
                "recordsMatched": float(result.records_matched if result else 0),
                "recordsScanned": float(result.records_scanned if result else 0),
                "bytesScanned": float(result.bytes_scanned if result else 0),
                "logGroupsScanned": float(len(run.groups) if result else 0),
            },
            "status": status,
        }
        if status == "Complete" and offset + size < len(rows):
            reply["nextToken"] = _token(offset + size)
        return reply

    def _stop_query(self, call: Call, forward: Forward) -> Any:
        run = self._run_of(call)
        with self._lock:
            if run.status not in RUNNING:
                raise _invalid(f"Query {run.query_id} is not running (it is {run.status}).")
            run.status = "Cancelled"
            run.stop.set()
            self._lock.notify_all()
        return {"success": True}

    def _describe_queries(self, call: Call, forward: Forward) -> Any:
        body = call.json_body()
        account = account_for(call.environ, call.operation.access_key)
        region = call.operation.region
        status, group = body.get("status"), body.get("logGroupName")
        size = _size(body, "maxResults", 1000)
        with self._lock:
            runs = [
                run
                for run in self._queries.values()
                if (run.account, run.region) == (account, region)
                and (status is None or run.status == status)
                and (group is None or any(g.name == group for g in run.groups))
            ]
            infos = [run.info() for run in reversed(runs)]
        return _paged(infos, "queries", body, size)

    # ----- query definitions

    def _definitions_of(self, call: Call) -> dict[str, QueryDefinition]:
        account = account_for(call.environ, call.operation.access_key)
        return self._definitions.setdefault((account, call.operation.region), {})

    def _put_query_definition(self, call: Call, forward: Forward) -> Any:
        body = call.json_body()
        name, text = body.get("name"), body.get("queryString")
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise _constraint("name", name, "Member must have length between 1 and 255")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_QUERY_LENGTH:
            raise _constraint(
                "queryString", text, f"Member must have length between 1 and {MAX_QUERY_LENGTH}"
            )
        groups = body.get("logGroupNames") or []
        if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
            raise _constraint(
                "logGroupNames",
                groups,
                f"Member must have length less than or equal to {MAX_GROUPS}",
            )
        with self._lock:
            definitions = self._definitions_of(call)
            definition_id = body.get("queryDefinitionId")
            if definition_id is not None and definition_id not in definitions:
                raise InsightsError(
                    "ResourceNotFoundException", "The specified query definition does not exist."
                )
            definition = QueryDefinition(
                str(definition_id or uuid.uuid4()),
                name,
                text,
                [str(group) for group in groups],
                int(time.time() * 1000),
            )
            definitions[definition.definition_id] = definition
        return {"queryDefinitionId": definition.definition_id}

    def _describe_query_definitions(self, call: Call, forward: Forward) -> Any:
        body = call.json_body()
        prefix = body.get("queryDefinitionNamePrefix") or ""
        size = _size(body, "maxResults", 1000)
        with self._lock:
            found = sorted(
                (d for d in self._definitions_of(call).values() if d.name.startswith(prefix)),
                key=lambda d: (d.name, d.definition_id),
            )
            shapes = [definition.shape() for definition in found]
        return _paged(shapes, "queryDefinitions", body, size)

    def _delete_query_definition(self, call: Call, forward: Forward) -> Any:
        definition_id = call.json_body().get("queryDefinitionId")
        with self._lock:
            definitions = self._definitions_of(call)
            if definition_id not in definitions:
                raise InsightsError(
                    "ResourceNotFoundException", "The specified query definition does not exist."
                )
            del definitions[definition_id]
        return {"success": True}


def _size(body: dict[str, Any], key: str, most: int) -> int:
    size = body.get(key, most)
    if not isinstance(size, int) or not 1 <= size <= most:
        raise _constraint(key, size, f"Member must have value between 1 and {most}")
    return size


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: Any) -> int:
    if token is None:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(str(token).encode()).decode().partition(":")
        if kind == "offset" and value.isdigit():
            return int(value)
    except (ValueError, UnicodeDecodeError):
        pass
    raise _invalid("The nextToken is not valid.")


def _paged(items: Sequence[dict[str, Any]], key: str, body: dict[str, Any], size: int) -> Any:
    offset = _offset(body.get("nextToken"))
    reply: dict[str, Any] = {key: list(items[offset : offset + size])}
    if offset + size < len(items):
        reply["nextToken"] = _token(offset + size)
    return reply
