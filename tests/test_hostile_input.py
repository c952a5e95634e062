"""Hostile text through every renderer of untrusted text: no exception, nothing raw.

Each renderer is fed arbitrary strings (and bytes decoded as AWS clients decode
them) and its output segments are checked: no ESC, BEL, C0/C1 control, DEL,
bidi override or lone surrogate reaches the terminal, and markup stays literal.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.content import Content

from lambdatui.aws.dlq import decode
from lambdatui.aws.logparse import InvocationTracker, parse_event
from lambdatui.aws.models import Function
from lambdatui.safetext import visible
from lambdatui.screens.columns import function_columns
from lambdatui.screens.dlq import message_columns
from lambdatui.screens.logline import pretty, record_rows
from lambdatui.screens.logs import invocation_columns
from lambdatui.themes import resolve_variables
from lambdatui.widgets.logview import LogView
from lambdatui.widgets.section import Section, as_content
from lambdatui.widgets.table import VirtualTable

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
UNSAFE = (
    {chr(c) for c in range(0x20) if c != 0x0A} | {chr(0x7F)} | {chr(c) for c in range(0x80, 0xA0)}
)
UNSAFE |= set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
UNSAFE |= {"\u2028", "\u2029", "\ufeff"}
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Escape sequences operators meet in the wild, mixed into arbitrary text.
ATTACKS = st.sampled_from(
    [
        "\x1b[31mred\x1b[0m",
        "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: write the clipboard
        "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
        "\x1bP+q544e\x1b\\",  # DCS
        "\x9b31m",  # C1 CSI
        "\x07\x07",
        "\u202eevil\u202c",
        "[bold red]markup[/]",
        "[/]",
        "[link=http://x]x[/link]",
        "\ud800",
        "\r\x1b[2K",
    ]
)
HOSTILE = st.lists(st.one_of(st.text(), ATTACKS), max_size=6).map("".join)
# Bytes decoded the way botocore decodes bodies (invalid UTF-8 kept as surrogates
# or replaced, depending on the path).
FROM_BYTES = st.binary(max_size=300).flatmap(
    lambda b: st.sampled_from(
        [b.decode("utf-8", "surrogateescape"), b.decode("utf-8", "replace"), b.decode("latin-1")]
    )
)
ANY_TEXT = st.one_of(HOSTILE, FROM_BYTES)


def assert_clean(segments: list[Segment] | str, where: str) -> None:
    texts = [segments] if isinstance(segments, str) else [s.text for s in segments]
    for text in texts:
        bad = {ch for ch in text if ch in UNSAFE or "\ud800" <= ch <= "\udfff"}
        assert not bad, f"{where}: raw {sorted(map(hex, map(ord, bad)))} in {text!r}"


def function(name: str, text: str) -> Function:
    return Function(
        name=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        runtime=text[:20],
        package_type="Zip",
        architecture=text[:10] or "x86_64",
        memory_mb=128,
        timeout_s=3,
        code_size=10,
        last_modified=NOW,
        state=text[:12],
        last_update_status="",
        description=text,
        handler=text,
        role=text,
        log_format="Text",
        log_group=f"/aws/lambda/{name}",
        region="us-east-1",
        tags=((text[:5], text),),
    )


class Harness(App[None]):
    """The widgets that draw untrusted text, at a fixed size."""

    def get_css_variables(self) -> dict[str, str]:
        # The console's own theme variables, as the real app defines them.
        return resolve_variables(super().get_css_variables())

    def compose(self) -> ComposeResult:
        yield VirtualTable(
            function_columns(lambda: NOW, lambda _name: None), key=lambda f: f.arn, id="functions"
        )
        yield VirtualTable(message_columns(), key=lambda m: m.message_id, id="messages")
        yield VirtualTable(invocation_columns(), key=lambda i: i.request_id, id="invocations")
        yield LogView(capacity=1000, clock=lambda: NOW, id="log")
        yield Section("Facts", id="facts")


def lines_of(widget: Any, count: int = 6) -> list[Segment]:
    out: list[Segment] = []
    for y in range(count):
        out.extend(widget.render_line(y))
    return out


CONSOLE = Console(width=100, color_system="truecolor", force_terminal=True)


def content_segments(content: Content) -> list[Segment]:
    return list(content.render_segments())


@EXAMPLES
@given(text=ANY_TEXT, keep=st.booleans())
def test_visible_leaves_nothing_raw(text: str, keep: bool) -> None:
    out = visible(text, keep_newlines=keep)
    assert_clean(out, "visible")
    if not keep:
        assert "\n" not in out


@EXAMPLES
@given(value=ANY_TEXT)
def test_section_values_and_markup_stay_literal(value: str) -> None:
    content = as_content(value)
    assert_clean(content_segments(content), "section value")
    if "[bold red]markup[/]" in value and "\n" not in value:
        assert "[bold red]markup[/]" in content.plain


async def test_tables_log_view_and_sections_render_hostile_text() -> None:
    app = Harness()
    async with app.run_test(size=(120, 40)) as pilot:
        functions = app.query_one("#functions", VirtualTable)
        messages = app.query_one("#messages", VirtualTable)
        invocations = app.query_one("#invocations", VirtualTable)
        log = app.query_one(LogView)
        facts = app.query_one(Section)
        await pilot.pause()

        @EXAMPLES
        @given(name=ANY_TEXT, text=ANY_TEXT, body=ANY_TEXT, attribute=ANY_TEXT, wrap=st.booleans())
        def check(name: str, text: str, body: str, attribute: str, wrap: bool) -> None:
            functions.set_rows([function(name or "f", text), function("g", name)])
            assert_clean(lines_of(functions), "function list")

            raw = {
                "MessageId": name or "m",
                "Body": body,
                "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "17000"},
                "MessageAttributes": {
                    "RequestID": {"DataType": "String", "StringValue": attribute},
                    "ErrorMessage": {"DataType": "String", "StringValue": text},
                    attribute[:20] or "k": {"DataType": "String", "StringValue": body[:40]},
                },
            }
            message = decode(raw)
            messages.set_rows([message])
            assert_clean(lines_of(messages), "DLQ messages")
            facts.show([("Body", pretty(body) or body), (attribute, text)])
            for child in facts.query("Static"):
                rendered = child.render()
                if isinstance(rendered, Content):
                    assert_clean(content_segments(rendered), "DLQ message facts")

            records = [
                parse_event(line, timestamp=1_700_000_000_000, log_group="/aws/lambda/f")
                for line in (body, text, f"START RequestId: {attribute} Version: $LATEST\n")
            ]
            log.wrap = wrap
            log.clear()
            log.append(records)
            assert_clean(lines_of(log, 12), "log view")
            for record in records:
                for label, value in record_rows(record):
                    if not isinstance(value, Content):
                        value = as_content(value)
                    assert_clean(content_segments(value), f"log line detail {label}")
            tracker = InvocationTracker()
            for record in records:
                tracker.feed(record)
            invocations.set_rows(tracker.invocations())
            assert_clean(lines_of(invocations), "invocations")

        check()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deep_json_huge_numbers_and_long_lines_neither_crash_nor_freeze() -> None:
    deep = '{"a":' * 10_000 + "1" + "}" * 10_000
    cases = [
        _nested(10_000),
        deep,
        '{"n": ' + "9" * 5_000 + "}",
        '{"n": 1e999999, "m": -1e999999}',
        "x" * 1_000_000,
        "\x1b[" * 200_000,
        json.dumps({"level": "ERROR", "message": "\x1b]52;c;AAAA\x07" * 1000}),
    ]
    for raw in cases:
        record = parse_event(raw, timestamp=1, log_group="/aws/lambda/f")
        assert_clean(visible(record.message or record.raw), "parsed message")
        pretty(raw)
        message = decode({"MessageId": "m", "Body": raw, "Attributes": {}})
        assert message.body == raw
        for _label, value in record_rows(record):
            if not isinstance(value, Content):
                as_content(value)
    # Not frozen: a case that hung would meet pytest-timeout.


async def test_hostile_lines_render_in_the_log_view_without_stalling() -> None:
    app = Harness()
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(LogView)
        raw_lines = [
            "x" * 1_000_000,
            _nested(10_000),
            "\x1b]52;c;aGVsbG8=\x07" * 10_000,
            "\xff\xfe".encode("latin-1").decode("utf-8", "surrogateescape") * 1000,
        ]
        log.append([parse_event(r, timestamp=1, log_group="/aws/lambda/f") for r in raw_lines])
        for wrap in (False, True):
            log.wrap = wrap
            await pilot.pause()
            assert_clean(lines_of(log, 40), "log view")


@EXAMPLES
@given(name=ANY_TEXT)
def test_palette_titles_stay_literal(name: str) -> None:
    from textual.fuzzy import Matcher

    from lambdatui.commands import highlighted, literal

    title = f"go to function {name}"
    content = highlighted(Matcher("go fn"), title)
    assert content.plain == visible(title)
    assert_clean(content_segments(content), "palette")
    help_text = Content.from_markup(literal(name))
    assert help_text.plain == visible(name)
    assert_clean(content_segments(help_text), "palette help")
