"""Listing functions across regions when one region's listing fails part way."""

from __future__ import annotations

from typing import Any

import pytest

from lambdatui.aws.errors import AccessDenied
from lambdatui.aws.functions import function_pages_in
from lambdatui.aws.models import Function

from .helpers import session_for


async def test_a_region_that_fails_stops_the_listing_with_its_reason(sandbox: Any) -> None:
    sandbox.fault("lambda:ListFunctions", "denied", times=1)
    aws = session_for(sandbox)
    try:
        with pytest.raises(AccessDenied) as raised:
            async for _page in function_pages_in(aws, ("us-east-1", "us-west-2")):
                pass
    finally:
        sandbox.faults.clear()
        await aws.close()

    assert "lambda:ListFunctions" in raised.value.sentence


async def test_every_region_listed_and_a_missing_tag_is_none(sandbox: Any) -> None:
    aws = session_for(sandbox)
    try:
        found: list[Function] = []
        async for page in function_pages_in(aws, ("us-east-1", "us-west-2")):
            found += page
    finally:
        await aws.close()

    assert found
    assert {f.region for f in found} <= {"us-east-1", "us-west-2"}
    assert all(f.tag("no-such-tag") is None for f in found)
