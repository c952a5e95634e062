"""How a role's policies read on screen (the detail screen and the roles view)."""

from __future__ import annotations

from textual.content import Content

from ..aws.iam import RoleSummary
from ..safetext import visible
from ..widgets.section import Row


def _error(text: str) -> Content:
    return Content.styled(visible(text), "$text-error")


def role_rows(summary: RoleSummary) -> list[Row]:
    """One row per policy: kind, name, what it allows; wildcards flagged under it.

    A part that could not be read (a missing IAM permission) says so in its place.
    """
    rows: list[Row] = []
    for label, part in (("Attached", summary.attached), ("Inline", summary.inline)):
        if not part.ok:
            rows.append((label, _error(part.error or "not loaded")))
            continue
        if not part.value:
            rows.append((label, Content.styled("none", "$text-muted")))
            continue
        for policy in part.value:
            text = Content.assemble(
                (visible(policy.name), "bold"),
                (f" ({policy.kind})  ", "$text-muted"),
                visible(policy.summary()),
            )
            if policy.error:
                text = Content.assemble((visible(policy.name), "bold"), "  ", _error(policy.error))
            rows.append((label, text))
            for wildcard in policy.wildcards:
                rows.append(("", Content.styled(f"⚠ wildcard: {visible(wildcard)}", "$text-error")))
    if summary.attached.ok and summary.inline.ok and not summary.wildcards:
        rows.append(("", Content.styled("no wildcard actions or resources", "$text-success")))
    return rows
