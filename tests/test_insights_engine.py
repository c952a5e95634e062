"""The sandbox's Logs Insights engine against expected tables on a fixed world."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdatui.aws.insights import BUILT_IN
from lambdatui_sandbox.insights.engine import Event, compile_query, run
from lambdatui_sandbox.insights.syntax import QueryError

from .insights_world import (
    A1,
    B2,
    C3,
    D4,
    E5,
    EVENTS,
    F6,
    G7,
    NODE_TEXT,
    PYTHON_JSON,
    PYTHON_TEXT,
    STREAM,
    at,
    stamp,
)

ACCOUNT = "123456789012"
STREAMS = [
    (group, STREAM, [Event(t, message, t + 50, index) for index, (t, message) in enumerate(events)])
    for group, events in EVENTS.items()
]
ALL_EVENTS = sum(len(events) for events in EVENTS.values())


def table(query: str, *, keep_ptr: bool = False, **kwargs: Any) -> list[dict[str, str]]:
    result = run(query, STREAMS, **kwargs)
    return [{k: v for k, v in row if keep_ptr or k != "@ptr"} for row in result.rows]


def column(query: str, name: str) -> list[str | None]:
    return [row.get(name) for row in table(query)]


# ----- the built-in queries ------------------------------------------------------------


def test_errors_by_message_counts_text_and_json_errors_alike() -> None:
    assert table(BUILT_IN["Errors by message"]) == [
        {"error": "payment declined", "errors": "2"},
        {"error": "KeyError: 'payment_intent'", "errors": "1"},
        {"error": "card expired", "errors": "1"},
        {"error": "price is undefined", "errors": "1"},
    ]


def test_slowest_invocations_read_report_lines_and_platform_reports() -> None:
    rows = table(BUILT_IN["Slowest invocations"])
    assert [(r["requestId"], r["durationMs"], r.get("initDurationMs")) for r in rows] == [
        (G7, "5000", None),
        (C3, "3000", None),
        (E5, "200", "400"),
        (A1, "120.5", "300.25"),
        (B2, "80", None),
        (F6, "50", None),
        (D4, "45.5", "210"),
    ]
    assert rows[3]["billedDurationMs"] == "121"
    assert rows[3]["@timestamp"] == stamp(at(0.12))
    assert rows[3]["@logStream"] == STREAM


def test_cold_starts_per_five_minutes() -> None:
    assert table(BUILT_IN["Cold starts"]) == [
        {
            "bin(5m)": stamp(at(300)),
            "invocations": "2",
            "coldStarts": "0",
            "coldStartPct": "0",
        },
        {
            "bin(5m)": stamp(at(0)),
            "invocations": "5",
            "coldStarts": "3",
            "coldStartPct": "60",
            "avgInitMs": "303.4166666666667",
            "maxInitMs": "400",
        },
    ]


def test_duration_percentiles_per_five_minutes() -> None:
    assert table(BUILT_IN["Duration percentiles"]) == [
        {
            "bin(5m)": stamp(at(300)),
            "p50": "3000",
            "p95": "5000",
            "p99": "5000",
            "invocations": "2",
        },
        {"bin(5m)": stamp(at(0)), "p50": "80", "p95": "200", "p99": "200", "invocations": "5"},
    ]


def test_memory_used_vs_configured_in_megabytes_for_both_formats() -> None:
    assert table(BUILT_IN["Memory used vs configured"]) == [
        {
            "@log": f"{ACCOUNT}:{NODE_TEXT}",
            "configuredMB": "512",
            "maxUsedMB": "100",
            "avgUsedMB": "100",
            "p95UsedMB": "100",
            "maxUsedPct": "19.53125",
        },
        {
            "@log": f"{ACCOUNT}:{PYTHON_JSON}",
            "configuredMB": "256",
            "maxUsedMB": "120",
            "avgUsedMB": "110",
            "p95UsedMB": "120",
            "maxUsedPct": "46.875",
        },
        {
            "@log": f"{ACCOUNT}:{PYTHON_TEXT}",
            "configuredMB": "128",
            "maxUsedMB": "90",
            "avgUsedMB": "73.33333333333333",
            "p95UsedMB": "90",
            "maxUsedPct": "70.3125",
        },
    ]


def test_timeouts_from_the_text_line_and_the_json_status() -> None:
    rows = table(BUILT_IN["Timeouts"])
    assert [(r["@timestamp"], r["requestId"], r["durationMs"]) for r in rows] == [
        (stamp(at(505)), G7, "5000"),
        (stamp(at(403)), C3, "3000"),
    ]


def test_recent_errors_carry_their_request_ids() -> None:
    rows = table(BUILT_IN["Recent errors with request ids"])
    assert [(r["@timestamp"], r.get("requestId"), r["error"]) for r in rows] == [
        (stamp(at(120.02)), F6, "card expired"),
        (stamp(at(120.01)), F6, "payment declined"),
        # Python's unhandled-error line names no request.
        (stamp(at(60.02)), None, "KeyError: 'payment_intent'"),
        (stamp(at(60.01)), B2, "payment declined"),
        (stamp(at(30.04)), D4, "price is undefined"),
    ]


def test_every_built_in_query_compiles() -> None:
    assert len(BUILT_IN) == 7
    for query in BUILT_IN.values():
        compile_query(query)


# ----- discovered fields -----------------------------------------------------------------


def test_lambda_text_fields_are_discovered() -> None:
    rows = table(
        'filter @type = "REPORT" and @requestId = "' + A1 + '"'
        " | fields @type, @duration, @billedDuration, @memorySize, @maxMemoryUsed, @initDuration"
    )
    assert rows == [
        {
            "@type": "REPORT",
            "@duration": "120.5",
            "@billedDuration": "121",
            "@memorySize": "128000000",
            "@maxMemoryUsed": "60000000",
            "@initDuration": "300.25",
        }
    ]
    assert column("filter @requestId = '" + A1 + "' | sort @timestamp asc", "@message")[0] == (
        f"START RequestId: {A1} Version: $LATEST\n"
    )
    assert column(
        f"filter @logStream = '{STREAM}' and @type = 'START' | stats count(*)", "count(*)"
    ) == ["4"]


def test_json_fields_by_path_and_embedded_json_in_text_lines() -> None:
    assert column(
        "filter record.requestId = '"
        + E5
        + "' and type = 'platform.report' | fields record.metrics.durationMs",
        "record.metrics.durationMs",
    ) == ["200"]
    assert column("filter ispresent(order) | fields order", "order") == ["17"]
    assert column("filter ispresent(stack.0) | fields stack.0", "stack.0") == ["at x"]
    assert column(
        "filter message.errorType = 'CardError' | fields message.requestId", "message.requestId"
    ) == [F6]


def test_system_fields() -> None:
    rows = table(
        f"filter @requestId = '{D4}' and @type = 'END'"
        " | fields @timestamp, @ingestionTime, @log, @logStream"
    )
    assert rows == [
        {
            "@timestamp": stamp(at(30.05)),
            "@ingestionTime": stamp(at(30.05) + 50),
            "@log": f"{ACCOUNT}:{NODE_TEXT}",
            "@logStream": STREAM,
        }
    ]


# ----- commands ----------------------------------------------------------------------------


def test_without_fields_rows_show_timestamp_message_and_ptr_newest_first() -> None:
    rows = table(f"filter @requestId = '{D4}'", keep_ptr=True)
    assert [list(row) for row in rows] == [["@timestamp", "@message", "@ptr"]] * 4
    assert [row["@timestamp"] for row in rows] == sorted(
        (row["@timestamp"] for row in rows), reverse=True
    )
    assert base64.b64decode(rows[0]["@ptr"]).decode().startswith(f"{ACCOUNT}:{NODE_TEXT}:")


def test_filter_comparisons_and_boolean_logic() -> None:
    durations = "| fields coalesce(@duration, record.metrics.durationMs) as d | sort d asc"
    reports = 'filter (@type = "REPORT" or type = "platform.report") '
    assert column(reports + durations, "d") == ["45.5", "50", "80", "120.5", "200", "3000", "5000"]
    assert column(reports + "| filter @duration >= 80 and @duration < 3000 " + durations, "d") == [
        "80",
        "120.5",
    ]
    assert column(reports + "| filter not (@duration > 50) " + durations, "d") == [
        "45.5",
        "50",
        "200",
        "5000",
    ]
    assert column(reports + "| filter @duration != 80 and @duration <= 120.5" + durations, "d") == [
        "45.5",
        "120.5",
    ]
    # A comparison with a missing field is false either way.
    assert table("filter nothing = 1 or nothing != 1") == []


def test_like_regex_and_in() -> None:
    assert column("filter @message like 'Task timed out' | fields @requestId", "@requestId") == [C3]
    assert column("filter @message like /^\\[ERROR\\]\\t/ | fields @requestId", "@requestId") == [
        B2
    ]
    assert column("filter @message =~ /(?i)KEYERROR/ | stats count(*)", "count(*)") == ["1"]
    assert column(
        "filter @message not like /RequestId|requestId|\\{/ | stats count(*)", "count(*)"
    ) == ["4"]
    assert column(
        "filter level in ['ERROR', 'WARN'] | sort @timestamp asc | fields message", "message"
    ) == ["payment declined", None]
    assert column(
        f"filter @type = 'END' and @requestId not in ['{A1}', '{B2}'] | stats count(*)", "count(*)"
    ) == ["2"]


def test_parse_with_a_glob_and_with_named_groups() -> None:
    glob = (
        "filter @type = 'REPORT'"
        " | parse @message 'Duration: * ms\tBilled Duration: * ms' as d, b"
        " | fields d, b | sort d asc"
    )
    assert [(r["d"], r["b"]) for r in table(glob)] == [
        ("45.50", "46"),
        ("80.00", "80"),
        ("120.50", "121"),
        ("3000.00", "3000"),
    ]
    regex = (
        "parse @message /Max Memory Used: (?<used>\\d+) MB/"
        " | filter ispresent(used) | stats sum(used) as total"
    )
    assert column(regex, "total") == ["320"]


def test_stats_functions() -> None:
    rows = table(
        "filter @type = 'REPORT'"
        " | stats count(*) as n, count(@initDuration) as cold,"
        " count_distinct(@memorySize) as sizes, sum(@duration) as total,"
        " avg(@billedDuration) as billed, min(@duration) as fastest,"
        " max(@duration) as slowest, pct(@duration, 50) as median,"
        " stddev(@maxMemoryUsed) as spread,"
        " earliest(@requestId) as first, latest(@requestId) as last"
    )
    assert rows == [
        {
            "n": "4",
            "cold": "2",
            "sizes": "2",
            "total": "3246",
            "billed": "811.75",
            "fastest": "45.5",
            "slowest": "3000",
            "median": "80",
            "spread": "18257418.58350554",
            "first": A1,
            "last": C3,
        }
    ]


def test_stats_by_fields_then_sort_filter_and_second_stats() -> None:
    by_type = "filter ispresent(@type) | stats count(*) as n by @type, @log"
    assert [(r["@type"], r["@log"].split(":")[1], r["n"]) for r in table(by_type)] == [
        ("END", NODE_TEXT, "1"),
        ("END", PYTHON_TEXT, "3"),
        ("REPORT", NODE_TEXT, "1"),
        ("REPORT", PYTHON_TEXT, "3"),
        ("START", NODE_TEXT, "1"),
        ("START", PYTHON_TEXT, "3"),
    ]
    assert table(by_type + " | filter n > 1 | stats sum(n) as total") == [{"total": "9"}]
    assert table(by_type + " | sort n desc | limit 1 | display @type") == [{"@type": "END"}]


def test_bin_groups_by_period_newest_first() -> None:
    assert table("stats count(*) as n by bin(5m)") == [
        {"bin(5m)": stamp(at(300)), "n": "6"},
        {"bin(5m)": stamp(at(0)), "n": "23"},
    ]
    assert len(table("stats count(*) by bin(1h)")) == 1


def test_sort_orders_text_before_numbers_and_missing_last() -> None:
    world = [
        (
            "/g",
            "s",
            [Event(i, message) for i, message in enumerate(["b10", "b9", "7", "A", "12", "x"])],
        ),
    ]
    result = run("parse @message /^(?<v>[^x]+)$/ | sort v asc | fields v", world)
    assert [dict(row).get("v") for row in result.rows] == ["A", "b9", "b10", "7", "12", None]
    result = run("parse @message /^(?<v>[^x]+)$/ | sort v desc | fields v", world)
    assert [dict(row).get("v") for row in result.rows] == ["12", "7", "b10", "b9", "A", None]


def test_limit_dedup_and_display() -> None:
    assert len(table("fields @message | limit 3")) == 3
    dedup = table("filter ispresent(@type) | sort @timestamp desc | dedup @type | display @type")
    assert dedup == [{"@type": "END"}, {"@type": "REPORT"}, {"@type": "START"}]
    # Without a sort, dedup keeps the newest of each.
    assert table("filter ispresent(@type) | dedup @type | display @type, @requestId") == [
        {"@type": "END", "@requestId": C3},
        {"@type": "REPORT", "@requestId": C3},
        {"@type": "START", "@requestId": C3},
    ]


def test_functions_and_arithmetic() -> None:
    query = (
        f"filter @requestId = '{A1}' and @type = 'REPORT'"
        " | fields concat(@type, '-', @billedDuration) as tag, strlen(@type) as n,"
        " tolower(@type) as low, toupper('x') as up, abs(0 - @duration) as a,"
        " floor(@duration) as f, ceil(@duration) as c, @duration * 2 + 1 as calc,"
        " @billedDuration % 7 as rem, 2 ^ 10 as pow, @duration / 0 as nothing,"
        " substr(@type, 1, 3) as sub, replace(@type, 'R', 'r') as rep, trim('  t  ') as t,"
        " strcontains(@message, 'Init') as has, greatest(3, 9, 4) as big, least(3, 9) as small,"
        " isempty('') as empty, isblank(missing) as blank, datefloor(@timestamp, 1h) as hour,"
        " toMillis(@timestamp) as ms, fromMillis(0) as epoch"
    )
    assert table(query) == [
        {
            "tag": "REPORT-121",
            "n": "6",
            "low": "report",
            "up": "X",
            "a": "120.5",
            "f": "120",
            "c": "121",
            "calc": "242",
            "rem": "2",
            "pow": "1024",
            "sub": "EPO",
            "rep": "rEPOrT",
            "t": "t",
            "has": "1",
            "big": "9",
            "small": "3",
            "empty": "true",
            "blank": "true",
            "hour": stamp(at(0)),
            "ms": str(at(0.12)),
            "epoch": "1970-01-01 00:00:00.000",
        }
    ]


def test_comments_backticks_and_line_breaks() -> None:
    query = (
        "# count the STARTs\nfilter @type = 'START' # only those\n| stats count(*) as `start count`"
    )
    assert table(query) == [{"start count": "4"}]


def test_statistics_and_time_range() -> None:
    result = run("filter @type = 'REPORT' | fields @duration", STREAMS)
    assert (result.records_matched, result.records_scanned) == (4, ALL_EVENTS)
    assert result.bytes_scanned == sum(len(m) for events in EVENTS.values() for _, m in events)
    ranged = run("stats count(*) as n", STREAMS, at(0), at(60))
    assert ranged.rows == [[("n", "14")]]
    assert ranged.records_scanned == 14


def test_the_row_limit_of_start_query() -> None:
    assert len(run("fields @message", STREAMS, limit=5).rows) == 5
    # The query's own limit wins.
    assert len(run("fields @message | limit 8", STREAMS, limit=5).rows) == 8


# ----- malformed queries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "start", "end", "words"),
    [
        ("fields", 6, 6, "expected a field"),
        ("filter x = ", 11, 11, "expected a field"),
        ("stats avg(x) by", 15, 15, "expected a field"),
        ("staats count(*)", 0, 6, "unknown command"),
        ("fields a | | fields b", 11, 12, "expected a command"),
        ("fields nope(x)", 7, 14, "unknown function"),
        ("fields count(*)", 7, 15, "aggregate function"),
        ("stats x", 6, 7, "aggregate function"),
        ("filter a like 3", 14, 15, "string"),
        ("stats pct(x, 200)", 13, 16, "percentile"),
        ('fields "abc', 7, 11, "not closed"),
        ("filter x like /(/", 14, 17, "regular expression"),
        ("parse @message 'a*b' as x, y", 15, 28, "1 *"),
        ("stats count(*) by bin(5parsecs)", 22, 30, "time unit"),
        ("limit 0", 6, 7, "between 1 and"),
        ("unnest x", 0, 6, "not supported"),
        ("fields a ? b", 9, 10, "unexpected character"),
    ],
)
def test_malformed_queries_say_where(query: str, start: int, end: int, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert (caught.value.start, caught.value.end) == (start, end)
    assert words in caught.value.message


def test_nesting_too_deep_is_malformed_not_a_crash() -> None:
    with pytest.raises(QueryError):
        compile_query("fields " + "(" * 5000 + "1" + ")" * 5000)
    with pytest.raises(QueryError):
        compile_query("filter " + "not " * 5000 + "x")


# ----- no query string breaks the engine -------------------------------------------------------

_PIECES = [
    "fields",
    "filter",
    "stats",
    "sort",
    "limit",
    "parse",
    "dedup",
    "display",
    "by",
    "as",
    "asc",
    "desc",
    "and",
    "or",
    "not",
    "like",
    "in",
    "|",
    ",",
    "(",
    ")",
    "[",
    "]",
    "*",
    "+",
    "-",
    "/",
    "%",
    "^",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=~",
    "@message",
    "@timestamp",
    "@duration",
    "@type",
    "record.metrics.durationMs",
    "level",
    "count(*)",
    "count",
    "avg",
    "pct",
    "bin",
    "bin(5m)",
    "5m",
    "1h",
    "0",
    "3",
    "2.5",
    "100",
    "'ERROR'",
    '"x*y"',
    "/ERR(?<e>.)/",
    "/(/",
    "coalesce",
    "concat",
    "strlen",
    "abs",
    "floor",
    "datefloor",
    "ispresent",
    "earliest",
    "fromMillis",
    "`a b`",
    "#",
    "\n",
    "'",
    '"',
    "`",
    "9" * 30,
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_token_soup_is_malformed_or_runs(pieces: list[str]) -> None:
    _compile_and_run(" ".join(pieces))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_malformed_or_runs(query: str) -> None:
    _compile_and_run(query)


def _compile_and_run(query: str) -> None:
    try:
        compile_query(query)
    except QueryError as error:
        assert 0 <= error.start <= error.end <= len(query)
        return
    result = run(query, STREAMS)
    for row in result.rows:
        assert all(isinstance(name, str) and isinstance(value, str) for name, value in row)
