"""Acting on a function during an incident: reserved concurrency, event source
mappings and aliases. UI-free; every call goes through `session.call`, so a failure
arrives as an AwsError carrying a sentence."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .errors import AwsError
from .functions import alias_from, aliases_of, event_source_mappings, mapping_from, versions_of
from .metrics import account_settings
from .models import Alias, EventSourceMapping, Version
from .session import AwsSession, call

__all__ = [
    "MIN_UNRESERVED",
    "SETTLED_STATES",
    "aliases_of",
    "concurrency_value",
    "concurrency_word",
    "delete_reserved",
    "event_source_mappings",
    "get_mapping",
    "get_reserved",
    "newest_first",
    "previous_version",
    "put_reserved",
    "reservation_problem",
    "set_mapping_enabled",
    "set_reserved",
    "unreserved_pool",
    "update_alias",
    "versions_newest_first",
    "versions_of",
    "wait_for_mapping",
]

# Lambda keeps at least this much of the account's concurrency unreserved.
MIN_UNRESERVED = 100
# Where an event source mapping comes to rest; the others are transitions.
SETTLED_STATES = frozenset({"Enabled", "Disabled"})
MAPPING_POLL_S = 0.5
MAPPING_WAIT_S = 120.0


# ----- reserved concurrency ----------------------------------------------------------


async def get_reserved(session: AwsSession, name: str) -> int | None:
    """The function's reserved concurrency; None when it is unreserved."""
    got = await call(session, "lambda", "GetFunctionConcurrency", FunctionName=name)
    value = (got or {}).get("ReservedConcurrentExecutions")
    return None if value is None else int(value)


async def put_reserved(session: AwsSession, name: str, value: int) -> int:
    got = await call(
        session,
        "lambda",
        "PutFunctionConcurrency",
        FunctionName=name,
        ReservedConcurrentExecutions=value,
    )
    return int((got or {}).get("ReservedConcurrentExecutions", value))


async def delete_reserved(session: AwsSession, name: str) -> None:
    """Make the function unreserved again (it draws on the account's pool)."""
    await call(session, "lambda", "DeleteFunctionConcurrency", FunctionName=name)


async def set_reserved(session: AwsSession, name: str, value: int | None) -> None:
    """Reserve `value`, or (None) remove the reservation."""
    if value is None:
        await delete_reserved(session, name)
    else:
        await put_reserved(session, name, value)


async def unreserved_pool(session: AwsSession) -> int | None:
    """The account's UnreservedConcurrentExecutions (GetAccountSettings)."""
    return (await account_settings(session)).unreserved


def reservation_problem(value: int, current: int | None, pool: int | None) -> str | None:
    """Why reserving `value` (the function reserves `current` now) cannot work, or None.

    Lambda refuses a reservation that leaves the account fewer than 100 unreserved;
    what the function reserves already goes back to the pool first.
    """
    if value < 0:
        return "Reserved concurrency is a whole number of 0 or more"
    if pool is None:
        return None
    available = pool + (current or 0) - MIN_UNRESERVED
    if value > available:
        return (
            f"Reserving {value:,} would leave the account fewer than {MIN_UNRESERVED} "
            f"unreserved (unreserved now {pool:,}): at most {max(available, 0):,} "
            "is possible for this function"
        )
    return None


def concurrency_word(value: int | None) -> str:
    """How the journal and the confirmations say a reservation."""
    return "unreserved" if value is None else str(value)


def concurrency_value(word: str) -> int | None:
    """The reservation `concurrency_word` wrote; ValueError for anything else."""
    return None if word == "unreserved" else int(word)


# ----- event source mappings ---------------------------------------------------------


async def get_mapping(session: AwsSession, uuid: str) -> EventSourceMapping:
    got = await call(session, "lambda", "GetEventSourceMapping", UUID=uuid)
    return mapping_from(got or {})


async def set_mapping_enabled(session: AwsSession, uuid: str, enabled: bool) -> EventSourceMapping:
    """Pause or resume a mapping; the reply's State is the transition (Disabling...)."""
    got = await call(session, "lambda", "UpdateEventSourceMapping", UUID=uuid, Enabled=enabled)
    return mapping_from(got or {})


async def wait_for_mapping(
    session: AwsSession,
    uuid: str,
    on_state: Callable[[EventSourceMapping], Awaitable[None] | None] | None = None,
    *,
    every: float = MAPPING_POLL_S,
    within: float = MAPPING_WAIT_S,
) -> EventSourceMapping:
    """Read the mapping until its State settles (Enabled or Disabled), telling each
    state read; after `within` seconds the last state read is returned as it is."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        mapping = await get_mapping(session, uuid)
        if on_state is not None:
            told = on_state(mapping)
            if told is not None:
                await told
        if mapping.state in SETTLED_STATES or loop.time() >= deadline:
            return mapping
        await asyncio.sleep(every)


# ----- aliases and versions ----------------------------------------------------------


def _version_key(version: Version) -> tuple[int, str]:
    return (int(version.version), "") if version.version.isdigit() else (-1, version.version)


def newest_first(versions: tuple[Version, ...] | list[Version]) -> list[Version]:
    """Published versions, the newest (highest number) first; $LATEST left out."""
    published = [v for v in versions if v.version.isdigit()]
    return sorted(published, key=_version_key, reverse=True)


async def versions_newest_first(session: AwsSession, name: str) -> list[Version]:
    return newest_first(await versions_of(session, name))


def previous_version(versions: list[Version], current: str) -> str | None:
    """The version published before `current` (versions newest first)."""
    ids = [v.version for v in versions]
    if current in ids:
        later = ids[ids.index(current) + 1 :]
        return later[0] if later else None
    older = [v for v in ids if current.isdigit() and int(v) < int(current)]
    return older[0] if older else (ids[0] if ids else None)


async def update_alias(
    session: AwsSession,
    name: str,
    alias: Alias,
    version: str,
    weights: Mapping[str, float] | None = None,
) -> Alias:
    """Point `alias` at `version`; `weights` (None: kept) replaces its routing.

    The alias's RevisionId goes with the call: an alias someone moved meanwhile
    is refused (PreconditionFailedException), never overwritten.
    """
    params: dict[str, Any] = {"FunctionName": name, "Name": alias.name, "FunctionVersion": version}
    if weights is not None:
        params["RoutingConfig"] = {"AdditionalVersionWeights": dict(weights)}
    if alias.revision_id:
        params["RevisionId"] = alias.revision_id
    try:
        got = await call(session, "lambda", "UpdateAlias", **params)
    except AwsError as exc:
        if exc.code == "PreconditionFailedException":
            raise AwsError(
                f"alias {alias.name} changed since it was read; read it again and retry",
                action=exc.action,
                code=exc.code,
            ) from exc
        raise
    return alias_from(got or {})
