"""One warm execution environment: imports a handler once, then runs invocations.

Started by the sandbox's executor as ``python runner.py CODE_DIR MODULE FUNCTION``; it
uses only the standard library. Requests arrive on stdin, one JSON line each
({"requestId", "event", "deadlineMs", "functionName", "functionVersion", "memory",
"arn", "logGroup", "logStream", "story"}); each answer is one JSON line on the original
stdout: {"ok": bool, "result" | "error", "lines": [[t_ms, level, text, fields,
location], ...], "durationMs", "maxRssKb"}, plus "exit": true when the environment
ends and "outOfMemory": true when it ran out of memory. The first line written is
{"ready": true, "initMs": ..., "lines": [...]} (or {"ready": false, "error": ...} when
the module cannot be imported). What the handler prints (level "") or logs is captured
per invocation, never sent to the terminal; a log record's ``extra`` members are its
fields, and its location is ``function:line``.

The handler sees the request's "story" (the demo's script for a stand-in) as
``context.story``. An exception with a ``lambda_error`` dict answers that Lambda error
payload as it is; one with ``lambda_out_of_memory`` set ends the environment as Lambda
ends one that ran out of memory.
"""

import importlib
import io
import json
import logging
import os
import resource
import sys
import time
import traceback


class Capture(io.TextIOBase):
    """Collects printed text as log lines with their time."""

    def __init__(self, lines):
        self.lines = lines
        self.pending = ""

    def writable(self):
        return True

    def write(self, text):
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            self.lines.append([int(time.time() * 1000), "", line, {}, ""])
        return len(text)

    def flush_pending(self):
        if self.pending:
            self.lines.append([int(time.time() * 1000), "", self.pending, {}, ""])
            self.pending = ""


#: What every LogRecord has; anything else on a record came from ``extra``.
STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


class Collect(logging.Handler):
    def __init__(self, lines):
        super().__init__()
        self.lines = lines

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        told = getattr(record, "story_line", None)
        if isinstance(told, dict):  # a stand-in telling a story names level, fields, place
            level, fields, location = told["level"], told["fields"], told["location"]
        else:
            level = record.levelname
            fields = {
                key: jsonable(value)
                for key, value in record.__dict__.items()
                if key not in STANDARD and key != "location"
            }
            location = getattr(record, "location", None) or f"{record.funcName}:{record.lineno}"
        self.lines.append([int(record.created * 1000), level, message, fields, str(location)])


class Context:
    def __init__(self, request):
        self.aws_request_id = request["requestId"]
        self.function_name = request["functionName"]
        self.function_version = request["functionVersion"]
        self.invoked_function_arn = request["arn"]
        self.memory_limit_in_mb = str(request["memory"])
        self.log_group_name = request["logGroup"]
        self.log_stream_name = request["logStream"]
        self._deadline_ms = request["deadlineMs"]
        self.story = request.get("story")

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


TASK_ROOT = "/var/task"


def error_payload(exc, request_id, code_dir):
    told = getattr(exc, "lambda_error", None)
    if isinstance(told, dict):
        return dict(told)
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    stack = []
    for frame in frames:
        filename = frame.filename
        if filename.startswith(code_dir):
            filename = TASK_ROOT + filename[len(code_dir) :]
        entry = f'  File "{filename}", line {frame.lineno}, in {frame.name}\n'
        if frame.line:
            entry += f"    {frame.line.strip()}\n"
        stack.append(entry)
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": stack,
    }


def resident_kb():
    """The process's resident memory now (ru_maxrss would include the parent's, on Linux)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    code_dir, module_name, function_name = sys.argv[1:4]
    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    requests = sys.stdin
    lines: list = []
    capture = Capture(lines)
    sys.stdout = capture
    sys.stderr = capture
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(Collect(lines))
    root.setLevel(logging.INFO)
    sys.path.insert(0, code_dir)
    started = time.perf_counter()
    try:
        module = importlib.import_module(module_name)
        handler = getattr(module, function_name)
    except Exception as exc:
        capture.flush_pending()
        failure = {"errorMessage": str(exc), "errorType": "Runtime.ImportModuleError"}
        answer.write(json.dumps({"ready": False, "error": failure, "lines": lines}) + "\n")
        answer.flush()
        return
    capture.flush_pending()
    init_ms = (time.perf_counter() - started) * 1000
    answer.write(json.dumps({"ready": True, "initMs": init_ms, "lines": lines}) + "\n")
    answer.flush()
    for raw in requests:
        request = json.loads(raw)
        del lines[:]
        begin = time.perf_counter()
        try:
            result = handler(request["event"], Context(request))
            reply = {"ok": True, "result": result}
        except Exception as exc:
            reply = {"ok": False, "error": error_payload(exc, request["requestId"], code_dir)}
            if getattr(exc, "lambda_out_of_memory", False):
                reply.update(exit=True, outOfMemory=True)
        except BaseException as exc:  # SystemExit and friends end the environment.
            reply = {
                "ok": False,
                "error": error_payload(exc, request["requestId"], code_dir),
                "exit": True,
            }
        capture.flush_pending()
        if reply.get("ok"):
            try:
                json.dumps(reply["result"])
            except (TypeError, ValueError) as exc:
                reply = {
                    "ok": False,
                    "error": {
                        "errorMessage": f"Unable to marshal response: {exc}",
                        "errorType": "Runtime.MarshalError",
                        "requestId": request["requestId"],
                        "stackTrace": [],
                    },
                }
        reply["lines"] = lines
        reply["durationMs"] = (time.perf_counter() - begin) * 1000
        reply["maxRssKb"] = resident_kb()
        answer.write(json.dumps(reply) + "\n")
        answer.flush()
        if reply.get("exit"):
            return


if __name__ == "__main__":
    main()
