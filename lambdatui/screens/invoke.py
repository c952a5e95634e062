"""`i`: invoke a function with a test event and read what came back."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static, TextArea
from textual.worker import Worker

from ..aws.errors import AwsError
from ..aws.functions import function_detail
from ..aws.invoke import (
    InvocationType,
    InvokeResult,
    PayloadError,
    invoke,
    invoke_error_sentence,
    json_problem,
    payload_bytes,
)
from ..aws.models import Function
from ..aws.templates import TEMPLATES, Context, render
from ..aws.testevents import delete_shared_event, save_shared_event, shared_events
from ..format import size as human_bytes
from ..invocations import Invocation
from ..safetext import visible
from ..savedevents import LocalEvents
from ..widgets.contextbar import ContextBar
from ..widgets.footer import KeysFooter
from ..widgets.logview import LogView
from ..widgets.scroll import KeyScroll
from .base import Pane
from .confirm import Confirm
from .invokemodals import HistoryScreen, SavedPicker, SaveEvent
from .logline import pretty
from .pickers import Picker

KINDS = (InvocationType.SYNC, InvocationType.ASYNC, InvocationType.DRY_RUN)
#: Below this width the editor sits above the response instead of beside it.
STACK_BELOW = 110
#: Validate at once up to this size; larger events are checked after typing pauses.
VALIDATE_NOW = 64 * 1024
MAX_SHOWN = 256 * 1024


class InvokeScreen(Pane):
    HELP_TITLE = "Invoke"

    DEFAULT_CSS = """
    InvokeScreen #panes { height: 1fr; }
    InvokeScreen #panes.stacked { layout: vertical; }
    InvokeScreen #editor-pane { width: 1fr; height: 1fr; }
    InvokeScreen #response-pane { width: 1fr; height: 1fr; border-left: vkey $panel; }
    InvokeScreen #panes.stacked #response-pane { border-left: none; border-top: hkey $panel; }
    InvokeScreen #event { height: 1fr; border: none; }
    InvokeScreen #validity { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    InvokeScreen #response-head { height: auto; padding: 0 1; }
    InvokeScreen #response { height: 1fr; padding: 0 1; }
    InvokeScreen #tail { height: 1fr; display: none; }
    InvokeScreen #tail.shown { display: block; }
    InvokeScreen #options { width: auto; padding: 0 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "invoke", "Invoke", priority=True, id="invoke.send"),
        Binding("ctrl+t", "templates", "Templates", priority=True, id="invoke.templates"),
        Binding("ctrl+o", "open_saved", "Saved", priority=True, id="invoke.open"),
        Binding("ctrl+s", "save", "Save", priority=True, id="invoke.save"),
        Binding("ctrl+n", "cycle_type", "Type", priority=True, id="invoke.type"),
        Binding("ctrl+g", "qualifier", "Version", priority=True, id="invoke.qualifier"),
        Binding("f2", "history", "History", priority=True, id="invoke.history"),
        Binding("ctrl+l", "logs", "Its logs", priority=True, id="invoke.logs"),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True, id="invoke.editor"),
        Binding("ctrl+f", "format", "Format JSON", show=False, priority=True, id="invoke.format"),
        Binding("f6", "toggle_tail", "Log tail on/off", show=False, id="invoke.tail"),
        Binding("ctrl+b", "abandon", "Abandon", show=False, priority=True, id="invoke.abandon"),
        Binding("y", "copy_request", "Copy request id", show=False, id="invoke.copy_request"),
        Binding("Y", "copy_payload", "Copy response", show=False, id="invoke.copy_payload"),
    ]

    def __init__(
        self, function: Function, *, event: str | None = None, source: str | None = None
    ) -> None:
        super().__init__()
        self.function = function
        self.kind = InvocationType.SYNC
        self.qualifier: str | None = None
        self.tail = True
        self.event_name = source or ""
        self.initial = event
        self.dlq_event = event if source else None
        self.dlq_source = source
        self.tags: tuple[tuple[str, str], ...] = function.tags
        self.qualifiers: list[tuple[str, str]] = []
        self.last: Invocation | None = None
        self.running: Worker[None] | None = None
        self.started = 0.0
        self._ticker: Timer | None = None
        self._validate_timer: Timer | None = None

    @property
    def local(self) -> LocalEvents:
        folder = self.tui.settings.events_dir
        return LocalEvents(Path(folder) if folder else None)

    # ----- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static(
                Content.assemble(
                    ("Invoke ", "bold"), (visible(self.function.name), "bold $text-accent")
                ),
                id="title",
            )
            yield Static("", id="options")
        with Horizontal(id="panes"):
            with Vertical(id="editor-pane"):
                yield TextArea(
                    self.initial if self.initial is not None else "{}",
                    language="json",
                    show_line_numbers=True,
                    soft_wrap=False,
                    tab_behavior="focus",
                    id="event",
                )
                yield Static("", id="validity")
            with Vertical(id="response-pane"):
                yield Static(
                    Content.styled(
                        "ctrl+j invokes · ctrl+t templates · ctrl+o saved events", "$text-muted"
                    ),
                    id="response-head",
                )
                with KeyScroll(id="response"):
                    yield Static("", id="response-body")
                yield LogView(capacity=2_000, id="tail")
        yield KeysFooter()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#event", TextArea)

    @property
    def tail_view(self) -> LogView:
        return self.query_one("#tail", LogView)

    def on_mount(self) -> None:
        self.tail_view.wrap = True
        self.set_focus(self.editor)
        self._show_options()
        self._validate()
        self._fit(self.size.width)
        self.load_detail()
        if self.dlq_source:
            self.notify(f"Loaded the original event of {self.dlq_source}", timeout=4)

    def on_resize(self) -> None:
        self._fit(self.size.width)

    def _fit(self, width: int) -> None:
        self.query_one("#panes").set_class(width < STACK_BELOW, "stacked")

    def _show_options(self) -> None:
        tail = " · log tail" if self.tail and self.kind is InvocationType.SYNC else ""
        name = f" · {visible(self.event_name)}" if self.event_name else ""
        self.query_one("#options", Static).update(
            f"{self.kind.label} · {self.qualifier or '$LATEST'}{tail}{name}"
        )

    @work(exclusive=True, group="invoke-detail", exit_on_error=False)
    async def load_detail(self) -> None:
        """Versions and aliases for the qualifier picker, tags for the production check."""
        try:
            detail = await function_detail(self.aws, self.function.name)
        except AwsError:
            return
        if detail.tags.value is not None:
            self.tags = detail.tags.value
        qualifiers = [(a.name, f"alias {a.name} → {a.version}") for a in detail.aliases.value or ()]
        qualifiers += [
            (v.version, f"version {v.version}")
            for v in detail.versions.value or ()
            if v.version != "$LATEST"
        ]
        self.qualifiers = qualifiers

    # ----- validation -------------------------------------------------------------

    @on(TextArea.Changed, "#event")
    def _changed(self) -> None:
        if self._validate_timer is not None:
            self._validate_timer.stop()
            self._validate_timer = None
        if len(self.editor.text) <= VALIDATE_NOW:
            self._validate()
        else:
            self._validate_timer = self.set_timer(0.3, self._validate)

    def _validate(self) -> bool:
        text = self.editor.text
        problem = json_problem(text)
        status = self.query_one("#validity", Static)
        if problem is not None:
            status.update(Content.styled(f"✗ {problem.sentence()}", "$text-error"))
            return False
        size = human_bytes(len(text.encode("utf-8")))
        status.update(Content.styled(f"✓ valid JSON · {size}", "$text-success"))
        return True

    # ----- invoking ---------------------------------------------------------------

    def action_invoke(self) -> None:
        if self.running is not None and self.running.is_running:
            self.notify("An invoke is already running (ctrl+b abandons it)", severity="warning")
            return
        settings = self.tui.settings
        if settings.read_only:
            self.notify(
                "Read-only mode: invoking is off (started with --read-only)", severity="error"
            )
            return
        text = self.editor.text
        try:
            body = payload_bytes(
                text,
                self.kind,
                sync_limit=settings.payload_limit_sync,
                async_limit=settings.payload_limit_async,
            )
        except PayloadError as exc:
            self._validate()
            self._head(Content.styled(f"Not sent: {exc}", "bold $text-error"))
            self.notify(str(exc), title="Not sent", severity="error")
            return
        matched = settings.production_matches(self.function.name, dict(self.tags))
        if not matched:
            self._send(text, body)
            return
        facts = [
            ("Account", self.tui.account or "unknown"),
            ("Region", self.aws.region),
            ("Function", self.function.name),
            ("Qualifier", self.qualifier or "$LATEST"),
            ("Type", self.kind.label),
            ("Why", "production: matches " + ", ".join(matched)),
        ]

        def answered(go: bool | None) -> None:
            if go:
                self._send(text, body)

        self.app.push_screen(Confirm("Invoke a production function?", facts), answered)

    def _send(self, text: str, body: bytes) -> None:
        self.started = time.perf_counter()
        self._head(Content.styled("Invoking… (ctrl+b abandons)", "$text-warning"))
        self.query_one("#response-body", Static).update("")
        self.tail_view.clear()
        self.tail_view.set_class(False, "shown")
        self._ticker = self.set_interval(0.1, self._tick)
        self.running = self.run_invoke(text, body, self.kind, self.qualifier, self.tail)

    def _tick(self) -> None:
        elapsed = time.perf_counter() - self.started
        if elapsed >= 0.5:
            self._head(
                Content.styled(
                    f"Invoking… {elapsed:.1f} s (ctrl+b abandons; the function keeps running)",
                    "$text-warning",
                )
            )

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    @work(exclusive=True, group="invoke", exit_on_error=False)
    async def run_invoke(
        self, text: str, body: bytes, kind: InvocationType, qualifier: str | None, tail: bool
    ) -> None:
        sent = partial(
            Invocation,
            self.function.name,
            text,
            self.event_name,
            kind,
            qualifier,
            self.tui.settings.clock(),
        )
        try:
            result = await invoke(
                self.aws, self.function.name, body, kind, qualifier=qualifier, tail=tail
            )
        except AwsError as exc:
            self._stop_ticker()
            sentence = invoke_error_sentence(exc)
            self._journal(kind, qualifier, len(body), "-", sentence)
            self._head(Content.styled(f"Invoke failed: {sentence}", "bold $text-error"))
            self._remember(sent(status=exc.code or "failed", failed=True))
            return
        self._stop_ticker()
        outcome = f"status {result.status}" + (
            f", function error {result.function_error}" if result.function_error else ""
        )
        self._journal(kind, qualifier, len(body), outcome + f", request {result.request_id}")
        self._remember(
            sent(
                status=_status_word(result),
                failed=result.failed,
                duration_s=result.elapsed_s,
                request_id=result.request_id,
                payload=result.payload,
            )
        )
        self.show_result(result)

    def _journal(
        self,
        kind: InvocationType,
        qualifier: str | None,
        size: int,
        after: str,
        error: str = "",
    ) -> None:
        """An invoke in the journal: where, how and how big, never the event itself."""
        self.tui.record(
            "invoke",
            f"{self.function.name}:{qualifier or '$LATEST'}",
            f"{kind.label} event of {human_bytes(size)}",
            after,
            region=self.aws.region,
            function=self.function.name,
            error=error,
        )

    def _remember(self, entry: Invocation) -> None:
        self.last = entry
        self.tui.invocations.append(entry)

    def action_abandon(self) -> None:
        if self.running is None or not self.running.is_running:
            return
        self.running.cancel()
        self._stop_ticker()
        elapsed = time.perf_counter() - self.started
        self._head(
            Content.styled(
                f"Abandoned after {elapsed:.1f} s: the function keeps running in AWS; "
                "its result will not be shown here (its logs will have it).",
                "bold $text-warning",
            )
        )

    # ----- the response -----------------------------------------------------------

    def _head(self, content: Content) -> None:
        self.query_one("#response-head", Static).update(content)

    def show_result(self, result: InvokeResult) -> None:
        parts: list[Content] = []
        if result.failed:
            status = Content.styled(
                f"{result.status} · {result.function_error}", "bold $text-error"
            )
        else:
            status = Content.styled(f"{result.status} · OK", "bold $text-success")
        facts = [
            status,
            Content.styled(f" · {result.elapsed_s * 1000:,.0f} ms", "$text-muted"),
        ]
        if result.executed_version:
            facts.append(Content.styled(f" · version {result.executed_version}", "$text-muted"))
        parts.append(Content.assemble(*facts))
        if result.request_id:
            parts.append(Content.assemble(("request id ", "$text-muted"), result.request_id))
        report = result.report()
        if report is not None:
            figures = [
                ("duration", report.duration_ms, "ms", 2),
                ("billed", report.billed_duration_ms, "ms", 0),
                ("memory", report.memory_size_mb, "MB", 0),
                ("max used", report.max_memory_used_mb, "MB", 0),
                ("init", report.init_duration_ms, "ms", 2),
            ]
            text = " · ".join(
                f"{label} {value:,.{digits}f} {unit}"
                for label, value, unit, digits in figures
                if value is not None
            )
            parts.append(Content.styled(text, "$text-muted"))
        if result.status == 202:
            parts.append(Content("Accepted: Lambda runs the event asynchronously (ctrl+l: logs)."))
        elif result.status == 204:
            parts.append(Content("Dry run passed: the function exists and you may invoke it."))
        self._head(Content("\n").join(parts))
        self.query_one("#response-body", Static).update(_payload_content(result))
        records = result.records()
        self.tail_view.clear()
        if records:
            self.tail_view.append(records)
        self.tail_view.set_class(bool(records), "shown")

    # ----- events ------------------------------------------------------------------

    def set_event(self, text: str, name: str) -> None:
        """Replace the editor's text (an edit, so ctrl+z brings the old event back)."""
        editor = self.editor
        editor.replace(text, editor.document.start, editor.document.end)
        editor.move_cursor((0, 0))
        self.event_name = name
        self._show_options()
        self._validate()

    def action_templates(self) -> None:
        choices = [(key, label) for key, (label, _) in TEMPLATES.items()]

        def chosen(key: str | None) -> None:
            if key is None:
                return
            context = Context(
                account=_account(self.tui.account),
                region=self.aws.region,
                function=self.function.name,
                now=self.tui.settings.clock(),
            )
            self.set_event(render(key, context), f"template {TEMPLATES[key][0]}")

        self.app.push_screen(Picker("Start from a template", choices), chosen)

    def action_format(self) -> None:
        text = pretty(self.editor.text)
        if text is None:
            self.notify("Fix the JSON first", severity="warning")
            return
        self.set_event(text, self.event_name)

    @work(exclusive=True, group="invoke-saved", exit_on_error=False)
    async def action_open_saved(self) -> None:
        local = self.local.names(self.function.name)
        shared: dict[str, Any] = {}
        note = ""
        try:
            found = await shared_events(self.aws, self.function.name)
            shared, note = found.events, found.note
        except AwsError as exc:
            note = f"Shareable events unavailable ({exc.sentence}); local events only."
        picker = SavedPicker(
            self.function.name,
            local=local,
            shared=sorted(shared),
            dlq=self.dlq_source if self.dlq_event is not None else None,
            note=note,
            folder=str(self.local.folder),
        )
        choice = await self.app.push_screen_wait(picker)
        if choice is None:
            return
        action, where, name = choice
        if action == "delete":
            await self._delete(where, name)
            return
        if where == "dlq" and self.dlq_event is not None:
            self.set_event(self.dlq_event, self.dlq_source or "DLQ message")
        elif where == "shared" and name in shared:
            self.set_event(json.dumps(shared[name], indent=2), f"shared {name}")
        elif where == "local":
            try:
                text = self.local.load(self.function.name, name)
            except (OSError, ValueError) as exc:
                self.notify(f"Could not read {name}: {exc}", severity="error")
                return
            self.set_event(text, f"local {name}")

    async def _delete(self, where: str, name: str) -> None:
        go = await self.app.push_screen_wait(
            Confirm(f"Delete the {where} event {name}?", [("Function", self.function.name)])
        )
        if not go:
            return
        if where == "local":
            self.local.delete(self.function.name, name)
            self.notify(f"Deleted the local event {name}")
            return
        if self.tui.settings.read_only:
            self.notify("Read-only mode: shareable events cannot be changed", severity="error")
            return
        record = partial(
            self.tui.record,
            "delete shareable event",
            f"{self.function.name}: {name}",
            "saved",
            "deleted",
            region=self.aws.region,
            function=self.function.name,
        )
        try:
            await delete_shared_event(self.aws, self.function.name, name)
        except AwsError as exc:
            record(error=exc.sentence)
            self.notify(f"Not deleted: {exc.sentence}", severity="error")
            return
        record()
        self.notify(f"Deleted the shareable event {name}")

    @work(exclusive=True, group="invoke-save", exit_on_error=False)
    async def action_save(self) -> None:
        text = self.editor.text
        problem = json_problem(text)
        if problem is not None:
            self.notify(f"Not saved: {problem.sentence()}", severity="error")
            return
        suggested = self.event_name.split(" ", 1)[-1] if self.event_name else ""
        answer = await self.app.push_screen_wait(SaveEvent(_safe_name(suggested)))
        if answer is None:
            return
        name, shared = answer
        event = json.loads(text)
        if not shared:
            try:
                path = self.local.save(self.function.name, name, event)
            except (OSError, ValueError) as exc:
                self.notify(f"Not saved: {exc}", severity="error")
                return
            self.event_name = f"local {name}"
            self._show_options()
            self.notify(f"Saved to {path}")
            return
        if self.tui.settings.read_only:
            self.notify("Read-only mode: shareable events cannot be saved", severity="error")
            return
        record = partial(
            self.tui.record,
            "save shareable event",
            f"{self.function.name}: {name}",
            "-",
            "saved",
            region=self.aws.region,
            function=self.function.name,
        )
        try:
            await save_shared_event(self.aws, self.function.name, name, event)
        except (AwsError, ValueError) as exc:
            sentence = exc.sentence if isinstance(exc, AwsError) else str(exc)
            record(error=sentence)
            self.notify(f"Not shared: {sentence}", severity="error")
            return
        record()
        self.event_name = f"shared {name}"
        self._show_options()
        self.notify(f"Saved {name} as a shareable event (Lambda console and sam see it)")

    # ----- options -------------------------------------------------------------------

    def action_cycle_type(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self._show_options()

    def action_toggle_tail(self) -> None:
        self.tail = not self.tail
        self._show_options()

    def action_qualifier(self) -> None:
        choices: list[tuple[str | None, str]] = [("", "$LATEST (unqualified)")]
        choices += self.qualifiers
        if not self.qualifiers:
            choices.append((None, "no versions or aliases published"))

        def chosen(key: str | None) -> None:
            if key is None:
                return
            self.qualifier = key or None
            self._show_options()

        self.app.push_screen(Picker("Invoke which version", choices, self.qualifier or ""), chosen)

    # ----- history and links -----------------------------------------------------------

    @work(exclusive=True, group="invoke-history", exit_on_error=False)
    async def action_history(self) -> None:
        entries = [e for e in self.tui.invocations if e.function == self.function.name]
        if not entries:
            self.notify("No invocations of this function yet in this session", timeout=3)
            return
        choice = await self.app.push_screen_wait(HistoryScreen(list(reversed(entries))))
        if choice is None:
            return
        action, entry = choice
        if action == "copy_request":
            self.tui.copy(entry.request_id, "request id")
            return
        if action == "copy_payload":
            self.tui.copy(entry.payload.decode("utf-8", "replace"), "response payload")
            return
        self.kind, self.qualifier = entry.kind, entry.qualifier
        self.set_event(entry.event, entry.event_name)
        if action == "rerun":
            self.action_invoke()

    def action_logs(self) -> None:
        last = self.last
        if last is None or not last.request_id:
            self.notify("Invoke first: the logs are those of the last invocation", timeout=3)
            return
        since = last.when.replace(microsecond=0)
        self.tui.open_logs([self.function], request_id=last.request_id, since=since)

    def action_copy_request(self) -> None:
        if self.last is not None and self.last.request_id:
            self.tui.copy(self.last.request_id, "request id")

    def action_copy_payload(self) -> None:
        if self.last is not None and self.last.payload:
            self.tui.copy(self.last.payload.decode("utf-8", "replace"), "response payload")

    def action_external_editor(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        handle, name = tempfile.mkstemp(prefix="lambdatui-event-", suffix=".json")
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(self.editor.text)
            try:
                with self.app.suspend():
                    code = subprocess.call([*shlex.split(editor), str(path)])
            except SuspendNotSupported:
                self.notify("This terminal cannot hand over to an editor", severity="error")
                return
            except OSError as exc:
                self.notify(f"Could not start {editor}: {exc}", severity="error")
                return
            if code != 0:
                self.notify(f"{editor} exited with {code}: the event is unchanged", timeout=4)
                return
            text = path.read_text(encoding="utf-8", errors="replace")
        finally:
            path.unlink(missing_ok=True)
        if text != self.editor.text:
            self.set_event(text, self.event_name)


def _account(value: str | None) -> str:
    """The session's account id, or a placeholder while it is not known."""
    return value if value and value.isdigit() else "123456789012"


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in text)[:64].strip("-")


def _status_word(result: InvokeResult) -> str:
    if result.function_error:
        return f"{result.status} {result.function_error}"
    return {202: "202 accepted", 204: "204 dry run"}.get(result.status, f"{result.status} OK")


def _payload_content(result: InvokeResult) -> Content:
    """The response payload: the error laid out, pretty JSON, or the raw text."""
    if result.status in (202, 204) and not result.payload:
        return Content("")
    error = result.error
    if error is not None:
        lines = [
            Content.assemble(
                (visible(error.error_type), "bold $text-error"), ": ", visible(error.message)
            )
        ]
        if error.stack:
            lines.append(Content.styled("Stack trace:", "$text-muted"))
            lines.extend(Content(visible(line)) for line in error.stack)
        return Content("\n").join(lines)
    raw = result.payload[:MAX_SHOWN].decode("utf-8", "replace")
    cut = len(result.payload) > MAX_SHOWN
    data = result.payload_json()
    shown = pretty(raw) if data is not None and not cut else None
    body = Content(
        visible(shown if shown is not None else raw, keep_newlines=True, limit=MAX_SHOWN)
    )
    extra: list[Content] = []
    if isinstance(data, dict) and isinstance(data.get("body"), str) and "statusCode" in data:
        inner = pretty(data["body"])
        if inner is not None:
            extra.append(Content.styled("body (decoded):", "$text-muted"))
            extra.append(Content(visible(inner, keep_newlines=True, limit=MAX_SHOWN)))
    if cut:
        extra.append(
            Content.styled(
                f"(showing the first {human_bytes(MAX_SHOWN)}; Y copies it all)", "$text-muted"
            )
        )
    return Content("\n").join([body, *extra])
