"""What the benchmark scripts share: a sandbox in another process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from typing import Any

from textual import events

CREDS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def start_sandbox(*args: str) -> tuple[subprocess.Popen[str], str]:
    """`lambdatui sandbox --port 0 ARGS` in another process, and its endpoint URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | CREDS
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambdatui", "sandbox", "--port", "0", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"AWS_ENDPOINT_URL=['\"]?(http://[^'\"\s]+)", line)
        if match:
            return proc, match[1]
    raise SystemExit("the sandbox did not start")


def serve(setup: Any = None, **sandbox: Any) -> None:
    """Run `Sandbox(**sandbox)` here, announce its endpoint, serve until stdin closes.

    For a script's `--serve` mode, started by `spawn`: `setup(box)` adjusts the
    sandbox (traffic speed, Live Tail session length) before it is announced.
    """
    from lambdatui_sandbox import Sandbox

    box = Sandbox(**sandbox).start()
    if setup is not None:
        setup(box)
    print(f"ENDPOINT {box.endpoint_url}", flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin
    finally:
        box.stop()


def spawn(script: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    """`python SCRIPT --serve ARGS` in another process, and the endpoint it announced."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | CREDS
    proc = subprocess.Popen(
        [sys.executable, script, "--serve", *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.match(r"ENDPOINT (\S+)", line)
        if match:
            return proc, match[1]
    raise SystemExit("the sandbox did not start")


def stop(proc: subprocess.Popen[str]) -> None:
    """End a sandbox started by `spawn`."""
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=60)


class KeyTimer:
    """Key press -> the first frame the app writes after the key's action ran.

    Wraps the app's frame output and `target`'s action method; `press` posts
    the key as the terminal would.
    """

    def __init__(self, app: Any, target: Any, action: str) -> None:
        self.app = app
        self.frames: list[float] = []
        self.handled: list[float] = []
        self.pressed: list[float] = []
        display = app._display
        method = getattr(target, action)

        def timed_display(*args: Any) -> None:
            display(*args)
            self.frames.append(time.perf_counter())

        def timed_action(*args: Any) -> None:
            method(*args)
            self.handled.append(time.perf_counter())

        app._display = timed_display
        setattr(target, action, timed_action)

    def press(self, key: str, character: str | None = None) -> None:
        self.pressed.append(time.perf_counter())
        self.app.post_message(events.Key(key, character))

    def latencies(self) -> list[float]:
        """Seconds per key, sorted; keys whose frame never came are left out."""
        out = []
        for sent, done in zip(self.pressed, self.handled, strict=False):
            frame = next((f for f in self.frames if f >= done), None)
            if frame is not None:
                out.append(frame - sent)
        return sorted(out)
