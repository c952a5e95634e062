"""Stopping the bleeding: throttle, restore and set reserved concurrency, pause and
resume an event source, roll an alias back, and undo from the journal.

Each action runs as one app worker (a screen that closes does not cut it short):
read what is there now, ask (a confirmation naming account, region, target and
before -> after; a production function's name typed), change it, write the
journal, and tell the screens (the fleet reads the function again). `--read-only`
refuses before any call. A failure leaves its sentence and changes nothing more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.content import Content

from .. import format as fmt
from ..aws.acting import (
    aliases_of,
    concurrency_value,
    concurrency_word,
    event_source_mappings,
    get_reserved,
    newest_first,
    previous_version,
    reservation_problem,
    set_mapping_enabled,
    set_reserved,
    unreserved_pool,
    update_alias,
    versions_of,
    wait_for_mapping,
)
from ..aws.errors import AwsError
from ..aws.functions import find_function
from ..aws.models import Alias, EventSourceMapping, Function
from ..journal import Entry
from ..safetext import visible
from .base import Acted
from .confirm import Confirm
from .pickers import Choice, Picker
from .prompt import Prompt

if TYPE_CHECKING:
    from ..app import LambdaTui
    from ..aws.session import AwsSession

THROTTLE = "throttle"
RESTORE = "restore concurrency"
SET = "set reserved concurrency"
DISABLE = "disable event source"
ENABLE = "enable event source"
ROLLBACK = "roll back alias"
UNDO = "undo"

# The undo kinds an entry may carry, and what each needs.
UNDO_CONCURRENCY = "concurrency"  # function, value ("unreserved" or a number)
UNDO_MAPPING = "mapping"  # function, uuid, enabled
UNDO_ALIAS = "alias"  # function, alias, version, weights


class Stop(Exception):
    """The action ends here; `sentence` (if any) says why."""

    def __init__(self, sentence: str = "") -> None:
        super().__init__(sentence)
        self.sentence = sentence


def _weights_word(weights: tuple[tuple[str, float], ...] | dict[str, float]) -> str:
    pairs = weights.items() if isinstance(weights, dict) else weights
    shown = [f"{float(w):.0%} to {v}" for v, w in pairs if float(w) > 0]
    return ", ".join(shown) if shown else "none"


def _alias_word(version: str, weights: tuple[tuple[str, float], ...] | dict[str, float]) -> str:
    routing = _weights_word(weights)
    return f"version {version}" + ("" if routing == "none" else f" (+{routing})")


class Acting:
    """The actions, run for `tui`. Screens call the `start_*` methods."""

    def __init__(self, tui: LambdaTui) -> None:
        self.tui = tui

    # ----- running --------------------------------------------------------------------

    def _run(self, what: str, flow: Callable[[], Awaitable[None]]) -> bool:
        if self.tui.settings.read_only:
            self.tui.notify(
                f"Read-only: {what} is not possible (started with --read-only; nothing was sent)",
                severity="warning",
            )
            return False

        async def guarded() -> None:
            try:
                await flow()
            except Stop as stop:
                if stop.sentence:
                    self.tui.notify(stop.sentence, severity="warning", timeout=8)

        if any(w.group == "acting" and w.is_running for w in self.tui.workers):
            # Cancelling it could cut a change off between AWS and the journal.
            self.tui.notify(
                "Another action is still being asked or sent: finish it first",
                severity="warning",
            )
            return False
        self.tui.run_worker(guarded(), group="acting", exit_on_error=False)
        return True

    async def _ask(self, screen: Any) -> Any:
        return await self.tui.push_screen_wait(screen)

    def _session(self, fn: Function) -> AwsSession:
        return self.tui.aws.in_region(fn.region)

    async def _account(self) -> str:
        try:
            return await self.tui.fleet.identity()
        except AwsError:
            return "unknown"

    async def _read(self, what: str, make: Awaitable[Any]) -> Any:
        """A read the action depends on: when it fails, nothing is changed."""
        try:
            return await make
        except AwsError as exc:
            raise Stop(f"{what}: {exc.sentence}; nothing was changed") from exc

    async def _production(self, fns: list[Function]) -> list[Function]:
        """Those of `fns` matching the production patterns (tags read where unknown)."""
        settings = self.tui.settings
        found = []
        for fn in fns:
            tags = dict(fn.tags) or dict((self.tui.fleet.function(fn.arn) or fn).tags)
            if not tags:
                try:
                    tags = dict((await find_function(self._session(fn), fn.name)).tags)
                except AwsError:
                    tags = {}
            if settings.is_production(fn.name, tags):
                found.append(fn)
        return found

    async def _confirm(self, title: str, fns: list[Function], facts: list[tuple[str, str]]) -> None:
        """Account and region first, then `facts`; raises Stop unless confirmed."""
        account = await self._account()
        regions = ", ".join(dict.fromkeys(f.region for f in fns))
        rows = [("Account", account), ("Region", regions), *facts]
        production = await self._production(fns)
        typed = None
        if production:
            rows.append(
                ("Why", "production: matches " + ", ".join(self.tui.settings.prod_patterns))
            )
            typed = " ".join(f.name for f in production)
        if not await self._ask(Confirm(title, rows, typed=typed)):
            raise Stop()

    def _told(self, fn: Function, mapping: EventSourceMapping | None = None) -> None:
        for screen in self.tui.screen_stack:
            screen.post_message(Acted(fn.arn, mapping))

    async def _reread(self, fn: Function) -> None:
        """The fleet reads the function again, so the list shows what it now is."""
        try:
            await self.tui.fleet.reread(fn)
        except AwsError as exc:
            self.tui.notify(f"{fn.name} not read again: {exc.sentence}", severity="warning")
        self._told(fn)

    def _failed(self, what: str, exc: AwsError) -> None:
        self.tui.notify(f"{what} failed: {exc.sentence}", severity="error", timeout=10)

    def _refused(
        self, action: str, fn: Function, target: str, change: tuple[str, str], exc: AwsError
    ) -> None:
        """AWS refused the change: journal it with AWS's sentence, and say so."""
        before, after = change
        self.tui.record(
            action, target, before, after, region=fn.region, function=fn.name, error=exc.sentence
        )
        self._failed(f"{action.capitalize()} of {target}", exc)

    # ----- reserved concurrency -------------------------------------------------------

    def start_throttle(self, fns: list[Function]) -> bool:
        return bool(fns) and self._run("throttling", lambda: self._throttle(fns))

    async def _throttle(self, fns: list[Function]) -> None:
        befores: dict[str, int | None] = {}
        for fn in fns:
            befores[fn.arn] = await self._read(
                f"Reserved concurrency of {fn.name} not read",
                get_reserved(self._session(fn), fn.name),
            )
        facts: list[tuple[str, str]] = [("Function", fn.name) for fn in fns]
        changes = [f"{fn.name}: reserved {concurrency_word(befores[fn.arn])} -> 0" for fn in fns]
        facts += [("Change", change) for change in changes]
        facts.append(("Effect", "nothing runs: every invocation is throttled"))
        title = f"Throttle {fns[0].name}?" if len(fns) == 1 else f"Throttle {len(fns)} functions?"
        await self._confirm(title, fns, facts)
        for fn in fns:
            await self._set(THROTTLE, fn, befores[fn.arn], 0)

    async def _set(
        self, action: str, fn: Function, before: int | None, after: int | None
    ) -> Entry | None:
        """Reserve `after` (None: unreserved), journal it, and read the function again."""
        word_before, word_after = concurrency_word(before), concurrency_word(after)
        try:
            await set_reserved(self._session(fn), fn.name, after)
        except AwsError as exc:
            self._refused(action, fn, fn.name, (word_before, word_after), exc)
            return None
        entry = self.tui.record(
            action,
            fn.name,
            word_before,
            word_after,
            region=fn.region,
            function=fn.name,
            undo={"kind": UNDO_CONCURRENCY, "function": fn.name, "value": word_before},
        )
        self.tui.notify(
            f"{fn.name}: reserved concurrency {word_before} -> {word_after}"
            + (" (throttled: nothing runs)" if after == 0 else ""),
            title=action.capitalize(),
            timeout=8,
        )
        await self._reread(fn)
        return entry

    def start_restore(self, fn: Function) -> bool:
        return self._run("restoring concurrency", lambda: self._restore(fn))

    def throttle_entry(self, fn: Function) -> Entry | None:
        """The newest throttle of `fn` in the journal that worked: what it replaced."""
        for entry in self.tui.journal.entries():
            if (
                entry.action == THROTTLE
                and entry.done
                and entry.function == fn.name
                and entry.region == fn.region
                and entry.profile == (self.tui.settings.profile or "default")
            ):
                return entry
        return None

    async def _restore(self, fn: Function) -> None:
        entry = self.throttle_entry(fn)
        if entry is None:
            raise Stop(
                f"The journal has no throttle of {fn.name}: nothing to restore "
                "(Set reserved concurrency sets any value)"
            )
        try:
            wanted = concurrency_value(entry.before)
        except ValueError:
            raise Stop(
                f"The journal's entry for {fn.name} cannot be read: {entry.before!r}"
            ) from None
        await self._put_back(
            RESTORE,
            fn,
            wanted,
            verb="restore",
            title=f"Restore the concurrency of {fn.name}?",
            source=("From", f"the throttle of {entry.time} (journal)"),
        )

    async def _put_back(
        self,
        action: str,
        fn: Function,
        wanted: int | None,
        *,
        verb: str,
        title: str,
        source: tuple[str, str],
    ) -> None:
        """Reserve `wanted` again (a restore or an undo), confirmed against what is there now."""
        now = await self._read(
            f"Reserved concurrency of {fn.name} not read", get_reserved(self._session(fn), fn.name)
        )
        if now == wanted:
            raise Stop(f"{fn.name} already has {concurrency_word(wanted)}: nothing to {verb}")
        await self._confirm(
            title,
            [fn],
            [
                ("Function", fn.name),
                ("Change", f"reserved {concurrency_word(now)} -> {concurrency_word(wanted)}"),
                source,
            ],
        )
        await self._set(action, fn, now, wanted)

    def start_set(self, fn: Function) -> bool:
        return self._run("setting reserved concurrency", lambda: self._set_reserved(fn))

    async def _set_reserved(self, fn: Function) -> None:
        session = self._session(fn)
        now = await self._read(
            f"Reserved concurrency of {fn.name} not read", get_reserved(session, fn.name)
        )
        answer = await self._ask(
            Prompt(
                f"Reserved concurrency for {fn.name} (now {concurrency_word(now)}; "
                "a number, or 'unreserved')"
            )
        )
        if answer is None:
            raise Stop()
        text = answer.strip().lower()
        wanted: int | None
        if text in ("unreserved", "none", "-"):
            wanted = None
        else:
            try:
                wanted = int(text.replace(",", "").replace("_", ""))
            except ValueError:
                raise Stop(
                    f"Not a number: {visible(answer, limit=40)!r}; nothing was changed"
                ) from None
            pool = await self._read("Account settings not read", unreserved_pool(session))
            problem = reservation_problem(wanted, now, pool)
            if problem:
                raise Stop(f"{problem}; nothing was changed")
        if wanted == now:
            raise Stop(f"{fn.name} already has {concurrency_word(now)}: nothing to change")
        await self._confirm(
            f"Set the reserved concurrency of {fn.name}?",
            [fn],
            [
                ("Function", fn.name),
                ("Change", f"reserved {concurrency_word(now)} -> {concurrency_word(wanted)}"),
            ],
        )
        await self._set(SET, fn, now, wanted)

    # ----- event sources --------------------------------------------------------------

    def start_mapping(self, fn: Function, enable: bool) -> bool:
        what = "enabling an event source" if enable else "disabling an event source"
        return self._run(what, lambda: self._mapping(fn, enable))

    async def _mapping(self, fn: Function, enable: bool) -> None:
        session = self._session(fn)
        mappings = await self._read(
            f"Event sources of {fn.name} not read", event_source_mappings(session, fn.name)
        )
        if not mappings:
            raise Stop(f"{fn.name} has no event source mapping")
        wanted = "Enabled" if enable else "Disabled"
        candidates = [m for m in mappings if m.state != wanted]
        if not candidates:
            raise Stop(f"Every event source of {fn.name} is already {wanted.lower()}")
        chosen = candidates[0]
        if len(candidates) > 1:
            verb = "Enable" if enable else "Disable"
            choices = [(m.uuid, _mapping_label(m)) for m in candidates]
            picked = await self._ask(
                Picker(f"{verb} which event source of {fn.name}?", choices, wide=True)
            )
            if picked is None:
                raise Stop()
            chosen = next(m for m in candidates if m.uuid == picked)
        await self._confirm(
            f"{'Enable' if enable else 'Disable'} an event source of {fn.name}?",
            [fn],
            [
                ("Function", fn.name),
                ("Mapping", chosen.uuid),
                ("Source", chosen.source_arn),
                ("Change", f"{chosen.state} -> {wanted}"),
                (
                    "Effect",
                    "Lambda resumes reading the source"
                    if enable
                    else "Lambda stops reading the source; its messages wait there",
                ),
            ],
        )
        await self._switch_mapping(ENABLE if enable else DISABLE, fn, chosen, enable)

    async def _switch_mapping(
        self, action: str, fn: Function, mapping: EventSourceMapping, enable: bool
    ) -> None:
        session = self._session(fn)
        after = "Enabled" if enable else "Disabled"
        before = mapping.state or ("Disabled" if enable else "Enabled")
        target = f"{fn.name} ← {mapping.source_arn.rsplit(':', 1)[-1]} ({mapping.uuid})"
        try:
            changed = await set_mapping_enabled(session, mapping.uuid, enable)
        except AwsError as exc:
            self._refused(action, fn, target, (before, after), exc)
            return
        self.tui.record(
            action,
            target,
            before,
            after,
            region=fn.region,
            function=fn.name,
            undo={
                "kind": UNDO_MAPPING,
                "function": fn.name,
                "uuid": mapping.uuid,
                "enabled": before in ("Enabled", "Enabling"),
            },
        )
        self._told(fn, changed)
        self.tui.notify(
            f"{fn.name}: event source {mapping.source_arn.rsplit(':', 1)[-1]} {changed.state}",
            title=action.capitalize(),
            timeout=6,
        )

        self.tui.run_worker(
            self._follow(fn, mapping),
            group=f"acting-follow-{mapping.uuid}",
            exclusive=True,
            exit_on_error=False,
        )

    async def _follow(self, fn: Function, mapping: EventSourceMapping) -> None:
        """Read the mapping until AWS reports it at rest, telling the screens each state."""

        async def seen(state: EventSourceMapping) -> None:
            self._told(fn, state)

        try:
            final = await wait_for_mapping(self._session(fn), mapping.uuid, seen)
        except AwsError as exc:
            self.tui.notify(f"State of {mapping.uuid} not read: {exc.sentence}", severity="warning")
            return
        self.tui.notify(
            f"{fn.name}: event source {mapping.source_arn.rsplit(':', 1)[-1]} {final.state}",
            timeout=6,
        )

    # ----- aliases --------------------------------------------------------------------

    def start_rollback(self, fn: Function) -> bool:
        return self._run("rolling back an alias", lambda: self._rollback(fn))

    async def _rollback(self, fn: Function) -> None:
        session = self._session(fn)
        aliases: tuple[Alias, ...] = await self._read(
            f"Aliases of {fn.name} not read", aliases_of(session, fn.name)
        )
        if not aliases:
            raise Stop(f"{fn.name} has no alias to roll back")
        alias = aliases[0]
        if len(aliases) > 1:
            choices = [
                (a.name, f"{a.name}  → {_alias_word(a.version, a.weights)}") for a in aliases
            ]
            picked = await self._ask(Picker(f"Roll back which alias of {fn.name}?", choices))
            if picked is None:
                raise Stop()
            alias = next(a for a in aliases if a.name == picked)
        versions = newest_first(
            await self._read(f"Versions of {fn.name} not read", versions_of(session, fn.name))
        )
        if len(versions) < 2 and not (versions and versions[0].version != alias.version):
            raise Stop(f"{fn.name} has no other published version to roll back to")
        now = self.tui.settings.clock()
        listed: list[Choice] = [
            (
                v.version,
                Content.assemble(
                    (f"{v.version:>4}  ", "bold"),
                    (
                        f"{v.last_modified:%Y-%m-%d %H:%M} ({fmt.ago(v.last_modified, now)})  "
                        if v.last_modified
                        else "-  ",
                        "$text-muted",
                    ),
                    visible(v.description or "-", limit=40),
                    (f"  {v.code_sha256[:12]}" if v.code_sha256 else "", "$text-muted"),
                    ("  (current)" if v.version == alias.version else "", "bold"),
                ),
            )
            for v in versions
        ]
        version = await self._ask(
            Picker(
                f"Point {fn.name}:{alias.name} (now {alias.version}) at which version?",
                listed,
                alias.version,
                cursor=previous_version(versions, alias.version),
                wide=True,
            )
        )
        if version is None:
            raise Stop()
        weights: dict[str, float] | None = None
        if any(w > 0 for _, w in alias.weights):
            keep = await self._ask(
                Picker(
                    f"{alias.name} also routes {_weights_word(alias.weights)}",
                    [
                        ("clear", "set the additional weights back to 0"),
                        ("keep", "keep the additional weights"),
                    ],
                    wide=True,
                )
            )
            if keep is None:
                raise Stop()
            if keep == "clear":
                weights = {}
        kept = dict(alias.weights) if weights is None else weights
        if version in kept:
            # An alias cannot route extra weight to its own version.
            kept = {v: w for v, w in kept.items() if v != version}
            weights = kept
        if version == alias.version and weights is None:
            raise Stop(f"{alias.name} already points at version {version}: nothing to change")
        before = _alias_word(alias.version, alias.weights)
        after = _alias_word(version, kept)
        await self._confirm(
            f"Roll back {fn.name}:{alias.name}?",
            [fn],
            [
                ("Function", fn.name),
                ("Alias", alias.name),
                ("Change", f"{before} -> {after}"),
            ],
        )
        await self._point_alias(ROLLBACK, fn, alias, version, weights)

    async def _point_alias(
        self,
        action: str,
        fn: Function,
        alias: Alias,
        version: str,
        weights: dict[str, float] | None,
    ) -> None:
        before = _alias_word(alias.version, alias.weights)
        after = _alias_word(version, dict(alias.weights) if weights is None else weights)
        target = f"{fn.name}:{alias.name}"
        try:
            moved = await update_alias(self._session(fn), fn.name, alias, version, weights)
        except AwsError as exc:
            self._refused(action, fn, target, (before, after), exc)
            return
        self.tui.record(
            action,
            target,
            before,
            _alias_word(moved.version, moved.weights),
            region=fn.region,
            function=fn.name,
            undo={
                "kind": UNDO_ALIAS,
                "function": fn.name,
                "alias": alias.name,
                "version": alias.version,
                "weights": dict(alias.weights),
            },
        )
        self.tui.notify(
            f"{target} now points at {_alias_word(moved.version, moved.weights)}",
            title=action.capitalize(),
            timeout=8,
        )
        self._told(fn)

    # ----- undo -----------------------------------------------------------------------

    def start_undo(self, entry: Entry) -> bool:
        return self._run("undoing", lambda: self._undo(entry))

    def _function_of(self, entry: Entry) -> Function:
        fn = self.tui.fleet.named(entry.function, entry.region)
        if fn is None:
            raise Stop(f"{entry.function} is not in the list of {entry.region}: nothing was sent")
        return fn

    async def _undo(self, entry: Entry) -> None:
        undo = entry.undo or {}
        kind = undo.get("kind")
        if not entry.done or kind not in (UNDO_CONCURRENCY, UNDO_MAPPING, UNDO_ALIAS):
            raise Stop("This entry has nothing to undo")
        account = await self._account()
        profile = self.tui.settings.profile or "default"
        if entry.account != account or entry.profile != profile:
            raise Stop(
                f"This entry was made as profile {entry.profile} in account {entry.account}: "
                f"switch to it (p) to undo it; nothing was sent"
            )
        fn = self._function_of(entry)
        session = self._session(fn)
        action = f"{UNDO} {entry.action}"
        if kind == UNDO_CONCURRENCY:
            try:
                wanted = concurrency_value(str(undo.get("value")))
            except ValueError:
                raise Stop("The entry's prior concurrency cannot be read") from None
            await self._put_back(
                action,
                fn,
                wanted,
                verb="undo",
                title=f"Undo: {entry.action} of {fn.name}?",
                source=("Undoes", f"{entry.action} at {entry.time}"),
            )
        elif kind == UNDO_MAPPING:
            uuid = str(undo.get("uuid"))
            enable = bool(undo.get("enabled"))
            mappings = await self._read(
                f"Event sources of {fn.name} not read", event_source_mappings(session, fn.name)
            )
            mapping = next((m for m in mappings if m.uuid == uuid), None)
            if mapping is None:
                raise Stop(f"The event source mapping {uuid} is gone: nothing to undo")
            state = "Enabled" if enable else "Disabled"
            if mapping.state == state:
                raise Stop(f"The event source is already {state.lower()}: nothing to undo")
            await self._confirm(
                f"Undo: {entry.action} of {fn.name}?",
                [fn],
                [
                    ("Function", fn.name),
                    ("Mapping", uuid),
                    ("Source", mapping.source_arn),
                    ("Change", f"{mapping.state} -> {state}"),
                    ("Undoes", f"{entry.action} at {entry.time}"),
                ],
            )
            await self._switch_mapping(action, fn, mapping, enable)
        else:
            name = str(undo.get("alias"))
            version = str(undo.get("version"))
            raw = undo.get("weights") or {}
            weights = {str(v): float(w) for v, w in raw.items()} if isinstance(raw, dict) else {}
            aliases = await self._read(
                f"Aliases of {fn.name} not read", aliases_of(session, fn.name)
            )
            alias = next((a for a in aliases if a.name == name), None)
            if alias is None:
                raise Stop(f"The alias {fn.name}:{name} is gone: nothing to undo")
            if alias.version == version and dict(alias.weights) == weights:
                raise Stop(f"{fn.name}:{name} already points at {_alias_word(version, weights)}")
            await self._confirm(
                f"Undo: {entry.action} of {fn.name}:{name}?",
                [fn],
                [
                    ("Function", fn.name),
                    ("Alias", name),
                    (
                        "Change",
                        f"{_alias_word(alias.version, alias.weights)} -> "
                        f"{_alias_word(version, weights)}",
                    ),
                    ("Undoes", f"{entry.action} at {entry.time}"),
                ],
            )
            await self._point_alias(action, fn, alias, version, weights)


def _mapping_label(m: EventSourceMapping) -> str:
    batch = f"batch {m.batch_size}" if m.batch_size is not None else ""
    return f"{m.state:<10} {m.source_arn.rsplit(':', 1)[-1]}  {batch}  {m.uuid[:8]}"


def has_undo(entry: Entry) -> bool:
    return entry.done and (entry.undo or {}).get("kind") in (
        UNDO_CONCURRENCY,
        UNDO_MAPPING,
        UNDO_ALIAS,
    )
