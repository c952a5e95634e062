"""What the console knows of the account, in one UI-free place.

The app owns one Fleet per connection (profile, regions). It holds the functions
of every region listed, their health over the list's window, alarm states, the
cost estimate, the findings scan and the account's identity. The app runs the
coroutines below as its workers (with its pacing and backoff); screens read the
fleet and are told of changes through `listen` (the app turns each change into a
message). Nothing here imports Textual.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from .aws.acting import get_reserved
from .aws.alarms import worst as worst_state
from .aws.cost import Cost, Prices, estimate
from .aws.errors import AccessDenied, AwsError
from .aws.findings import Finding, Posture, check
from .aws.functions import find_function, function_pages_in, function_state, function_tags
from .aws.metrics import HEALTH_LABELS, WINDOWS, Health, iter_health
from .aws.models import Function
from .aws.paging import prefetch
from .aws.ratelimit import Priority, priority
from .aws.session import AwsSession

# Seconds between the tells of a longer read's progress (see Fleet.tell_progress):
# ListFunctions pages (a large account costs a few redraws rather than one per page),
# then health batches and the findings scan, whose tells cost a recount of every row.
NOTIFY_EVERY = 0.1
PROGRESS_EVERY = 0.5
# GetFunction calls in flight at once while filling the State column.
STATE_BATCH = 10


class Change(StrEnum):
    """What changed in the fleet (what a screen may need to redraw)."""

    FUNCTIONS = "functions"  # rows added, replaced or gone; loading state
    HEALTH = "health"  # health figures, hence cost
    POSTURE = "posture"  # alarms, the findings scan, log observations
    IDENTITY = "identity"  # the account


Listener = Callable[[Change], None]


class Backoff:
    """Seconds to wait before trying `key` again: doubling per failure, capped."""

    def __init__(self, base: float, cap: float = 60.0) -> None:
        self.base = base
        self.cap = cap
        self._tries: dict[str, int] = {}

    def next(self, key: str) -> float:
        tries = self._tries.get(key, 0)
        self._tries[key] = tries + 1
        return float(min(self.base * 2**tries, self.cap))

    def reset(self, key: str | None = None) -> None:
        if key is None:
            self._tries.clear()
        else:
            self._tries.pop(key, None)


class Fleet:
    """The account as the console knows it. Mutated only on the app's event loop."""

    def __init__(
        self,
        session: AwsSession,
        regions: Sequence[str],
        *,
        clock: Callable[[], datetime],
        prices: Prices,
        window: str = "15m",
    ) -> None:
        self.session = session
        self.regions = tuple(regions) or (session.region,)
        self.clock = clock
        self.prices = prices
        self.functions: list[Function] = []
        self._by_arn: dict[str, Function] = {}
        self.loading = False
        self.loaded = False
        self.load_error: str | None = None
        # What the first call still waits for ("Starting the demo account…"), if anything.
        self.waiting_for: str | None = None
        # Rows drawn from the list cache until fresh pages replace them: when they were
        # listed, and in which account (rows of another account go once STS answers).
        self.cached_at: datetime | None = None
        self.cached_account: str | None = None
        self._fresh: set[str] = set()
        self.tags_error: str | None = None
        self.window = window
        self.health: dict[tuple[str, str], Health] = {}
        self.health_error: str | None = None
        self.health_at: datetime | None = None
        self.posture = Posture(session)
        self.account: str | None = None
        self.identity_error: str | None = None
        self._identity_task: asyncio.Task[str] | None = None
        self._findings: dict[str, list[Finding]] = {}
        # Every listed function's findings, kept until one of them changes (the list's
        # count line reads them at each keystroke).
        self._all_findings: tuple[Finding, ...] | None = None
        self._state_asked: set[str] = set()
        self.states_denied: str | None = None
        self._state_slots = asyncio.Semaphore(STATE_BATCH)
        self._listeners: list[Listener] = []
        self._told: dict[Change, float] = {}
        self.closed = False
        # Reserved concurrency by ARN where the console read it (ListFunctions does not
        # say it): None is unreserved; a function not in here is not known.
        self.reserved: dict[str, int | None] = {}

    # ----- telling -------------------------------------------------------------------

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(change)` after each change; returns a function that stops it."""
        self._listeners.append(listener)

        def stop() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return stop

    def tell(self, change: Change) -> None:
        if change is Change.POSTURE:
            # New facts: every function's findings are checked again when next read
            # (health changes forget only the functions they change: _set_health).
            self._forget_findings()
        for listener in list(self._listeners):
            listener(change)

    def tell_progress(self, change: Change, every: float = PROGRESS_EVERY) -> None:
        """`tell` for a step of a longer read (a page, a health batch, one function
        scanned): at most every `every` seconds, since each tell has every screen
        recount its rows (thousands, on a large account). The read's end tells anyway."""
        now = time.monotonic()
        if now - self._told.get(change, -every) >= every:
            self._told[change] = now
            self.tell(change)

    def close(self) -> None:
        """This fleet's connection was left behind: nothing it learns is told any more."""
        self.closed = True
        self._listeners.clear()

    # ----- functions -----------------------------------------------------------------

    def function(self, arn: str) -> Function | None:
        return self._by_arn.get(arn)

    def named(self, name: str, region: str | None = None) -> Function | None:
        for fn in self.functions:
            if fn.name == name and (region is None or fn.region == region):
                return fn
        return None

    def _set_functions(self, functions: list[Function]) -> None:
        self.functions = functions
        self._by_arn = {f.arn: f for f in functions}
        self._all_findings = None

    def _merge(self, page: Iterable[Function]) -> None:
        """Fresh rows replace rows of the same ARN in place; new ones are added. What
        ListFunctions does not return (State, tags) is kept from the row replaced."""
        functions = list(self.functions)
        positions = {f.arn: i for i, f in enumerate(functions)}
        for fn in page:
            i = positions.get(fn.arn)
            if i is None:
                positions[fn.arn] = len(functions)
                functions.append(fn)
                continue
            old = functions[i]
            functions[i] = replace(
                fn,
                state=fn.state or old.state,
                last_update_status=fn.last_update_status or old.last_update_status,
                tags=fn.tags or old.tags,
            )
        self._set_functions(functions)

    def show_cached(self, account: str, saved_at: datetime, functions: list[Function]) -> None:
        """Rows from the list cache, drawn before the first page (marked as cached)."""
        if self.loaded or self.closed or (self.account and account != self.account):
            return
        known = {f.arn for f in self.functions}
        self._set_functions(self.functions + [f for f in functions if f.arn not in known])
        self.cached_at = saved_at if self.cached_at is None else min(self.cached_at, saved_at)
        self.cached_account = account
        self.tell(Change.FUNCTIONS)

    def _drop_cached(self) -> None:
        """Only rows listed fresh stay (the cache was of another account)."""
        self._set_functions([f for f in self.functions if f.arn in self._fresh])
        self.cached_at = None
        self.cached_account = None
        self.tell(Change.FUNCTIONS)

    async def load(self, first_page: Callable[[], None] | None = None) -> None:
        """Page every region's functions into `functions`.

        Rows are merged as pages arrive; when paging ends, rows that were not listed
        again are gone. Raises AwsError (after recording `load_error`); rows read so
        far stay.
        """
        self.loading = True
        self.load_error = None
        self.tell(Change.FUNCTIONS)
        seen: set[str] = set()
        self._fresh = seen
        first = True
        try:
            # The list's pages before everything else of the account (tasks made to
            # fetch them inherit the priority).
            with priority(Priority.LISTING):
                pages = prefetch(function_pages_in(self.session, self.regions))
                async for page in pages:
                    seen.update(f.arn for f in page)
                    self._merge(page)
                    if first:
                        first = False
                        self._told[Change.FUNCTIONS] = time.monotonic()
                        self.tell(Change.FUNCTIONS)
                        if first_page is not None:
                            first_page()
                    else:
                        self.tell_progress(Change.FUNCTIONS, every=NOTIFY_EVERY)
        except AwsError as exc:
            self.loading = False
            self.load_error = exc.sentence
            self.tell(Change.FUNCTIONS)
            raise
        self._set_functions([f for f in self.functions if f.arn in seen])
        self._state_asked &= seen
        self.loading = False
        self.loaded = True
        self.cached_at = None
        self.cached_account = None
        self.tell(Change.FUNCTIONS)
        if first and first_page is not None:
            first_page()

    async def load_tags(self) -> None:
        """Tags of every function (filtering by tag); a failure is kept in `tags_error`."""
        try:
            found = await asyncio.gather(
                *(function_tags(self.session.in_region(r)) for r in self.regions)
            )
        except AwsError as exc:
            self.tags_error = exc.sentence
            self.tell(Change.FUNCTIONS)
            return
        self.tags_error = None
        tags = {arn: pairs for part in found for arn, pairs in part.items()}
        if tags:
            self._set_functions(
                [replace(f, tags=tags[f.arn]) if f.arn in tags else f for f in self.functions]
            )
            self.tell(Change.FUNCTIONS)

    def wanting_state(self, functions: Iterable[Function]) -> list[Function]:
        """Of `functions`, those whose State is unknown and not yet asked for."""
        if self.states_denied:
            return []
        wanted = [f for f in functions if not f.state and f.arn not in self._state_asked]
        self._state_asked.update(f.arn for f in wanted)
        return wanted

    async def fill_states(self, functions: Sequence[Function]) -> None:
        """State and LastUpdateStatus (GetFunction: ListFunctions omits them)."""
        results = await asyncio.gather(
            *(self._state_of(f) for f in functions), return_exceptions=True
        )
        updates: dict[Hashable, tuple[str, str]] = {}
        for fn, result in zip(functions, results, strict=True):
            if isinstance(result, tuple):
                updates[fn.arn] = result
            elif isinstance(result, AccessDenied):
                self.states_denied = self.states_denied or result.sentence
            else:
                self._state_asked.discard(fn.arn)
        if updates:
            self._set_functions(
                [
                    replace(f, state=updates[f.arn][0], last_update_status=updates[f.arn][1])
                    if f.arn in updates
                    else f
                    for f in self.functions
                ]
            )
        self.tell(Change.FUNCTIONS)

    async def _state_of(self, fn: Function) -> tuple[str, str]:
        async with self._state_slots:
            return await function_state(self.session.in_region(fn.region), fn.name)

    def forget_states(self) -> None:
        self._state_asked.clear()
        self.states_denied = None

    def reservation(self, fn: Function) -> tuple[bool, int | None]:
        """(known, reserved concurrency) of a function; None reserved is unreserved."""
        return (fn.arn in self.reserved, self.reserved.get(fn.arn))

    async def reread(self, fn: Function) -> None:
        """One function read again after the console changed it: its row and its
        reserved concurrency. Raises AwsError."""
        session = self.session.in_region(fn.region)
        fresh, reserved = await asyncio.gather(
            find_function(session, fn.name), get_reserved(session, fn.name)
        )
        self.reserved[fn.arn] = reserved
        if fresh.arn in self._by_arn:
            self._merge([fresh])
        self.tell(Change.FUNCTIONS)

    # ----- identity ------------------------------------------------------------------

    async def identity(self) -> str:
        """The account id (STS), asked once however many wait for it. Raises AwsError."""
        if self.account is not None:
            return self.account
        task = self._identity_task
        if task is None or task.done():
            task = self._identity_task = asyncio.ensure_future(self._identity())
        return await asyncio.shield(task)

    async def _identity(self) -> str:
        try:
            found = await self.session.identity()
        except AwsError as exc:
            self.identity_error = exc.sentence
            self.tell(Change.IDENTITY)
            raise
        self.account = found.account
        self.identity_error = None
        self.tell(Change.IDENTITY)
        if self.cached_account is not None and self.cached_account != found.account:
            self._drop_cached()
        return found.account

    def forget_identity(self) -> None:
        if self.account is None:
            self.identity_error = None
            self._identity_task = None

    # ----- health and cost ---------------------------------------------------------

    def health_of(self, fn: Function) -> Health | None:
        return self.health.get((fn.region, fn.name))

    def set_window(self, window: str) -> None:
        if window not in WINDOWS:
            raise ValueError(f"unknown window {window!r}")
        if window != self.window:
            self.window = window
            self.health.clear()
            self._forget_findings()
            self.health_at = None
            self.tell(Change.HEALTH)

    async def refresh_health(
        self, first: Sequence[Function] = (), *, only_first: bool = False
    ) -> None:
        """Health of every function over the window, `first` ones (on screen) first;
        with `only_first`, of those alone (while the list is still being paged in).

        Replies for a window that was left meanwhile are dropped. Raises AwsError
        after recording `health_error`.
        """
        window = self.window
        order: dict[tuple[str, str], None] = {}
        for fn in (*first, *(() if only_first else self.functions)):
            order[fn.region, fn.name] = None
        by_region: dict[str, list[str]] = {}
        for region, name in order:
            by_region.setdefault(region, []).append(name)
        now = self.clock()
        try:
            for region, names in by_region.items():
                async for part in iter_health(
                    self.session.in_region(region), names, now, WINDOWS[window]
                ):
                    if self.window != window:
                        return
                    self._set_health(region, part)
                    self.tell_progress(Change.HEALTH)
        except AwsError as exc:
            self.health_error = exc.sentence
            self.tell(Change.HEALTH)
            raise
        self.health_error = None
        if not only_first:
            self.health_at = now
        self.tell(Change.HEALTH)

    async def refresh_health_of(self, fn: Function) -> None:
        """Health of one function now (a pane opened before the fleet's refresh)."""
        window = self.window
        session = self.session.in_region(fn.region)
        async for part in iter_health(session, [fn.name], self.clock(), WINDOWS[window]):
            if self.window == window:
                self._set_health(fn.region, part)
        self.tell(Change.HEALTH)

    def _set_health(self, region: str, part: dict[str, Health]) -> None:
        """New health figures; the findings of those functions (cost, noisy triggers)
        are checked again when next read, and only theirs."""
        self.health.update({(region, name): h for name, h in part.items()})
        self._forget_findings(
            fn.arn for fn in self.functions if fn.region == region and fn.name in part
        )

    def health_gaps(self) -> list[str]:
        """Health figures the endpoint would not give, each once with its reason."""
        gaps: dict[str, str] = {}
        for h in self.health.values():
            for key, series in h.series.items():
                if series.unavailable and key not in gaps:
                    gaps[key] = series.unavailable
        return [f"{HEALTH_LABELS.get(k, k)} unavailable: {why}" for k, why in gaps.items()]

    def has_health_data(self) -> bool:
        """Whether any function has a single data point in the window."""
        return any(s.has_data for h in self.health.values() for s in h.series.values())

    def cost_of(self, fn: Function) -> Cost | None:
        return estimate(
            self.health_of(fn), fn.memory_mb, fn.architecture, WINDOWS[self.window], self.prices
        )

    def total_cost(self) -> float | None:
        costs = [c for c in (self.cost_of(f) for f in self.functions) if c is not None]
        return sum(c.total for c in costs) if costs else None

    def noisy_count(self) -> int:
        return sum(1 for f in self.functions if (c := self.cost_of(f)) and c.noisy)

    # ----- alarms and findings -------------------------------------------------------

    def alarm_state(self, fn: Function) -> str | None:
        """Worst state of the function's alarms; None while loading, "unknown" if denied."""
        alarms = self.posture.alarms_of(fn)
        if alarms is None:
            return "unknown" if self.posture.alarm_error else None
        return worst_state(alarms)

    async def refresh_alarms(self) -> None:
        with priority(Priority.BACKGROUND):
            await self.posture.refresh_alarms(self.regions)
        self.tell(Change.POSTURE)

    def findings_of(self, fn: Function) -> list[Finding] | None:
        """The function's findings; None until the scan has its facts."""
        found = self._findings.get(fn.arn)
        if found is None:
            facts = self.posture.facts_of(fn)
            if facts is None:
                return None
            found = check(
                facts, self.clock(), self.posture.observations.get(fn.arn), self.cost_of(fn)
            )
            self._findings[fn.arn] = found
        return found

    def _forget_findings(self, arns: Iterable[str] | None = None) -> None:
        """These functions' findings (all, when None) are checked again when next read."""
        self._all_findings = None
        if arns is None:
            self._findings.clear()
        elif self._findings:
            for arn in arns:
                self._findings.pop(arn, None)

    def all_findings(self) -> tuple[Finding, ...]:
        if self._all_findings is None:
            self._all_findings = tuple(
                f for fn in self.functions for f in self.findings_of(fn) or ()
            )
        return self._all_findings

    @property
    def scanning(self) -> bool:
        return self.posture.scanning

    @property
    def scanned(self) -> bool:
        result = self.posture.result
        return result is not None and result.complete

    async def scan(self) -> None:
        """The findings scan of every function (joined if one is running)."""

        def progress(_: object) -> None:
            self.tell_progress(Change.POSTURE)

        with priority(Priority.BACKGROUND):  # (the list and what is on screen go first)
            await self.posture.scan(list(self.functions), self.clock(), progress)
        self.tell(Change.POSTURE)

    def observe(
        self,
        arn: str,
        duration_ms: float | None,
        max_memory_used_mb: int | None,
        memory_size_mb: int | None,
    ) -> None:
        """REPORT figures read from a log pane (timeout and memory findings)."""
        self.posture.observations.add(arn, duration_ms, max_memory_used_mb, memory_size_mb)
        self._forget_findings((arn,))
