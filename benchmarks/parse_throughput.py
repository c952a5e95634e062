"""Single-core throughput of the Lambda log parser, per log format.

    uv run python benchmarks/parse_throughput.py [--lines 200000] [--repeat 3]
    uv run python benchmarks/parse_throughput.py --baseline REV [--rounds 25]

Each format gets `--lines` events built from 1,000 distinct lines (fresh
request ids, varied messages), parsed in a tight loop; the best of `--repeat`
runs is reported. Also measured: the invocation tracker fed the parsed text
records, and the memory held by 100,000 records of realistic invocations
(START, two log lines, END, REPORT; or their JSON-format equivalents).

`--baseline REV` compares with the parser as it is at a git revision instead:
both parse the same lines in short alternating runs (`--rounds` of 20,000
lines each, the best of each kept), so a noisy machine slows both alike and
the ratio is what to read.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import random
import subprocess
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from lambdatui.aws.logparse import InvocationTracker, parse_event
from lambdatui.aws.logrecords import LogRecord

GROUP = "/aws/lambda/orders-api"
STREAM = "2024/11/20/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0"
BASE_MS = 1_732_097_730_123
WORDS = ("order", "payment", "customer", "retry", "queue", "cache", "item", "shipment")


def _iso(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _words(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))


def _json_app(rng: random.Random, i: int) -> str:
    return json.dumps(
        {
            "timestamp": _iso(BASE_MS + i),
            "level": rng.choice(["INFO", "DEBUG", "WARN", "ERROR"]),
            "message": _words(rng),
            "logger": "root",
            "requestId": str(uuid.UUID(int=rng.getrandbits(128))),
            "orderId": rng.randint(1, 10**6),
        }
    )


def _json_report(rng: random.Random, i: int) -> str:
    metrics: dict[str, float | int] = {
        "durationMs": round(rng.uniform(1, 3000), 2),
        "billedDurationMs": rng.randint(1, 3000),
        "memorySizeMB": 128,
        "maxMemoryUsedMB": rng.randint(60, 128),
    }
    if i % 10 == 0:
        metrics["initDurationMs"] = round(rng.uniform(100, 900), 2)
    return json.dumps(
        {
            "time": _iso(BASE_MS + i),
            "type": "platform.report",
            "record": {
                "requestId": str(uuid.UUID(int=rng.getrandbits(128))),
                "metrics": metrics,
                "tracing": {
                    "spanId": "6a4f5e0a2e1b3c4d",
                    "type": "X-Amzn-Trace-Id",
                    "value": "Root=1-5e1b4151-43a0913a12345678901234567;"
                    "Parent=6a4f5e0a2e1b3c4d;Sampled=1",
                },
                "status": "success",
            },
        }
    )


def _text_platform(rng: random.Random, i: int) -> str:
    rid = uuid.UUID(int=rng.getrandbits(128))
    match i % 3:
        case 0:
            return f"START RequestId: {rid} Version: $LATEST\n"
        case 1:
            return f"END RequestId: {rid}\n"
    init = f"Init Duration: {rng.uniform(100, 900):.2f} ms\t" if i % 10 == 2 else ""
    return (
        f"REPORT RequestId: {rid}\tDuration: {rng.uniform(1, 3000):.2f} ms\t"
        f"Billed Duration: {rng.randint(1, 3000)} ms\tMemory Size: 128 MB\t"
        f"Max Memory Used: {rng.randint(60, 128)} MB\t{init}\n"
    )


def _python_line(rng: random.Random, i: int) -> str:
    level = rng.choice(["INFO", "DEBUG", "WARNING", "ERROR"])
    rid = uuid.UUID(int=rng.getrandbits(128))
    return f"[{level}]\t{_iso(BASE_MS + i)}\t{rid}\t{_words(rng)}\n"


def _node_line(rng: random.Random, i: int) -> str:
    level = rng.choice(["INFO", "DEBUG", "WARN", "ERROR"])
    rid = uuid.UUID(int=rng.getrandbits(128))
    return f"{_iso(BASE_MS + i)}\t{rid}\t{level}\t{_words(rng)}\n"


def _powertools(rng: random.Random, i: int) -> str:
    millis = (BASE_MS + i) % 1000
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime((BASE_MS + i) // 1000))
    return json.dumps(
        {
            "level": rng.choice(["INFO", "DEBUG", "WARNING", "ERROR"]),
            "location": "handler:42",
            "message": _words(rng),
            "timestamp": f"{stamp},{millis:03d}+0000",
            "service": "orders",
            "cold_start": i % 10 == 0,
            "function_name": "orders-api",
            "function_memory_size": 128,
            "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:orders-api",
            "function_request_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "order_id": rng.randint(1, 10**6),
            "xray_trace_id": "1-5e1b4151-43a0913a12345678901234567",
        }
    )


def _plain(ms: int, sep: str = "-") -> str:
    return time.strftime(f"%Y{sep}%m{sep}%d %H:%M:%S", time.gmtime(ms // 1000))


def _java_log4j(rng: random.Random, i: int) -> str:
    level = rng.choice(["INFO", "DEBUG", "WARN", "ERROR"])
    rid = uuid.UUID(int=rng.getrandbits(128))
    return f"{_plain(BASE_MS + i)} {rid} {level:<5} LabelHandler - {_words(rng)}\n"


def _java_lambda_logger(rng: random.Random, i: int) -> str:
    return f"[{rng.choice(['INFO', 'DEBUG', 'WARN', 'ERROR'])}] {_words(rng)}\n"


def _dotnet_line(rng: random.Random, i: int) -> str:
    level = rng.choice(["info", "dbug", "warn", "fail"])
    rid = uuid.UUID(int=rng.getrandbits(128))
    return f"{_iso(BASE_MS + i)}\t{rid}\t{level}\t{_words(rng)}\n"


def _go_log(rng: random.Random, i: int) -> str:
    level = rng.choice(["INFO", "DEBUG", "WARN", "ERROR"])
    return f"{_plain(BASE_MS + i, '/')} {level} {_words(rng)} order={rng.randint(1, 10**6)}\n"


def _go_slog_text(rng: random.Random, i: int) -> str:
    level = rng.choice(["INFO", "DEBUG", "WARN", "ERROR"])
    return (
        f'time={_iso(BASE_MS + i)} level={level} msg="{_words(rng)}" '
        f"order={rng.randint(1, 10**6)} ttl=900\n"
    )


def _ruby_logger(rng: random.Random, i: int) -> str:
    level = rng.choice(["INFO", "DEBUG", "WARN", "ERROR"])
    rid = uuid.UUID(int=rng.getrandbits(128))
    stamp = _iso(BASE_MS + i)[:-1] + f"{rng.randint(0, 999):03d}"
    return f"{level[0]}, [{stamp} #8] {level:>5} {rid} -- : {_words(rng)}\n"


def _raw(rng: random.Random, i: int) -> str:
    return f"processed {rng.randint(1, 500)} records: {_words(rng)}\n"


FORMATS: dict[str, Callable[[random.Random, int], str]] = {
    "JSON app record": _json_app,
    "JSON platform.report": _json_report,
    "Text START/END/REPORT": _text_platform,
    "Python runtime line": _python_line,
    "Node.js runtime line": _node_line,
    "Powertools JSON": _powertools,
    "Java Log4j2 line": _java_log4j,
    "Java LambdaLogger line": _java_lambda_logger,
    ".NET runtime line": _dotnet_line,
    "Go log/slog line": _go_log,
    "Go slog text line": _go_slog_text,
    "Ruby Logger line": _ruby_logger,
    "Raw text": _raw,
}


def _lines(make: Callable[[random.Random, int], str], count: int) -> list[str]:
    rng = random.Random(7)
    distinct = [make(rng, i) for i in range(1000)]
    return [distinct[i % 1000] for i in range(count)]


def _time_parse(lines: list[str], repeat: int) -> tuple[float, list[LogRecord]]:
    best = float("inf")
    records: list[LogRecord] = []
    for _ in range(repeat):
        gc.collect()
        records = []
        append = records.append
        start = time.perf_counter()
        for index, line in enumerate(lines):
            append(
                parse_event(
                    line,
                    timestamp=BASE_MS + index,
                    log_group=GROUP,
                    log_stream=STREAM,
                    event_id=None,
                )
            )
        best = min(best, time.perf_counter() - start)
    return best, records


def _invocation_lines(style: str, rng: random.Random, i: int) -> list[str]:
    rid = str(uuid.UUID(int=rng.getrandbits(128)))
    ms = BASE_MS + i * 100
    if style == "text":
        return [
            f"START RequestId: {rid} Version: $LATEST\n",
            f"[INFO]\t{_iso(ms + 1)}\t{rid}\t{_words(rng)}\n",
            f"[INFO]\t{_iso(ms + 2)}\t{rid}\t{_words(rng)}\n",
            f"END RequestId: {rid}\n",
            f"REPORT RequestId: {rid}\tDuration: 2.31 ms\tBilled Duration: 3 ms\t"
            "Memory Size: 128 MB\tMax Memory Used: 75 MB\t\n",
        ]
    app = [json.loads(_json_app(rng, i + n)) for n in (1, 2)]
    for record in app:
        record["requestId"] = rid
    report = json.loads(_json_report(rng, i))
    report["record"]["requestId"] = rid
    start = {"time": _iso(ms), "type": "platform.start", "record": {"requestId": rid}}
    return [json.dumps(start), *map(json.dumps, app), json.dumps(report)]


def _memory_per_record(style: str, count: int) -> float:
    """Bytes held per record, the record's raw text included."""
    rng = random.Random(11)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    records: list[LogRecord] = []
    index = 0
    while len(records) < count:
        for line in _invocation_lines(style, rng, index):
            records.append(
                parse_event(line, timestamp=BASE_MS + index, log_group=GROUP, log_stream=STREAM)
            )
        index += 1
    del records[count:]
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / count


def _parser_at(revision: str) -> ModuleType:
    """lambdatui/aws/logparse.py as it is at `revision`, loaded beside the current one."""
    source = subprocess.run(
        ["git", "show", f"{revision}:lambdatui/aws/logparse.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "logparse_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("logparse_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compare(revision: str, rounds: int, lines_per_round: int = 20_000) -> None:
    baseline = _parser_at(revision).parse_event
    print(f"{lines_per_round:,} lines per run, {rounds} alternating runs each, best kept\n")
    print(f"{'format':<24}{revision:>12}{'now':>12}{'ratio':>8}")
    print("-" * 56)
    for name, make in FORMATS.items():
        lines = _lines(make, lines_per_round)
        best = {"then": float("inf"), "now": float("inf")}
        for _ in range(rounds):
            for side, parse in (("then", baseline), ("now", parse_event)):
                gc.collect()
                start = time.perf_counter()
                for index, line in enumerate(lines):
                    parse(line, timestamp=BASE_MS + index, log_group=GROUP, log_stream=STREAM)
                best[side] = min(best[side], time.perf_counter() - start)
        then, now = lines_per_round / best["then"], lines_per_round / best["now"]
        print(f"{name:<24}{then:>12,.0f}{now:>12,.0f}{now / then:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", metavar="REV", help="compare with the parser at REV")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    if args.baseline:
        _compare(args.baseline, args.rounds)
        return

    print(f"{args.lines:,} lines per format, best of {args.repeat}, single core\n")
    print(f"{'format':<24}{'lines/s':>12}{'µs/line':>10}")
    print("-" * 46)
    text_records: list[LogRecord] = []
    for name, make in FORMATS.items():
        seconds, records = _time_parse(_lines(make, args.lines), args.repeat)
        print(f"{name:<24}{args.lines / seconds:>12,.0f}{seconds / args.lines * 1e6:>10.2f}")
        if name == "Text START/END/REPORT":
            text_records = records

    best = float("inf")
    for _ in range(args.repeat):
        tracker = InvocationTracker(max_invocations=10_000)
        start = time.perf_counter()
        for record in text_records:
            tracker.feed(record)
        best = min(best, time.perf_counter() - start)
    print("-" * 46)
    rate = len(text_records) / best
    print(f"{'InvocationTracker.feed':<24}{rate:>12,.0f}{best / len(text_records) * 1e6:>10.2f}")
    print("\nmemory held by 100,000 records (raw text included):")
    for style, label in (("text", "Text-format function"), ("json", "JSON-format function")):
        per_record = _memory_per_record(style, 100_000)
        total = per_record * 100_000 / 2**20
        print(f"  {label:<22}{total:>8,.1f} MiB  ({per_record:,.0f} bytes per record)")


if __name__ == "__main__":
    main()
