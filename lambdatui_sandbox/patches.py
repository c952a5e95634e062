"""Every process-wide patch the sandbox makes to moto, in one place.

moto is patched only inside the sandbox's process (the demo's, `lambdatui sandbox`'s,
or a test's); the console never imports this package. Each patch replaces moto code
at class level, once per process, and restores an AWS behaviour moto 5.2 lacks.
Behaviours added by request (new actions, reply shapes) are not patches: they live
in the sandbox's middleware extensions (`server.py` lists them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from . import alarms, ingestion, metricdata, sqsattributes, sqsspeed


@dataclass(frozen=True)
class Patch:
    module: str
    patched: str
    restores: str
    install: Callable[[], None]


PATCHES: tuple[Patch, ...] = (
    Patch(
        "metricdata",
        "CloudWatchBackend.get_metric_data, get_filtered_metrics; "
        "CloudWatchResponse.get_metric_data",
        "GetMetricData answers percentile statistics (pNN, pNN.NN) as CloudWatch does "
        "instead of a server error, queries an index rather than every datum, rounds "
        "StartTime, labels results, refuses more than 500 queries, evaluates metric math "
        "arithmetic, reports per-query StatusCode / Messages and pages by MaxDatapoints",
        metricdata.install,
    ),
    Patch(
        "alarms",
        "CloudWatchBackend.set_alarm_state; CloudWatchResponse.describe_alarms, "
        "describe_alarm_history; Alarm.alarm_rule, state_transitioned_timestamp",
        "DescribeAlarms honours AlarmTypes and returns composite alarms' AlarmRule; "
        "DescribeAlarmHistory and PutCompositeAlarm exist, with AWS's history shapes",
        alarms.install,
    ),
    Patch(
        "ingestion",
        "LogStream.put_log_events",
        "every stored log event reaches Live Tail sessions (moto's StartLiveTail only "
        "replays what was stored before it started)",
        ingestion.install,
    ),
    Patch(
        "sqsspeed",
        "SQSBackend.is_message_valid_based_on_retention_period; Message.visible, delayed",
        "ReceiveMessage costs O(messages received), as on SQS, not O(queue) per message",
        sqsspeed.install,
    ),
    Patch(
        "sqsattributes",
        "SQSBackend.get_queue_attributes",
        "GetQueueAttributes returns RedriveAllowPolicy (named, or with All) when it is set "
        "instead of InvalidAttributeName",
        sqsattributes.install,
    ),
)


_lock = threading.Lock()
_installed: set[str] = set()


def install_all() -> None:
    """Install every patch (idempotent: each installs once per process)."""
    with _lock:
        for patch in PATCHES:
            if patch.module not in _installed:
                patch.install()
                _installed.add(patch.module)
