"""Test helpers: boto3 views of the sandbox, to compare with what the app shows."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import boto3
from botocore.config import Config

from lambdatui.app import LambdaTui, make_app
from lambdatui.aws.session import AwsSession, Target
from lambdatui.config import Settings, utc_now
from lambdatui_sandbox import Sandbox

T = TypeVar("T")

# The demo world and the app's clock agree on "now", so relative times are stable.
FROZEN_NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


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
        # Keep reading what the server prints: a full pipe would block it mid-write, where
        # it can neither serve nor act on the terminate below.
        for stream in (proc.stdout, proc.stderr):
            threading.Thread(target=stream.read, daemon=True).start()
        yield RemoteSandbox(exported["AWS_ENDPOINT_URL"], exported)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@contextmanager
def spawn_bare_moto() -> Iterator[RemoteSandbox]:
    """A plain moto server (no sandbox extensions, no world) on a free port, in its own
    process: moto keeps its state per process, and the sandbox's world is not its."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambdatui_sandbox.baremoto"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://"), "the moto server did not start"
        yield RemoteSandbox(url, {})
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class SilentEndpoint:
    """A TCP endpoint in front of `target` that accepts connections and, while `silent`,
    never answers them; once `silent` is False, new connections reach `target`."""

    def __init__(self, target: str) -> None:
        import socket
        import threading
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.silent = True
        self.held: list[Any] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        host, port = self.listener.getsockname()[:2]
        self.endpoint_url = f"http://{host}:{port}"
        self.region = "us-east-1"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while not self._closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if self.silent:
                self.held.append(conn)  # accepted, never read, never answered
                continue
            upstream = socket.create_connection(self.target)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: Any, sink: Any) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.close()

    def close(self) -> None:
        self._closed = True
        self.listener.close()
        for conn in self.held:
            conn.close()


def client(box: Sandbox | RemoteSandbox, service: str, config: Config | None = None) -> Any:
    return boto3.client(
        service,
        endpoint_url=box.endpoint_url,
        region_name=box.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )


def session_for(
    box: Sandbox | RemoteSandbox, region: str | None = None, *, pacing: bool = False
) -> AwsSession:
    """The console's AWS session pointed at a sandbox, with the sandbox's keys (unpaced:
    the sandbox has no quotas; the rate limiter's tests ask for pacing)."""
    return AwsSession(
        Target(
            profile=None,
            region=region or box.region,
            endpoint_url=box.endpoint_url,
            access_key="testing",
            secret_key="testing",
        ),
        pacing=pacing,
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


def terminal_lines(app: Any) -> list[str]:
    """What the terminal shows now, line by line, as the export of a screenshot draws it."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text().splitlines()


async def settled(pilot: Any, *, rounds: int = 50) -> None:
    """Every worker done (one cancelled by its successor counts as done), the findings
    scan (a task, not a worker) finished, and the result drawn."""
    from textual.worker import WorkerCancelled

    app = pilot.app
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await app.fleet.posture.settled()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return
    raise AssertionError("workers still running")


# ----- waiting --------------------------------------------------------------------
# Every wait in the suite is one of these three, with one rule: check a condition
# until it holds and fail, naming what was last seen, once a deadline has passed.
# The deadline is a bound for a stuck test, never a figure the test asserts (timings
# belong to benchmarks/); pytest-timeout stops whatever still hangs.

WITHIN = 60.0  # seconds before a condition counts as never reached


def eventually(probe: Callable[[], T], *, within: float = WITHIN, every: float = 0.02) -> T:
    """Call `probe` (no event loop: threads, the sandbox) until it returns something
    truthy, and return that."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {within} s; last value: {value!r}")
        time.sleep(every)


async def arrives(probe: Callable[[], Any], *, within: float = WITHIN, every: float = 0.02) -> Any:
    """`eventually` inside an event loop (the core's tests): the loop runs meanwhile.
    `probe` may be a coroutine function."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {within} s; last value: {value!r}")
        await asyncio.sleep(every)


async def wait_until(
    pilot: Any, predicate: Callable[[], Any], *, frames: int = 200, within: float = WITHIN
) -> None:
    """Let the app run until `predicate()` holds: first `frames` turns of its message
    loop, then short pauses until `within` seconds have passed."""
    deadline = time.monotonic() + within
    turns = 0
    while not predicate():
        if turns >= frames and time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {frames} frames and {within} s")
        await pilot.pause(0.02 if turns >= frames else None)
        turns += 1


async def listed(pilot: Any, *, frames: int = 2000) -> Any:
    """The function list on screen, showing every function the fleet has listed
    (or the fleet's listing failed)."""
    from lambdatui.screens.functions import FunctionsScreen

    app = pilot.app

    def ready() -> bool:
        screen = app.screen
        fleet = app.fleet
        if not isinstance(screen, FunctionsScreen) or fleet.loading:
            return False
        if fleet.load_error is not None:
            return True
        return fleet.loaded and len(screen.table.rows) == len(fleet.functions)

    await wait_until(pilot, ready, frames=frames)
    return app.screen


def settings_for(box: Sandbox | RemoteSandbox, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "region": box.region,
        "endpoint_url": box.endpoint_url,
        "endpoint_label": "demo sandbox",
        "access_key": "testing",
        "secret_key": "testing",
        "clock": lambda: FROZEN_NOW,
        "animations": False,
        # The sandbox has no quotas: only the rate limiter's own tests pace calls.
        "pacing": False,
        # Each launch lists afresh: only the list cache's own tests draw a kept list.
        "list_cache": False,
        # The findings scan (about 140 calls on the demo account) waits until a pane
        # wants findings: only the tests of findings and of the list's column ask for it.
        "findings_on_launch": False,
    }
    values.update(overrides)
    if values["clock"] is None:  # tests of live data run on the real clock
        values["clock"] = utc_now
    return Settings(**values)  # type: ignore[arg-type]


def app_for(box: Sandbox | RemoteSandbox, **overrides: object) -> LambdaTui:
    return make_app(settings_for(box, **overrides), system_clipboard=False)


def fill_dlq(box: Sandbox, count: int, queue: str = "payments-webhook-dlq") -> list[str]:
    """Replace the queue's messages with `count` of Lambda's async DLQ shape; their request ids."""
    # Events an earlier test redrove fail again (payments-webhook version 2 still has the
    # bug) and come back to the DLQ after their retries: let them land first.
    assert box.invoker.wait_async(timeout=60)
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            break
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    rids = []
    for i in range(count):
        rid = str(uuid.uuid4())
        sqs.send_message(
            QueueUrl=url,
            MessageBody=json.dumps({"id": f"evt_{i}", "type": "x"}),
            MessageAttributes={
                "RequestID": {"DataType": "String", "StringValue": rid},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {"DataType": "String", "StringValue": "KeyError: 'payment_intent'"},
            },
        )
        rids.append(rid)
    # Every one of them visible: none taken by a receive still waiting from before.
    eventually(lambda: dlq_depth(box, queue, visible_only=True) == count)
    return rids


def dlq_depth(
    box: Sandbox, queue: str = "payments-webhook-dlq", *, visible_only: bool = False
) -> int:
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    visible = int(attrs["ApproximateNumberOfMessages"])
    return (
        visible if visible_only else visible + int(attrs["ApproximateNumberOfMessagesNotVisible"])
    )


def peek_queue(box: Sandbox, queue: str) -> list[dict[str, Any]]:
    """Up to ten messages of `queue` with their attributes, left visible for the next look."""
    sqs = client(box, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    got = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=0
    )
    return list(got.get("Messages", []))


def mode(path: Any) -> int:
    """The permission bits of a file or directory."""
    return os.stat(path).st_mode & 0o777
