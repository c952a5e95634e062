"""Money as the cost column and the detail show it, at the ends of the scale."""

from __future__ import annotations

import pytest

from lambdatui.aws.cost import money


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (0.0, "USD", "$0"),
        (0.00001, "USD", "<$0.0001"),
        (12_345.6, "USD", "$12,346"),
        (250.0, "EUR", "EUR 250"),
    ],
)
def test_money_at_the_ends_of_the_scale(value: float, currency: str, shown: str) -> None:
    assert money(value, currency) == shown
