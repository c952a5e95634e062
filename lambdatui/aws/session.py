"""One aiobotocore session for the app; one client per (service, region), reused."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore import exceptions as bx
from botocore import xform_name

from .errors import translate
from .models import Identity

#: Seconds an Invoke may take to answer: Lambda's longest timeout plus a margin.
INVOKE_READ_TIMEOUT = 910


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


class AwsSession:
    """Owns the aiobotocore session and the clients made from it.

    Clients are created lazily on the running loop, once per (service,
    region), and closed together by `close()`.
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self._session = AioSession(profile=target.profile)
        self._stack = contextlib.AsyncExitStack()
        self._clients: dict[tuple[str, str], Any] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._identity: Identity | None = None

    def in_region(self, region: str) -> AwsSession:
        """The same session and clients, with calls going to `region` (shares close())."""
        if region == self.target.region:
            return self
        view = AwsSession.__new__(AwsSession)
        view.__dict__.update(self.__dict__)
        view.target = replace(self.target, region=region)
        return view

    @property
    def region(self) -> str:
        return self.target.region

    @property
    def profile(self) -> str | None:
        return self.target.profile

    def _config(self) -> AioConfig:
        return AioConfig(
            retries={"mode": "adaptive", "max_attempts": 6},
            connect_timeout=5,
            read_timeout=30,
            max_pool_connections=32,
            # With an endpoint URL, "stream-" and similar host prefixes would
            # send calls to hosts that do not exist (stream-127.0.0.1).
            inject_host_prefix=self.target.endpoint_url is None,
            user_agent_appid="lambdatui",
        )

    async def invoke_client(self) -> Any:
        """A Lambda client for Invoke: waits as long as a function may run (15 minutes)
        and never retries, since a retried invoke could run the function twice."""
        config = self._config().merge(
            AioConfig(read_timeout=INVOKE_READ_TIMEOUT, retries={"total_max_attempts": 1})
        )
        return await self.client("lambda", config=config, purpose="invoke")

    async def client(
        self,
        service: str,
        region: str | None = None,
        *,
        config: AioConfig | None = None,
        purpose: str = "",
    ) -> Any:
        key = (f"{service}:{purpose}" if purpose else service, region or self.target.region)
        found = self._clients.get(key)
        if found is not None:
            return found
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = self._clients.get(key)
            if found is not None:
                return found
            kwargs: dict[str, Any] = {
                "region_name": key[1],
                "config": config or self._config(),
            }
            if self.target.endpoint_url:
                kwargs["endpoint_url"] = self.target.endpoint_url
            if self.target.access_key and self.target.secret_key:
                kwargs["aws_access_key_id"] = self.target.access_key
                kwargs["aws_secret_access_key"] = self.target.secret_key
            try:
                client = await self._stack.enter_async_context(
                    self._session.create_client(service, **kwargs)
                )
            except bx.BotoCoreError as exc:
                raise translate(exc, f"{service}:CreateClient", profile=self.profile) from exc
            self._clients[key] = client
            return client

    async def identity(self) -> Identity:
        """The caller's account and ARN (STS GetCallerIdentity), cached."""
        if self._identity is None:
            sts = await self.client("sts")
            try:
                reply = await sts.get_caller_identity()
            except Exception as exc:
                raise translate(exc, "sts:GetCallerIdentity", profile=self.profile) from exc
            self._identity = Identity(account=reply["Account"], arn=reply["Arn"])
        return self._identity

    async def close(self) -> None:
        await self._stack.aclose()
        self._clients.clear()
        self._locks.clear()


async def call(session: AwsSession, service: str, action: str, **params: Any) -> Any:
    """Make one API call, translating failures to domain errors.

    `action` is the API operation name in AWS's spelling (e.g. "ListFunctions");
    the error sentence names it as IAM does ("lambda:ListFunctions").
    """
    client = await session.client(service)
    method = getattr(client, xform_name(action))
    try:
        return await method(**params)
    except Exception as exc:
        raise translate(exc, iam_action(service, action), profile=session.profile) from exc


_IAM_PREFIX = {"resourcegroupstaggingapi": "tag", "monitoring": "cloudwatch"}


def iam_action(service: str, action: str) -> str:
    """The IAM action name for an API call, e.g. ("lambda", "GetFunction")."""
    return f"{_IAM_PREFIX.get(service, service)}:{action}"
