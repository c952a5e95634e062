"""The App: screens, global keys, palette, clipboard and error routing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from . import clipboard
from .aws.errors import AwsError, translate
from .aws.models import Function
from .aws.session import AwsSession, Health, Notice, Target
from .commands import FunctionCommands
from .config import Settings
from .gcpolicy import YOUNG_EVERY, Collector
from .safetext import visible

# Seconds a "retrying" note stays up without news of the call.
TROUBLE_TTL = 60.0


class LambdaTui(App[None]):
    TITLE = "lambdatui"
    CSS_PATH = "lambdatui.tcss"
    COMMANDS = App.COMMANDS | {FunctionCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
        Binding("ctrl+r", "retry", "Retry what failed", show=False, id="app.retry"),
    ]

    account: reactive[str | None] = reactive(None)
    # What AWS is doing to calls right now ("throttled, retrying lambda:ListFunctions").
    aws_health: reactive[str] = reactive("")
    # Why credentials fail and how to fix them; shown as one banner on every screen.
    credentials_problem: reactive[str | None] = reactive(None)

    def __init__(self, settings: Settings, *, system_clipboard: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.system_clipboard = system_clipboard
        self.aws = AwsSession(
            Target(
                profile=settings.profile,
                region=settings.region,
                endpoint_url=settings.endpoint_url,
                access_key=settings.access_key,
                secret_key=settings.secret_key,
            )
        )
        self.aws.watch(self._on_notice)
        # action -> (what is happening, since when); see _on_notice.
        self._troubles: dict[str, tuple[Health, float]] = {}
        self.functions: list[Function] = []
        self.collector = Collector()
        if settings.theme:
            self.theme = settings.theme
        if not settings.animations:
            self.animation_level = "none"

    def on_mount(self) -> None:
        from .screens.functions import FunctionsScreen

        self.push_screen(FunctionsScreen())
        self.collector.start()
        self.set_interval(YOUNG_EVERY, self.collector.tick)
        self.set_interval(TROUBLE_TTL / 4, self._show_troubles)

    def load_identity(self) -> None:
        """Look up the account once (after the first rows, so they come first)."""
        if self.account is None:
            self.account = "…"
            self.run_worker(self._load_identity(), group="identity", exit_on_error=False)

    async def _load_identity(self) -> None:
        try:
            identity = await self.aws.identity()
        except AwsError as exc:
            self.account = "unknown"
            self.notify(f"Account not known: {exc.sentence}", severity="warning")
            return
        self.account = identity.account

    async def on_unmount(self) -> None:
        self.collector.stop()
        await self.aws.close()

    # ----- how AWS is doing ---------------------------------------------------------

    def _on_notice(self, notice: Notice) -> None:
        """Retries and recoveries of calls (on any screen), and credential failures."""
        if notice.health is Health.CREDENTIALS:
            self.credentials_problem = notice.sentence
            return
        if notice.health in (Health.OK, Health.SETTLED):
            self._troubles.pop(notice.action, None)
            if notice.health is Health.OK and self.credentials_problem is not None:
                self.credentials_problem = None
        else:
            self._troubles[notice.action] = (notice.health, time.monotonic())
        self._show_troubles()

    def _show_troubles(self) -> None:
        # A call cancelled while botocore waited to retry never settles: forget
        # what was last heard of over a minute ago.
        stale = time.monotonic() - TROUBLE_TTL
        for action in [a for a, (_, at) in self._troubles.items() if at < stale]:
            del self._troubles[action]
        if self._troubles:
            action, (health, _) = next(reversed(self._troubles.items()))
            more = f" (+{len(self._troubles) - 1})" if len(self._troubles) > 1 else ""
            self.aws_health = f"{health}: {action}{more}"
        else:
            self.aws_health = ""

    async def action_retry(self) -> None:
        """After fixing credentials (or the network): fresh clients, every pane tries again."""
        from .screens.base import Pane

        self.credentials_problem = None
        self._troubles.clear()
        self.aws_health = ""
        await self.aws.reset()
        if self.account in ("unknown", "…"):
            self.account = None
            self.load_identity()
        for screen in self.screen_stack:
            if isinstance(screen, Pane):
                screen.retry()
        self.notify("Trying again with fresh credentials", timeout=3)

    # ----- shared services ------------------------------------------------------

    def report_error(self, error: BaseException, where: str = "") -> None:
        """The last line of defence: any failure becomes a notification."""
        sentence = translate(error, where or "request").sentence
        self.notify(visible(sentence), title="Error", severity="error", timeout=8)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Notifications carry names, paths and AWS's own words: never markup, always visible."""
        super().notify(
            visible(message, keep_newlines=True),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error, event.worker.name)

    def copy(self, text: str, what: str) -> None:
        clipboard.copy(self, text, what, system=self.system_clipboard)

    # ----- navigation -------------------------------------------------------------

    def open_function(self, function: Function) -> None:
        from .screens.detail import DetailScreen

        self.push_screen(DetailScreen(function))

    def open_logs(
        self,
        functions: list[Function],
        *,
        request_id: str | None = None,
        since: datetime | None = None,
    ) -> None:
        """Tail `functions`; with `since`, history reaches back to then (3 hours at most)."""
        from .aws.tail import DEFAULT_HISTORY, HISTORY
        from .screens.logs import LogsScreen

        if not functions:
            return
        history = DEFAULT_HISTORY
        if since is not None:
            back = (self.settings.clock() - since).total_seconds() + 300
            history = int(min(max(back, DEFAULT_HISTORY), max(HISTORY.values())))
        if len(functions) > 10:
            self.notify(
                "Live Tail follows at most 10 log groups: showing the first 10", severity="warning"
            )
        self.push_screen(LogsScreen(functions, request_id=request_id, history_s=history))

    def open_dlq(self, function: Function, *, target_arn: str | None = None) -> None:
        from .screens.dlq import DlqScreen

        self.push_screen(DlqScreen(function, target_arn=target_arn))

    def action_dlq_overview(self) -> None:
        from .screens.dlqs import DlqOverviewScreen

        self.push_screen(DlqOverviewScreen())

    def open_metrics(self, function: Function) -> None:
        from .screens.metrics import MetricsScreen

        self.push_screen(MetricsScreen(function))

    def goto_function(self, name: str) -> None:
        from .screens.functions import FunctionsScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, FunctionsScreen):
            self.pop_screen()
        screen = self.screen
        if isinstance(screen, FunctionsScreen):
            screen.select_function(name)
        for fn in self.functions:
            if fn.name == name:
                self.open_function(fn)
                return

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, type]]:
        from .screens.detail import DetailScreen
        from .screens.dlq import DlqScreen
        from .screens.dlqs import DlqOverviewScreen
        from .screens.functions import FunctionsScreen
        from .screens.logs import LogsScreen
        from .screens.metrics import MetricsScreen
        from .widgets.logview import LogView
        from .widgets.table import VirtualTable

        return [
            ("Everywhere", type(self)),
            ("Function list", FunctionsScreen),
            ("Tables", VirtualTable),
            ("Function detail", DetailScreen),
            ("Logs", LogsScreen),
            ("Log lines", LogView),
            ("Metrics", MetricsScreen),
            ("Dead-letter queues", DlqScreen),
            ("All dead-letter queues", DlqOverviewScreen),
        ]

    def palette_actions(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """Actions offered in the palette: the current screen's bindings, then the app's."""
        screen = self.screen
        for binding in self._palette_bindings(screen):
            where = type(screen).__name__.removesuffix("Screen")
            yield (
                binding.description,
                f"{where} · key {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, screen),
            )
        yield ("Help: all keys", "key ?", self.action_help)
        yield (
            "Dead-letter queues of the account",
            "overview, deepest first",
            self.action_dlq_overview,
        )

    @staticmethod
    def _palette_bindings(screen: object) -> list[Binding]:
        from .screens.help import _bindings

        return [b for b in _bindings(type(screen)) if b.description and b.action != "back"]


def make_app(settings: Settings, *, system_clipboard: bool = True) -> LambdaTui:
    """The one factory the CLI and the tests share."""
    return LambdaTui(settings, system_clipboard=system_clipboard)
