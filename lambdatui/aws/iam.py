"""A function's execution role: its attached and inline policies, summarised, wildcards flagged.

Calls: ListAttachedRolePolicies, GetPolicy + GetPolicyVersion (the default version)
for each managed policy, ListRolePolicies and GetRolePolicy for each inline one.
Each half fails on its own, so a missing permission is named in its place.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .errors import AwsError
from .models import Function, Part
from .session import AwsSession, call

# Actions that AWS's own Lambda managed policies (basic execution, VPC access,
# X-Ray) grant on "*" because they have no resource-level permissions, or only
# concern the function's own logs and network interfaces. Flagging them would flag
# nearly every function; a "*" resource with anything else is flagged.
RESOURCE_STAR_OK = frozenset(
    {
        "logs:createloggroup",
        "logs:createlogstream",
        "logs:putlogevents",
        "xray:puttracesegments",
        "xray:puttelemetryrecords",
        "xray:getsamplingrules",
        "xray:getsamplingtargets",
        "ec2:createnetworkinterface",
        "ec2:describenetworkinterfaces",
        "ec2:deletenetworkinterface",
        "ec2:assignprivateipaddresses",
        "ec2:unassignprivateipaddresses",
        "ec2:describesubnets",
        "ec2:describesecuritygroups",
        "ec2:describevpcs",
        "cloudwatch:putmetricdata",
    }
)


def role_name(arn: str) -> str:
    """arn:aws:iam::123:role/service-role/NAME -> NAME."""
    return arn.rsplit("/", 1)[-1] if "/" in arn else arn


def _listed(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False
    not_resource: bool = False
    conditional: bool = False

    @property
    def wildcards(self) -> tuple[str, ...]:
        """What is too broad here, in words: "Action *", "s3:*", "Resource *"."""
        if self.effect != "Allow":
            return ()
        found: list[str] = []
        if self.not_action:
            found.append("NotAction (allows every other action)")
        # Under NotAction the actions named are the ones left out, not granted.
        granted = () if self.not_action else self.actions
        for action in granted:
            if action == "*" or action.endswith(":*"):
                found.append(f"Action {action}")
        if self.not_resource:
            found.append("NotResource (every other resource)")
        if "*" in self.resources and (
            self.not_action or not all(a.lower() in RESOURCE_STAR_OK for a in granted)
        ):
            broad = [a for a in granted if a.lower() not in RESOURCE_STAR_OK]
            found.append(f"Resource * for {', '.join(broad[:3]) or 'NotAction'}")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    arn: str | None  # managed policies; None for inline ones
    statements: tuple[Statement, ...]
    error: str | None = None

    @property
    def wildcards(self) -> tuple[str, ...]:
        return tuple(w for s in self.statements for w in s.wildcards)

    @property
    def kind(self) -> str:
        if self.arn is None:
            return "inline"
        return "AWS managed" if ":iam::aws:policy/" in self.arn else "managed"

    def summary(self, limit: int = 6) -> str:
        """Allowed actions, compactly: "dynamodb:GetItem, dynamodb:PutItem on 2 resources"."""
        if self.error:
            return self.error
        parts = []
        for s in self.statements:
            actions = ", ".join(s.actions[:limit]) + (
                f" (+{len(s.actions) - limit})" if len(s.actions) > limit else ""
            )
            if s.not_action:
                actions = f"everything except {actions}"
            where = s.resources[0] if len(s.resources) == 1 else f"{len(s.resources)} resources"
            if s.not_resource:
                where = f"everything except {where}"
            cond = " (with conditions)" if s.conditional else ""
            parts.append(f"{s.effect} {actions} on {where}{cond}")
        return "; ".join(parts) or "empty policy"


@dataclass(frozen=True, slots=True)
class RoleSummary:
    arn: str
    attached: Part[tuple[Policy, ...]]
    inline: Part[tuple[Policy, ...]]

    @property
    def name(self) -> str:
        return role_name(self.arn)

    @property
    def policies(self) -> tuple[Policy, ...]:
        return (self.attached.value or ()) + (self.inline.value or ())

    @property
    def wildcards(self) -> tuple[tuple[str, str], ...]:
        """(policy name, what is too broad) for every flagged statement."""
        return tuple((p.name, w) for p in self.policies for w in p.wildcards)

    @property
    def error(self) -> str | None:
        return self.attached.error or self.inline.error


def parse_document(document: Any) -> tuple[Statement, ...]:
    """A policy document (dict, JSON text or URL-encoded JSON) as statements."""
    if isinstance(document, str):
        text = document if document.lstrip().startswith("{") else unquote(document)
        document = json.loads(text)
    if not isinstance(document, Mapping):
        return ()
    raw = document.get("Statement") or ()
    if isinstance(raw, Mapping):
        raw = [raw]
    out = []
    for s in raw:
        if not isinstance(s, Mapping):
            continue
        out.append(
            Statement(
                effect=str(s.get("Effect") or "Allow"),
                actions=_listed(s.get("Action") or s.get("NotAction")),
                resources=_listed(s.get("Resource") or s.get("NotResource")),
                not_action="NotAction" in s,
                not_resource="NotResource" in s,
                conditional=bool(s.get("Condition")),
            )
        )
    return tuple(out)


async def _pages(session: AwsSession, action: str, key: str, **params: Any) -> list[Any]:
    out: list[Any] = []
    marker: str | None = None
    while True:
        extra = {"Marker": marker} if marker else {}
        reply = await call(session, "iam", action, **params, **extra)
        out.extend(reply.get(key) or ())
        if not reply.get("IsTruncated"):
            return out
        marker = reply.get("Marker")


async def _managed(session: AwsSession, name: str, arn: str) -> Policy:
    try:
        policy = await call(session, "iam", "GetPolicy", PolicyArn=arn)
        version = (policy.get("Policy") or {}).get("DefaultVersionId") or "v1"
        got = await call(session, "iam", "GetPolicyVersion", PolicyArn=arn, VersionId=version)
        document = (got.get("PolicyVersion") or {}).get("Document")
        return Policy(name, arn, parse_document(document))
    except AwsError as exc:
        return Policy(name, arn, (), error=exc.sentence)


async def _inline(session: AwsSession, role: str, name: str) -> Policy:
    try:
        got = await call(session, "iam", "GetRolePolicy", RoleName=role, PolicyName=name)
        return Policy(name, None, parse_document(got.get("PolicyDocument")))
    except AwsError as exc:
        return Policy(name, None, (), error=exc.sentence)


async def role_summary(session: AwsSession, role_arn: str) -> RoleSummary:
    """The role's policies. IAM is global: the calls go to the session's region endpoint."""
    name = role_name(role_arn)

    async def attached() -> tuple[Policy, ...]:
        listed = await _pages(
            session, "ListAttachedRolePolicies", "AttachedPolicies", RoleName=name
        )
        return tuple(
            await asyncio.gather(
                *(_managed(session, p["PolicyName"], p["PolicyArn"]) for p in listed)
            )
        )

    async def inline() -> tuple[Policy, ...]:
        names = await _pages(session, "ListRolePolicies", "PolicyNames", RoleName=name)
        return tuple(await asyncio.gather(*(_inline(session, name, n) for n in names)))

    async def part(make: Any) -> Part[tuple[Policy, ...]]:
        try:
            return Part(value=await make())
        except AwsError as exc:
            return Part(error=exc.sentence)

    got_attached, got_inline = await asyncio.gather(part(attached), part(inline))
    return RoleSummary(role_arn, got_attached, got_inline)


class RoleCache:
    """Role summaries by ARN, fetched once per session (roles are shared between functions)."""

    def __init__(self, session: AwsSession) -> None:
        self.session = session
        self._done: dict[str, RoleSummary] = {}
        self._pending: dict[str, asyncio.Task[RoleSummary]] = {}

    def known(self, arn: str) -> RoleSummary | None:
        return self._done.get(arn)

    async def get(self, arn: str, *, fresh: bool = False) -> RoleSummary:
        if not fresh and arn in self._done:
            return self._done[arn]
        task = self._pending.get(arn)
        if task is None:
            task = asyncio.ensure_future(role_summary(self.session, arn))
            self._pending[arn] = task
        try:
            summary = await task
        finally:
            self._pending.pop(arn, None)
        # A denied summary is not kept: a retry after the permission is granted works.
        if summary.error is None:
            self._done[arn] = summary
        return summary

    async def many(self, arns: Iterable[str], parallel: int = 4) -> dict[str, RoleSummary]:
        slots = asyncio.Semaphore(parallel)

        async def one(arn: str) -> RoleSummary:
            async with slots:
                return await self.get(arn)

        wanted = sorted(set(arns))
        return dict(zip(wanted, await asyncio.gather(*(one(a) for a in wanted)), strict=True))


@dataclass(frozen=True, slots=True)
class RoleGroup:
    arn: str
    functions: tuple[str, ...]

    @property
    def name(self) -> str:
        return role_name(self.arn)


def group_by_role(functions: Sequence[Function]) -> list[RoleGroup]:
    """Functions grouped by execution role, largest group first."""
    groups: dict[str, list[str]] = {}
    for fn in functions:
        groups.setdefault(fn.role or "-", []).append(fn.name)
    return sorted(
        (RoleGroup(arn, tuple(sorted(names))) for arn, names in groups.items()),
        key=lambda g: (-len(g.functions), g.name),
    )
