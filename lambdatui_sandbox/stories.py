"""The demo account's traffic: how each function is called, behaves and logs.

The stories are data: ``data/stories.toml`` (a profile per function, and the incident
they tell), the values their lines draw in ``data/vocabulary.toml`` and the events they
leave behind in ``data/payloads.json``. This module anchors them on the world clock and
holds the events that are built rather than filled in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from . import seeddata
from .profiles import Backlog, Context, PayloadBuilder, Profile, Ramp
from .seeddata import At, Document, Draw, SeedDataError, Template
from .world import FUNCTIONS, Function

_RELEASE = re.compile(r"release (\d+)")


def _webhook_payload(ctx: Context) -> dict[str, Any]:
    kind = ctx["event_type"]
    obj: dict[str, Any] = {"id": ctx["pi_id"], "object": kind.split(".")[0]}
    if kind.startswith(("payment_intent", "charge.succeeded")):
        obj.update(
            amount=int(float(ctx["amount"]) * 100),
            currency=ctx["currency"].lower(),
            payment_intent=ctx["pi_id"],
            customer=ctx["customer_id"],
        )
    return {
        "id": ctx["event_id"],
        "object": "event",
        "api_version": "2024-06-20",
        "type": kind,
        "livemode": True,
        "data": {"object": obj},
    }


def _queue_payload(ctx: Context) -> dict[str, Any]:
    count = int(ctx["records"])
    return {
        "Records": [
            {
                "messageId": f"{ctx.rng.getrandbits(128):032x}",
                "eventSource": "aws:sqs",
                "body": f'{{"order_id": "{ctx["order_id"]}", "seq": {index}}}',
            }
            for index in range(count)
        ]
    }


def _stream_payload(ctx: Context) -> dict[str, Any]:
    shard = ctx["shard"]
    return {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventName": "aws:kinesis:record",
                "eventID": f"{shard}:{ctx.rng.getrandbits(180):055d}",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/orders-events",
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": ctx["order_id"],
                    "data": "eyJ0eXBlIjogIm9yZGVyLmNyZWF0ZWQifQ==",
                },
            }
        ]
    }


#: Events with a shape of their own (a Stripe event, a batch of records), by name.
BUILDERS: Mapping[str, PayloadBuilder] = {
    "stripe-webhook": _webhook_payload,
    "sqs-batch": _queue_payload,
    "kinesis-batch": _stream_payload,
}

VOCABULARY: Mapping[str, Draw] = seeddata.read("vocabulary.toml").build(dict[str, Draw])
TEMPLATES: Mapping[str, Template] = {
    name: Template(shape)
    for name, shape in seeddata.read("payloads.json").build(dict[str, dict[str, Any]]).items()
}
STORIES = seeddata.read("stories.toml")


@dataclass(frozen=True)
class _RampSpec:
    """A failure rate growing from ``low`` to ``high`` over ``over``, from ``since``."""

    since: str
    over: timedelta
    low: float
    high: float


def demo_profiles(now_ms: int, stories: Document = STORIES) -> dict[str, Profile]:
    """Profiles of the demo world's functions, anchored on the world clock."""
    functions = {spec.name: spec for spec in FUNCTIONS}
    at = At(stories.name)
    profiles = {}
    for name, story in seeddata.convert(dict[str, Any], stories.data, at, {}).items():
        spec = functions.get(name)
        if spec is None:
            raise SeedDataError(at.key(name), "no function of that name in world.toml")
        profiles[name] = seeddata.convert(Profile, story, at.key(name), _hooks(spec, now_ms))
    return profiles


def _hooks(spec: Function, now_ms: int) -> dict[Any, seeddata.Hook]:
    def moment(value: Any, at: At) -> int:
        """``"release N"`` (when the function's version N went live) or ``"40m ago"``."""
        text = value if isinstance(value, str) else ""
        release = _RELEASE.fullmatch(text)
        if release and 1 <= int(release[1]) <= len(spec.releases):
            return now_ms - int(spec.releases[int(release[1]) - 1].total_seconds() * 1000)
        if text.endswith(" ago"):
            return now_ms - int(seeddata.duration(text[:-4], at).total_seconds() * 1000)
        raise SeedDataError(
            at,
            f"expected 'release N' ({spec.name} has {len(spec.releases)} releases) "
            f"or a duration ago ('40m ago'), got {value!r}",
        )

    def ramp(value: Any, at: At) -> Ramp:
        shape: _RampSpec = seeddata.build(_RampSpec, value, at, {})
        start = moment(shape.since, at.key("since"))
        end = start + int(shape.over.total_seconds() * 1000)
        return Ramp(start, end, shape.low, shape.high)

    def backlog(value: Any, at: At) -> Backlog:
        table = dict(seeddata.convert(dict[str, Any], value, at, {}))
        since = moment(seeddata.take(table, "since", at), at.key("since"))
        del table["since"]
        built: Backlog = seeddata.build(Backlog, {**table, "since_ms": since}, at, {})
        return built

    def payload(value: Any, at: At) -> PayloadBuilder:
        found = BUILDERS.get(value) or TEMPLATES.get(value) if isinstance(value, str) else None
        if found is None:
            known = ", ".join(sorted({*BUILDERS, *TEMPLATES}))
            raise SeedDataError(at, f"expected an event's name ({known}), got {value!r}")
        return found

    return {Ramp: ramp, Backlog: backlog, Callable: payload}
