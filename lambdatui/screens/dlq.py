"""`d`: where a function's failures went; peek, redrive, delete, purge, export."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from ..aws.dlq import (
    Depth,
    DlqMessage,
    FailureTarget,
    export_message,
    failure_targets,
    peek,
    queue_depth,
    queue_url,
)
from ..aws.errors import AwsError
from ..aws.functions import function_detail
from ..aws.models import Function
from ..aws.redrive import (
    MoveTask,
    Progress,
    cancel_move,
    invoke_delivery,
    move_tasks,
    queue_delivery,
    redrive,
    start_move,
)
from ..aws.session import call
from ..files import write_jsonl
from ..format import plural
from ..safetext import visible
from ..widgets.contextbar import ContextBar
from ..widgets.footer import KeysFooter
from ..widgets.scroll import KeyScroll
from ..widgets.section import Section
from ..widgets.table import Column, VirtualTable, depth_class
from .base import Pane
from .logline import pretty

PEEK_STEP = 50


@dataclass(frozen=True, slots=True)
class TargetRow:
    target: FailureTarget
    visible: int | None = None
    in_flight: int | None = None
    delayed: int | None = None
    error: str | None = None


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def target_columns() -> list[Column[TargetRow]]:
    return [
        Column("kind", "Kind", 22, lambda r: r.target.kind),
        Column("name", "Queue / topic", 26, lambda r: r.target.name, flex=True),
        Column("visible", "Visible", 9, lambda r: r.error or _n(r.visible), align="right"),
        Column("flight", "In flight", 9, lambda r: _n(r.in_flight), align="right", drop=2),
        Column("delayed", "Delayed", 8, lambda r: _n(r.delayed), align="right", drop=3),
        Column("via", "Via", 20, lambda r: r.target.via.rsplit(":", 1)[-1] or "-", drop=1),
    ]


def message_columns() -> list[Column[DlqMessage]]:
    def sent(m: DlqMessage) -> str:
        return m.sent.strftime("%m-%d %H:%M:%S") if m.sent else "-"

    def preview(m: DlqMessage) -> str:
        return " ".join(m.body.split())[:300]

    return [
        Column("sent", "Sent (UTC)", 14, sent, lambda m: m.sent.timestamp() if m.sent else 0),
        Column("count", "Recv", 4, lambda m: str(m.receive_count), align="right", drop=2),
        Column("request", "Request id", 13, lambda m: (m.request_id or "-")[:13], drop=1),
        Column("error", "Error", 28, lambda m: m.error_message or "-"),
        Column("body", "Body", 20, preview, flex=True),
    ]


class DlqScreen(Pane):
    HELP_TITLE = "Dead-letter queues"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "switch", "Targets/messages", show=False, id="dlq.switch"),
        Binding("space", "mark", "Mark", id="dlq.mark"),
        Binding("R", "redrive", "Redrive", id="dlq.redrive"),
        Binding("T", "send", "Send to queue", show=False, id="dlq.send"),
        Binding("D", "delete", "Delete", id="dlq.delete"),
        Binding("P", "purge", "Purge", show=False, id="dlq.purge"),
        Binding("n", "more", "More", id="dlq.more"),
        Binding("L", "logs", "Its logs", id="dlq.logs"),
        Binding("i", "invoke", "Invoke with it", id="dlq.invoke"),
        Binding("e", "export", "Export", show=False, id="dlq.export"),
        Binding("y", "copy_body", "Copy body", show=False, id="dlq.copy_body"),
        Binding("Y", "copy_request", "Copy request id", show=False, id="dlq.copy_request"),
        Binding("c", "cancel", "Cancel redrive", show=False, id="dlq.cancel"),
        Binding("r", "refresh", "Refresh", id="dlq.refresh"),
    ]

    def __init__(self, function: Function, *, target_arn: str | None = None) -> None:
        super().__init__()
        self.function = function
        self.wanted_target = target_arn
        self.current_target: FailureTarget | None = None
        self.limit = PEEK_STEP
        # (queue ARN, limit) of the peek running now, if any.
        self._peeking: tuple[str, int] | None = None
        self.cancelling = False
        self.progress: Progress | None = None
        # A move task is being watched (started here, or found running): no peeks meanwhile.
        self.moving = False

    def compose(self) -> ComposeResult:
        yield ContextBar()
        with Horizontal(id="titlebar"):
            yield Static(
                Content.assemble(
                    ("Failures of ", "bold"), (visible(self.function.name), "bold $text-accent")
                ),
                id="title",
            )
            yield Static("", id="count")
        yield VirtualTable(
            target_columns(),
            key=lambda r: r.target.arn,
            row_class=lambda r: depth_class(r.visible),
            empty="Looking for dead-letter queues and destinations…",
            id="targets",
        )
        yield Static("", id="dlqstatus")
        yield VirtualTable(
            message_columns(),
            key=lambda m: m.message_id,
            empty="Choose a queue above (enter) to peek at its messages.",
            markable=True,
            id="messages",
        )
        with KeyScroll(id="message"):
            yield Section("Message", id="message-facts")
            yield Static(id="message-body")
        yield KeysFooter()

    @property
    def targets(self) -> VirtualTable[TargetRow]:
        return self.query_one("#targets", VirtualTable)

    @property
    def messages(self) -> VirtualTable[DlqMessage]:
        return self.query_one("#messages", VirtualTable)

    def on_mount(self) -> None:
        self.messages.sort_by("sent", reverse=True)
        self.targets.focus()
        self.discover()

    # ----- discovery ----------------------------------------------------------

    @work(exclusive=True, group="dlq-discover", exit_on_error=False)
    async def discover(self) -> None:
        aws = self.aws
        try:
            detail = await function_detail(aws, self.function.name)
            found = await failure_targets(aws, self.function.name, detail)
        except AwsError as exc:
            self._status(f"Could not look for DLQs: {exc.sentence}", error=True)
            self.targets.empty_text = "No dead-letter queue known yet."
            self.retry_soon(exc, self.discover, "discover")
            return
        self.recovered("discover")
        rows = await self._with_depths(found)
        self.targets.empty_text = (
            "No dead-letter queue, no on-failure destination: failed async events are dropped."
        )
        self.targets.set_rows(rows)
        self.query_one("#count", Static).update(plural(len(rows), "target"))
        first = next((r for r in rows if r.target.arn == self.wanted_target), None) or next(
            (r for r in rows if r.target.can_peek), None
        )
        if first is not None and self.current_target is None:
            self.open_target(first.target)

    # ----- peeking --------------------------------------------------------------

    async def _with_depths(self, targets: list[FailureTarget]) -> list[TargetRow]:
        rows = []
        for target in targets:
            if not target.can_peek:
                rows.append(TargetRow(target, error="SNS: no peek"))
                continue
            try:
                depth = await queue_depth(self.aws, target.arn)
                rows.append(TargetRow(target, depth.visible, depth.in_flight, depth.delayed))
            except AwsError as exc:
                rows.append(TargetRow(target, error=exc.sentence))
        return rows

    @work(exclusive=True, group="dlq-depths", exit_on_error=False)
    async def refresh_depths(self) -> None:
        self.targets.set_rows(await self._with_depths([r.target for r in self.targets.rows]))

    def _show_depth(self, arn: str, depth: Depth) -> None:
        """A depth just read from the queue, in its targets row."""
        rows = self.targets.rows
        if any(r.target.arn == arn for r in rows):
            self.targets.set_rows(
                [
                    TargetRow(r.target, depth.visible, depth.in_flight, depth.delayed)
                    if r.target.arn == arn
                    else r
                    for r in rows
                ]
            )

    @on(VirtualTable.Selected, "#targets")
    def _target_chosen(self, event: VirtualTable.Selected) -> None:
        row: TargetRow = event.row
        if not row.target.can_peek:
            self.notify(f"{row.target.arn} is an SNS topic: messages cannot be peeked", timeout=4)
            return
        self.limit = PEEK_STEP
        self.open_target(row.target)

    def open_target(self, target: FailureTarget) -> None:
        if self._peeking == (target.arn, self.limit):
            # The same peek is running: its messages show when it is done. A second
            # one now would find the first one's messages hidden, not yet released.
            return
        self.current_target = target
        self.messages.marked.clear()
        self.load_messages()

    @work(exclusive=True, group="dlq-peek", exit_on_error=False)
    async def load_messages(self, outcome: str = "") -> None:
        """Peek at the current queue; `outcome` (what an action just did) leads the status."""
        target = self.current_target
        if target is None:
            return
        lead = f"{outcome} · " if outcome else ""
        mine = self._peeking = (target.arn, self.limit)
        try:
            # The queue's own count and policy first: both decide what is said and done.
            depth = await queue_depth(self.aws, target.arn)
            self._show_depth(target.arn, depth)
            if await self._move_running(target):
                return
            if depth.policy is not None and self.tui.settings.read_only:
                self.messages.set_rows([])
                self.messages.empty_text = "Not peeked (read-only): see above."
                self._status(
                    f"{lead}{target.name}: about {plural(depth.total, 'message')} · "
                    f"not peeked (read-only): {depth.policy.sentence}"
                )
                self.notify(
                    f"{target.name} is not peeked: {depth.policy.sentence}, and a peek is a "
                    "receive, so it could move messages on.",
                    title="Read-only",
                    severity="warning",
                    timeout=12,
                )
                self._show_message(None)
                return
            self._tell_peek_receives()
            self._status(f"{lead}Peeking at {target.name}…")
            found = await peek(self.aws, target.arn, limit=self.limit)
        except AwsError as exc:
            self._status(f"Could not peek at {target.name}: {exc.sentence}", error=True)
            self.retry_soon(exc, self.load_messages, "peek")
            return
        finally:
            if self._peeking is mine:
                self._peeking = None
        self.recovered("peek")
        self.messages.set_rows(found)
        caution = f"; peeking counts: {depth.policy.sentence}" if depth.policy else ""
        self._status(
            f"{lead}{target.name}: seen {len(found):,} of about {plural(depth.total, 'message')} "
            f"(peeked: nothing consumed; n reads more{caution})"
        )
        self._show_message(self.messages.current)

    def _tell_peek_receives(self) -> None:
        """Under --read-only, say once that a peek is a receive (the queue notices it)."""
        tui = self.tui
        if tui.settings.read_only and not tui.told_peek_receives:
            tui.told_peek_receives = True
            self.notify(
                "Read-only still peeks: a peek receives messages (their receive count rises) "
                "and hides them for a moment before making them visible again.",
                title="Read-only",
                timeout=12,
            )

    async def _move_running(self, target: FailureTarget) -> bool:
        """Whether a move task is running on this DLQ (then its progress shows, not a peek)."""
        if self.moving:
            return True
        if target.kind != "source queue DLQ":
            return False
        try:
            tasks = await move_tasks(self.aws, target.arn)
        except AwsError:
            return False  # not allowed to list them: peek as before
        running = next((t for t in tasks if t.running), None)
        if running is None:
            return False
        self.watch_move(target.arn, running.handle)
        return True

    def action_more(self) -> None:
        self.limit += PEEK_STEP
        self.load_messages()

    @on(VirtualTable.Highlighted, "#messages")
    def _message_highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_message(event.row)

    def _show_message(self, message: DlqMessage | None) -> None:
        facts = self.query_one("#message-facts", Section)
        body = self.query_one("#message-body", Static)
        if message is None:
            facts.show([])
            body.update("")
            return
        rows: list[tuple[str, str]] = [
            ("Message id", message.message_id),
            ("Sent", message.sent.isoformat() if message.sent else "-"),
            (
                "First received",
                message.first_received.isoformat() if message.first_received else "-",
            ),
            ("Receive count", str(message.receive_count)),
            ("Request id", message.request_id or "-"),
        ]
        if message.error_code or message.error_message:
            rows += [
                ("Error code", message.error_code or "-"),
                ("Error message", message.error_message or "-"),
            ]
        context = message.record.get("requestContext") if message.record else None
        if isinstance(context, dict):
            rows += [
                ("Condition", str(context.get("condition", "-"))),
                ("Invoke count", str(context.get("approximateInvokeCount", "-"))),
                ("Function", str(context.get("functionArn", "-"))),
            ]
        response = message.record.get("responsePayload") if message.record else None
        if isinstance(response, dict):
            rows.append(("Error type", str(response.get("errorType", "-"))))
        rows += [
            (f"attr {k}", v)
            for k, v in message.attributes
            if k not in ("RequestID", "ErrorCode", "ErrorMessage")
        ]
        facts.show(rows)
        text = pretty(message.body) or message.body
        if isinstance(response, dict) and response.get("stackTrace"):
            trace = response["stackTrace"]
            text += (
                "\n\nStack trace:\n" + "\n".join(str(t) for t in trace)
                if isinstance(trace, list)
                else str(trace)
            )
        body.update(Content(visible(text, keep_newlines=True)))

    # ----- actions ------------------------------------------------------------

    def _status(self, text: str, *, error: bool = False) -> None:
        self.query_one("#dlqstatus", Static).update(
            Content.styled(visible(text), "$text-error" if error else "$text-muted")
        )

    def action_switch(self) -> None:
        (self.messages if self.targets.has_focus else self.targets).focus()

    def action_mark(self) -> None:
        self.messages.toggle_mark()
        self.messages.action_cursor(1)

    def _chosen(self) -> list[DlqMessage]:
        return self.messages.marked_rows()

    def _refuse_if_read_only(self, what: str) -> bool:
        if self.tui.settings.read_only:
            self.notify(f"Read-only: {what} is not possible (nothing was sent)", severity="warning")
            return True
        return False

    def _facts(self, count: str, mode: str, target: str) -> list[tuple[str, str]]:
        assert self.current_target is not None
        return [
            ("Account", self.tui.account or "?"),
            ("Region", self.aws.region),
            ("Source", self.current_target.arn),
            ("Target", target),
            ("Messages", count),
            ("Mode", mode),
        ]

    def action_redrive(self) -> None:
        """Send failures back: re-invoke for Lambda's DLQs, to the source queue for SQS DLQs."""
        target = self.current_target
        if target is None or self._refuse_if_read_only("redrive"):
            return
        chosen = self._chosen()
        count = f"{len(chosen)} marked" if chosen else "all"
        from .confirm import Confirm

        only = {m.message_id for m in chosen} if chosen else None
        total = len(chosen) or len(self.messages.rows)
        if target.kind == "source queue DLQ" and target.via:
            if only is None:

                def native(ok: bool | None) -> None:
                    if ok:
                        self.run_move(target.arn)

                self.app.push_screen(
                    Confirm(
                        f"Move every message of {target.name} back to its source queue?",
                        self._facts(
                            "all", "SQS message move task (StartMessageMoveTask)", target.via
                        ),
                    ),
                    native,
                )
                return
            self._confirm_send(target.via, only, total, count)
            return

        def go(ok: bool | None) -> None:
            if ok:
                self.run_redrive(only, total, None)

        self.app.push_screen(
            Confirm(
                f"Redrive {count} {'message' if only and len(only) == 1 else 'messages'} "
                f"by re-invoking {self.function.name}?",
                self._facts(
                    count, "re-invoke asynchronously, delete each after 202", self.function.arn
                ),
            ),
            go,
        )

    def action_send(self) -> None:
        """Send the marked (or all) messages to a queue you name."""
        if self.current_target is None or self._refuse_if_read_only("sending"):
            return
        from .prompt import Prompt

        chosen = self._chosen()
        only = {m.message_id for m in chosen} if chosen else None
        total = len(chosen) or len(self.messages.rows)
        count = f"{len(chosen)} marked" if chosen else "all"

        def named(queue: str | None) -> None:
            if queue:
                arn = (
                    queue
                    if queue.startswith("arn:")
                    else (f"arn:aws:sqs:{self.aws.region}:{self.tui.account}:{queue}")
                )
                self._confirm_send(arn, only, total, count)

        self.app.push_screen(Prompt("Send to which queue? (name or ARN)"), named)

    def _confirm_send(self, arn: str, only: set[str] | None, total: int, count: str) -> None:
        from .confirm import Confirm

        def go(ok: bool | None) -> None:
            if ok:
                self.run_redrive(only, total, arn)

        self.app.push_screen(
            Confirm(
                f"Send {count} {'message' if only and len(only) == 1 else 'messages'} "
                f"to {arn.rsplit(':', 1)[-1]}?",
                self._facts(count, "SendMessageBatch, delete each after it was accepted", arn),
            ),
            go,
        )

    def _journal(self, action: str, target: str, before: str, after: str, error: str = "") -> None:
        """A change to a queue in the journal: counts and names, never message bodies."""
        self.tui.record(
            action,
            target,
            before,
            after,
            region=self.aws.region,
            function=self.function.name,
            error=error,
        )

    @work(exclusive=True, group="dlq-redrive", exit_on_error=False)
    async def run_move(self, source_arn: str) -> None:
        source = source_arn.rsplit(":", 1)[-1]
        try:
            handle = await start_move(self.aws, source_arn)
        except AwsError as exc:
            self._journal("redrive (message move task)", source, "all messages", "-", exc.sentence)
            self._status(f"Move task not started: {exc.sentence}", error=True)
            return
        self._journal("redrive (message move task)", source, "all messages", "move task started")
        await self._follow_move(source_arn, handle)

    @work(exclusive=True, group="dlq-redrive", exit_on_error=False)
    async def watch_move(self, source_arn: str, handle: str | None) -> None:
        await self._follow_move(source_arn, handle)

    async def _follow_move(self, source_arn: str, handle: str | None) -> None:
        """The task's progress (ListMessageMoveTasks) and the queue's depth, every second,
        until it ends; then the queue is read again."""
        aws = self.aws
        name = source_arn.rsplit(":", 1)[-1]
        self.moving = True
        self.cancelling = False
        cancel_sent = False
        outcome = ""
        try:
            while True:
                tasks = await move_tasks(aws, source_arn)
                task: MoveTask | None = next(
                    (t for t in tasks if handle and t.handle == handle), tasks[0] if tasks else None
                )
                if task is None:
                    break
                outcome = task.sentence
                depth = await queue_depth(aws, source_arn)
                self._show_depth(source_arn, depth)
                if not task.running:
                    break
                self._status(
                    f"{outcome} · about {plural(depth.total, 'message')} left in {name}"
                    + ("  (cancelling…)" if cancel_sent else "  (c cancels)")
                )
                if self.cancelling and not cancel_sent and task.handle:
                    try:
                        await cancel_move(aws, task.handle)
                    except AwsError as exc:
                        self._journal(
                            "cancel message move task", name, "RUNNING", "-", exc.sentence
                        )
                        raise
                    self._journal(
                        "cancel message move task",
                        name,
                        f"RUNNING, {task.moved:,} moved",
                        "cancelling",
                    )
                    cancel_sent = True
                await asyncio.sleep(1.0)
        except AwsError as exc:
            self._status(f"Move task: {exc.sentence}", error=True)
            return
        finally:
            self.moving = False
        self.load_messages(outcome)

    @work(exclusive=True, group="dlq-redrive", exit_on_error=False)
    async def run_redrive(self, only: set[str] | None, total: int, queue: str | None) -> None:
        target = self.current_target
        assert target is not None
        self.cancelling = False
        progress = Progress(total)

        def show(p: Progress) -> None:
            self._status(
                f"Redrive: {p.done} done, {p.failed} failed, {p.remaining} remaining"
                + ("" if self.cancelling else "  (c cancels)")
            )

        deliver = (
            queue_delivery(self.aws, queue)
            if queue
            else invoke_delivery(self.aws, self.function.name)
        )
        action = "send to queue" if queue else "redrive"
        where = queue.rsplit(":", 1)[-1] if queue else f"function {self.function.name}"
        try:
            await redrive(
                self.aws,
                target.arn,
                deliver,
                progress,
                only=only,
                should_stop=lambda: self.cancelling,
                on_progress=show,
            )
        except AwsError as exc:
            self._journal(
                action,
                target.name,
                f"{plural(total, 'message')} to {where}",
                f"{progress.done} moved, the rest still in the queue",
                exc.sentence,
            )
            self._status(
                f"Redrive stopped: {exc.sentence}; what was not acknowledged is still in the queue",
                error=True,
            )
            return
        first_error = next(iter(progress.errors.values()), "")
        summary = f"Redrive: {progress.done:,} moved" + (
            f", {progress.failed:,} not moved ({first_error})" if progress.failed else ""
        )
        if progress.stopped:
            summary += " (cancelled)"
        try:
            depth = await queue_depth(self.aws, target.arn)
        except AwsError as exc:
            left = f"{target.name} not read again: {exc.sentence}"
        else:
            self._show_depth(target.arn, depth)
            left = f"about {plural(depth.total, 'message')} in {target.name}"
        self._journal(
            action,
            target.name,
            f"{plural(total, 'message')} to {where}",
            f"{progress.done} moved, {progress.failed} not moved"
            + (" (cancelled)" if progress.stopped else ""),
        )
        self.notify(
            f"{summary}; {left}",
            severity="warning" if progress.failed else "information",
            timeout=8,
        )
        self.load_messages(summary)

    def action_cancel(self) -> None:
        self.cancelling = True

    def action_delete(self) -> None:
        chosen = self._chosen()
        if not chosen or self.current_target is None:
            self.notify("Mark messages with space first", timeout=3)
            return
        if self._refuse_if_read_only("delete"):
            return
        from .confirm import Confirm

        def go(ok: bool | None) -> None:
            if ok:
                self.run_delete({m.message_id for m in chosen})

        self.app.push_screen(
            Confirm(
                f"Delete {plural(len(chosen), 'message')} for good?",
                self._facts(str(len(chosen)), "delete", "-"),
            ),
            go,
        )

    @work(exclusive=True, group="dlq-redrive", exit_on_error=False)
    async def run_delete(self, ids: set[str]) -> None:
        target = self.current_target
        assert target is not None

        async def drop(batch: list[tuple[dict[str, object], DlqMessage]]) -> dict[str, str | None]:
            return {str(raw["MessageId"]): None for raw, _ in batch}

        try:
            progress = await redrive(self.aws, target.arn, drop, Progress(len(ids)), only=ids)
        except AwsError as exc:
            self._journal(
                "delete messages", target.name, plural(len(ids), "message"), "-", exc.sentence
            )
            self._status(f"Delete stopped: {exc.sentence}", error=True)
            return
        self._journal(
            "delete messages",
            target.name,
            plural(len(ids), "message"),
            f"{plural(progress.done, 'message')} deleted",
        )
        summary = f"Deleted {plural(progress.done, 'message')}"
        self.notify(summary, timeout=5)
        self.load_messages(summary)

    def action_purge(self) -> None:
        target = self.current_target
        if target is None or self._refuse_if_read_only("purge"):
            return
        from .confirm import Confirm

        def go(ok: bool | None) -> None:
            if ok:
                self.run_purge()

        self.app.push_screen(
            Confirm(
                f"Purge every message of {target.name}?",
                self._facts("all", "purge", "-"),
                typed=target.name,
            ),
            go,
        )

    @work(exclusive=True, group="dlq-redrive", exit_on_error=False)
    async def run_purge(self) -> None:
        target = self.current_target
        assert target is not None
        url = queue_url(target.arn, self.aws.target.endpoint_url, self.aws.region)
        try:
            await call(self.aws, "sqs", "PurgeQueue", QueueUrl=url)
        except AwsError as exc:
            self._journal("purge queue", target.name, "messages", "-", exc.sentence)
            self._status(f"Purge failed: {exc.sentence}", error=True)
            return
        self._journal("purge queue", target.name, "messages", "purged")
        self.notify(f"Purged {target.name}", timeout=5)
        self.load_messages(f"Purged {target.name}")

    def action_export(self) -> None:
        rows = self._chosen() or self.messages.rows
        if self.current_target is None or not rows:
            return
        stamp = self.tui.settings.clock().strftime("%Y%m%d-%H%M%S")
        path = Path.cwd() / f"lambdatui-dlq-{self.current_target.name}-{stamp}.jsonl"
        try:
            write_jsonl(path, map(export_message, rows))
        except OSError as exc:
            self.notify(f"Could not export: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Exported {plural(len(rows), 'message')} to {path}", timeout=8)

    def action_copy_body(self) -> None:
        message = self.messages.current
        if message is not None:
            self.tui.copy(message.body, "the message body")

    def action_copy_request(self) -> None:
        message = self.messages.current
        if message is not None and message.request_id:
            self.tui.copy(message.request_id, f"request id {message.request_id}")

    def action_logs(self) -> None:
        message = self.messages.current
        if message is None or not message.request_id:
            self.notify("This message carries no request id", timeout=3)
            return
        self.tui.open_logs([self.function], request_id=message.request_id, since=message.sent)

    def action_invoke(self) -> None:
        """Open the invoke pane with the message's original event."""
        message = self.messages.current
        if message is None:
            self.notify("Choose a message first", timeout=3)
            return
        event = pretty(message.original_event) or message.original_event
        source = f"DLQ message {message.message_id[:8]}"
        self.tui.open_invoke(self.function, event=event, source=source)

    def action_refresh(self) -> None:
        self.discover()
        self.load_messages()
