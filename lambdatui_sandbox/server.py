"""The sandbox: moto's server on a loopback port, seeded with a demo account."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import (
    BaseWSGIServer,
    get_sockaddr,
    make_server,
    select_address_family,
)

from . import metricdata, patches
from .acting import ActingExtensions
from .deadletters import DeadLetterDelivery
from .extensions import LambdaExtensions
from .faults import Fault, Faults
from .insights import Insights
from .invoke import DEFAULT_TIME_SCALE, Invoker
from .livetail import LiveTail
from .logevents import LogEvents
from .middleware import ExtensionSet, Handler, SandboxMiddleware
from .movetasks import MessageMoveTasks
from .operations import Operation
from .schemas import Schemas
from .simulation import demo_simulator
from .stories import VOCABULARY, demo_profiles
from .storyline import EventMemory, StoryTeller
from .testevents import seed_test_events
from .traffic import TrafficSimulator
from .world import WORLDS, SeededWorld, seed_world

_active_lock = threading.Lock()
_active: Sandbox | None = None


class Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, finding each host's backend once.

    moto looks it up on every request by listing its package directory and trying
    its services' URL patterns in turn, which cost more CPU than many answers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backends: dict[str, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host is None:
            return None
        # Called with moto's lock held.
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


class QuietRequestHandler(MotoRequestHandler):
    """Moto's request handler without request or error logging."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        pass

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class Sandbox:
    """An in-process AWS for the demo and the tests.

    moto keeps its state per process, so one sandbox runs at a time in a process;
    starting one resets that state. With ``simulate=True`` the demo world comes alive:
    ``traffic`` backfills the last hours of invocations, logs and metrics on its own
    thread (``traffic.wait_ready()``), then keeps generating them in real time, following
    what operators change (reserved concurrency, aliases, event source mappings).
    StartLiveTail streams in every sandbox. ``time_scale`` multiplies the waits of
    asynchronous invokes (1 = AWS's real waits; the default turns minutes into seconds).
    """

    region: str = "us-east-1"
    account_id: str = DEFAULT_ACCOUNT_ID

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        world: str = "demo",
        extra_functions: int = 0,
        now: datetime | None = None,
        simulate: bool | str = False,
        time_scale: float = DEFAULT_TIME_SCALE,
        listener: socket.socket | None = None,
        traffic_after_list: bool = False,
    ) -> None:
        """`listener`: a listening socket to serve on (its port known before start()).
        `traffic_after_list`: the simulator's backfill (seconds of CPU) waits until a
        client has listed the functions, so it does not slow the console's start."""
        if world not in WORLDS:
            raise ValueError(f"Unknown world {world!r}; choose one of {', '.join(WORLDS)}.")
        if simulate not in (False, True, "history"):
            raise ValueError("simulate is True, False or 'history' (the backfill only).")
        if extra_functions < 0:
            raise ValueError("extra_functions cannot be negative.")
        self.host = host
        self.port = port
        self.world = world
        self.extra_functions = extra_functions
        self._now = now
        self.simulate = simulate
        self.calls: Counter[str] = Counter()
        self.extensions = LambdaExtensions()
        self.acting = ActingExtensions(self.extensions)
        self.live_tail = LiveTail()
        self.log_events = LogEvents()
        self.move_tasks = MessageMoveTasks()
        self.invoker = Invoker(self.extensions, time_scale=time_scale)
        self.time_scale = time_scale
        self.failed_events = EventMemory()
        self.schemas = Schemas()
        self.insights = Insights()
        self.dead_letters: DeadLetterDelivery | None = None
        self.traffic: TrafficSimulator | None = None
        self.seeded: SeededWorld | None = None
        self._middleware: SandboxMiddleware | None = None
        self.faults = Faults()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._listener = listener
        self._traffic_after_list = traffic_after_list
        self._stopping = threading.Event()
        self._started = time.monotonic()

    @property
    def now(self) -> datetime:
        """The world clock the demo's timestamps derive from."""
        if self._now is None:
            self._now = datetime.now(UTC)
        elif self._now.tzinfo is None:
            self._now = self._now.replace(tzinfo=UTC)
        return self._now

    def world_now(self) -> datetime:
        """The world clock: the traffic simulator's, else ``now`` plus the time since start."""
        if self.traffic is not None:
            return datetime.fromtimestamp(self.traffic.now_ms / 1000, UTC)
        return self.now + timedelta(seconds=time.monotonic() - self._started)

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("The sandbox is not running; call start() first.")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.port}"

    @property
    def errors(self) -> list[str]:
        """The last lines moto (and the traffic simulator) reported; neither prints them."""
        lines = list(self._middleware.errors.lines) if self._middleware else []
        if self.traffic is not None:
            lines.extend(self.traffic.errors)
        return lines

    @property
    def live_tail_max_seconds(self) -> float:
        """How long a Live Tail session lasts before SessionTimeoutException (AWS: 3 h)."""
        return self.live_tail.max_seconds

    @live_tail_max_seconds.setter
    def live_tail_max_seconds(self, seconds: float) -> None:
        self.live_tail.max_seconds = seconds

    def drop_live_tails(self) -> int:
        """Break every open Live Tail stream abruptly; returns how many there were."""
        return self.live_tail.drop_all()

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def start(self) -> Sandbox:
        global _active
        with _active_lock:
            if self._server is not None:
                return self
            self._stopping.clear()
            listener, self._listener = self._listener or _listen(self.host, self.port), None
            if _active is not None:
                listener.close()
                raise RuntimeError("Another sandbox is already running in this process.")
            try:
                middleware = SandboxMiddleware(
                    Dispatcher(create_backend_app),
                    ExtensionSet(
                        self.extensions,
                        self.acting,
                        self.live_tail,
                        self.log_events,
                        self.move_tasks,
                        self.invoker,
                        self.schemas,
                        self.insights,
                        _OnReset(self._stop_traffic),
                    ),
                    self.calls,
                    self.region,
                )
                server = make_server(
                    self.host,
                    self.port,
                    middleware,
                    threaded=True,
                    request_handler=QuietRequestHandler,
                    fd=listener.fileno(),
                )
            finally:
                listener.close()
            setattr(server, "log", _discard)  # noqa: B010
            _prepare_moto()
            self.extensions.reset()
            try:
                self.seeded = seed_world(
                    self.world,
                    self.extensions,
                    account=self.account_id,
                    region=self.region,
                    now=self.now,
                    extra_functions=self.extra_functions,
                )
            except BaseException:
                server.server_close()
                raise
            self.live_tail.listen()
            self._started = time.monotonic()
            metricdata.set_clock(self.world_now)
            middleware.faults = self.faults
            self._middleware = middleware
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, name="lambdatui-sandbox", daemon=True
            )
            self._thread.start()
            _active = self
            self._started = time.monotonic()
            now_ms = int(self.now.timestamp() * 1000)
            self.dead_letters = DeadLetterDelivery(
                self.account_id, self.region, self.seeded, now_ms
            )
            self.invoker.on_failure = self.dead_letters.deliver
            if self.world == "demo":
                seed_test_events(self.schemas, self.account_id, self.region, self.now)
                self.invoker.stories = StoryTeller(
                    demo_profiles(now_ms),
                    VOCABULARY,
                    self.failed_events,
                    self._world_ms,
                    self.time_scale,
                )
            if self.simulate and self.world == "demo":
                self.traffic = demo_simulator(
                    self.account_id,
                    self.region,
                    self.extensions,
                    self.now,
                    generation=lambda: self.acting.generation,
                    remember=self.failed_events.remember,
                )
                self.traffic.live = self.simulate is True
                self.dead_letters.now_ms = self.traffic.model.settings.now_ms
                self.dead_letters.seed_source_dlqs()
                self.traffic.subscribe(self.dead_letters)
                # Metrics of the past exist once the backfill has made them: until then
                # GetMetricData waits (AWS would have them already).
                middleware.gates["cloudwatch:GetMetricData"] = self.traffic.ready
                if self._traffic_after_list:
                    threading.Thread(
                        target=self._start_traffic_after_list,
                        name="lambdatui-traffic-wait",
                        daemon=True,
                    ).start()
                else:
                    self.traffic.start()
        return self

    def _start_traffic_after_list(self, most: float = 15.0) -> None:
        deadline = time.monotonic() + most
        while not self.calls["lambda:ListFunctions"] and time.monotonic() < deadline:
            if self._stopping.wait(0.02):
                return
        with _active_lock:
            if self.traffic is not None and not self._stopping.is_set():
                self.traffic.start()

    def _world_ms(self) -> int:
        return int(self.world_now().timestamp() * 1000)

    def stop(self) -> None:
        global _active
        self._stopping.set()
        with _active_lock:
            self._stop_traffic()
            self.move_tasks.stop()
            self.invoker.stop()
            self.insights.stop()
            self.live_tail.close()
            server, thread = self._server, self._thread
            self._server = None
            self._thread = None
            if server is not None:
                server.shutdown()
                server.server_close()
            if thread is not None:
                thread.join(timeout=5)
            if _active is self:
                _active = None
                metricdata.set_clock(None)

    def _stop_traffic(self) -> None:
        if self.traffic is not None:
            self.traffic.stop()

    def deny(self, *actions: str) -> None:
        """Answer these actions ("logs:StartLiveTail") with AccessDenied until allowed."""
        self.faults.deny(*actions)

    def allow(self, *actions: str) -> None:
        """Stop every fault of these actions (of all actions when none are named)."""
        self.faults.clear(*actions)

    def fault(
        self,
        action: str,
        kind: str,
        *,
        times: int | None = None,
        fraction: float | None = None,
        delay: float = 5.0,
    ) -> Fault:
        """Make `action` ("lambda:ListFunctions", "logs:*", "*") fail as `kind`.

        Kinds: throttle, 500, 503, slow, drop, denied, expired, malformed (see
        sandbox.faults). For the next `times` calls, a `fraction` of calls, or
        every call until `allow()`; the returned rule counts its `hits`.
        """
        return self.faults.add(Fault(action, kind, times=times, fraction=fraction, delay=delay))

    @contextlib.contextmanager
    def held(self, action: str) -> Iterator[threading.Event]:
        """Calls of `action` ("lambda:ListFunctions") wait until the event yielded is
        set or the block ends (GATE_TIMEOUT at most): a test decides when the answer
        comes, instead of guessing a delay."""
        if self._middleware is None:
            raise RuntimeError("The sandbox is not running.")
        gates = self._middleware.gates
        gate, before = threading.Event(), gates.get(action)
        gates[action] = gate
        try:
            yield gate
        finally:
            gate.set()
            if before is None:
                gates.pop(action, None)
            else:
                gates[action] = before

    def reset_calls(self) -> None:
        if self._middleware is not None:
            self._middleware.reset_calls()
        else:
            self.calls.clear()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _OnReset:
    """An extension that only runs a callback when moto's state is reset."""

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback

    def handler_for(self, operation: Operation) -> Handler | None:
        return None

    def reset(self) -> None:
        self.callback()


def _discard(*args: Any) -> None:
    pass


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket; raises OSError (EADDRINUSE when the port is taken)."""
    family = select_address_family(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(get_sockaddr(host, port, family))
        listener.listen(128)
    except BaseException:
        listener.close()
        raise
    return listener


def _prepare_moto() -> None:
    from moto.core.config import default_user_config
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    default_user_config["lambda"] = {"use_docker": False}
    patches.install_all()
