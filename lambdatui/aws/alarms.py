"""CloudWatch alarms that watch a function: on its metrics, its DLQ's metrics, or built on those.

A metric alarm watches a function when it reads AWS/Lambda with the function's
FunctionName dimension, or its Resource dimension (``NAME`` or ``NAME:alias``),
directly or in one of its metric-math queries. An alarm on AWS/SQS with the
QueueName of one of the function's failure queues watches its DLQ. A composite
alarm watches the function when its rule names one of those alarms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .functions import parse_time
from .session import AwsSession, call

# Worst first: the list's state column shows the worst state of a function's alarms.
STATES = ("ALARM", "INSUFFICIENT_DATA", "OK")
NONE = "none"
PAGE = 100  # DescribeAlarms MaxRecords upper bound

_OPERATORS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside",
    "LessThanLowerThreshold": "<",
    "GreaterThanUpperThreshold": ">",
}
# ALARM("name"), OK(name), INSUFFICIENT_DATA("arn:...") in a composite rule.
_RULE_REF = re.compile(r"\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*\"?([^\")]+?)\"?\s*\)")


@dataclass(frozen=True, slots=True)
class MetricRef:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str = ""

    def dimension(self, key: str) -> str | None:
        for k, v in self.dimensions:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class Alarm:
    name: str
    arn: str
    composite: bool
    state: str
    reason: str
    updated: datetime | None
    description: str = ""
    metrics: tuple[MetricRef, ...] = ()
    expression: str = ""
    comparison: str = ""
    threshold: float | None = None
    period: int | None = None
    evaluation_periods: int | None = None
    rule: str = ""
    actions_enabled: bool = True

    @property
    def metric_label(self) -> str:
        """What the alarm watches, in one line: "AWS/Lambda Errors (Sum, 60s)"."""
        if self.composite:
            return f"rule: {self.rule}"
        if self.expression:
            names = ", ".join(f"{m.name}" for m in self.metrics)
            return f"{self.expression}  ({names})"
        if not self.metrics:
            return "-"
        m = self.metrics[0]
        dims = ", ".join(f"{k}={v}" for k, v in m.dimensions)
        period = f", {self.period}s" if self.period else ""
        return f"{m.namespace} {m.name} ({m.stat or '?'}{period}) {dims}".rstrip()

    @property
    def condition(self) -> str:
        """The threshold as a sentence: ">= 5 for 1 of 1 periods"."""
        if self.composite or self.threshold is None:
            return ""
        op = _OPERATORS.get(self.comparison, self.comparison)
        value = f"{self.threshold:g}"
        periods = f" for {self.evaluation_periods} period(s)" if self.evaluation_periods else ""
        return f"{op} {value}{periods}"

    def watches_metric(self, name: str) -> bool:
        return any(m.name == name for m in self.metrics)

    @property
    def references(self) -> tuple[str, ...]:
        """Alarm names or ARNs a composite rule is built on."""
        return tuple(m.group(1).strip() for m in _RULE_REF.finditer(self.rule))


@dataclass(frozen=True, slots=True)
class HistoryItem:
    when: datetime | None
    summary: str
    old_state: str = ""
    new_state: str = ""
    reason: str = ""


def _metric(raw: Mapping[str, Any], stat: str = "") -> MetricRef:
    return MetricRef(
        namespace=str(raw.get("Namespace") or ""),
        name=str(raw.get("MetricName") or ""),
        dimensions=tuple(
            (str(d.get("Name", "")), str(d.get("Value", ""))) for d in raw.get("Dimensions") or ()
        ),
        stat=stat,
    )


def alarm_from(raw: Mapping[str, Any], composite: bool = False) -> Alarm:
    metrics: list[MetricRef] = []
    expression = ""
    if not composite:
        stat = str(raw.get("Statistic") or raw.get("ExtendedStatistic") or "")
        if raw.get("MetricName"):
            metrics.append(_metric(raw, stat))
        for query in raw.get("Metrics") or ():
            metric_stat = query.get("MetricStat") or {}
            if metric_stat.get("Metric"):
                metrics.append(_metric(metric_stat["Metric"], str(metric_stat.get("Stat") or "")))
            if query.get("Expression") and query.get("ReturnData", True):
                expression = str(query["Expression"])
    threshold = raw.get("Threshold")
    return Alarm(
        name=str(raw.get("AlarmName", "")),
        arn=str(raw.get("AlarmArn", "")),
        composite=composite,
        state=str(raw.get("StateValue") or "INSUFFICIENT_DATA"),
        reason=str(raw.get("StateReason") or ""),
        updated=parse_time(raw.get("StateUpdatedTimestamp")),
        description=str(raw.get("AlarmDescription") or ""),
        metrics=tuple(metrics),
        expression=expression,
        comparison=str(raw.get("ComparisonOperator") or ""),
        threshold=float(threshold) if threshold is not None and not composite else None,
        period=raw.get("Period") or None,
        evaluation_periods=raw.get("EvaluationPeriods") or None,
        rule=str(raw.get("AlarmRule") or ""),
        actions_enabled=bool(raw.get("ActionsEnabled", True)),
    )


async def list_alarms(session: AwsSession) -> list[Alarm]:
    """Every metric and composite alarm of the region (DescribeAlarms, NextToken pages)."""
    out: list[Alarm] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {
            "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
            "MaxRecords": PAGE,
        }
        if token:
            params["NextToken"] = token
        reply = await call(session, "cloudwatch", "DescribeAlarms", **params)
        out.extend(alarm_from(a) for a in reply.get("MetricAlarms") or ())
        out.extend(alarm_from(a, composite=True) for a in reply.get("CompositeAlarms") or ())
        token = reply.get("NextToken")
        if not token:
            return out


async def alarm_history(session: AwsSession, alarm: Alarm, limit: int = 10) -> list[HistoryItem]:
    """The alarm's most recent state changes, newest first (DescribeAlarmHistory)."""
    reply = await call(
        session,
        "cloudwatch",
        "DescribeAlarmHistory",
        AlarmName=alarm.name,
        AlarmTypes=["CompositeAlarm" if alarm.composite else "MetricAlarm"],
        HistoryItemType="StateUpdate",
        ScanBy="TimestampDescending",
        MaxRecords=limit,
    )
    items = []
    for raw in reply.get("AlarmHistoryItems") or ():
        old = new = reason = ""
        try:
            data = json.loads(raw.get("HistoryData") or "{}")
            old = str((data.get("oldState") or {}).get("stateValue") or "")
            new = str((data.get("newState") or {}).get("stateValue") or "")
            reason = str((data.get("newState") or {}).get("stateReason") or "")
        except (ValueError, AttributeError):
            pass
        items.append(
            HistoryItem(
                when=parse_time(raw.get("Timestamp")),
                summary=str(raw.get("HistorySummary") or ""),
                old_state=old,
                new_state=new,
                reason=reason,
            )
        )
    return items


def queue_name(arn: str) -> str | None:
    """The queue name of an SQS ARN, None for anything else."""
    parts = arn.split(":")
    if len(parts) == 6 and parts[2] == "sqs":
        return parts[5]
    return None


class AlarmIndex:
    """The account's alarms, indexed by the function and queues they watch."""

    def __init__(self, alarms: Iterable[Alarm]) -> None:
        self.alarms = list(alarms)
        self._by_function: dict[str, list[Alarm]] = {}
        self._by_queue: dict[str, list[Alarm]] = {}
        self._parents: dict[str, list[Alarm]] = {}
        for alarm in self.alarms:
            if alarm.composite:
                for ref in alarm.references:
                    self._parents.setdefault(ref.rsplit(":alarm:", 1)[-1], []).append(alarm)
                continue
            functions: set[str] = set()
            queues: set[str] = set()
            for m in alarm.metrics:
                if m.namespace == "AWS/Lambda":
                    name = m.dimension("FunctionName") or m.dimension("Resource")
                    if name:
                        functions.add(name.split(":", 1)[0])
                elif m.namespace == "AWS/SQS":
                    queue = m.dimension("QueueName")
                    if queue:
                        queues.add(queue)
            for name in functions:
                self._by_function.setdefault(name, []).append(alarm)
            for queue in queues:
                self._by_queue.setdefault(queue, []).append(alarm)

    def on_function(self, name: str) -> list[Alarm]:
        """Metric alarms on the function's own AWS/Lambda metrics."""
        return list(self._by_function.get(name, ()))

    def on_queue(self, arn: str) -> list[Alarm]:
        queue = queue_name(arn)
        return list(self._by_queue.get(queue, ())) if queue else []

    def for_function(self, name: str, queues: Iterable[str] = ()) -> list[Alarm]:
        """Every alarm watching the function: its metrics, its DLQs' metrics, composites on top."""
        found: dict[str, Alarm] = {a.name: a for a in self.on_function(name)}
        for arn in queues:
            for alarm in self.on_queue(arn):
                found.setdefault(alarm.name, alarm)
        pending = list(found.values())
        while pending:
            for parent in self._parents.get(pending.pop().name, ()):
                if parent.name not in found:
                    found[parent.name] = parent
                    pending.append(parent)
        # Worst state first; metric alarms before the composites built on them.
        return sorted(found.values(), key=lambda a: (STATES.index(worst([a])), a.composite, a.name))


def worst(alarms: Iterable[Alarm]) -> str:
    """ALARM, INSUFFICIENT_DATA or OK (worst first), or "none" without alarms."""
    states = {a.state for a in alarms}
    for state in STATES:
        if state in states:
            return state
    return NONE
