"""Invoke at the edges: events refused before any call, a dry run with a qualifier,
what Lambda refuses to read, error payloads of other shapes, a multi-line log tail."""

from __future__ import annotations

from typing import Any

import pytest

from lambdatui.aws.errors import AwsError
from lambdatui.aws.invoke import (
    ASYNC_LIMIT,
    SYNC_LIMIT,
    ErrorPayload,
    InvocationType,
    PayloadError,
    invoke,
    invoke_error_sentence,
    payload_bytes,
    tail_records,
)
from lambdatui.aws.logrecords import Level

from .helpers import session_for

FUNCTION = "dev-sandbox-hello"


def test_an_event_nested_too_deeply_is_refused_with_a_sentence() -> None:
    with pytest.raises(PayloadError) as refused:
        payload_bytes(
            "[" * 200_000, InvocationType.SYNC, sync_limit=SYNC_LIMIT, async_limit=ASYNC_LIMIT
        )

    assert str(refused.value) == "Invalid JSON at line 1, column 1: nested too deeply."


@pytest.mark.parametrize(
    ("size", "async_limit", "said"),
    [
        (2 * 1024, 1024, "The event is 2.0 KB; an async invoke accepts at most 1.0 KB."),
        (
            ASYNC_LIMIT + 512 * 1024,
            ASYNC_LIMIT,
            "The event is 1.5 MB; an async invoke accepts at most 1.0 MB.",
        ),
    ],
)
def test_an_event_over_the_limit_says_both_sizes(size: int, async_limit: int, said: str) -> None:
    text = '"' + "x" * (size - 2) + '"'

    with pytest.raises(PayloadError) as refused:
        payload_bytes(text, InvocationType.ASYNC, sync_limit=SYNC_LIMIT, async_limit=async_limit)

    assert str(refused.value) == said


async def test_a_dry_run_of_a_version_answers_without_a_payload(sandbox: Any) -> None:
    aws = session_for(sandbox)
    try:
        result = await invoke(
            aws, FUNCTION, b"{}", InvocationType.DRY_RUN, qualifier="$LATEST", tail=False
        )
    finally:
        await aws.close()

    assert result.status == 204
    assert result.payload_json() is None
    assert result.error is None


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (b"this is not json", "Lambda could not read the event as JSON"),
        (b'"' + b"x" * (7 * 1024 * 1024) + b'"', "larger than the invoke limit"),
    ],
)
async def test_what_lambda_refuses_to_read_gets_a_sentence(
    sandbox: Any, body: bytes, sentence: str
) -> None:
    # The console refuses these itself (payload_bytes); a caller that did not is answered too.
    aws = session_for(sandbox)
    try:
        with pytest.raises(AwsError) as refused:
            await invoke(aws, FUNCTION, body, InvocationType.SYNC)
    finally:
        await aws.close()

    assert sentence in invoke_error_sentence(refused.value)


@pytest.mark.parametrize("payload", ["boom", ["boom"], {"status": "failed"}])
def test_a_function_error_not_in_lambdas_shape_has_no_error_payload(payload: Any) -> None:
    assert ErrorPayload.of(payload) is None


def test_an_error_stack_given_as_one_text_is_split_into_lines() -> None:
    stack = "TypeError: x is undefined\n    at handler (index.js:3)"

    error = ErrorPayload.of({"errorType": "TypeError", "stack": stack})

    assert error is not None
    assert error.stack == ["TypeError: x is undefined", "    at handler (index.js:3)"]


def test_a_traceback_in_the_log_tail_stays_with_its_line() -> None:
    rid = "8f5a0c4e-1b2d-4c3e-9f10-aa11bb22cc33"
    tail = (
        f"START RequestId: {rid} Version: $LATEST\n"
        f"[ERROR]\t2026-12-01T05:53:11.123Z\t{rid}\tboom\n"
        "Traceback (most recent call last):\n"
        '  File "/var/task/app.py", line 3, in handler\n'
        f"END RequestId: {rid}\n"
    )

    records = tail_records(tail, rid)

    assert len(records) == 3
    assert records[1].level is Level.ERROR
    assert records[1].message.endswith("line 3, in handler")


class _Body:
    """The response stream of a stubbed Invoke."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self) -> bytes:
        return self.data


async def test_a_log_tail_that_is_not_base64_is_left_out(sandbox: Any) -> None:
    # Stubber: neither the sandbox nor AWS sends a LogResult that is not base64; the
    # console must still show the reply without its tail if one ever comes.
    from aiobotocore.stub import AioStubber

    aws = session_for(sandbox)
    try:
        client = await aws.invoke_client()
        with AioStubber(client) as stub:
            stub.add_response(
                "invoke",
                {"StatusCode": 200, "LogResult": "not base64", "Payload": _Body(b'{"ok": true}')},
            )
            result = await invoke(aws, FUNCTION, b"{}", InvocationType.SYNC)
    finally:
        await aws.close()

    assert result.status == 200
    assert result.payload_json() == {"ok": True}
    assert result.log_tail is None
    assert result.records() == []
