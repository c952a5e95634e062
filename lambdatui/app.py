"""The App: screens, global keys, palette, clipboard and error routing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from . import clipboard
from .applog import log, log_path
from .aws.cost import Prices
from .aws.errors import AwsError, Unexpected, translate
from .aws.models import Function
from .aws.session import AwsSession, Health, Notice, Target
from .commands import FunctionCommands
from .config import Settings
from .fleet import Backoff, Change, Fleet
from .gcpolicy import YOUNG_EVERY, Collector
from .journal import DONE, Entry, Journal, journal_path
from .safetext import visible
from .themes import DEFAULT_THEME, builtin_themes, load_theme_files, resolve_variables, shipped_dir

if TYPE_CHECKING:
    from .aws.logrecords import LogRecord
    from .incident import Snapshot
    from .invocations import Invocation
    from .listcache import ListCache

# Seconds a "retrying" note stays up without news of the call.
TROUBLE_TTL = 60.0
# Seconds between looks at whether the endpoint has gone silent.
SILENCE_EVERY = 1.0
# Seconds before the health columns are read again while they hold no data at all,
# per GetMetricData call that reading them takes.
QUICK_HEALTH_RETRY = 5.0


def quick_health_retry(functions: int) -> float:
    """Seconds before the health of `functions` is read again while none has data."""
    from .aws.metrics import HEALTH, MAX_QUERIES

    calls = -(-functions * len(HEALTH) // MAX_QUERIES)
    return QUICK_HEALTH_RETRY * max(1, calls)


class LambdaTui(App[None]):
    TITLE = "lambdatui"
    CSS_PATH = "lambdatui.tcss"
    COMMANDS = App.COMMANDS | {FunctionCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
        Binding("p", "where", "Profile/region", id="app.where"),
        Binding("ctrl+t", "choose_theme", "Theme", show=False, id="app.theme"),
        Binding("exclamation_mark", "snapshot", "Incident snapshot", show=False, id="app.snapshot"),
        Binding("ctrl+r", "retry", "Retry what failed", show=False, id="app.retry"),
        Binding("J", "journal", "Action journal", show=False, id="app.journal"),
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
            ),
            pacing=settings.pacing,
        )
        self._tune(self.aws)
        # The endpoint given on the command line (profiles may name their own).
        self.base_endpoint = settings.endpoint_url
        self.aws.watch(self._on_notice)
        # action -> (what is happening, since when); see _on_notice.
        self._troubles: dict[str, tuple[Health, float]] = {}
        # "no answer from ENDPOINT for N s" while the endpoint is silent; see _watch_silence.
        self._silence = ""
        self.price_error: str | None = None
        try:
            self.prices = Prices.shipped().with_overrides(settings.prices)
        except ValueError as exc:
            self.prices = Prices.shipped()
            self.price_error = f"Price table not changed: {exc}"
        self.fleet = self._new_fleet()
        self._fleet_backoff = Backoff(settings.retry_after)
        self._fleet_timers: dict[str, Timer] = {}
        self._health_due = False
        # The last health refresh read the rows on screen only (the list was loading).
        self._partial_health = False
        self.invocations: list[Invocation] = []
        self.collector = Collector()
        self.notices = list(settings.notices)
        # Told once a session, under --read-only, that peeking receives messages.
        self.told_peek_receives = False
        # The columns the operator chose per table (pinned, hidden), for the session.
        self.column_choice: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self.last_snapshot: Snapshot | None = None
        self.journal = Journal(journal_path(settings.journal_path))
        from .screens.acting import Acting

        self.acting = Acting(self)
        self._register_themes()
        if self.no_color:
            self.add_class("-no-color")
        if not settings.animations:
            self.animation_level = "none"
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))

    # ----- themes -------------------------------------------------------------------

    def _register_themes(self) -> None:
        """Built-in, shipped and user themes; a broken file or unknown name falls back."""
        for theme in builtin_themes().values():
            self.register_theme(theme)
        dirs = [shipped_dir()]
        if self.settings.config_path:
            from .config import user_themes_dir

            dirs.append(user_themes_dir(Path(self.settings.config_path)))
        loaded = load_theme_files(dirs)
        for theme in loaded.themes.values():
            self.register_theme(theme)
        for problem in loaded.problems:
            self.notices.append(f"Theme file skipped: {problem}")
        wanted = self.settings.theme or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.notices.append(f"Theme {wanted!r} is not available; using {DEFAULT_THEME}")
            self.theme = DEFAULT_THEME

    def get_css_variables(self) -> dict[str, str]:
        variables = resolve_variables(super().get_css_variables())
        self.theme_variables = variables
        return variables

    def action_choose_theme(self) -> None:
        self.search_themes()

    def on_mount(self) -> None:
        self.open_start()
        if self.price_error:
            self.notify(self.price_error, severity="warning")
        self.collector.start()
        self.set_interval(YOUNG_EVERY, self.collector.tick)
        self.set_interval(TROUBLE_TTL / 4, self._show_troubles)
        self.set_interval(SILENCE_EVERY, self._watch_silence)
        for notice in self.notices:
            self.notify(visible(notice), title="Config", severity="warning", timeout=15)
        self._check_keymap()
        self.start_fleet()

    def open_start(self) -> None:
        """The first screen: the list, or the pane a deep link names (esc: the list)."""
        from .screens.functions import FunctionsScreen

        link = self.settings.start
        if link is None:
            self.push_screen(FunctionsScreen())
            return
        functions = list(link.functions)
        if link.pane == "show":
            self.open_function(functions[0])
        elif link.pane == "logs":
            self.open_logs(functions, since=link.since)
        elif link.pane == "metrics":
            self.open_metrics(functions[0])
        elif link.pane == "dlq":
            self.open_dlq(functions[0])
        elif link.pane == "invoke":
            self.open_invoke(functions[0])
        elif link.pane == "insights":
            self.open_insights(functions, since=link.since, query=link.query, run=True)
        else:
            self.push_screen(FunctionsScreen())

    def show_list(self) -> None:
        """Back from the last pane of a deep link: the function list takes its place."""
        from .screens.functions import FunctionsScreen

        if not isinstance(self.screen, FunctionsScreen):
            self.switch_screen(FunctionsScreen())

    def _check_keymap(self) -> None:
        if not self.settings.keymap:
            return  # (knowing every binding id imports every screen)
        known = known_binding_ids()
        for binding_id, _keys in self.settings.keymap:
            if binding_id not in known:
                where = self.settings.config_path or "the config"
                self.notify(
                    visible(f"{where}: keys.{binding_id}: no such binding id; ignored"),
                    title="Config",
                    severity="warning",
                    timeout=15,
                )

    # ----- the fleet: what the console knows of the account -----------------------------

    def _new_fleet(self) -> Fleet:
        fleet = Fleet(
            self.aws,
            self.settings.all_regions,
            clock=self.settings.clock,
            prices=self.prices,
        )
        fleet.listen(self._fleet_changed)
        return fleet

    def _fleet_changed(self, change: Change) -> None:
        from .screens.base import FleetChanged

        if change is Change.IDENTITY:
            self.account = self.fleet.account or ("unknown" if self.fleet.identity_error else None)
        for screen in self.screen_stack:
            screen.post_message(FleetChanged(change))

    def start_fleet(self) -> None:
        """List the functions; then identity, health, tags, alarms and the findings scan."""
        if self.settings.fleet_autoload:
            self.reload_fleet()

    def reload_fleet(self) -> None:
        self._stop_fleet_timer("load")
        self.run_worker(self._load_fleet(), group="fleet-load", exclusive=True, exit_on_error=False)

    async def _endpoint_started(self, fleet: Fleet) -> bool:
        """Wait (in a thread) for the endpoint to serve: the demo account starting."""
        starting = self.settings.starting
        if starting is None:
            return True
        fleet.waiting_for = self.settings.starting_text
        fleet.tell(Change.FUNCTIONS)
        problem = await asyncio.to_thread(starting)
        fleet.waiting_for = None
        if problem is not None:
            fleet.load_error = problem
            fleet.tell(Change.FUNCTIONS)
            return False
        self.settings = replace(self.settings, starting=None)
        return True

    def _list_cache(self) -> ListCache | None:
        settings = self.settings
        if not settings.list_cache:
            return None
        from .listcache import ListCache, cache_dir

        directory = Path(settings.cache_dir) if settings.cache_dir else cache_dir()
        return ListCache(directory, settings.profile, settings.endpoint_url)

    async def _show_cached(self, fleet: Fleet, cache: ListCache) -> None:
        """The last list of these regions, drawn while the fresh one is paged in."""
        found = await asyncio.to_thread(lambda: [cache.read(r) for r in fleet.regions])
        for kept in found:
            if kept is not None:
                fleet.show_cached(kept.account, kept.saved_at, kept.functions)
        if fleet.cached_account is not None:
            # Rows of another account must not stay up a moment longer than needed.
            self.load_identity()

    async def _keep_list(self, fleet: Fleet, cache: ListCache) -> None:
        """The complete list, kept for the next launch (in the account STS names)."""
        try:
            account = await fleet.identity()
        except AwsError:
            return
        if fleet is not self.fleet:
            return
        functions = list(fleet.functions)
        now = self.settings.clock()
        try:
            for region in fleet.regions:
                await asyncio.to_thread(cache.write, account, region, functions, now)
        except OSError as exc:
            log.warning("list cache not written: %s", exc.strerror or exc)

    async def _load_fleet(self) -> None:
        fleet = self.fleet
        if self.settings.starting is not None and not await self._endpoint_started(fleet):
            return
        cache = self._list_cache()
        if cache is not None and not fleet.loaded and not fleet.functions:
            await self._show_cached(fleet, cache)

        def first_page() -> None:
            # After the first rows are drawn: these create more clients, which costs
            # CPU that would otherwise delay the first frame.
            self.call_after_refresh(self._after_first_page, fleet)

        try:
            await fleet.load(first_page)
        except AwsError as exc:
            self.load_identity()
            self._retry_fleet("load", exc, self.reload_fleet)
            return
        self._fleet_backoff.reset("load")
        if self._partial_health:
            self.refresh_health()  # (only the rows on screen have their figures yet)
        if cache is not None:
            self.run_worker(self._keep_list(fleet, cache), group="fleet-cache", exit_on_error=False)
        self.run_worker(fleet.load_tags(), group="fleet-tags", exclusive=True, exit_on_error=False)
        self.refresh_posture(scan=self.settings.findings_on_launch)

    def _after_first_page(self, fleet: Fleet) -> None:
        if fleet is self.fleet:
            self.load_identity()
            self.refresh_health()

    def _retry_fleet(self, key: str, error: AwsError, again: Callable[[], object]) -> bool:
        """After a throttle, a 5xx or a lost connection, run `again` a little later."""
        from .aws.errors import is_transient

        if not is_transient(error):
            return False
        self._stop_fleet_timer(key)
        self._fleet_timers[key] = self.set_timer(self._fleet_backoff.next(key), again)
        return True

    def _stop_fleet_timer(self, key: str) -> None:
        timer = self._fleet_timers.pop(key, None)
        if timer is not None:
            timer.stop()

    def request_states(self, functions: Iterable[Function]) -> None:
        """Fill the State of these rows (those on screen) where it is not known."""
        wanted = self.fleet.wanting_state(functions)
        if wanted:
            self.run_worker(
                self._fill_states(self.fleet, wanted), group="fleet-states", exit_on_error=False
            )

    async def _fill_states(self, fleet: Fleet, functions: list[Function]) -> None:
        denied = fleet.states_denied
        await fleet.fill_states(functions)
        if fleet.states_denied and not denied:
            self.notify(f"State column unavailable: {fleet.states_denied}", severity="warning")

    def health_wanted(self) -> bool:
        """Whether the screen on top shows health figures (others defer the refresh)."""
        if not self.screen_stack:  # shutting down: a timer's last call
            return False
        return bool(getattr(self.screen, "SHOWS_HEALTH", False))

    def refresh_health(self) -> None:
        self._stop_fleet_timer("health")
        if not self.health_wanted():
            self._health_due = True
            return
        self._health_due = False
        self.run_worker(
            self._refresh_health(self.fleet),
            group="fleet-health",
            exclusive=True,
            exit_on_error=False,
        )

    async def _refresh_health(self, fleet: Fleet) -> None:
        from .aws.errors import Throttled, is_transient

        interval = self.settings.metrics_refresh
        first = getattr(self.screen, "on_screen_functions", lambda: ())()
        # While pages still arrive, the rows on screen only: every function's figures
        # (thousands of metric queries) would compete with the listing for the CPU.
        # The whole list is read once it is complete (see _load_fleet).
        partial = fleet.loading and bool(first)
        self._partial_health = partial
        try:
            await fleet.refresh_health(first, only_first=partial)
            if partial:
                interval = min(interval, QUICK_HEALTH_RETRY)
            # Alarm states change as often as the health figures: refresh them together.
            await fleet.refresh_alarms()
            self._fleet_backoff.reset("health")
            if fleet.functions and not fleet.has_health_data():
                # Not one data point yet (metrics arrive a minute or two after the
                # first invocations): look again soon, not a whole interval later;
                # soon grows with what a look costs (a quiet account of thousands of
                # functions would otherwise be read whole every few seconds).
                interval = min(interval, quick_health_retry(len(fleet.functions)))
        except Throttled:
            interval *= 2
        except AwsError as exc:
            if is_transient(exc):
                interval = min(interval, self._fleet_backoff.next("health"))
        finally:
            # Re-armed only once this refresh is done, so refreshes never overlap.
            if fleet is self.fleet:
                self._fleet_timers["health"] = self.set_timer(interval, self.refresh_health)

    def screen_resumed(self) -> None:
        """A screen came back on top: a deferred health refresh runs if it shows health."""
        if self._health_due and self.health_wanted():
            self.refresh_health()

    def refresh_posture(self, *, scan: bool = True) -> None:
        self.run_worker(
            self._refresh_posture(self.fleet, scan),
            group="fleet-posture",
            exclusive=True,
            exit_on_error=False,
        )

    def ensure_scan(self) -> None:
        """A pane wants findings: list the account (if not yet) and scan it."""
        fleet = self.fleet
        if fleet.scanning or fleet.scanned:
            return
        if fleet.loaded:
            self.refresh_posture()
        elif not fleet.loading:
            self.reload_fleet()

    async def _refresh_posture(self, fleet: Fleet, scan: bool) -> None:
        """Alarms first (the Alarms column), then the findings scan (the Findings column)."""
        await fleet.refresh_alarms()
        if fleet.posture.alarm_error:
            self.notify(f"Alarms unavailable: {fleet.posture.alarm_error}", severity="warning")
        if scan:
            await fleet.scan()

    # ----- where: profile and regions ---------------------------------------------------

    def action_where(self) -> None:
        from .screens.where import WherePicker

        def chosen(choice: tuple[str | None, tuple[str, ...]] | None) -> None:
            if choice is not None:
                self.run_worker(self.switch_to(*choice), group="switch", exclusive=True)

        self.push_screen(WherePicker(self.settings.profile, self.settings.all_regions), chosen)

    async def switch_to(self, profile: str | None, regions: tuple[str, ...]) -> None:
        """Reconnect as `profile` in `regions` and rebuild every pane on the new session."""
        from .aws.profiles import profile_endpoint
        from .screens.functions import FunctionsScreen

        settings = self.settings
        same_profile = profile == settings.profile
        endpoint = profile_endpoint(profile) or self.base_endpoint
        self.settings = replace(
            settings,
            profile=profile,
            region=regions[0],
            regions=regions if len(regions) > 1 else (),
            endpoint_url=endpoint,
            endpoint_label=settings.endpoint_label if endpoint == settings.endpoint_url else None,
            # Keys given for the first profile (the demo's) are not another profile's.
            access_key=settings.access_key if same_profile else None,
            secret_key=settings.secret_key if same_profile else None,
        )
        old = self.aws
        self.aws = AwsSession(
            Target(
                profile=profile,
                region=regions[0],
                endpoint_url=endpoint,
                access_key=self.settings.access_key,
                secret_key=self.settings.secret_key,
            ),
            pacing=self.settings.pacing,
        )
        self._tune(self.aws)
        self.aws.watch(self._on_notice)
        self.credentials_problem = None
        self._troubles.clear()
        # Functions, health, alarms, roles and findings belong to the account and
        # regions left behind: the old fleet is told nothing more.
        self.fleet.close()
        for key in list(self._fleet_timers):
            self._stop_fleet_timer(key)
        self._fleet_backoff.reset()
        for group in (
            "fleet-load",
            "fleet-cache",
            "fleet-tags",
            "fleet-states",
            "fleet-health",
            "fleet-posture",
        ):
            self.workers.cancel_group(self, group)
        self.fleet = self._new_fleet()
        self.account = None
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.push_screen(FunctionsScreen())
        await old.close()
        where = ", ".join(regions)
        self.notify(visible(f"Switched to profile {profile or 'default'} in {where}"), timeout=4)
        self.start_fleet()

    def load_identity(self) -> None:
        """Look up the account once (after the first rows, so they come first)."""
        if self.fleet.account is None:
            self.run_worker(
                self._load_identity(self.fleet),
                group="identity",
                exclusive=True,
                exit_on_error=False,
            )

    async def _load_identity(self, fleet: Fleet) -> None:
        try:
            await fleet.identity()
        except AwsError as exc:
            if fleet is self.fleet:
                self.notify(f"Account not known: {exc.sentence}", severity="warning")

    async def on_unmount(self) -> None:
        self.collector.stop()
        self.fleet.close()
        await self.aws.close()

    # ----- how AWS is doing ---------------------------------------------------------

    def _tune(self, session: AwsSession) -> None:
        settings = self.settings
        session.connect_timeout = settings.connect_timeout
        session.read_timeout = settings.read_timeout

    def _watch_silence(self) -> None:
        """Name an endpoint that leaves calls unanswered; forget it once it answers."""
        silent = self.aws.silent_for()
        if silent >= self.settings.silence_after:
            self._silence = f"no answer from {self.aws.endpoint} for {silent:.0f} s"
        else:
            self._silence = ""
        self._show_troubles()

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
        if self._silence:
            self.aws_health = self._silence
        elif self._troubles:
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
        self.fleet.forget_identity()
        self.fleet.forget_states()
        self._fleet_backoff.reset()
        if self.fleet.account is None:
            self.account = None
            self.load_identity()
        if self.fleet.load_error is not None:
            self.reload_fleet()
        else:
            self.refresh_health()
        for screen in self.screen_stack:
            if isinstance(screen, Pane):
                screen.retry()
        self.notify("Trying again with fresh credentials", timeout=3)

    # ----- shared services ------------------------------------------------------

    def report_error(self, error: BaseException, where: str = "") -> None:
        """The last line of defence: any failure becomes a notification; one that is not
        an AWS answer is a bug, and its traceback goes to the log file."""
        translated = translate(error, where or "request")
        sentence = translated.sentence
        if isinstance(translated, Unexpected):
            log.error("unexpected error in %s", where or "a task", exc_info=error)
            path = log_path()
            sentence += f" (details in {path})" if path else " (--log-file PATH keeps details)"
        self.notify(visible(sentence), title="Error", severity="error", timeout=8)

    def _handle_exception(self, error: Exception) -> None:
        # An exception no handler caught ends the app: leave its trace in the log first.
        log.critical("the console stopped on an unexpected error", exc_info=error)
        super()._handle_exception(error)

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

    async def _on_key(self, event: events.Key) -> None:
        """Keys land where they were meant, even in a burst.

        An SSH session delivers what was typed in one read: `/pay` reaches the app as
        four keys at once, each handed to the widget focused on arrival, so `p`, `a`
        and `y` are queued on the list before `/` has opened the filter. A printable
        key the focused field would take, bubbling up here unhandled, was delivered
        before that field got the focus: it goes to the field now, instead of firing
        the list's own keys (`p`: the profile picker).
        """
        focused = self.focused
        if focused is not None and focused.check_consume_key(event.key, event.character):
            event.prevent_default()
            event.stop()
            # A new event: this one is stopped, and would be ignored there as well.
            focused._forward_event(events.Key(event.key, event.character))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error, event.worker.name)

    def copy(self, text: str, what: str) -> None:
        clipboard.copy(self, text, what, system=self.system_clipboard)

    # ----- the action journal ------------------------------------------------------------

    def record(
        self,
        action: str,
        target: str,
        before: str,
        after: str,
        *,
        region: str,
        function: str = "",
        error: str = "",
        undo: dict[str, object] | None = None,
    ) -> Entry | None:
        """Append what the console did (or failed to do) to the journal; a journal that
        cannot be written is said, and the action's own outcome stands."""
        entry = Entry(
            time=self.settings.clock().isoformat(timespec="seconds"),
            profile=self.settings.profile or "default",
            account=self.fleet.account or "unknown",
            region=region,
            action=action,
            target=target,
            before=before,
            after=after,
            outcome="failed" if error else DONE,
            error=error,
            function=function,
            undo=undo if not error else None,
        )
        try:
            return self.journal.append(entry)
        except OSError as exc:
            self.notify(
                f"Journal not written ({self.journal.path}): {exc.strerror or exc}",
                severity="warning",
                timeout=10,
            )
            return None

    def _session_actions(self) -> list[Entry]:
        try:
            return self.journal.this_session()
        except OSError as exc:
            self.notify(f"Journal not read: {exc.strerror or exc}", severity="warning")
            return []

    def action_journal(self) -> None:
        from .screens.journal import JournalScreen

        if not isinstance(self.screen, JournalScreen):
            self.push_screen(JournalScreen())

    # ----- incident snapshot -------------------------------------------------------------

    def snapshot_subject(self) -> tuple[Function | None, list[LogRecord] | None]:
        """The function the current screen is about, and its open log buffer if any."""
        from .screens.functions import FunctionsScreen
        from .screens.logs import LogsScreen

        screen = self.screen
        if isinstance(screen, LogsScreen) and screen.functions:
            fn = screen.functions[0]
            records = [r for r in screen.logview.records() if r.log_group == fn.log_group]
            return fn, records
        if isinstance(screen, FunctionsScreen):
            return screen.table.current, None
        subject = getattr(screen, "function", None)
        return (subject, None) if isinstance(subject, Function) else (None, None)

    def action_snapshot(self) -> None:
        fn, records = self.snapshot_subject()
        if fn is None:
            self.notify("Choose a function first: the snapshot is of one function")
            return
        self.notify(visible(f"Writing an incident snapshot of {fn.name}…"), timeout=3)
        self.run_worker(self._snapshot(fn, records), group="snapshot", exit_on_error=False)

    async def _snapshot(self, fn: Function, records: list[LogRecord] | None) -> None:
        from .incident import take_snapshot

        settings = self.settings
        try:
            account = await self.fleet.identity()
        except AwsError as exc:
            account = f"unknown ({exc.sentence})"
        where = (
            f"profile {settings.profile or 'default'} · account {account} · "
            f"region {fn.region}"
            + (
                f" · {settings.endpoint_label or settings.endpoint_url}"
                if settings.endpoint_url
                else ""
            )
        )
        directory = Path(settings.snapshot_dir or Path.cwd())
        try:
            shot = await take_snapshot(
                self.aws.in_region(fn.region),
                fn,
                now=settings.clock(),
                where=where,
                directory=directory,
                records=records,
                actions=self._session_actions(),
            )
        except (AwsError, OSError) as exc:
            reason = exc.sentence if isinstance(exc, AwsError) else (exc.strerror or str(exc))
            self.notify(visible(f"Snapshot not written: {reason}"), severity="error", timeout=10)
            return
        self.last_snapshot = shot
        self.notify(
            visible(
                f"Snapshot written: {shot.report} ({shot.errors} failed requests) "
                f"and {shot.records:,} log lines in {shot.logs.name}"
            ),
            title="Incident snapshot",
            timeout=15,
        )

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
        from .aws.tail import HISTORY
        from .screens.logs import LogsScreen

        if not functions:
            return
        regions = {f.region for f in functions}
        if len(regions) > 1:
            functions = [f for f in functions if f.region == functions[0].region]
            self.notify(
                f"One log pane follows one region: showing {functions[0].region}",
                severity="warning",
            )
        history = self.settings.log_history
        if since is not None:
            back = (self.settings.clock() - since).total_seconds() + 300
            history = int(min(max(back, history), max(HISTORY.values())))
        if len(functions) > 10:
            self.notify(
                "Live Tail follows at most 10 log groups: showing the first 10", severity="warning"
            )
        self.push_screen(LogsScreen(functions, request_id=request_id, history_s=history))

    def open_insights(
        self,
        functions: list[Function],
        *,
        since: datetime | None = None,
        query: str | None = None,
        run: bool = False,
    ) -> None:
        """Logs Insights over the functions' log groups (one region, at most 50 groups)."""
        from .aws.insights import MAX_GROUPS
        from .screens.insights import DEFAULT_RANGE, InsightsScreen

        if not functions:
            self.notify("Choose a function first: Logs Insights reads its log group")
            return
        if len(functions) > MAX_GROUPS:
            self.notify(
                f"Logs Insights reads at most {MAX_GROUPS} log groups at once; "
                f"{len(functions)} functions are marked: mark {MAX_GROUPS} or fewer",
                severity="warning",
            )
            return
        regions = {f.region for f in functions}
        if len(regions) > 1:
            functions = [f for f in functions if f.region == functions[0].region]
            self.notify(
                f"A Logs Insights query reads one region: querying {functions[0].region}",
                severity="warning",
            )
        range_s = DEFAULT_RANGE
        if since is not None:
            # Whole minutes: the link was read a moment before the pane opens.
            back = (self.settings.clock() - since).total_seconds()
            range_s = max(60, round(back / 60) * 60)
        self.push_screen(InsightsScreen(functions, query=query, range_s=range_s, run=run))

    def action_insights(self) -> None:
        """The palette's Logs Insights: over what the screen shows (its key, where it has one)."""
        opener = getattr(self.screen, "action_insights", None)
        if callable(opener):
            opener()
        else:
            self.notify("Open Logs Insights from the list, a function or its logs (key I)")

    def open_dlq(self, function: Function, *, target_arn: str | None = None) -> None:
        from .screens.dlq import DlqScreen

        self.push_screen(DlqScreen(function, target_arn=target_arn))

    def action_dlq_overview(self) -> None:
        from .screens.dlqs import DlqOverviewScreen

        self.push_screen(DlqOverviewScreen())

    def action_findings(self) -> None:
        from .screens.findings import FindingsScreen

        if not isinstance(self.screen, FindingsScreen):
            self.push_screen(FindingsScreen())

    def action_roles(self) -> None:
        from .screens.roles import RolesScreen

        if not isinstance(self.screen, RolesScreen):
            self.push_screen(RolesScreen())

    def open_invoke(
        self, function: Function, *, event: str | None = None, source: str | None = None
    ) -> None:
        """The invoke pane; ``event`` (from ``source``, e.g. a DLQ message) fills the editor."""
        from .screens.invoke import InvokeScreen

        self.push_screen(InvokeScreen(function, event=event, source=source))

    def open_metrics(self, function: Function) -> None:
        from .screens.metrics import MetricsScreen

        self.push_screen(MetricsScreen(function))

    def goto_function(self, key: str) -> None:
        """The palette's "go to function" (an ARN, or a name): its detail, over the list."""
        from .screens.functions import FunctionsScreen

        fn = self.fleet.function(key) or self.fleet.named(key)
        if fn is None:
            return
        while len(self.screen_stack) > 2 and not isinstance(self.screen, FunctionsScreen):
            self.pop_screen()
        screen = self.screen
        if isinstance(screen, FunctionsScreen):
            screen.select_function(fn.arn)
        self.open_function(fn)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, type]]:
        from .screens.detail import DetailScreen
        from .screens.dlq import DlqScreen
        from .screens.dlqs import DlqOverviewScreen
        from .screens.findings import FindingsScreen
        from .screens.functions import FunctionsScreen
        from .screens.insights import InsightsScreen
        from .screens.journal import JournalScreen
        from .screens.logs import LogsScreen
        from .screens.metrics import MetricsScreen
        from .screens.roles import RolesScreen
        from .widgets.logview import LogView
        from .widgets.scroll import KeyScroll
        from .widgets.table import VirtualTable

        return [
            ("Everywhere", type(self)),
            ("Function list", FunctionsScreen),
            ("Tables", VirtualTable),
            ("Function detail", DetailScreen),
            ("Logs", LogsScreen),
            ("Log lines", LogView),
            ("Metrics", MetricsScreen),
            ("Scrolling panes (detail, metrics, a message, help)", KeyScroll),
            ("Logs Insights", InsightsScreen),
            ("Dead-letter queues", DlqScreen),
            ("All dead-letter queues", DlqOverviewScreen),
            ("Findings", FindingsScreen),
            ("Execution roles", RolesScreen),
            ("Action journal", JournalScreen),
        ]

    def palette_actions(
        self, screen: Screen[object] | None = None
    ) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """Actions offered in the palette: `screen`'s bindings (the one the palette was
        opened over), then the app's."""
        screen = screen or self.screen
        for binding in self._palette_bindings(screen):
            where = type(screen).__name__.removesuffix("Screen")
            yield (
                binding.description,
                f"{where} · key {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, screen),
            )
        yield ("Help: all keys", "key ?", self.action_help)
        yield ("Profile and region", "switch profile or regions · key p", self.action_where)
        yield (
            "Incident snapshot",
            "write a Markdown report of the current function · key !",
            self.action_snapshot,
        )
        yield (
            "Dead-letter queues of the account",
            "overview, deepest first",
            self.action_dlq_overview,
        )
        if not any(b.action == "insights" for b in self._palette_bindings(screen)):
            # Screens with a function to query offer it above, with their key.
            yield (
                "Logs Insights",
                "query the logs of the function(s) shown, built-in and saved queries · key I",
                self.action_insights,
            )
        yield ("Findings: posture of every function", "key f in the list", self.action_findings)
        yield ("Execution roles: functions by role", "key e in the list", self.action_roles)
        yield (
            "Action journal",
            "what the console changed, newest first; undo · key J",
            self.action_journal,
        )

    @staticmethod
    def _palette_bindings(screen: object) -> list[Binding]:
        from .screens.help import _bindings

        return [b for b in _bindings(type(screen)) if b.description and b.action != "back"]


def known_binding_ids() -> set[str]:
    """Every binding id of the app's screens and widgets (what [keys] may remap)."""
    import importlib
    import pkgutil

    from textual.dom import DOMNode

    from . import screens, widgets

    for package in (screens, widgets):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    ids: set[str] = set()
    todo: list[type] = [DOMNode]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("lambdatui."):
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def make_app(settings: Settings, *, system_clipboard: bool = True) -> LambdaTui:
    """The one factory the CLI and the tests share."""
    return LambdaTui(settings, system_clipboard=system_clipboard)
