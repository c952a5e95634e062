"""Shareable test events: the Lambda console's registry in EventBridge Schemas.

Each function's shared events live in the registry ``lambda-testevent-schemas`` as the
schema ``_<function>-schema``, an OpenAPI 3 document whose ``components.examples`` map
event names to ``{"value": event}``. The Lambda console and ``sam remote test-event``
read and write the same document, so events saved here show up there and back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import NotFound
from .session import AwsSession, call

REGISTRY = "lambda-testevent-schemas"
#: EventBridge Schemas refuses schema content longer than this.
CONTENT_LIMIT = 100_000


def schema_name(function: str) -> str:
    return f"_{function}-schema"


def _shape(value: Any, depth: int = 0) -> dict[str, Any]:
    """A JSON Schema for one example value (types only, as the console infers them)."""
    if depth > 32:
        return {}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        return {"type": "array", "items": _shape(value[0], depth + 1) if value else {}}
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {key: _shape(item, depth + 1) for key, item in value.items()},
        }
    return {}


def document(function: str, events: dict[str, Any]) -> str:
    """The schema content holding ``events`` (name -> event)."""
    first: Any = next(iter(events.values()), {})
    content = {
        "openapi": "3.0.0",
        "info": {"version": "1.0.0", "title": "Event"},
        "paths": {},
        "components": {
            "schemas": {"Event": _shape(first)},
            "examples": {name: {"value": event} for name, event in events.items()},
        },
    }
    return json.dumps(content, indent=2)


def examples(content: str) -> dict[str, Any]:
    """The events a schema document holds (name -> event); bad documents hold none."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return {}
    found = data.get("components", {}).get("examples", {}) if isinstance(data, dict) else {}
    if not isinstance(found, dict):
        return {}
    return {
        str(name): entry["value"]
        for name, entry in found.items()
        if isinstance(entry, dict) and "value" in entry
    }


@dataclass(frozen=True)
class SharedEvents:
    """A function's shareable events; ``note`` says why there are none when it matters."""

    events: dict[str, Any] = field(default_factory=dict)
    registry_exists: bool = True
    note: str = ""


async def shared_events(session: AwsSession, function: str) -> SharedEvents:
    """The function's shareable events. Raises AwsError (e.g. AccessDenied) on failure."""
    try:
        reply = await call(
            session,
            "schemas",
            "DescribeSchema",
            RegistryName=REGISTRY,
            SchemaName=schema_name(function),
        )
    except NotFound:
        try:
            await call(session, "schemas", "DescribeRegistry", RegistryName=REGISTRY)
        except NotFound:
            return SharedEvents(
                registry_exists=False,
                note=f"No shareable events yet: the registry {REGISTRY} does not exist.",
            )
        return SharedEvents(note="No shareable events for this function yet.")
    return SharedEvents(examples(str(reply.get("Content", ""))))


async def save_shared_event(session: AwsSession, function: str, name: str, event: Any) -> None:
    """Add or replace one shareable event (creating the registry and schema if needed)."""
    current = await shared_events(session, function)
    events = {**current.events, name: event}
    content = document(function, events)
    if len(content) > CONTENT_LIMIT:
        raise ValueError(
            f"Too large to share: the function's shareable events would take "
            f"{len(content):,} characters; EventBridge Schemas allows {CONTENT_LIMIT:,}."
        )
    if not current.registry_exists:
        await call(
            session,
            "schemas",
            "CreateRegistry",
            RegistryName=REGISTRY,
            Description="Shareable test events of Lambda functions",
        )
    schema = schema_name(function)
    exists = bool(current.events) or (
        current.registry_exists and await _schema_exists(session, schema)
    )
    await _write(session, "UpdateSchema" if exists else "CreateSchema", schema, content)


async def delete_shared_event(session: AwsSession, function: str, name: str) -> None:
    """Remove one shareable event (the schema goes when its last event does)."""
    current = await shared_events(session, function)
    if name not in current.events:
        return
    events = {key: value for key, value in current.events.items() if key != name}
    schema = schema_name(function)
    if not events:
        await call(session, "schemas", "DeleteSchema", RegistryName=REGISTRY, SchemaName=schema)
        return
    await _write(session, "UpdateSchema", schema, document(function, events))


async def _write(session: AwsSession, action: str, schema: str, content: str) -> None:
    """CreateSchema or UpdateSchema with the whole document."""
    await call(
        session,
        "schemas",
        action,
        RegistryName=REGISTRY,
        SchemaName=schema,
        Content=content,
        Type="OpenApi3",
    )


async def _schema_exists(session: AwsSession, schema: str) -> bool:
    try:
        await call(session, "schemas", "DescribeSchema", RegistryName=REGISTRY, SchemaName=schema)
    except NotFound:
        return False
    return True
