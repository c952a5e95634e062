"""CloudWatch alarms as the API reference describes them, on moto's alarm store.

moto 5.2 lacks PutCompositeAlarm and DescribeAlarmHistory, returns composite
alarms without their AlarmRule, and ignores DescribeAlarms' AlarmTypes (AWS
returns only metric alarms when AlarmTypes is omitted). This adds them: every
state change (SetAlarmState, or the demo world's seeded transitions) is kept as
a StateUpdate history item with AWS's summary and HistoryData shapes.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any

from moto.cloudwatch.models import Alarm, CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult, EmptyResult

_lock = threading.Lock()
_installed = False
HISTORY_KEPT = 100  # items kept per alarm


def _history(alarm: Alarm) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] | None = getattr(alarm, "sandbox_history", None)
    if items is None:
        items = []
        alarm.sandbox_history = items  # type: ignore[attr-defined]
    return items


def transition(alarm: Alarm, state: str, reason: str, when: datetime) -> None:
    """Move `alarm` to `state` at `when`, recording the change as AWS's history does."""
    old = alarm.state_value
    kind = "CompositeAlarm" if alarm.rule else "MetricAlarm"
    data = {
        "version": "1.0",
        "oldState": {"stateValue": old, "stateReason": alarm.state_reason},
        "newState": {"stateValue": state, "stateReason": reason},
    }
    items = _history(alarm)
    items.append(
        {
            "AlarmName": alarm.name,
            "AlarmType": kind,
            "Timestamp": when.astimezone(UTC),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old} to {state}",
            "HistoryData": json.dumps(data),
        }
    )
    del items[:-HISTORY_KEPT]
    alarm.state_value = state
    alarm.state_reason = reason
    alarm.state_reason_data = "{}"
    alarm.state_updated_timestamp = when.astimezone(UTC).replace(tzinfo=None)


def install() -> None:
    """Patch moto's CloudWatch responses (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        Alarm.alarm_rule = property(lambda self: self.rule)  # type: ignore[attr-defined]
        Alarm.state_transitioned_timestamp = property(  # type: ignore[attr-defined]
            lambda self: self.state_updated_timestamp
        )

        def set_alarm_state(
            self: CloudWatchBackend,
            alarm_name: str,
            reason: str,
            reason_data: str,
            state_value: str,
        ) -> None:
            original_set(self, alarm_name, reason, reason_data, state_value)
            alarm = self.alarms[alarm_name]
            # moto already moved the alarm; record the change it made.
            previous = alarm.history[-1] if alarm.history else None
            old = previous[3] if previous else "INSUFFICIENT_DATA"
            alarm.state_value = old
            transition(alarm, state_value, reason, datetime.now(UTC))

        original_set = CloudWatchBackend.set_alarm_state
        CloudWatchBackend.set_alarm_state = set_alarm_state  # type: ignore[method-assign]
        CloudWatchResponse.describe_alarms = _describe_alarms  # type: ignore[method-assign]
        CloudWatchResponse.describe_alarm_history = _describe_alarm_history  # type: ignore[attr-defined]
        CloudWatchResponse.put_composite_alarm = _put_composite_alarm  # type: ignore[attr-defined]
        _installed = True


_original_describe = CloudWatchResponse.describe_alarms


def _describe_alarms(self: CloudWatchResponse) -> ActionResult:
    types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]
    result = _original_describe(self).result
    assert isinstance(result, dict)
    if "MetricAlarm" not in types:
        result["MetricAlarms"] = []
    if "CompositeAlarm" not in types:
        result["CompositeAlarms"] = []
    return ActionResult(result)


def _describe_alarm_history(self: CloudWatchResponse) -> ActionResult:
    name = self._get_param("AlarmName")
    kind = self._get_param("HistoryItemType")
    types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]
    start = self._get_param("StartDate")
    end = self._get_param("EndDate")
    newest_first = self._get_param("ScanBy", "TimestampDescending") == "TimestampDescending"
    limit = int(self._get_param("MaxRecords") or 100)
    backend = self.cloudwatch_backend
    alarms = [backend.alarms[name]] if name in backend.alarms else []
    if not name:
        alarms = list(backend.alarms.values())
    items = [
        item
        for alarm in alarms
        for item in _history(alarm)
        if (not kind or item["HistoryItemType"] == kind)
        and (name or item["AlarmType"] in types)
        and (start is None or item["Timestamp"] >= _aware(start))
        and (end is None or item["Timestamp"] <= _aware(end))
    ]
    items.sort(key=lambda item: item["Timestamp"], reverse=newest_first)
    offset = int(self._get_param("NextToken") or 0)
    page = items[offset : offset + limit]
    result: dict[str, Any] = {"AlarmHistoryItems": page}
    if offset + limit < len(items):
        result["NextToken"] = str(offset + limit)
    return ActionResult(result)


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _put_composite_alarm(self: CloudWatchResponse) -> EmptyResult:
    self.cloudwatch_backend.put_metric_alarm(
        name=self._get_param("AlarmName"),
        namespace="",
        metric_name="",
        comparison_operator="",
        evaluation_periods=0,
        period=0,
        threshold=0.0,
        statistic="",
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        actions_enabled=self._get_bool_param("ActionsEnabled"),
        rule=self._get_param("AlarmRule"),
        tags=self._get_param("Tags", []),
    )
    return EmptyResult()
