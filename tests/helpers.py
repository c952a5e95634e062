"""Test helpers: boto3 views of the sandbox, to compare with what the app shows."""

from __future__ import annotations

from typing import Any

import boto3

from lambdatui.sandbox import Sandbox


def client(box: Sandbox, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def all_functions(box: Sandbox) -> list[dict[str, Any]]:
    pages = client(box, "lambda").get_paginator("list_functions").paginate()
    return [fn for page in pages for fn in page["Functions"]]


def screen_text(app: Any) -> str:
    """Everything the current screen shows, as plain text."""
    from textual.widgets import Static

    parts = []
    for widget in app.screen.query(Static):
        parts.append(str(widget.render()))
    return "\n".join(parts)


async def wait_until(pilot: Any, predicate: Any, *, frames: int = 200) -> None:
    """Let the app process messages until `predicate()` holds (no wall-clock sleeps)."""
    for _ in range(frames):
        if predicate():
            return
        await pilot.pause()
    raise AssertionError("condition not reached")
