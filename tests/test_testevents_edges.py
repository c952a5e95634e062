"""Shareable test events at the edges: a region without the registry, an event too large
to share, deleting what is not there, a schema another tool left without examples."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from lambdatui.aws.testevents import (
    REGISTRY,
    delete_shared_event,
    document,
    examples,
    save_shared_event,
    schema_name,
    shared_events,
)

from .helpers import session_for

# The demo world seeds the registry in its own region only.
BARE_REGION = "eu-west-3"


def schemas(box: Any, region: str) -> Any:
    return boto3.client(
        "schemas",
        endpoint_url=box.endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def function() -> str:
    return f"orders-{uuid.uuid4().hex[:8]}"


def test_the_schema_of_an_event_names_its_types() -> None:
    deep: Any = "bottom"
    for _ in range(40):
        deep = {"down": deep}
    content = json.loads(
        document("orders", {"order": {"count": 3, "total": 9.5, "note": None, "deep": deep}})
    )

    shape = content["components"]["schemas"]["Event"]["properties"]
    assert shape["count"] == {"type": "integer"}
    assert shape["total"] == {"type": "number"}
    assert shape["note"] == {}
    level = shape["deep"]
    while level.get("properties"):
        level = level["properties"]["down"]
    assert level == {}  # past 32 levels the shape stops; the example keeps it all
    assert examples(json.dumps(content)) == {
        "order": {"count": 3, "total": 9.5, "note": None, "deep": deep}
    }


@pytest.mark.parametrize(
    "content", ["not a document", json.dumps({"components": {"examples": ["order"]}})]
)
def test_a_document_that_is_not_a_schema_holds_no_events(content: str) -> None:
    assert examples(content) == {}


async def test_the_first_event_in_a_region_creates_the_registry(sandbox: Any) -> None:
    name = function()
    aws = session_for(sandbox, BARE_REGION)
    try:
        before = await shared_events(aws, name)
        await save_shared_event(aws, name, "order", {"id": 1})
        after = await shared_events(aws, name)
    finally:
        await aws.close()

    assert not before.registry_exists
    assert before.note == f"No shareable events yet: the registry {REGISTRY} does not exist."
    assert after.events == {"order": {"id": 1}}
    registry = schemas(sandbox, BARE_REGION).describe_registry(RegistryName=REGISTRY)
    assert registry["RegistryName"] == REGISTRY


async def test_an_event_too_large_to_share_is_refused_before_any_change(sandbox: Any) -> None:
    name = function()
    aws = session_for(sandbox)
    try:
        await save_shared_event(aws, name, "small", {"id": 1})
        with pytest.raises(ValueError, match="Too large to share"):
            await save_shared_event(aws, name, "huge", {"blob": "x" * 120_000})
        after = await shared_events(aws, name)
    finally:
        await aws.close()

    assert after.events == {"small": {"id": 1}}


async def test_deleting_one_of_two_events_keeps_the_other(sandbox: Any) -> None:
    name = function()
    aws = session_for(sandbox)
    try:
        await save_shared_event(aws, name, "paid", {"status": "paid"})
        await save_shared_event(aws, name, "refunded", {"status": "refunded"})
        await delete_shared_event(aws, name, "never-saved")
        unchanged = await shared_events(aws, name)
        await delete_shared_event(aws, name, "paid")
        after = await shared_events(aws, name)
    finally:
        await aws.close()

    assert set(unchanged.events) == {"paid", "refunded"}
    assert after.events == {"refunded": {"status": "refunded"}}


async def test_a_schema_without_examples_is_updated_not_created_again(sandbox: Any) -> None:
    name = function()
    bare = {"openapi": "3.0.0", "info": {"version": "1.0.0", "title": "Event"}, "paths": {}}
    schemas(sandbox, sandbox.region).create_schema(
        RegistryName=REGISTRY,
        SchemaName=schema_name(name),
        Type="OpenApi3",
        Content=json.dumps(bare),
    )
    aws = session_for(sandbox)
    try:
        assert (await shared_events(aws, name)).events == {}
        await save_shared_event(aws, name, "order", {"id": 7})
        after = await shared_events(aws, name)
    finally:
        await aws.close()

    assert after.events == {"order": {"id": 7}}
