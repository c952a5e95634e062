"""Frozen models the UI renders. Built from API replies by the core modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Identity:
    account: str
    arn: str


@dataclass(frozen=True, slots=True)
class Function:
    """One row of the function list (ListFunctions' FunctionConfiguration)."""

    name: str
    arn: str
    runtime: str
    package_type: str
    architecture: str
    memory_mb: int
    timeout_s: int
    code_size: int
    last_modified: datetime | None
    state: str
    last_update_status: str
    description: str
    handler: str
    role: str
    log_format: str
    log_group: str
    region: str
    tags: tuple[tuple[str, str], ...] = ()
    # What ListFunctions also says, for alarms and findings without a call per function.
    dead_letter: str = ""
    vpc_id: str = ""
    kms_key_arn: str = ""
    # Names of environment variables whose names look like secrets and whose values
    # are plain (not a reference to Secrets Manager or Parameter Store). No values kept.
    secret_env: tuple[str, ...] = ()

    @property
    def runtime_label(self) -> str:
        if self.package_type == "Image":
            return "image"
        return self.runtime or "-"

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class Part(Generic[T]):
    """A piece of the detail screen: its value, or why it could not be loaded."""

    value: T | None = None
    error: str | None = None
    # The failure may pass by itself (throttled, a server error, the network).
    transient: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Layer:
    arn: str
    code_size: int

    @property
    def name(self) -> str:
        parts = self.arn.split(":")
        return f"{parts[-2]}:{parts[-1]}" if len(parts) >= 2 else self.arn


@dataclass(frozen=True, slots=True)
class VpcConfig:
    vpc_id: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Configuration:
    """Everything GetFunction(Configuration) says about one function."""

    function: Function
    ephemeral_storage_mb: int
    code_sha256: str
    state_reason: str
    last_update_status_reason: str
    tracing: str
    layers: tuple[Layer, ...]
    vpc: VpcConfig | None
    dlq_target: str | None
    environment: tuple[tuple[str, str], ...]
    environment_error: str | None
    kms_key_arn: str | None
    application_log_level: str
    system_log_level: str
    version: str
    image_uri: str | None = None
    signing_profile: str | None = None


@dataclass(frozen=True, slots=True)
class AsyncInvokeConfig:
    max_retries: int | None
    max_event_age_s: int | None
    on_success: str | None
    on_failure: str | None


@dataclass(frozen=True, slots=True)
class EventSourceMapping:
    uuid: str
    source_arn: str
    state: str
    batch_size: int | None
    last_result: str
    on_failure: str | None


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    version: str
    # Additional versions and the share of traffic each gets (RoutingConfig).
    weights: tuple[tuple[str, float], ...] = ()
    description: str = ""
    # Changes with every update: UpdateAlias with it refuses an alias that moved meanwhile.
    revision_id: str = ""


@dataclass(frozen=True, slots=True)
class Version:
    version: str
    description: str
    # A published version's LastModified is when it was published.
    last_modified: datetime | None
    code_sha256: str = ""


@dataclass(frozen=True, slots=True)
class FunctionDetail:
    configuration: Part[Configuration]
    reserved_concurrency: Part[int | None]
    async_config: Part[AsyncInvokeConfig | None]
    mappings: Part[tuple[EventSourceMapping, ...]]
    aliases: Part[tuple[Alias, ...]]
    versions: Part[tuple[Version, ...]]
    tags: Part[tuple[tuple[str, str], ...]]
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def transient(self) -> bool:
        """Some part failed in a way that may pass by itself."""
        parts = (
            self.configuration,
            self.reserved_concurrency,
            self.async_config,
            self.mappings,
            self.aliases,
            self.versions,
            self.tags,
        )
        return any(part.transient for part in parts)
