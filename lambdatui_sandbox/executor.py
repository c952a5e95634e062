"""Runs demo handlers for real: warm Python subprocesses, one invocation at a time each.

Like Lambda's execution environments, an environment is started on first use (a cold
start, whose import time is the Init Duration), reused while warm, and thrown away when
an invocation times out, runs out of memory or its process dies. Each environment writes
to a log stream of its own. Code comes from the function's deployment package; functions
the sandbox cannot run (Node, Java, custom runtimes, images), and demo functions whose
story the sandbox tells (``Code.story``), get the Python stand-in of handlers.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .handlers import STAND_IN_HANDLER, STAND_IN_SOURCE

RUNNER = Path(__file__).with_name("runner.py")
#: Warm environments kept per function version once they are idle.
IDLE_PER_FUNCTION = 2
#: How long a new environment may take to import its handler.
INIT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Code:
    """What an environment runs: a function version's package and handler."""

    key: str  # function ARN with version, and the package's hash
    package: bytes | None
    runtime: str | None
    handler: str
    name: str
    description: str
    version: str
    story: bool = False

    @property
    def runs_natively(self) -> bool:
        return bool(
            not self.story and self.runtime and self.runtime.startswith("python") and self.package
        )


#: One captured line: (time ms, level ("" for printed output), text, fields, location).
Line = tuple[int, str, str, dict[str, Any], str]


def _line(raw: list[Any]) -> Line:
    t, level, text = int(raw[0]), str(raw[1]), str(raw[2])
    fields = raw[3] if len(raw) > 3 and isinstance(raw[3], dict) else {}
    location = str(raw[4]) if len(raw) > 4 else ""
    return t, level, text, fields, location


@dataclass
class Execution:
    """What one invocation did."""

    request_id: str
    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None
    lines: list[Line] = field(default_factory=list)
    init_lines: list[Line] = field(default_factory=list)
    start_ms: int = 0
    duration_ms: float = 0.0
    init_ms: float | None = None
    max_memory_mb: int = 0
    timed_out: bool = False
    out_of_memory: bool = False
    stream: str = ""


class _Environment:
    def __init__(self, code: Code, directory: Path, stream: str) -> None:
        handler = code.handler if code.runs_natively else STAND_IN_HANDLER
        module, function = handler.rsplit(".", 1)
        self.stream = stream
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(RUNNER), str(directory), module, function],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=directory,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"},
            text=True,
            encoding="utf-8",
        )
        self.fresh = True
        self.ready: dict[str, Any] | None = None

    def read(self, deadline: float) -> dict[str, Any] | None:
        """The next answer line, or None when the deadline passes or the process died."""
        stdout = self.process.stdout
        assert stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return None
        line = stdout.readline()
        if not line:
            return None
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, request: dict[str, Any]) -> bool:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(request) + "\n")
            stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


class Executor:
    """Keeps warm environments per function version and runs invocations in them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[str, list[_Environment]] = {}
        self._busy: set[_Environment] = set()
        self._dirs: dict[str, Path] = {}
        self._root: Path | None = None

    def run(
        self,
        code: Code,
        event: Any,
        *,
        request_id: str,
        timeout_s: float,
        memory_mb: int,
        arn: str,
        log_group: str,
        story: dict[str, Any] | None = None,
    ) -> Execution:
        started = time.monotonic()
        environment, cold = self._acquire(code, started + INIT_TIMEOUT_S)
        execution = Execution(request_id, ok=False, stream=environment.stream)
        ready = environment.ready or {}
        if cold:
            execution.init_ms = float(ready.get("initMs", 0.0))
            execution.init_lines = [_line(line) for line in ready.get("lines", [])]
        if not ready.get("ready"):
            self._discard(environment)
            execution.error = dict(ready.get("error") or {})
            execution.error.setdefault("errorType", "Runtime.Unknown")
            execution.error.setdefault("errorMessage", "The runtime did not start.")
            execution.start_ms = int(time.time() * 1000)
            return execution
        execution.start_ms = int(time.time() * 1000)
        deadline_ms = execution.start_ms + int(timeout_s * 1000)
        request = {
            "requestId": request_id,
            "event": event,
            "deadlineMs": deadline_ms,
            "functionName": code.name,
            "functionVersion": code.version,
            "memory": memory_mb,
            "arn": arn,
            "logGroup": log_group,
            "logStream": environment.stream,
            "story": story,
        }
        began = time.monotonic()
        answer = environment.read(began + timeout_s) if environment.send(request) else None
        if answer is None:
            elapsed = time.monotonic() - began
            self._discard(environment)
            execution.duration_ms = elapsed * 1000
            execution.timed_out = elapsed >= timeout_s
            if execution.timed_out:
                execution.duration_ms = timeout_s * 1000
                execution.error = {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": (
                        f"RequestId: {request_id} Error: "
                        f"Task timed out after {timeout_s:.2f} seconds"
                    ),
                }
            else:
                execution.error = {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited unexpectedly",
                }
            return execution
        execution.ok = bool(answer.get("ok"))
        execution.result = answer.get("result")
        execution.error = answer.get("error")
        execution.lines = [_line(line) for line in answer.get("lines", [])]
        execution.duration_ms = float(answer.get("durationMs", 0.0))
        # Clocks differ by a millisecond between processes: keep the handler's lines
        # inside the invocation (after START, before the error and END).
        times = [line[0] for line in execution.lines]
        if times:
            execution.start_ms = min(execution.start_ms, min(times))
            span = max(times) - execution.start_ms + 1
            execution.duration_ms = max(execution.duration_ms, float(span))
        execution.max_memory_mb = min(memory_mb, max(1, int(answer.get("maxRssKb", 0)) // 1024))
        if answer.get("outOfMemory"):
            execution.out_of_memory = True
            execution.max_memory_mb = memory_mb
        if answer.get("exit"):
            self._discard(environment)
        else:
            self._release(code, environment)
        return execution

    def close(self) -> None:
        """Stop every environment and remove the unpacked code."""
        with self._lock:
            environments = [env for envs in self._idle.values() for env in envs]
            environments.extend(self._busy)
            self._idle.clear()
            self._busy.clear()
            root, self._root = self._root, None
            self._dirs.clear()
        for environment in environments:
            environment.kill()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    # Environments.

    def _acquire(self, code: Code, deadline: float) -> tuple[_Environment, bool]:
        with self._lock:
            idle = self._idle.get(code.key, [])
            while idle:
                environment = idle.pop()
                if environment.process.poll() is None:
                    self._busy.add(environment)
                    return environment, False
                environment.kill()
            directory = self._directory(code)
        stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{code.version}]{uuid.uuid4().hex}"
        environment = _Environment(code, directory, stream)
        environment.ready = environment.read(deadline) or {
            "ready": False,
            "error": {"errorType": "Runtime.Unknown", "errorMessage": "The runtime did not start."},
        }
        with self._lock:
            self._busy.add(environment)
        return environment, True

    def _release(self, code: Code, environment: _Environment) -> None:
        with self._lock:
            self._busy.discard(environment)
            idle = self._idle.setdefault(code.key, [])
            if len(idle) < IDLE_PER_FUNCTION:
                idle.append(environment)
                return
        environment.kill()

    def _discard(self, environment: _Environment) -> None:
        with self._lock:
            self._busy.discard(environment)
        environment.kill()

    def _directory(self, code: Code) -> Path:
        """The unpacked code of ``code`` (the caller holds the lock)."""
        directory = self._dirs.get(code.key)
        if directory is not None:
            return directory
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="lambdatui-sandbox-code-"))
        directory = Path(tempfile.mkdtemp(dir=self._root))
        if code.runs_natively:
            assert code.package is not None
            with zipfile.ZipFile(io.BytesIO(code.package)) as bundle:
                bundle.extractall(directory)
        else:
            module = STAND_IN_HANDLER.rsplit(".", 1)[0]
            (directory / f"{module}.py").write_text(STAND_IN_SOURCE, encoding="utf-8")
        self._dirs[code.key] = directory
        return directory
