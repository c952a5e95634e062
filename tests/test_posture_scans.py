"""Scans of the account's posture: waiting for one that runs, scanning fewer functions."""

from __future__ import annotations

import asyncio
from typing import Any

from lambdatui.aws.findings import Posture
from lambdatui.aws.functions import function_pages_in
from lambdatui.aws.models import Function

from .helpers import FROZEN_NOW, session_for


async def test_waiting_for_a_running_scan_and_scanning_fewer_functions(sandbox: Any) -> None:
    aws = session_for(sandbox)
    try:
        functions: list[Function] = []
        async for page in function_pages_in(aws, (sandbox.region,)):
            functions += page
        posture = Posture(aws)
        first = asyncio.ensure_future(posture.scan(functions[:3], FROZEN_NOW))
        await asyncio.sleep(0)  # the scan has begun and not yet ended
        assert posture.scanning

        await posture.settled()

        assert not posture.scanning
        assert posture.result is not None
        assert set(posture.result.facts) == {f.arn for f in functions[:3]}
        await first
        # A function no longer listed loses its facts at the next scan.
        again = await posture.scan(functions[:1], FROZEN_NOW)
    finally:
        await aws.close()

    assert set(again.facts) == {functions[0].arn}
