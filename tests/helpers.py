"""Test helpers: boto3 views of the sandbox, to compare with what the app shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from lambdatui.aws.session import AwsSession, Target
from lambdatui_sandbox import Sandbox


@dataclass(frozen=True)
class RemoteSandbox:
    """A sandbox served by `lambdatui sandbox` in another process."""

    endpoint_url: str
    exported: dict[str, str]
    region: str = "us-east-1"


@contextmanager
def spawn_sandbox(*args: str, env: dict[str, str] | None = None) -> Iterator[RemoteSandbox]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambdatui", "sandbox", "--port", "0", *args],
        env=env or dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    exported: dict[str, str] = {}
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            match = re.match(r"export (\w+)=(\S+)", line.strip())
            if match:
                exported[match[1]] = match[2].strip("'\"")
            if line.startswith("# Sandbox at"):
                break
        assert "AWS_ENDPOINT_URL" in exported, proc.stderr.read() if proc.stderr else ""
        yield RemoteSandbox(exported["AWS_ENDPOINT_URL"], exported)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def client(box: Sandbox | RemoteSandbox, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def session_for(box: Sandbox | RemoteSandbox) -> AwsSession:
    """The app's own AWS session (aiobotocore) pointed at the sandbox."""
    return AwsSession(
        Target(
            profile=None,
            region=box.region,
            endpoint_url=box.endpoint_url,
            access_key="testing",
            secret_key="testing",
        )
    )


def all_functions(box: Sandbox | RemoteSandbox) -> list[dict[str, Any]]:
    pages = client(box, "lambda").get_paginator("list_functions").paginate()
    return [fn for page in pages for fn in page["Functions"]]


def screen_text(app: Any) -> str:
    """Everything the current screen shows, as plain text."""
    from textual.widgets import Static

    from lambdatui.widgets.section import Section

    parts = [section.text for section in app.screen.query(Section)]
    parts += [str(w.render()) for w in app.screen.query(Static)]
    return "\n".join(parts)


async def settled(pilot: Any) -> None:
    """Workers done and the findings scan (a task, not a worker) finished and drawn."""
    app = pilot.app
    await app.workers.wait_for_complete()
    await app.posture.settled()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Any, predicate: Any, *, frames: int = 200) -> None:
    """Let the app process messages until `predicate()` holds (no wall-clock sleeps)."""
    for _ in range(frames):
        if predicate():
            return
        await pilot.pause()
    raise AssertionError("condition not reached")


def mode(path: Any) -> int:
    """The permission bits of a file or directory."""
    return os.stat(path).st_mode & 0o777
