"""FilterLogEvents and DescribeLogGroups as the CloudWatch Logs API reference shapes them.

moto 5.2's FilterLogEvents understands only plain terms (any other filter pattern
returns every event), answers a whole search in one reply however large, and ignores
logStreamNamePrefix; its DescribeLogGroups reports ``retentionInDays`` as text when the
policy was set without the API. Here FilterLogEvents reads moto's stored events and:

- matches them with the sandbox's filter patterns (filterpattern.py, which Live Tail
  uses too); a pattern that does not parse is InvalidParameterException;
- pages as AWS does: a page holds at most ``limit`` (default and most 10,000) events and
  at most 1 MB (each event counted as its UTF-8 message plus 26 bytes, as CloudWatch
  counts event sizes), then ``nextToken``; each call examines at most ``scan_limit``
  stored events, so a search for rare events can answer an empty page with a
  ``nextToken`` that continues it;
- orders events by timestamp, then ingestion time, across streams (``interleaved`` is
  ignored, as on AWS), newest first with ``startFromHead: false``;
- honours logGroupName or logGroupIdentifier (a name or an ARN, not both),
  logStreamNames or logStreamNamePrefix (not both), startTime and endTime (inclusive);
- answers ``searchedLogStreams`` with the empty list AWS has sent since 2020.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from moto.logs.models import LogEvent, LogGroup, LogStream, logs_backends

from .extensions import ExtensionError
from .filterpattern import MAX_LENGTH, Matcher, PatternError, compile_pattern
from .middleware import Call, Forward, Handler, Reply
from .operations import Operation, account_for

PAGE_EVENTS = 10_000
PAGE_BYTES = 1_048_576
EVENT_OVERHEAD = 26
SCAN_LIMIT = 100_000
MAX_STREAM_NAMES = 100
# startFromHead=false needs a startTime on or after this moment (Jan 1, 2024 UTC).
NEWEST_FIRST_FROM_MS = 1_704_067_200_000

_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:*]+)(?::\*)?$")

SortKey = tuple[int, int, int]
_MAX = sys.maxsize


class LogsError(ExtensionError):
    """A CloudWatch Logs error answer, in the JSON protocol's error shape."""

    def reply(self) -> Reply:
        reply = Reply.json({"__type": self.code, "message": self.message}, self.status)
        reply.headers.append(("x-amzn-ErrorType", self.code))
        return reply


def invalid_parameter(message: str) -> LogsError:
    return LogsError("InvalidParameterException", message)


def constraint_failed(member: str, constraint: str, value: Any = None) -> LogsError:
    """AWS's sentence for a request member outside the service model's limits."""
    shown = "" if value is None else f" '{value}'"
    return invalid_parameter(
        f"1 validation error detected: Value{shown} at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


def group_not_found() -> LogsError:
    return LogsError("ResourceNotFoundException", "The specified log group does not exist.")


Entry = tuple[SortKey, str, LogEvent]
_FIRST = itemgetter(0)


class _GroupIndex:
    """A group's events in search order, kept in step with its append-only streams.

    New events are appended and the list re-sorted (a sorted run plus a short one,
    which Python's sort merges in linear time); a stream that disappears or whose
    event list is replaced (the traffic simulator trims old events) rebuilds it.
    """

    def __init__(self, group: LogGroup) -> None:
        self.group = group
        self.lock = threading.Lock()
        self.entries: list[Entry] = []
        self.seen: dict[str, tuple[LogStream, list[LogEvent], int]] = {}

    def refresh(self) -> list[Entry]:
        with self.lock:
            streams = dict(self.group.streams)
            if any(
                streams.get(name) is not stream or stream.events is not events
                for name, (stream, events, _) in self.seen.items()
            ):
                self.entries, self.seen = [], {}
            added: list[Entry] = []
            for name, stream in streams.items():
                events = stream.events
                known = self.seen.get(name)
                count = known[2] if known is not None else 0
                now = len(events)
                added.extend(
                    ((int(e.timestamp), int(e.ingestion_time), int(e.event_id)), name, e)
                    for e in events[count:now]
                )
                self.seen[name] = (stream, events, now)
            if added:
                self.entries = self.entries + added
                self.entries.sort(key=_FIRST)
            return self.entries


class LogEvents:
    """The FilterLogEvents and DescribeLogGroups extension."""

    def __init__(self) -> None:
        # Stored events one FilterLogEvents call examines before it answers.
        self.scan_limit = SCAN_LIMIT
        self._lock = threading.Lock()
        self._indexes: dict[str, _GroupIndex] = {}

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service != "logs":
            return None
        return {
            "FilterLogEvents": self._filter_log_events,
            "DescribeLogGroups": self._describe_log_groups,
        }.get(operation.action)

    def reset(self) -> None:
        self.scan_limit = SCAN_LIMIT
        with self._lock:
            self._indexes.clear()

    def _entries(self, group: LogGroup) -> list[Entry]:
        with self._lock:
            index = self._indexes.get(group.arn)
            if index is None or index.group is not group:
                index = self._indexes[group.arn] = _GroupIndex(group)
        return index.refresh()

    def _describe_log_groups(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if not reply.ok:
            return reply
        payload = reply.payload()
        for group in payload.get("logGroups", []):
            days = group.get("retentionInDays")
            if isinstance(days, str) and days.isdigit():
                group["retentionInDays"] = int(days)
        return reply.with_payload(payload)

    def _filter_log_events(self, call: Call, forward: Forward) -> Reply:
        try:
            return Reply.json(self._search(call))
        except LogsError as error:
            return error.reply()

    def _search(self, call: Call) -> dict[str, Any]:
        request = call.json_body()
        account = account_for(call.environ, call.operation.access_key)
        group = _group(request, account, call.operation.region)
        wanted = _stream_filter(request)
        limit = _limit(request)
        matcher = matcher_for(request.get("filterPattern"), "filterPattern")
        start, end = _optional_int(request, "startTime"), _optional_int(request, "endTime")
        forward = request.get("startFromHead", True) is not False
        token = request.get("nextToken")
        after: SortKey | None = None
        if token:
            decoded = _decode_token(str(token), group.arn)
            if decoded is None:
                # AWS answers a token it cannot use with an empty page that ends the search.
                return {"events": [], "searchedLogStreams": []}
            forward, after = decoded
        elif not forward and (start is None or start < NEWEST_FIRST_FROM_MS):
            raise invalid_parameter(
                "startFromHead can be false only with a startTime on or after "
                "Jan 1, 2024 00:00:00 UTC."
            )
        entries = self._entries(group)
        low = 0 if start is None else bisect_left(entries, (start, -1, -1), key=_FIRST)
        high = len(entries) if end is None else bisect_right(entries, (end, _MAX, _MAX), key=_FIRST)
        if after is not None and forward:
            low = max(low, bisect_right(entries, after, key=_FIRST))
        elif after is not None:
            high = min(high, bisect_left(entries, after, key=_FIRST))
        span = range(low, high) if forward else range(high - 1, low - 1, -1)
        candidates = (entries[at] for at in span if wanted(entries[at][1]))
        events, last, finished = self._page(candidates, matcher, limit)
        answer: dict[str, Any] = {"events": events, "searchedLogStreams": []}
        if not finished and last is not None:
            answer["nextToken"] = _encode_token(group.arn, forward, last)
        return answer

    def _page(
        self,
        candidates: Iterable[Entry],
        matcher: Matcher,
        limit: int,
    ) -> tuple[list[dict[str, Any]], SortKey | None, bool]:
        """The page's events, the key of the last event examined, and whether none remain."""
        events: list[dict[str, Any]] = []
        size = 0
        last: SortKey | None = None
        for scanned, (key, stream, event) in enumerate(candidates):
            if scanned >= self.scan_limit:
                return events, last, False
            message = str(event.message)
            if matcher(message):
                cost = len(message.encode()) + EVENT_OVERHEAD
                # An event always fits an empty page (CloudWatch's events are under 1 MB).
                if events and (len(events) >= limit or size + cost > PAGE_BYTES):
                    return events, last, False
                size += cost
                events.append(
                    {
                        "logStreamName": stream,
                        "timestamp": key[0],
                        "message": message,
                        "ingestionTime": key[1],
                        "eventId": str(key[2]),
                    }
                )
            last = key
        return events, last, True


def matcher_for(pattern: Any, member: str) -> Matcher:
    """The request's filter pattern compiled, or the InvalidParameterException AWS answers."""
    if pattern is not None and (not isinstance(pattern, str) or len(pattern) > MAX_LENGTH):
        raise constraint_failed(
            member, f"Member must have length less than or equal to {MAX_LENGTH}"
        )
    try:
        return compile_pattern(pattern)
    except PatternError as error:
        raise invalid_parameter(f"Invalid filter pattern: {error}") from None


def _group(request: dict[str, Any], account: str, region: str) -> LogGroup:
    name = request.get("logGroupName")
    identifier = request.get("logGroupIdentifier")
    if (name is None) == (identifier is None):
        raise invalid_parameter(
            "You must include either logGroupIdentifier or logGroupName, but not both."
        )
    if identifier is not None:
        match = _GROUP_ARN.match(str(identifier))
        if match is not None:
            region, account, name = match.groups()
        else:
            name = identifier
    group = logs_backends[account][region].groups.get(str(name))
    if group is None:
        raise group_not_found()
    return group


def _stream_filter(request: dict[str, Any]) -> Any:
    names = request.get("logStreamNames")
    prefix = request.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        raise invalid_parameter("Cannot specify both logStreamNames and logStreamNamePrefix.")
    if names is not None:
        if not isinstance(names, list) or not 1 <= len(names) <= MAX_STREAM_NAMES:
            raise constraint_failed(
                "logStreamNames",
                f"Member must have length between 1 and {MAX_STREAM_NAMES}",
            )
        chosen = frozenset(map(str, names))
        return chosen.__contains__
    if prefix is not None:
        return lambda name: name.startswith(str(prefix))
    return lambda name: True


def _limit(request: dict[str, Any]) -> int:
    limit = request.get("limit")
    if limit is None:
        return PAGE_EVENTS
    if not isinstance(limit, int) or limit < 1:
        raise constraint_failed("limit", "Member must have value greater than or equal to 1", limit)
    if limit > PAGE_EVENTS:
        raise constraint_failed(
            "limit", f"Member must have value less than or equal to {PAGE_EVENTS}", limit
        )
    return limit


def _optional_int(request: dict[str, Any], member: str) -> int | None:
    value = request.get(member)
    if value is None:
        return None
    if not isinstance(value, int) or value < 0:
        raise constraint_failed(member, "Member must have value greater than or equal to 0", value)
    return value


def _encode_token(group_arn: str, forward: bool, key: SortKey) -> str:
    payload = json.dumps({"g": group_arn, "d": "f" if forward else "b", "k": list(key)})
    return base64.urlsafe_b64encode(payload.encode()).decode()


def _decode_token(token: str, group_arn: str) -> tuple[bool, SortKey] | None:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
        key = tuple(int(part) for part in payload["k"])
        if payload["g"] != group_arn or payload["d"] not in ("f", "b") or len(key) != 3:
            return None
        return payload["d"] == "f", (key[0], key[1], key[2])
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
