"""Single-core throughput of the sandbox's Logs Insights engine.

    uv run python benchmarks/insights.py [--events 100000] [--repeat 3]

Builds `--events` log events of realistic invocations, half a Python function in the
Text format (START, an INFO line, END, REPORT; some errors) and half one in the JSON
format (platform.start, an app record, platform.report), spread over three hours,
then runs queries over them the way a query's worker does (compile once, feed the
events stream by stream, take the result). Reports events read per second, the best
of `--repeat` runs, for each query.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid

from lambdatui.aws.insights import BUILT_IN
from lambdatui_sandbox.insights.engine import Event, Execution, compile_query

BASE_MS = 1_795_777_200_000
SPAN_MS = 3 * 3600 * 1000
STREAMS = 20

QUERIES = {
    "stats count(*) by bin(5m)": "stats count(*) as n by bin(5m)",
    "Duration percentiles (built-in)": BUILT_IN["Duration percentiles"],
    "Errors by message (built-in)": BUILT_IN["Errors by message"],
    "filter | fields | sort | limit 100": (
        "filter @message like /ERROR/ | fields @timestamp, @requestId, @message"
        " | sort @timestamp desc | limit 100"
    ),
}


def _iso(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _text_invocation(rng: random.Random, t: int) -> list[tuple[int, str]]:
    rid = str(uuid.UUID(int=rng.getrandbits(128)))
    duration = rng.uniform(5, 900)
    cold = f"Init Duration: {rng.uniform(150, 600):.2f} ms\t" if rng.random() < 0.05 else ""
    level, text = ("ERROR", "payment declined") if rng.random() < 0.1 else ("INFO", "order ok")
    end = t + int(duration)
    return [
        (t, f"START RequestId: {rid} Version: $LATEST\n"),
        (t + 1, f'[{level}]\t{_iso(t + 1)}\t{rid}\t{text} {{"order": {rng.randint(1, 9999)}}}\n'),
        (end, f"END RequestId: {rid}\n"),
        (
            end,
            f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: "
            f"{int(duration) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: "
            f"{rng.randint(70, 200)} MB\t{cold}\n",
        ),
    ]


def _json_invocation(rng: random.Random, t: int) -> list[tuple[int, str]]:
    rid = str(uuid.UUID(int=rng.getrandbits(128)))
    duration = round(rng.uniform(5, 900), 2)
    metrics: dict[str, float | int] = {
        "durationMs": duration,
        "billedDurationMs": int(duration) + 1,
        "memorySizeMB": 512,
        "maxMemoryUsedMB": rng.randint(90, 300),
    }
    level = "ERROR" if rng.random() < 0.1 else "INFO"
    end = t + int(duration)
    return [
        (t, json.dumps({"time": _iso(t), "type": "platform.start", "record": {"requestId": rid}})),
        (t + 1, json.dumps({"level": level, "message": "charged", "requestId": rid})),
        (
            end,
            json.dumps(
                {
                    "time": _iso(end),
                    "type": "platform.report",
                    "record": {"requestId": rid, "metrics": metrics, "status": "success"},
                }
            ),
        ),
    ]


def build(count: int) -> list[tuple[str, str, list[Event]]]:
    rng = random.Random(7)
    streams: list[tuple[str, str, list[Event]]] = []
    per_stream = count // STREAMS
    for index in range(STREAMS):
        json_format = index % 2 == 1
        group = "/aws/lambda/" + ("payments-json" if json_format else "orders-text")
        events: list[Event] = []
        t = BASE_MS + index
        while len(events) < per_stream:
            invocation = (_json_invocation if json_format else _text_invocation)(rng, t)
            events.extend(Event(ts, message, ts + 20, len(events)) for ts, message in invocation)
            t += SPAN_MS // (per_stream // 3)
        streams.append((group, f"2026/11/27/[$LATEST]{index:032x}", events[:per_stream]))
    return streams


def measure(query: str, streams: list[tuple[str, str, list[Event]]]) -> tuple[float, int]:
    compiled = compile_query(query)
    began = time.perf_counter()
    execution = Execution(compiled)
    for group, stream, events in streams:
        execution.feed(events, group, stream, "123456789012")
    result = execution.result()
    return time.perf_counter() - began, len(result.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    streams = build(args.events)
    total = sum(len(events) for _, _, events in streams)
    print(f"{total:,} events in {len(streams)} streams (Text and JSON formats)")
    print(f"{'query':40} {'rows/s':>12} {'seconds':>8} {'result rows':>12}")
    for name, query in QUERIES.items():
        best, rows = min(measure(query, streams) for _ in range(args.repeat))
        print(f"{name:40} {total / best:>12,.0f} {best:>8.3f} {rows:>12}")


if __name__ == "__main__":
    main()
