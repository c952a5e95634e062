"""Which functions count as production, by the configured patterns."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase


def production_reason(
    name: str, tags: Iterable[tuple[str, str]], patterns: Iterable[str]
) -> str | None:
    """Why the function matches a production pattern, or None.

    A pattern is ``tag:KEY=GLOB`` (a tag's value) or ``name:GLOB`` (the function's
    name); globs are case-insensitive.
    """
    tag_values = {key.lower(): value.lower() for key, value in tags}
    for pattern in patterns:
        kind, _, rule = pattern.partition(":")
        if kind == "tag":
            key, _, glob = rule.partition("=")
            value = tag_values.get(key.strip().lower())
            if value is not None and fnmatchcase(value, glob.strip().lower() or "*"):
                return f"tag {key.strip()}={value}"
        elif kind == "name" and fnmatchcase(name.lower(), rule.strip().lower()):
            return f"name matches {rule.strip()}"
    return None
