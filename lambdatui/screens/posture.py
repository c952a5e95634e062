"""What the list, the detail and the findings screens share about alarms, cost and findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text

from ..aws.alarms import NONE, STATES
from ..aws.cost import Cost, money
from ..aws.findings import Finding, Severity
from ..aws.models import Function
from ..widgets.table import Column

if TYPE_CHECKING:
    pass

STATE_LABEL = {
    "ALARM": "ALARM",
    "INSUFFICIENT_DATA": "no data",
    "OK": "OK",
    NONE: "none",
    "unknown": "n/a",  # alarms could not be read
}
# Component classes of the table (widgets/table.py): the theme gives their colours.
STATE_STYLE = {
    "ALARM": "vtable--bad",
    "INSUFFICIENT_DATA": "vtable--notice",
    "OK": "vtable--good",
    NONE: "vtable--dim",
}
SEVERITY_STYLE = {
    Severity.HIGH: "vtable--bad",
    Severity.MEDIUM: "vtable--notice",
    Severity.LOW: "vtable--info",
    Severity.INFO: "vtable--dim",
}
NOISY_MARK = "↯"
COST_WIDTH = 8


def state_text(state: str | None) -> Text:
    if state is None:
        return Text("…", style="vtable--dim")
    return Text(STATE_LABEL.get(state, state), style=STATE_STYLE.get(state, "vtable--dim"))


def state_rank(state: str | None) -> int:
    """Sort key, worst first when reversed: ALARM > no data > OK > none > unknown."""
    if state is None:
        return -1
    return len(STATES) - STATES.index(state) if state in STATES else 0


def cost_text(cost: Cost | None, currency: str = "USD") -> Text:
    if cost is None:
        return Text("-")
    text = Text(money(cost.total, currency, compact=True))
    if cost.noisy:
        # Yellow marks a noisy trigger; the mark too when the cell has room for it.
        text.stylize("vtable--notice")
        if len(text) < COST_WIDTH:
            text.append(NOISY_MARK, style="vtable--notice")
    return text


def findings_text(findings: list[Finding] | None) -> Text:
    if findings is None:
        return Text("…", style="vtable--dim")
    counted = [f for f in findings if f.severity > Severity.INFO]
    if not counted:
        return Text("info" if findings else "0", style="vtable--dim")
    worst = max(f.severity for f in counted)
    label = "med" if worst == Severity.MEDIUM else worst.label
    return Text(f"{len(counted)} {label}", style=SEVERITY_STYLE[worst])


def findings_rank(findings: list[Finding] | None) -> tuple[int, int]:
    if findings is None:
        return (-1, 0)
    counted = [f for f in findings if f.severity > Severity.INFO]
    return (max((f.severity for f in counted), default=0), len(counted))


def posture_columns(
    state: Callable[[Function], str | None],
    cost: Callable[[Function], Cost | None],
    findings: Callable[[Function], list[Finding] | None],
    currency: Callable[[], str],
    *,
    drops: tuple[int, int, int],
) -> tuple[Column[Function], Column[Function], Column[Function]]:
    """The list's Alarms, Cost and Findings columns."""

    def cost_key(fn: Function) -> float:
        c = cost(fn)
        return -1.0 if c is None else c.total

    return (
        Column(
            "alarms",
            "Alarms",
            7,
            lambda f: state_text(state(f)),
            lambda f: state_rank(state(f)),
            drop=drops[0],
        ),
        Column(
            "cost",
            "Cost",
            COST_WIDTH,
            lambda f: cost_text(cost(f), currency()),
            cost_key,
            align="right",
            drop=drops[1],
        ),
        Column(
            "findings",
            "Findings",
            9,
            lambda f: findings_text(findings(f)),
            lambda f: findings_rank(findings(f)),
            drop=drops[2],
        ),
    )
