"""Everything about one function, each part loading (or failing) on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from .. import format as fmt
from ..applog import never_log
from ..aws.alarms import Alarm, alarm_history
from ..aws.cost import FREE_TIER_NOTE, money, per_month
from ..aws.errors import AwsError, ServerError
from ..aws.functions import function_detail
from ..aws.metrics import WINDOWS
from ..aws.models import Function, FunctionDetail, Part
from ..fleet import Change
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.footer import KeysFooter
from ..widgets.scroll import KeyScroll
from ..widgets.section import Row, Section
from .base import Acted, FleetChanged, Pane
from .identity import role_rows
from .posture import STATE_LABEL

MASK = "*****"
HISTORY_SHOWN = 5  # recent state changes per alarm
# What retry_soon needs to hear when some part failed in a passing way.
TRANSIENT = ServerError("some parts failed for now; retrying")

SECTIONS = {
    "overview": "Function",
    "alarms": "Alarms",
    "findings": "Findings",
    "configuration": "Configuration",
    "logging": "Logging",
    "failure": "Failure handling",
    "identity": "Execution role",
    "cost": "Cost estimate",
    "concurrency": "Concurrency",
    "sources": "Event sources",
    "layers": "Layers",
    "vpc": "VPC",
    "versions": "Versions and aliases",
    "tags": "Tags",
    "environment": "Environment",
}


def _row(label: str, value: str | Content) -> Row:
    return (label, value)


def _note(text: str, style: str = "$text-muted italic") -> Content:
    return Content.styled(visible(text), style)


def _failed(part: Part[Any]) -> Content:
    return Content.styled(visible(part.error or "not loaded"), "$text-error")


def _kind(arn: str | None) -> str:
    if not arn:
        return "-"
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    kind = {
        "sqs": "SQS queue",
        "sns": "SNS topic",
        "lambda": "Lambda function",
        "events": "EventBridge bus",
        "s3": "S3 bucket",
    }.get(service, service or "?")
    return f"{arn}  ({kind})"


class DetailScreen(Pane):
    HELP_TITLE = "Function detail"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "logs", "Logs", id="detail.logs"),
        Binding("m", "metrics", "Metrics", id="detail.metrics"),
        Binding("d", "dlq", "DLQ", id="detail.dlq"),
        Binding("i", "invoke", "Invoke", id="detail.invoke"),
        Binding("I", "insights", "Logs Insights", show=False, id="detail.insights"),
        Binding("v", "reveal", "Reveal env", id="detail.reveal"),
        Binding("y", "copy_arn", "Copy ARN", id="detail.copy_arn"),
        Binding("r", "refresh", "Refresh", id="detail.refresh"),
        Binding("t", "throttle", "Throttle function", id="detail.throttle"),
        Binding("u", "restore", "Restore concurrency", show=False, id="detail.restore"),
        Binding("c", "set_reserved", "Set reserved concurrency", show=False, id="detail.reserve"),
        Binding("x", "disable_source", "Disable event source", show=False, id="detail.disable"),
        Binding("n", "enable_source", "Enable event source", show=False, id="detail.enable"),
        Binding("B", "rollback", "Roll back alias", id="detail.rollback"),
    ]

    def __init__(self, function: Function) -> None:
        super().__init__()
        self.function = function
        self.detail: FunctionDetail | None = None
        self.revealed = False

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static(Content.styled(visible(self.function.name), "bold"), id="title")
            yield Static("", id="count")
        with KeyScroll(id="detail"):
            for name, title in SECTIONS.items():
                yield Section(title, id=name)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#detail").focus()
        self._render_summary()
        self.load()

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def load(self) -> None:
        self.query_one("#count", Static).update("loading…")
        self.detail = await function_detail(self.aws, self.function.name)
        if self.detail.transient:
            self.retry_soon(TRANSIENT, self.load, "detail")
        else:
            self.recovered("detail")
        config = self.detail.configuration.value
        if config is not None:
            self.function = config.function
            # Environment values never reach the console's log, revealed or not.
            never_log(value for _, value in config.environment)
        self.query_one("#count", Static).update(self._status())
        self._render_all()
        # What this screen learnt about failure queues tells which alarms watch them.
        posture = self.fleet.posture
        ac = self.detail.async_config.value
        if ac is not None and ac.on_failure:
            posture.on_failure[self.function.arn] = ac.on_failure
        streams = [m.on_failure for m in self.detail.mappings.value or () if m.on_failure]
        if streams:
            posture.stream_failures[self.function.arn] = streams
        self.load_alarms()
        self.load_identity()
        self.load_cost()
        self.load_findings()

    @on(Acted)
    def _acted(self, event: Acted) -> None:
        """The console changed this function: a mapping's state is shown as AWS reports
        it; anything else is read again."""
        if event.function_arn != self.function.arn:
            return
        mapping = event.mapping
        detail = self.detail
        if mapping is None or detail is None or detail.mappings.value is None:
            self.load()
            return
        mappings = tuple(
            replace(m, state=mapping.state) if m.uuid == mapping.uuid else m
            for m in detail.mappings.value
        )
        self.detail = replace(detail, mappings=Part(value=mappings))
        self._render_sources()

    @on(FleetChanged)
    def _fleet_changed(self, event: FleetChanged) -> None:
        if self.detail is None:
            return
        if event.change is Change.HEALTH:
            self._render_cost()
            self._render_findings()
        elif event.change is Change.POSTURE:
            self._render_findings()

    # ----- alarms, identity, cost and findings --------------------------------------

    @work(exclusive=True, group="detail-alarms", exit_on_error=False)
    async def load_alarms(self) -> None:
        posture = self.fleet.posture
        if self.function.region not in posture.alarms:
            self._section("alarms", [_note("loading…")])
            await posture.refresh_alarms([self.function.region])
        alarms = posture.alarms_of(self.function)
        if alarms is None:
            self._section("alarms", [_failed(Part(error=posture.alarm_error))])
            return
        if not alarms:
            self._section(
                "alarms",
                [_note("no CloudWatch alarm watches this function or its failure queues")],
            )
            return
        self._render_alarms(alarms, {})
        histories = await asyncio.gather(
            *(alarm_history(self.tui.aws, a, HISTORY_SHOWN) for a in alarms),
            return_exceptions=True,
        )
        self._render_alarms(alarms, dict(zip((a.name for a in alarms), histories, strict=True)))

    def _render_alarms(self, alarms: list[Alarm], histories: dict[str, object]) -> None:
        now = self.tui.settings.clock()
        lines: list[Row] = []
        for alarm in alarms:
            label = STATE_LABEL.get(alarm.state, alarm.state)
            lines.append(
                _row(
                    label,
                    Content.assemble(
                        (visible(alarm.name), "bold"),
                        ("  composite" if alarm.composite else "", "$text-muted"),
                        (
                            f"  since {fmt.ago(alarm.updated, now)}" if alarm.updated else "",
                            "$text-muted",
                        ),
                    ),
                )
            )
            watched = alarm.metric_label + (f"  {alarm.condition}" if alarm.condition else "")
            lines.append(_row("", visible(watched)))
            if alarm.reason:
                lines.append(_row("", _note(alarm.reason, "$text-muted")))
            history = histories.get(alarm.name)
            if isinstance(history, AwsError):
                lines.append(_row("", _failed(Part(error=history.sentence))))
            elif isinstance(history, list) and history:
                changes = "  ".join(
                    f"{fmt.ago(h.when, now)} {h.old_state or '?'}→{h.new_state or '?'}"
                    for h in history
                )
                lines.append(_row("", _note(f"history: {changes}", "$text-muted")))
        self._section("alarms", lines)

    @work(exclusive=True, group="detail-identity", exit_on_error=False)
    async def load_identity(self) -> None:
        role = self.function.role
        if not role:
            self._section("identity", [_note("no execution role")])
            return
        head = [_row("Role", role)]
        self._section("identity", [*head, _note("loading policies…")])
        summary = await self.fleet.posture.roles.get(role)
        users = [f.name for f in self.fleet.functions if f.role == role]
        if len(users) > 1:
            head.append(_row("Shared with", f"{len(users) - 1} other function(s)"))
        self._section("identity", [*head, *role_rows(summary)])

    @work(exclusive=True, group="detail-cost", exit_on_error=False)
    async def load_cost(self) -> None:
        """The estimate reads the function's health over the fleet's window."""
        fleet = self.fleet
        if fleet.health_of(self.function) is None:
            self._section("cost", [_note("loading…")])
            try:
                await fleet.refresh_health_of(self.function)
            except AwsError as exc:
                self._section("cost", [_failed(Part(error=f"Metrics unavailable: {exc.sentence}"))])
                return
        self._render_cost()

    def _render_cost(self) -> None:
        fleet = self.fleet
        prices = fleet.prices
        fn = self.function
        if fleet.health_of(fn) is None:
            return
        cost = fleet.cost_of(fn)
        window = f"last {fleet.window} (the list's window, w there changes it)"
        window_s = WINDOWS[fleet.window]
        if cost is None:
            self._section(
                "cost", [_row("Window", window), _note("no invocation data in the window")]
            )
            return
        memory_gb = fn.memory_mb / 1024
        lines: list[Row] = [
            _row("Window", window),
            _row(
                "Requests",
                f"{cost.requests:,.0f} x {prices.requests_per_million:g} {prices.currency}"
                f" per million = {money(cost.request_cost, prices.currency)}",
            ),
            _row(
                "Duration",
                f"{cost.gb_seconds:,.1f} GB-s ({memory_gb:g} GB, {fn.architecture}) x "
                f"{prices.gb_second(fn.architecture):.10f} {prices.currency} = "
                f"{money(cost.duration_cost, prices.currency)}",
            ),
            _row(
                "Estimate",
                Content.assemble(
                    (money(cost.total, prices.currency), "bold"),
                    (
                        f"  ≈ {money(per_month(cost.total, window_s), prices.currency)} per "
                        f"30 days at this rate ({FREE_TIER_NOTE})",
                        "$text-muted",
                    ),
                ),
            ),
        ]
        if cost.noisy:
            lines.append(
                _row(
                    "Noisy trigger",
                    Content.styled(
                        f"{cost.rate_per_s:,.1f} invocations/s averaging "
                        f"{cost.avg_duration_ms or 0:,.0f} ms: batch or filter the events",
                        "$text-warning",
                    ),
                )
            )
        self._section("cost", lines)

    @work(exclusive=True, group="detail-findings", exit_on_error=False)
    async def load_findings(self) -> None:
        """Findings now if the account scan has this function, else once it has (the
        fleet lists the account and scans it; this section redraws as it goes)."""
        self._render_findings()
        if self.fleet.findings_of(self.function) is None:
            self.tui.ensure_scan()

    def _render_findings(self) -> None:
        fleet = self.fleet
        findings = fleet.findings_of(self.function)
        if findings is None:
            doing = "checking the account…" if fleet.scanning or fleet.loading else "not checked"
            self._section("findings", [_note(f"{doing} (f: every function's findings)")])
            return
        if not findings:
            self._section("findings", [_note("none: this function passes every check")])
            return
        lines: list[Row] = []
        for f in findings:
            lines.append(
                _row(
                    f.severity.label,
                    Content.assemble((f"{f.title}: ", "bold"), visible(f.reason)),
                )
            )
            lines.append(_row("", _note(f"fix: {f.fix}", "$text-success")))
        self._section("findings", lines)

    def _status(self) -> str:
        fn = self.function
        parts = [fn.state or "state unknown"]
        if fn.last_update_status:
            parts.append(f"update {fn.last_update_status}")
        return " · ".join(parts)

    def _section(self, name: str, rows: Iterable[Row]) -> None:
        self.query_one(f"#{name}", Section).show(rows)

    @property
    def text(self) -> str:
        """Everything the screen shows, as plain text."""
        return "\n".join(section.text for section in self.query(Section))

    def _render_summary(self) -> None:
        fn = self.function
        self._section(
            "overview",
            [
                _row("ARN", fn.arn),
                _row("Description", fn.description or "-"),
                _row(
                    "Runtime", f"{fn.runtime_label}  {fn.architecture}  {fmt.memory(fn.memory_mb)}"
                ),
            ],
        )

    def _render_all(self) -> None:
        detail = self.detail
        if detail is None:
            return
        part = detail.configuration
        config = part.value
        fn = self.function
        now = self.tui.settings.clock()
        if config is None:
            self._section("overview", [_row("ARN", fn.arn), _failed(part)])
        else:
            self._section(
                "overview",
                [
                    _row("ARN", fn.arn),
                    _row("Description", fn.description or "-"),
                    _row("Role", fn.role or "-"),
                    _row(
                        "State",
                        self._status()
                        + (f" ({config.state_reason})" if config.state_reason else ""),
                    ),
                    _row(
                        "Last modified",
                        f"{fmt.ago(fn.last_modified, now)}  "
                        f"({fn.last_modified:%Y-%m-%d %H:%M:%S %Z})"
                        if fn.last_modified
                        else "-",
                    ),
                ],
            )
            code = [
                _row("Package", fn.package_type),
                _row("Code size", fmt.size(fn.code_size)),
                _row("Code SHA-256", config.code_sha256 or "-"),
            ]
            if config.image_uri:
                code.insert(1, _row("Image", config.image_uri))
            self._section(
                "configuration",
                [
                    _row("Runtime", fn.runtime_label),
                    _row("Handler", fn.handler or "-"),
                    _row("Architecture", fn.architecture),
                    _row("Memory", fmt.memory(fn.memory_mb)),
                    _row("Ephemeral storage", fmt.memory(config.ephemeral_storage_mb)),
                    _row("Timeout", fmt.duration(fn.timeout_s)),
                    *code,
                    _row("Tracing (X-Ray)", config.tracing),
                ],
            )
            levels = ""
            if config.application_log_level or config.system_log_level:
                levels = (
                    f"application {config.application_log_level or '-'}, "
                    f"system {config.system_log_level or '-'}"
                )
            self._section(
                "logging",
                [
                    _row("Log format", fn.log_format),
                    _row("Log group", fn.log_group),
                    *([_row("Log levels", levels)] if levels else []),
                ],
            )
            self._section(
                "layers",
                [
                    _row(f"Layer {i}", f"{layer.name} · {fmt.size(layer.code_size)} · {layer.arn}")
                    for i, layer in enumerate(config.layers, 1)
                ]
                or [_note("no layers")],
            )
            if config.vpc:
                self._section(
                    "vpc",
                    [
                        _row("VPC", config.vpc.vpc_id or "-"),
                        _row("Subnets", ", ".join(config.vpc.subnet_ids) or "-"),
                        _row("Security groups", ", ".join(config.vpc.security_group_ids) or "-"),
                    ],
                )
            else:
                self._section("vpc", [_note("not attached to a VPC")])
        self._render_failure()
        self._render_concurrency()
        self._render_sources()
        self._render_versions()
        self._render_tags()
        self._render_environment()

    def _render_failure(self) -> None:
        assert self.detail is not None
        config = self.detail.configuration.value
        lines: list[Row] = []
        if config is not None:
            lines.append(_row("Dead-letter queue", _kind(config.dlq_target)))
        part = self.detail.async_config
        if not part.ok:
            lines.append(_row("Async invoke", _failed(part)))
        elif part.value is None:
            lines.append(_row("Async invoke", _note("defaults (2 retries, 6h max event age)")))
        else:
            ac = part.value
            lines += [
                _row("Retry attempts", "-" if ac.max_retries is None else str(ac.max_retries)),
                _row(
                    "Max event age",
                    "-" if ac.max_event_age_s is None else fmt.duration(ac.max_event_age_s),
                ),
                _row("On success", _kind(ac.on_success)),
                _row("On failure", _kind(ac.on_failure)),
            ]
        self._section("failure", lines)

    def _render_concurrency(self) -> None:
        assert self.detail is not None
        part = self.detail.reserved_concurrency
        if not part.ok:
            value: str | Content = _failed(part)
        elif part.value is None:
            value = "unreserved (uses the account's pool)"
        else:
            value = f"{part.value} reserved" + (
                " (function is throttled: 0)" if part.value == 0 else ""
            )
        self._section("concurrency", [_row("Reserved", value)])

    def _render_sources(self) -> None:
        assert self.detail is not None
        part = self.detail.mappings
        if not part.ok:
            lines: list[Row] = [_failed(part)]
        elif not part.value:
            lines = [_note("no event source mappings")]
        else:
            lines = []
            for m in part.value:
                lines.append(_row(m.state or "-", m.source_arn))
                extra = f"batch {m.batch_size if m.batch_size is not None else '-'}"
                if m.last_result:
                    extra += f" · last result: {m.last_result}"
                if m.on_failure:
                    extra += f" · on failure: {m.on_failure}"
                lines.append(_row("", extra))
        self._section("sources", lines)

    def _render_versions(self) -> None:
        assert self.detail is not None
        lines: list[Row] = []
        aliases = self.detail.aliases
        if not aliases.ok:
            lines.append(_row("Aliases", _failed(aliases)))
        else:
            for alias in aliases.value or ():
                weights = "".join(f", {w:.0%} to {v}" for v, w in alias.weights)
                lines.append(_row(f"alias {alias.name}", f"→ version {alias.version}{weights}"))
        versions = self.detail.versions
        if not versions.ok:
            lines.append(_row("Versions", _failed(versions)))
        else:
            names = [v.version for v in versions.value or () if v.version != "$LATEST"]
            lines.append(_row("Versions", ", ".join(["$LATEST", *names])))
        self._section("versions", lines)

    def _render_tags(self) -> None:
        assert self.detail is not None
        part = self.detail.tags
        if not part.ok:
            lines: list[Row] = [_failed(part)]
        else:
            lines = [_row(k, v) for k, v in part.value or ()] or [_note("no tags")]
        self._section("tags", lines)

    def _render_environment(self) -> None:
        assert self.detail is not None
        config = self.detail.configuration.value
        if config is None:
            self._section("environment", [_failed(self.detail.configuration)])
            return
        hint = "values shown, v hides them" if self.revealed else "values masked, v reveals them"
        lines: list[Row] = [_note(hint)]
        if config.environment_error:
            lines.append(
                _row("Error", Content.styled(visible(config.environment_error), "$text-error"))
            )
        lines += [
            _row(name, value if self.revealed else MASK) for name, value in config.environment
        ] or [_note("no environment variables")]
        if config.kms_key_arn:
            lines.append(_row("KMS key", config.kms_key_arn))
        self._section("environment", lines)

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        if self.detail is not None:
            self._render_environment()

    def action_copy_arn(self) -> None:
        self.tui.copy(self.function.arn, f"ARN of {self.function.name}")

    def action_refresh(self) -> None:
        self.load()

    def action_logs(self) -> None:
        self.tui.open_logs([self.function])

    def action_metrics(self) -> None:
        self.tui.open_metrics(self.function)

    def action_insights(self) -> None:
        self.tui.open_insights([self.function])

    def action_dlq(self) -> None:
        self.tui.open_dlq(self.function)

    def action_invoke(self) -> None:
        self.tui.open_invoke(self.function)

    # ----- acting: concurrency, event sources, aliases ---------------------------------

    def action_throttle(self) -> None:
        self.tui.acting.start_throttle([self.function])

    def action_restore(self) -> None:
        self.tui.acting.start_restore(self.function)

    def action_set_reserved(self) -> None:
        self.tui.acting.start_set(self.function)

    def action_disable_source(self) -> None:
        self.tui.acting.start_mapping(self.function, enable=False)

    def action_enable_source(self) -> None:
        self.tui.acting.start_mapping(self.function, enable=True)

    def action_rollback(self) -> None:
        self.tui.acting.start_rollback(self.function)
