"""Functions at the edges: times Lambda would not write, values that only look secret,
a detail read when GetFunction is not allowed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from lambdatui.aws.functions import function_detail, parse_time, secret_looking

from .helpers import session_for


@pytest.mark.parametrize("value", [None, 1732097730, "yesterday", "2024-02-30T10:15:30.000+0000"])
def test_a_time_lambda_would_not_write_is_no_time(value: Any) -> None:
    assert parse_time(value) is None


def test_a_naive_time_is_taken_as_utc() -> None:
    assert parse_time(datetime(2024, 11, 20, 10, 15)) == parse_time("2024-11-20T10:15:00Z")


def test_values_that_only_look_secret_are_not_flagged() -> None:
    found = secret_looking(
        {
            "DB_PASSWORD": "hunter2",
            "API_TOKEN": "1234",  # a number, not a secret
            "USE_SECRET": "true",
            "SECRET_REF": "",
        }
    )

    assert found == ("DB_PASSWORD",)


async def test_a_detail_without_get_function_falls_back_to_the_configuration(
    sandbox: Any,
) -> None:
    sandbox.deny("lambda:GetFunction")
    aws = session_for(sandbox)
    try:
        detail = await function_detail(aws, "orders-api")
    finally:
        sandbox.faults.clear()
        await aws.close()

    assert detail.configuration.error is None
    assert detail.configuration.value is not None
    assert detail.configuration.value.function.name == "orders-api"
