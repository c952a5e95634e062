"""One aiobotocore session for the app; one client per (service, region), reused."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import CREDENTIAL_CODES, THROTTLE_CODES, AwsError, CredentialsError, translate
from .models import Identity

# (Re-exported: the rate limiter lived here.)
from .ratelimit import Priority as Priority
from .ratelimit import RateLimit as RateLimit
from .ratelimit import priority as priority

if TYPE_CHECKING:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import AioSession

# aiobotocore, botocore and aiohttp take about a second to import: not before the
# first frame. The first client imports them in a thread (see `_aiobotocore`).

# Each call's action and outcome at debug level (never parameters or bodies); the app
# decides where (if anywhere) the "lambdatui" logger writes.
log = logging.getLogger("lambdatui.aws")

# Services whose requests the console builds whole, unchecked by botocore on the way
# out: a GetMetricData call of 500 queries spent longer in botocore's validation than
# in its serialisation, on the event loop, while keys waited (the server still checks).
UNVALIDATED = frozenset({"cloudwatch"})

#: Seconds an Invoke may take to answer: Lambda's longest timeout plus a margin.
INVOKE_READ_TIMEOUT = 910
# Timeouts per call kind. Control-plane reads answer in well under a second: a short
# read timeout lets botocore retry a stuck connection soon. A Live Tail stream is
# read for hours (an update about every second), so its reads wait longer; a long
# poll (ReceiveMessage WaitTimeSeconds) waits its own time on top of the read timeout.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
STREAM_READ_TIMEOUT = 60.0
# Calls that wait on purpose, left out of the silent-endpoint watch.
_WAITING = {"Invoke", "InvokeAsync", "InvokeWithResponseStream", "ReceiveMessage"}


@dataclass(frozen=True, slots=True)
class Target:
    """Where the app points: what the header shows and what clients are made for."""

    profile: str | None
    region: str
    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None

    @property
    def is_aws(self) -> bool:
        return self.endpoint_url is None


# Lambda's control plane: most calls share 15 requests/s per account and region;
# GetFunction has 100/s and GetPolicy 15/s of their own; Invoke is the data plane
# (no such quota). CloudWatch Logs: about 5 FilterLogEvents/s.
CONTROL_PLANE_RATE = 15.0
GET_FUNCTION_RATE = 100.0
GET_POLICY_RATE = 15.0
# CloudWatch Logs: FilterLogEvents has about 5 requests/s per account and region,
# which every open log pane's backfills and polls share.
FILTER_LOG_EVENTS_RATE = 5.0
_UNLIMITED = {"Invoke", "InvokeAsync", "InvokeWithResponseStream"}
_PACED = {"lambda", "logs"}
# Attempts per call, the first included (botocore retries the rest with backoff).
MAX_ATTEMPTS = 5


class Health(StrEnum):
    """What the session last saw of AWS, for a status line."""

    OK = "ok"
    # The call failed for good (its caller says why): nothing is retrying any more.
    SETTLED = "settled"
    THROTTLED = "throttled, retrying"
    SERVER_ERROR = "server error, retrying"
    DISCONNECTED = "disconnected, retrying"
    CREDENTIALS = "credentials"


@dataclass(frozen=True, slots=True)
class Notice:
    """One observation: `action` (IAM spelling) met `health`; `sentence` for credentials."""

    health: Health
    action: str
    sentence: str = ""


Watcher = Callable[[Notice], None]


def _retry_health(response: Any, caught: BaseException | None) -> Health | None:
    """Why botocore is about to retry a call, from its response or exception."""
    from botocore import exceptions as bx

    if caught is not None:
        if isinstance(caught, bx.EndpointConnectionError | bx.ConnectionClosedError):
            return Health.DISCONNECTED
        if isinstance(caught, bx.HTTPClientError | bx.ConnectTimeoutError | bx.ReadTimeoutError):
            return Health.DISCONNECTED
        if isinstance(caught, OSError | asyncio.TimeoutError):
            return Health.DISCONNECTED
        return None
    if not response:
        return None
    http, parsed = response
    code = str((parsed or {}).get("Error", {}).get("Code", ""))
    status = getattr(http, "status_code", 0) or 0
    if code in THROTTLE_CODES or status == 429:
        return Health.THROTTLED
    if status >= 500:
        return Health.SERVER_ERROR
    return None


class _Shared:
    """What every region view of one session shares: clients, quotas, identity, watchers."""

    def __init__(self, profile: str | None, pacing: bool = True) -> None:
        self.profile = profile
        # Made with the first client (importing aiobotocore is not free).
        self.session: AioSession | None = None
        # Lambda's control-plane quotas kept on our side (off only for a local
        # endpoint that has none, e.g. the test suite's sandbox).
        self.pacing = pacing
        self.stack = contextlib.AsyncExitStack()
        self.clients: dict[tuple[str, str], Any] = {}
        self.locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.named_locks: dict[str, asyncio.Lock] = {}
        self.identity: Identity | None = None
        self.watchers: list[Watcher] = []
        self.generation = 0
        self.read_timeout = READ_TIMEOUT
        self.stream_read_timeout = STREAM_READ_TIMEOUT
        self.connect_timeout = CONNECT_TIMEOUT
        # Calls sent and not answered yet: the task making each, and since when (the
        # first attempt's send). See AwsSession.silent_for.
        self.unanswered: dict[asyncio.Task[Any], float] = {}
        self.last_answer = 0.0
        self.max_attempts = MAX_ATTEMPTS
        # What the core learnt of this endpoint (e.g. a statistic it refuses).
        self.memo: dict[str, object] = {}
        # Quotas per region (AWS counts them per account and region).
        self.limits: dict[str, dict[str, RateLimit]] = {}

    def limits_in(self, region: str) -> dict[str, RateLimit]:
        found = self.limits.get(region)
        if found is None:
            found = self.limits[region] = {
                "lambda": RateLimit(CONTROL_PLANE_RATE),
                "lambda:GetFunction": RateLimit(GET_FUNCTION_RATE),
                "lambda:GetPolicy": RateLimit(GET_POLICY_RATE),
                "logs:FilterLogEvents": RateLimit(FILTER_LOG_EVENTS_RATE),
            }
        return found


class AwsSession:
    """Owns the aiobotocore session and the clients made from it.

    Clients are created lazily on the running loop, once per (service,
    region), and closed together by `close()`. `in_region` gives a view of the
    same session whose calls go to another region: views share clients, quotas
    and `reset()`, so a view made before a reset uses the fresh clients after it.
    """

    def __init__(
        self, target: Target, *, pacing: bool = True, _shared: _Shared | None = None
    ) -> None:
        self.target = target
        self._shared = _shared or _Shared(target.profile, pacing)

    def in_region(self, region: str) -> AwsSession:
        """The same session and clients, with calls going to `region` (shares close())."""
        if region == self.target.region:
            return self
        return AwsSession(replace(self.target, region=region), _shared=self._shared)

    def lock(self, name: str) -> asyncio.Lock:
        """One lock per name across every view of the session (e.g. one peek per queue)."""
        return self._shared.named_locks.setdefault(name, asyncio.Lock())

    # Settings every view shares (tests and benchmarks tune them).
    @property
    def read_timeout(self) -> float:
        return self._shared.read_timeout

    @read_timeout.setter
    def read_timeout(self, value: float) -> None:
        self._shared.read_timeout = value

    @property
    def stream_read_timeout(self) -> float:
        return self._shared.stream_read_timeout

    @stream_read_timeout.setter
    def stream_read_timeout(self, value: float) -> None:
        self._shared.stream_read_timeout = value

    @property
    def connect_timeout(self) -> float:
        return self._shared.connect_timeout

    @connect_timeout.setter
    def connect_timeout(self, value: float) -> None:
        self._shared.connect_timeout = value

    @property
    def max_attempts(self) -> int:
        return self._shared.max_attempts

    @max_attempts.setter
    def max_attempts(self, value: int) -> None:
        self._shared.max_attempts = value

    @property
    def memo(self) -> dict[str, object]:
        """What the core learnt of the endpoint, shared by every view of the session."""
        return self._shared.memo

    @property
    def limits(self) -> dict[str, RateLimit]:
        """This region's quota buckets (shared by every view of the region)."""
        return self._shared.limits_in(self.target.region)

    @property
    def region(self) -> str:
        return self.target.region

    @property
    def endpoint(self) -> str:
        """Where calls go, for a sentence: the endpoint's host:port, or "AWS"."""
        url = self.target.endpoint_url
        if not url:
            return "AWS"
        return urlsplit(url).netloc or url

    @property
    def profile(self) -> str | None:
        return self.target.profile

    def _config(self) -> AioConfig:
        from aiobotocore.config import AioConfig

        from .tls import SharedTlsSession

        return AioConfig(
            # Every client shares one TLS context (aiobotocore parses the CA bundle
            # for each client otherwise).
            http_session_cls=SharedTlsSession,
            # Standard retries: exponential backoff with jitter for throttles, 5xx
            # and dropped connections. Not adaptive: its client-side rate falls
            # after a throttle and stalls every later call for seconds; Lambda's
            # control plane is paced by `limits` instead.
            retries={"mode": "standard", "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=32,
            # With an endpoint URL, "stream-" and similar host prefixes would
            # send calls to hosts that do not exist (stream-127.0.0.1).
            inject_host_prefix=self.target.endpoint_url is None,
            user_agent_appid="lambdatui",
        )

    async def invoke_client(self) -> Any:
        """A Lambda client for Invoke: waits as long as a function may run (15 minutes)
        and never retries, since a retried invoke could run the function twice."""
        await _aiobotocore()
        from aiobotocore.config import AioConfig

        config = self._config().merge(
            AioConfig(read_timeout=INVOKE_READ_TIMEOUT, retries={"total_max_attempts": 1})
        )
        return await self.client("lambda", config=config, purpose="invoke")

    async def stream_client(self, service: str) -> Any:
        """A client for event streams (Live Tail): reads wait `stream_read_timeout`."""
        await _aiobotocore()
        from aiobotocore.config import AioConfig

        config = self._config().merge(
            AioConfig(read_timeout=max(self.read_timeout, self.stream_read_timeout))
        )
        return await self.client(service, config=config, purpose="stream")

    async def long_poll_client(self, service: str, wait_s: float) -> Any:
        """A client for long polls: reads wait the poll's `wait_s` on top of the usual."""
        await _aiobotocore()
        from aiobotocore.config import AioConfig

        config = self._config().merge(AioConfig(read_timeout=self.read_timeout + wait_s))
        return await self.client(service, config=config, purpose=f"long-poll-{wait_s:g}")

    async def single_attempt_client(self, service: str) -> Any:
        """A client that sends each call once, for calls the caller retries itself (or
        not at all): botocore would retry LimitExceededException as a throttle."""
        await _aiobotocore()
        from aiobotocore.config import AioConfig

        config = self._config().merge(AioConfig(retries={"total_max_attempts": 1}))
        return await self.client(service, config=config, purpose="single-attempt")

    async def client(
        self,
        service: str,
        region: str | None = None,
        *,
        config: AioConfig | None = None,
        purpose: str = "",
    ) -> Any:
        key = (f"{service}:{purpose}" if purpose else service, region or self.target.region)
        shared = self._shared
        found = shared.clients.get(key)
        if found is not None:
            return found
        lock = shared.locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = shared.clients.get(key)
            if found is not None:
                return found
            await _aiobotocore()
            from aiobotocore.session import AioSession
            from botocore import exceptions as bx

            if shared.session is None:
                shared.session = AioSession(profile=shared.profile)
            config = config or self._config()
            if service in UNVALIDATED:
                from aiobotocore.config import AioConfig

                config = config.merge(AioConfig(parameter_validation=False))
            kwargs: dict[str, Any] = {"region_name": key[1], "config": config}
            if self.target.endpoint_url:
                kwargs["endpoint_url"] = self.target.endpoint_url
            if self.target.access_key and self.target.secret_key:
                kwargs["aws_access_key_id"] = self.target.access_key
                kwargs["aws_secret_access_key"] = self.target.secret_key
            try:
                client = await shared.stack.enter_async_context(
                    shared.session.create_client(service, **kwargs)
                )
            except bx.BotoCoreError as exc:
                raise translate(exc, f"{service}:CreateClient", profile=self.profile) from exc
            self._observe(service, client)
            shared.clients[key] = client
            return client

    # ----- what the app is told about AWS's health ------------------------------

    def silent_for(self) -> float:
        """Seconds the endpoint has left a call unanswered while answering nothing else
        (0 when every call sent has its answer). Calls that wait on purpose (Invoke,
        long polls) and Live Tail's stream are not counted."""
        shared = self._shared
        pending = shared.unanswered
        for task in [t for t in pending if t.done()]:
            del pending[task]  # cancelled mid-call: no answer is awaited any more
        if not pending:
            return 0.0
        since = max(min(pending.values()), shared.last_answer)
        return max(time.monotonic() - since, 0.0)

    def _sent(self, event_name: str = "", **_: Any) -> None:
        if event_name.rsplit(".", 1)[-1] in _WAITING:
            return
        task = asyncio.current_task()
        if task is not None:
            # Retries keep the first attempt's time: the wait is the call's.
            self._shared.unanswered.setdefault(task, time.monotonic())

    def _answered(self, *, heard: bool) -> None:
        shared = self._shared
        if heard:
            shared.last_answer = time.monotonic()
        task = asyncio.current_task()
        if task is not None:
            shared.unanswered.pop(task, None)

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher` with each Notice: retries, recoveries, credential failures."""
        self._shared.watchers.append(watcher)

    def _tell(self, notice: Notice) -> None:
        for watcher in list(self._shared.watchers):
            watcher(notice)

    def _observe(self, service: str, client: Any) -> None:
        events = client.meta.events
        shared = self._shared
        generation = shared.generation

        def tell(notice: Notice) -> None:
            # A call made with clients from before reset() no longer speaks for AWS.
            if generation == shared.generation:
                self._tell(notice)

        service_id = client.meta.service_model.service_id.hyphenize()
        if service in _PACED:
            limits = self._shared.limits_in(client.meta.region_name)

            async def rate_limit(event_name: str = "", **_: Any) -> None:
                await self._rate_limit(service, limits, event_name)

            events.register(f"before-send.{service_id}", rate_limit)
        events.register(f"before-send.{service_id}", self._sent)

        def action_of(model: Any) -> str:
            return iam_action(service, model.name) if model is not None else service

        def needs_retry(
            response: Any = None,
            caught_exception: BaseException | None = None,
            operation: Any = None,
            attempts: int = 0,
            **_: Any,
        ) -> None:
            if response is not None:
                self._answered(heard=True)
            health = _retry_health(response, caught_exception)
            if health is not None and attempts < self.max_attempts:
                log.debug("%s: %s (attempt %d)", action_of(operation), health, attempts)
                tell(Notice(health, action_of(operation)))

        def after_call(parsed: Any = None, model: Any = None, **_: Any) -> None:
            self._answered(heard=True)
            code = str((parsed or {}).get("Error", {}).get("Code", ""))
            log.debug("%s %s: %s", action_of(model), self.target.region, code or "ok")
            if code in CREDENTIAL_CODES:
                from botocore import exceptions as bx

                error = translate(
                    bx.ClientError(parsed, model.name), action_of(model), profile=self.profile
                )
                tell(Notice(Health.CREDENTIALS, action_of(model), error.sentence))
            else:
                tell(Notice(Health.SETTLED if code else Health.OK, action_of(model)))

        def after_error(
            exception: BaseException | None = None, event_name: str = "", **_: Any
        ) -> None:
            self._answered(heard=False)
            if exception is None:
                return
            action = iam_action(service, event_name.rsplit(".", 1)[-1])
            log.debug("%s %s: %s", action, self.target.region, type(exception).__name__)
            error = translate(exception, action, profile=self.profile)
            if isinstance(error, CredentialsError):
                tell(Notice(Health.CREDENTIALS, action, error.sentence))
            else:
                tell(Notice(Health.SETTLED, action))

        events.register(f"needs-retry.{service_id}", needs_retry)
        events.register(f"after-call.{service_id}", after_call)
        events.register(f"after-call-error.{service_id}", after_error)

    async def _rate_limit(
        self, service: str, limits: dict[str, RateLimit], event_name: str
    ) -> None:
        """Wait for the call's quota, at the caller's priority (see ratelimit.py)."""
        operation = event_name.rsplit(".", 1)[-1]
        if operation in _UNLIMITED or not self._shared.pacing:
            return
        limit = limits.get(f"{service}:{operation}") or limits.get(service)
        if limit is not None:
            await limit.acquire()

    async def reset(self) -> None:
        """Forget clients and cached credentials, so the next call reads them afresh
        (in every region view of this session)."""
        shared = self._shared
        shared.generation += 1
        await self.close()
        shared.profile = self.target.profile
        shared.session = None
        shared.stack = contextlib.AsyncExitStack()
        shared.identity = None
        shared.memo.clear()

    async def identity(self) -> Identity:
        """The caller's account and ARN (STS GetCallerIdentity), cached."""
        shared = self._shared
        if shared.identity is None:
            sts = await self.client("sts")
            try:
                reply = await sts.get_caller_identity()
            except Exception as exc:
                raise translate(
                    exc, "sts:GetCallerIdentity", profile=self.profile, endpoint=self.endpoint
                ) from exc
            shared.identity = Identity(account=reply["Account"], arn=reply["Arn"])
        return shared.identity

    async def close(self) -> None:
        shared = self._shared
        await shared.stack.aclose()
        shared.clients.clear()
        shared.locks.clear()


async def call(session: AwsSession, service: str, action: str, **params: Any) -> Any:
    """Make one API call, translating failures to domain errors.

    `action` is the API operation name in AWS's spelling (e.g. "ListFunctions");
    the error sentence names it as IAM does ("lambda:ListFunctions"). A long poll
    (WaitTimeSeconds) gets a client whose reads wait that long more.
    """
    wait = params.get("WaitTimeSeconds")
    if isinstance(wait, int | float) and wait > 0:
        client = await session.long_poll_client(service, float(wait))
    else:
        client = await session.client(service)
    # Imported once a client exists: botocore is loaded by then (off the first frame).
    from botocore import xform_name

    method = getattr(client, xform_name(action))
    try:
        return await method(**params)
    except Exception as exc:
        raise translate(
            exc, iam_action(service, action), profile=session.profile, endpoint=session.endpoint
        ) from exc


def require(reply: Any, key: str, action: str) -> Any:
    """`reply[key]`, or a sentence when the reply lacks it (botocore accepts unparseable
    JSON bodies as empty replies, so a garbled answer shows up as a missing key)."""
    if not isinstance(reply, dict) or key not in reply:
        raise AwsError(f"{action}: the reply could not be read (malformed)", action=action)
    return reply[key]


_IAM_PREFIX = {"resourcegroupstaggingapi": "tag", "monitoring": "cloudwatch"}


def iam_action(service: str, action: str) -> str:
    """The IAM action name for an API call, e.g. ("lambda", "GetFunction")."""
    return f"{_IAM_PREFIX.get(service, service)}:{action}"


_imported = threading.Event()


async def _aiobotocore() -> None:
    """Import aiobotocore (and botocore, aiohttp) once, in a thread, so the event loop
    keeps drawing meanwhile. Calls meanwhile wait in threads of their own (Python's
    import lock holds them until the module is whole); later calls return at once."""
    if not _imported.is_set():
        await asyncio.to_thread(_import_aiobotocore)


def _import_aiobotocore() -> None:
    for name in ("aiobotocore.config", "aiobotocore.session", "botocore.exceptions", "aiohttp"):
        importlib.import_module(name)
    _imported.set()
