"""Small formatting helpers."""

from __future__ import annotations

import pytest

from lambdatui.format import plural


@pytest.mark.parametrize(
    ("count", "word", "many", "text"),
    [
        (0, "target", None, "0 targets"),
        (1, "target", None, "1 target"),
        (2, "time", None, "2 times"),
        (1_024, "line", None, "1,024 lines"),
        (1.0, "error", None, "1 error"),
        (0.6, "invocation", None, "1 invocation"),
        (12.4, "throttle", None, "12 throttles"),
        (1, "policy", "policies", "1 policy"),
        (3, "policy", "policies", "3 policies"),
    ],
)
def test_plural(count: float, word: str, many: str | None, text: str) -> None:
    assert plural(count, word, many) == text
