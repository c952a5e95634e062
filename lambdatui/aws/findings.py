"""Posture findings: the usual mistakes in running a Lambda function, with a reason and a fix.

`Posture` gathers the facts once per scan, mostly from account-wide calls
(DescribeAlarms, ListEventSourceMappings, GetMetricData, one role summary per
role), then per function GetFunctionEventInvokeConfig and, only where it decides
a finding, GetPolicy. `check()` turns one function's facts into findings; it is
pure, so the findings are recomputed cheaply when logs add observations.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from .alarms import Alarm, AlarmIndex, list_alarms, queue_name
from .cost import Cost
from .errors import AwsError, NotFound
from .iam import RoleCache, RoleSummary, role_name
from .metrics import MetricSpec, Query, batches, fetch
from .models import Function
from .runtimes import SOON_DAYS, schedule
from .session import AwsSession, call

# Per-function calls in flight at once (Lambda's control plane: about 15 req/s).
PARALLEL = 8
# Posture metrics look back this far: one datapoint per function and metric.
LOOKBACK_S = 86_400
TIMEOUT_CLOSE = 0.8  # max duration at or above this share of the timeout
MEMORY_UNUSED = 0.25  # max memory used below this share of the configured memory
MEMORY_FLOOR_MB = 256  # smaller functions are not worth shrinking
# Services that invoke Lambda asynchronously (resource-based policy principals).
ASYNC_PRINCIPALS = frozenset(
    {
        "s3.amazonaws.com",
        "sns.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "ses.amazonaws.com",
        "logs.amazonaws.com",
        "iot.amazonaws.com",
        "codecommit.amazonaws.com",
        "config.amazonaws.com",
        "cloudformation.amazonaws.com",
    }
)
DEPTH_METRICS = ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage")


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Kind:
    id: str
    title: str
    short: str


KINDS = {
    k.id: k
    for k in (
        Kind("shared-role", "Execution role shared by several functions", "shared role"),
        Kind("wildcard-policy", "Role policy with * actions or resources", "wildcard policy"),
        Kind(
            "no-failure-destination",
            "Async invocations with no DLQ or on-failure destination",
            "no failure dest.",
        ),
        Kind("no-alarm", "No alarm on Errors or Throttles", "no alarm"),
        Kind("no-dlq-alarm", "No alarm on the DLQ's depth", "no DLQ alarm"),
        Kind("text-logs", "Text log format", "text logs"),
        Kind(
            "plain-secrets", "Secret-looking environment variables in plain text", "plain secrets"
        ),
        Kind("timeout-close", "Timeout close to the longest duration", "timeout close"),
        Kind("memory-unused", "Memory far above what is used", "memory unused"),
        Kind("deprecated-runtime", "Deprecated runtime", "deprecated runtime"),
        Kind("vpc", "Attached to a VPC", "VPC"),
        Kind("noisy-trigger", "Noisy trigger", "noisy trigger"),
    )
}


@dataclass(frozen=True, slots=True)
class Finding:
    function: str
    kind: str
    severity: Severity
    reason: str
    fix: str
    arn: str = ""  # the function's, to open it (names repeat across regions)
    # What several functions' findings of a kind share: the role, the queue, the runtime.
    subject: str = ""

    @property
    def title(self) -> str:
        return KINDS[self.kind].title


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """One kind of finding (with what its functions share, e.g. the role) and the
    functions it touches: a row of the findings summary."""

    kind: str
    subject: str
    severity: Severity
    findings: tuple[Finding, ...]

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.kind, self.subject, int(self.severity))

    @property
    def functions(self) -> int:
        return len({f.arn or f.function for f in self.findings})

    @property
    def label(self) -> str:
        short = KINDS[self.kind].short
        return f"{short} {self.subject}" if self.subject else short


def summarize(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Findings by kind, subject and severity: worst first, then most functions."""
    groups: dict[tuple[str, str, Severity], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.kind, f.subject, f.severity), []).append(f)
    out = [FindingGroup(k, s, sev, tuple(fs)) for (k, s, sev), fs in groups.items()]
    out.sort(key=lambda g: (-g.severity, -g.functions, g.kind, g.subject))
    return out


@dataclass(frozen=True, slots=True)
class Observed:
    """What REPORT records of the function's logs showed, when its logs were read."""

    invocations: int = 0
    max_duration_ms: float = 0.0
    max_memory_used_mb: int = 0
    memory_size_mb: int = 0


class Observations:
    """REPORT figures per function (by ARN), fed by the log pane."""

    def __init__(self) -> None:
        self._by_function: dict[str, Observed] = {}

    def get(self, function: str) -> Observed | None:
        return self._by_function.get(function)

    def add(
        self,
        function: str,
        duration_ms: float | None,
        max_memory_used_mb: int | None,
        memory_size_mb: int | None,
    ) -> None:
        seen = self._by_function.get(function, Observed())
        self._by_function[function] = Observed(
            invocations=seen.invocations + 1,
            max_duration_ms=max(seen.max_duration_ms, duration_ms or 0.0),
            max_memory_used_mb=max(seen.max_memory_used_mb, max_memory_used_mb or 0),
            memory_size_mb=memory_size_mb or seen.memory_size_mb,
        )


@dataclass(frozen=True, slots=True)
class Facts:
    """What the checks read about one function. None: that source could not be read."""

    function: Function
    role: RoleSummary | None = None
    role_users: tuple[str, ...] = ()  # every function of the role, shared by their facts
    role_others: int = 0  # how many of them are not this function
    alarms: tuple[Alarm, ...] | None = None  # on the function's own metrics
    queue_alarms: dict[str, tuple[Alarm, ...]] | None = None  # by failure queue ARN
    on_failure: str | None = None
    failure_known: bool = False
    async_evidence: str | None = None
    max_duration_ms: float | None = None  # Duration Maximum over the lookback


@dataclass
class ScanResult:
    facts: dict[str, Facts] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)  # sources that could not be read
    checked: int = 0  # functions whose per-function calls are done
    complete: bool = False


def _names(names: Sequence[str], limit: int = 3, total: int | None = None) -> str:
    """The first `limit` names, then how many more (of `total`, when `names` holds only
    the first few)."""
    total = len(names) if total is None else total
    shown = ", ".join(names[:limit])
    return shown + (f" +{total - limit}" if total > limit else "")


def check(
    facts: Facts,
    now: datetime,
    observed: Observed | None = None,
    cost: Cost | None = None,
) -> list[Finding]:
    """The findings of one function, worst first."""
    fn = facts.function
    out: list[Finding] = []

    def add(kind: str, severity: Severity, reason: str, fix: str, subject: str = "") -> None:
        out.append(Finding(fn.name, kind, severity, reason, fix, fn.arn, subject))

    role = role_name(fn.role) if fn.role else "-"
    # One role can serve thousands of functions: the scan counted the others once per
    # role, and only the first few names are looked for here.
    users = facts.role_users
    shared = facts.role_others
    if shared:
        others = list(itertools.islice((n for n in users if n != fn.name), 3))
        add(
            "shared-role",
            Severity.MEDIUM,
            f"role {role} is also used by {shared} other function(s): "
            f"{_names(others, total=shared)}",
            "give the function its own role with only the permissions it uses",
            role,
        )
    if facts.role is not None and facts.role.wildcards:
        policy, what = facts.role.wildcards[0]
        more = len(facts.role.wildcards) - 1
        add(
            "wildcard-policy",
            Severity.HIGH,
            f"policy {policy} of role {role} allows {what}" + (f" (+{more} more)" if more else ""),
            "name the actions and the resource ARNs the function needs",
            role,
        )
    if facts.failure_known and facts.async_evidence and not fn.dead_letter and not facts.on_failure:
        add(
            "no-failure-destination",
            Severity.HIGH,
            f"invoked asynchronously ({facts.async_evidence}) with no DLQ and no on-failure "
            "destination: events that fail every retry are lost",
            "add an on-failure destination (SQS, SNS or EventBridge) or a dead-letter queue",
        )
    if facts.alarms is not None:
        missing = [m for m in ("Errors", "Throttles") if not _watched(facts.alarms, m)]
        if missing:
            reason = {
                ("Errors", "Throttles"): "nothing alerts when it fails or is throttled",
                ("Errors",): "nothing alerts when it fails (Throttles has an alarm)",
                ("Throttles",): "nothing alerts when it is throttled (Errors has an alarm)",
            }[tuple(missing)]
            add(
                "no-alarm",
                Severity.MEDIUM,
                reason,
                f"create CloudWatch alarms on AWS/Lambda {', '.join(missing)} "
                f"(FunctionName={fn.name})",
            )
    if facts.queue_alarms is not None:
        for arn, alarms in sorted(facts.queue_alarms.items()):
            if not any(a.watches_metric(m) for a in alarms for m in DEPTH_METRICS):
                queue = queue_name(arn) or arn
                add(
                    "no-dlq-alarm",
                    Severity.MEDIUM,
                    f"no alarm on the depth of its failure queue {queue}",
                    f"alarm on AWS/SQS ApproximateNumberOfMessagesVisible > 0 (QueueName={queue})",
                    queue,
                )
    if fn.log_format == "Text":
        add(
            "text-logs",
            Severity.LOW,
            "logs in the Text format: not structured, hard to filter and query",
            "set the logging configuration's log format to JSON",
        )
    if fn.secret_env and not fn.kms_key_arn:
        add(
            "plain-secrets",
            Severity.HIGH,
            f"{_names(list(fn.secret_env))} "
            + ("looks like a secret" if len(fn.secret_env) == 1 else "look like secrets")
            + ", stored as plain environment values without a customer KMS key",
            "keep them in Secrets Manager or Parameter Store and read them at start",
        )
    longest = max(
        (v for v in (facts.max_duration_ms, observed.max_duration_ms if observed else None) if v),
        default=None,
    )
    if longest and fn.timeout_s:
        share = longest / (fn.timeout_s * 1000)
        if share >= TIMEOUT_CLOSE:
            add(
                "timeout-close",
                Severity.HIGH if share >= 1 else Severity.MEDIUM,
                f"longest duration {longest / 1000:,.1f} s is {share:.0%} of the "
                f"{fn.timeout_s} s timeout",
                "find what is slow (logs, traces), or raise the timeout with headroom",
            )
    if observed and observed.invocations and observed.max_memory_used_mb:
        size = observed.memory_size_mb or fn.memory_mb
        if size >= MEMORY_FLOOR_MB and observed.max_memory_used_mb < size * MEMORY_UNUSED:
            add(
                "memory-unused",
                Severity.LOW,
                f"at most {observed.max_memory_used_mb} MB used of {size} MB in "
                f"{observed.invocations} invocation(s) seen in the logs",
                "lower the memory size (watch duration: CPU scales with memory)",
            )
    sched = schedule(fn.runtime) if fn.package_type != "Image" else None
    if sched is not None:
        today = now.date()
        upgrade = f"upgrade to {sched.upgrade}" if sched.upgrade else "upgrade the runtime"
        if today >= sched.deprecated:
            blocked = (
                f"; updates blocked since {sched.block_update}"
                if sched.block_update and today >= sched.block_update
                else ""
            )
            add(
                "deprecated-runtime",
                Severity.HIGH,
                f"{fn.runtime} is deprecated since {sched.deprecated}: no security patches"
                + blocked,
                upgrade,
                fn.runtime,
            )
        elif sched.deprecated - today <= timedelta(days=SOON_DAYS):
            add(
                "deprecated-runtime",
                Severity.MEDIUM,
                f"{fn.runtime} will be deprecated on {sched.deprecated}",
                upgrade,
                fn.runtime,
            )
    if fn.vpc_id:
        add(
            "vpc",
            Severity.INFO,
            f"attached to {fn.vpc_id}: reaching AWS APIs needs a NAT gateway or VPC "
            "endpoints, and cold starts depend on the subnets' free IP addresses",
            "check the subnets' routes and endpoints; no change needed if it must reach "
            "private resources",
            fn.vpc_id,
        )
    if cost is not None and cost.noisy:
        add(
            "noisy-trigger",
            Severity.LOW,
            f"{cost.rate_per_s:,.1f} invocations/s averaging {cost.avg_duration_ms or 0:,.0f} ms: "
            "requests dominate its cost",
            "batch events (batch size and window) or filter them at the source",
        )
    out.sort(key=lambda f: -f.severity)
    return out


def _watched(alarms: Iterable[Alarm], metric: str) -> bool:
    return any(not a.composite and a.watches_metric(metric) for a in alarms)


# ----- gathering the facts ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Mapping:
    function_arn: str
    source: str
    on_failure: str | None


async def _mappings(session: AwsSession) -> list[_Mapping]:
    """Every event source mapping of the region (one paged call, not one per function)."""
    out: list[_Mapping] = []
    marker: str | None = None
    while True:
        params: dict[str, Any] = {"MaxItems": 100}
        if marker:
            params["Marker"] = marker
        reply = await call(session, "lambda", "ListEventSourceMappings", **params)
        for m in reply.get("EventSourceMappings") or ():
            arn = str(m.get("FunctionArn") or "")
            dest = ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            out.append(
                _Mapping(
                    ":".join(arn.split(":")[:7]),  # without an alias or version
                    str(m.get("EventSourceArn") or ""),
                    dest or None,
                )
            )
        marker = reply.get("NextMarker")
        if not marker:
            return out


POSTURE_METRICS = (
    MetricSpec("async", "AsyncEventsReceived", "Sum"),
    MetricSpec("max_duration", "Duration", "Maximum", "ms"),
)


async def _posture_metrics(
    session: AwsSession, names: Sequence[str], now: datetime
) -> dict[str, dict[str, float]]:
    """AsyncEventsReceived (Sum) and Duration (Maximum) of each function over a day."""
    end = now.replace(second=0, microsecond=0)
    start = end - timedelta(seconds=LOOKBACK_S)
    queries = [
        Query(f"p{i}_{spec.key}", name, spec)
        for i, name in enumerate(names)
        for spec in POSTURE_METRICS
    ]
    out: dict[str, dict[str, float]] = {}
    for batch in batches(queries):
        series = await fetch(session, batch, start, end, LOOKBACK_S)
        for q in batch:
            s = series[q.id]
            value = s.total() if q.spec.stat == "Sum" else s.peak()
            if value is not None:
                out.setdefault(q.function, {})[q.spec.key] = value
    return out


async def _on_failure(session: AwsSession, name: str) -> tuple[bool, str | None]:
    """(has an async invoke configuration, its on-failure destination)."""
    try:
        got = await call(session, "lambda", "GetFunctionEventInvokeConfig", FunctionName=name)
    except NotFound:
        return False, None
    dest = ((got.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    return True, dest or None


async def _async_principals(session: AwsSession, name: str) -> list[str]:
    """Services allowed to invoke the function that invoke asynchronously (GetPolicy)."""
    try:
        got = await call(session, "lambda", "GetPolicy", FunctionName=name)
    except NotFound:
        return []
    try:
        policy = json.loads(got.get("Policy") or "{}")
    except ValueError:
        return []
    found = []
    for statement in policy.get("Statement") or ():
        principal = statement.get("Principal") or {}
        services = principal.get("Service") if isinstance(principal, dict) else None
        for service in [services] if isinstance(services, str) else services or ():
            if service in ASYNC_PRINCIPALS:
                found.append(service)
    return sorted(set(found))


class Posture:
    """The account's alarms, roles and failure handling, gathered for findings and screens.

    Facts and what was learnt about failure queues are kept by function ARN, alarms
    by region (the list may span several regions; IAM is global).
    """

    def __init__(self, session: AwsSession) -> None:
        self.session = session
        self.roles = RoleCache(session)
        self.observations = Observations()
        self.alarms: dict[str, AlarmIndex] = {}  # by region
        self.alarm_error: str | None = None
        self.result: ScanResult | None = None
        self.on_failure: dict[str, str] = {}  # function ARN -> async on-failure destination
        self.stream_failures: dict[str, list[str]] = {}  # ARN -> mappings' on-failure
        self._task: asyncio.Future[ScanResult] | None = None
        self._listeners: list[Callable[[dict[str, Facts]], None]] = []

    @property
    def scanning(self) -> bool:
        return self._task is not None and not self._task.done()

    async def settled(self) -> None:
        """Return once the running scan (if any) has finished, however it ended."""
        task = self._task
        if task is not None and not task.done():
            await asyncio.wait([task])

    async def refresh_alarms(self, regions: Iterable[str] = ()) -> None:
        """Read the alarms of these regions (the session's by default); errors are kept."""
        try:
            await self.refresh_alarms_or_raise(regions)
        except AwsError as exc:
            self.alarm_error = exc.sentence

    async def refresh_alarms_or_raise(self, regions: Iterable[str] = ()) -> None:
        wanted = list(dict.fromkeys(regions)) or [self.session.region]
        found = await asyncio.gather(*(list_alarms(self.session.in_region(r)) for r in wanted))
        for region, alarms in zip(wanted, found, strict=True):
            self.alarms[region] = AlarmIndex(alarms)
        self.alarm_error = None

    def queues_of(self, fn: Function) -> list[str]:
        """The SQS failure queues known for the function: its DLQ, its async on-failure
        destination and its stream mappings' on-failure destinations."""
        queues = [
            fn.dead_letter,
            self.on_failure.get(fn.arn, ""),
            *self.stream_failures.get(fn.arn, ()),
        ]
        return [q for q in dict.fromkeys(queues) if queue_name(q)]

    def alarms_of(self, fn: Function) -> list[Alarm] | None:
        index = self.alarms.get(fn.region)
        if index is None:
            return None
        return index.for_function(fn.name, self.queues_of(fn))

    def facts_of(self, fn: Function) -> Facts | None:
        return self.result.facts.get(fn.arn) if self.result else None

    async def scan(
        self,
        functions: Sequence[Function],
        now: datetime,
        progress: Callable[[dict[str, Facts]], None] | None = None,
    ) -> ScanResult:
        """Gather every function's facts; `progress` gets them as functions complete.

        A scan already running is joined rather than repeated. The scan is shielded:
        a screen that stops waiting does not stop it. `result` fills as it goes.
        """
        if progress is not None:
            self._listeners.append(progress)
        try:
            if not self.scanning:
                self._task = asyncio.ensure_future(self._scan(functions, now))
            assert self._task is not None
            return await asyncio.shield(self._task)
        finally:
            if progress is not None and progress in self._listeners:
                self._listeners.remove(progress)

    def _progress(self, batch: dict[str, Facts]) -> None:
        for listener in list(self._listeners):
            listener(batch)

    async def _region(
        self, region: str, names: Sequence[str], now: datetime, result: ScanResult
    ) -> tuple[AlarmIndex | None, list[_Mapping] | None, dict[str, dict[str, float]] | None]:
        """One region's account-wide facts: alarms, event source mappings, metrics."""
        session = self.session.in_region(region)

        async def guarded(what: str, make: Any) -> Any:
            try:
                return await make
            except AwsError as exc:
                result.gaps.append(f"{what}: {exc.sentence}")
                return None

        alarms, mappings, metrics = await asyncio.gather(
            guarded("alarms not checked", list_alarms(session)),
            guarded("event sources not checked", _mappings(session)),
            guarded("metrics not read", _posture_metrics(session, names, now)),
        )
        index = None
        if alarms is not None:
            index = self.alarms[region] = AlarmIndex(alarms)
            self.alarm_error = None
        return index, mappings, metrics

    async def _scan(self, functions: Sequence[Function], now: datetime) -> ScanResult:
        result = ScanResult()
        if self.result is not None:
            # Until the new facts arrive, the previous ones stand.
            result.facts.update(self.result.facts)
        self.result = result
        wanted = {f.arn for f in functions}
        for gone in set(result.facts) - wanted:
            del result.facts[gone]
        role_users: dict[str, list[str]] = {}
        by_region: dict[str, list[Function]] = {}
        for fn in functions:
            by_region.setdefault(fn.region, []).append(fn)
            if fn.role:
                role_users.setdefault(fn.role, []).append(fn.name)
        regions = list(by_region)
        gathered, roles = await asyncio.gather(
            asyncio.gather(
                *(self._region(r, [f.name for f in by_region[r]], now, result) for r in regions)
            ),
            self.roles.many(role_users),
        )
        result.gaps[:] = list(dict.fromkeys(result.gaps))
        for summary in roles.values():
            if summary.error and not any(summary.error in g for g in result.gaps):
                result.gaps.append(f"role policies not read: {summary.error}")
        alarms: dict[str, AlarmIndex | None] = {}
        metrics: dict[tuple[str, str], dict[str, float]] = {}
        stream_failures: dict[str, list[str]] = {}
        for region, (index, mappings, figures) in zip(regions, gathered, strict=True):
            alarms[region] = index
            for name, values in (figures or {}).items():
                metrics[(region, name)] = values
            for m in mappings or ():
                if m.on_failure:
                    stream_failures.setdefault(m.function_arn, []).append(m.on_failure)
        self.stream_failures.update(stream_failures)
        slots = asyncio.Semaphore(PARALLEL)
        denied: set[str] = set()
        # One tuple per role, shared by its functions' facts (a tuple each would be
        # 10,000 x 10,000 names when every function has the same role).
        shared_users = {role: tuple(users) for role, users in role_users.items()}
        name_counts = {role: Counter(users) for role, users in role_users.items()}

        def build(fn: Function, on_failure: str | None, known: bool, evidence: str | None) -> Facts:
            figures = metrics.get((fn.region, fn.name), {})
            index = alarms.get(fn.region)
            queues = [
                q
                for q in dict.fromkeys(
                    [fn.dead_letter, on_failure or "", *stream_failures.get(fn.arn, ())]
                )
                if queue_name(q)
            ]
            return Facts(
                function=fn,
                role=roles.get(fn.role) if fn.role else None,
                role_users=shared_users.get(fn.role, ()),
                role_others=(
                    len(role_users[fn.role]) - name_counts[fn.role][fn.name]
                    if fn.role in role_users
                    else 0
                ),
                alarms=tuple(index.on_function(fn.name)) if index else None,
                queue_alarms=({q: tuple(index.on_queue(q)) for q in queues} if index else None),
                on_failure=on_failure,
                failure_known=known,
                async_evidence=evidence,
                max_duration_ms=figures.get("max_duration"),
            )

        def metric_evidence(fn: Function) -> str | None:
            received = metrics.get((fn.region, fn.name), {}).get("async")
            return f"{received:,.0f} async events in the last 24 h" if received else None

        async def one(fn: Function) -> Facts:
            session = self.session.in_region(fn.region)
            async with slots:
                evidence = metric_evidence(fn)
                configured, on_failure, known = False, None, True
                try:
                    configured, on_failure = await _on_failure(session, fn.name)
                except AwsError as exc:
                    known = False
                    _note(result, denied, "failure destinations not checked", exc)
                if on_failure:
                    self.on_failure[fn.arn] = on_failure
                if evidence is None and configured:
                    evidence = "it has an asynchronous invocation configuration"
                if known and evidence is None and not fn.dead_letter and not on_failure:
                    try:
                        services = await _async_principals(session, fn.name)
                        if services:
                            evidence = f"{', '.join(services)} may invoke it"
                    except AwsError as exc:
                        _note(result, denied, "invoke permissions not checked", exc)
                return build(fn, on_failure, known, evidence)

        # What the account-wide calls decide shows at once; each function's failure
        # handling (one or two calls per function) completes its facts later.
        for fn in functions:
            result.facts[fn.arn] = build(fn, self.on_failure.get(fn.arn), False, None)
        self._progress(dict(result.facts))
        pending = [asyncio.ensure_future(one(fn)) for fn in functions]
        batch: dict[str, Facts] = {}
        # About ten progress reports per scan (each makes screens recompute findings).
        every = max(25, len(pending) // 10)
        for count, done in enumerate(asyncio.as_completed(pending), 1):
            facts = await done
            result.facts[facts.function.arn] = facts
            result.checked = count
            batch[facts.function.arn] = facts
            if len(batch) >= every or count == len(pending):
                result.complete = count == len(pending)
                self._progress(dict(batch))
                batch.clear()
        result.complete = True
        return result


def _note(result: ScanResult, denied: set[str], what: str, exc: AwsError) -> None:
    if what not in denied:
        denied.add(what)
        result.gaps.append(f"{what}: {exc.sentence}")
