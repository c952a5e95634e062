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


async def test_functions_of_one_role_share_its_list_of_users(sandbox: Any) -> None:
    """At 10,000 functions on one role, a list of users per function was 10,000 x
    10,000 names (760 MB); the facts now share one per role, and the finding still
    counts and names the others."""
    from lambdatui.aws.findings import check

    aws = session_for(sandbox)
    try:
        functions: list[Function] = []
        async for page in function_pages_in(aws, (sandbox.region,)):
            functions += page
        result = await Posture(aws).scan(functions, FROZEN_NOW)
    finally:
        await aws.close()

    by_role: dict[str, list[Function]] = {}
    for fn in functions:
        by_role.setdefault(fn.role, []).append(fn)
    users = max(by_role.values(), key=len)
    assert len(users) >= 5, "the demo world has a role shared by several functions"
    facts = [result.facts[fn.arn] for fn in users]
    assert all(f.role_users is facts[0].role_users for f in facts)
    [shared] = [f for f in check(facts[0], FROZEN_NOW) if f.kind == "shared-role"]
    others = [fn.name for fn in users[1:]]
    assert f"also used by {len(others)} other function(s): " in shared.reason
    assert shared.reason.endswith(f"{', '.join(others[:3])} +{len(others) - 3}")
