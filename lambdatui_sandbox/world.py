"""The deterministic demo account: an online shop's Lambda estate during an incident.

What the account holds is data (``data/world.toml``, read into the dataclasses below);
this module writes it into moto's backends.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.awslambda.models import LambdaBackend
from moto.awslambda.utils import get_backend
from moto.iam.models import iam_backends
from moto.kinesis.models import kinesis_backends
from moto.logs.models import logs_backends
from moto.moto_api._internal import mock_random
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

from . import seeddata
from .bundles import encoded, function_package, layer_package
from .extensions import FunctionSettings, LambdaExtensions, aws_timestamp
from .posture import PostureSeeder

WORLDS = ("demo", "empty")


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    age: timedelta
    policy: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Queue:
    name: str
    team: str
    age: timedelta
    dead_letter: str | None = None
    max_receive_count: int = 5
    visibility_timeout: int = 30
    retention_days: int = 4


@dataclass(frozen=True)
class Layer:
    name: str
    description: str
    directory: str
    runtimes: tuple[str, ...]
    ages: tuple[timedelta, ...]


@dataclass(frozen=True)
class Alias:
    name: str
    version: int
    description: str = ""
    canary: tuple[int, float] | None = None


@dataclass(frozen=True)
class Function:
    """One demo function. Targets are written ``sqs:NAME`` or ``sns:NAME``."""

    name: str
    description: str
    runtime: str | None
    handler: str | None
    team: str
    env: str
    service: str
    role: str
    deployed: timedelta
    memory: int = 128
    timeout: int = 3
    arch: str = "x86_64"
    storage: int = 512
    log_format: str = "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None
    log_group: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    layers: tuple[str, ...] = ()
    dead_letter: str | None = None
    tracing: bool = False
    reserved: int | None = None
    vpc: bool = False
    image: str | None = None
    image_command: tuple[str, ...] = ()
    releases: tuple[timedelta, ...] = ()
    aliases: tuple[Alias, ...] = ()
    on_failure: str | None = None
    retries: int | None = None
    max_event_age: int | None = None


@dataclass(frozen=True)
class EventSource:
    queue: str
    function: str
    batch_size: int
    window: int
    max_concurrency: int
    age: timedelta


@dataclass(frozen=True)
class DataStream:
    """A Kinesis data stream."""

    name: str
    team: str
    shards: int
    age: timedelta
    retention_hours: int = 24


@dataclass(frozen=True)
class StreamSource:
    """A stream mapped to a function; ``on_failure`` is ``sqs:NAME`` or ``sns:NAME``."""

    stream: str
    function: str
    batch_size: int
    starting_position: str
    on_failure: str | None
    age: timedelta
    window: int = 0
    retries: int = -1
    max_record_age: int = -1
    bisect: bool = False


@dataclass(frozen=True)
class SeededWorld:
    """What a world put in the account, for whatever drives traffic through it."""

    name: str
    functions: tuple[str, ...] = ()
    queues: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, str] = field(default_factory=dict)
    dead_letter_targets: Mapping[str, str] = field(default_factory=dict)
    failure_destinations: Mapping[str, str] = field(default_factory=dict)
    event_sources: Mapping[str, str] = field(default_factory=dict)
    streams: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bulk:
    """The choices generated functions (``extra_functions``) are drawn from."""

    runtimes: tuple[str, ...]
    memory: tuple[int, ...]
    timeouts: tuple[int, ...]
    architectures: tuple[str, ...]


@dataclass(frozen=True)
class DemoWorld:
    """The demo account as ``data/world.toml`` describes it."""

    seed: int
    vpc: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    bulk: Bulk
    retention: Mapping[str, int]
    topics: tuple[tuple[str, str], ...]
    trust_policy: Mapping[str, Any]
    roles: tuple[Role, ...]
    queues: tuple[Queue, ...]
    streams: tuple[DataStream, ...]
    layers: tuple[Layer, ...]
    functions: tuple[Function, ...]
    event_sources: tuple[EventSource, ...]
    stream_sources: tuple[StreamSource, ...]


def load_world(document: seeddata.Document | None = None) -> DemoWorld:
    """The demo world from ``data/world.toml`` (or from ``document``)."""
    document = document or seeddata.read("world.toml")
    world: DemoWorld = document.build(DemoWorld)
    _check_references(world, seeddata.At(document.name))
    return world


_TARGET = "queue or topic"


def _check_references(world: DemoWorld, at: seeddata.At) -> None:
    """Every name an entry refers to is defined (a queue's dead letter queue before it)."""
    roles = {role.name for role in world.roles}
    layers = {f"{layer.name}:{n}" for layer in world.layers for n in range(1, len(layer.ages) + 1)}
    functions = {spec.name for spec in world.functions}
    streams = {stream.name for stream in world.streams}
    queues: set[str] = set()
    for index, queue in enumerate(world.queues):
        here = at.key("queues").item(index)
        _defined(queue.dead_letter, queues, here.key("dead_letter"), "earlier queue")
        queues.add(queue.name)
    targets = {f"sqs:{name}" for name in queues} | {f"sns:{name}" for name, _ in world.topics}
    for index, spec in enumerate(world.functions):
        here = at.key("functions").item(index)
        if spec.image is None and (spec.runtime is None or spec.handler is None):
            raise seeddata.SeedDataError(here, "needs a runtime and a handler, or an image")
        _defined(spec.role, roles, here.key("role"), "role")
        for number, layer in enumerate(spec.layers):
            _defined(layer, layers, here.key("layers").item(number), "layer version")
        _defined(spec.dead_letter, targets, here.key("dead_letter"), _TARGET)
        _defined(spec.on_failure, targets, here.key("on_failure"), _TARGET)
        versions = {str(number) for number in range(1, len(spec.releases) + 1)}
        for number, alias in enumerate(spec.aliases):
            canary = str(alias.canary[0]) if alias.canary else None
            _defined(str(alias.version), versions, here.key("aliases").item(number), "release")
            _defined(canary, versions, here.key("aliases").item(number).key("canary"), "release")
    for index, source in enumerate(world.event_sources):
        here = at.key("event_sources").item(index)
        _defined(source.queue, queues, here.key("queue"), "queue")
        _defined(source.function, functions, here.key("function"), "function")
    for index, stream_source in enumerate(world.stream_sources):
        here = at.key("stream_sources").item(index)
        _defined(stream_source.stream, streams, here.key("stream"), "stream")
        _defined(stream_source.function, functions, here.key("function"), "function")
        _defined(stream_source.on_failure, targets, here.key("on_failure"), _TARGET)


def _defined(name: str | None, names: set[str], at: seeddata.At, what: str) -> None:
    if name is not None and name not in names:
        raise seeddata.SeedDataError(at, f"no {what} {name!r} in this file")


DEMO = load_world()
SEED = DEMO.seed
VPC_ID = DEMO.vpc
SUBNETS = DEMO.subnets
SECURITY_GROUPS = DEMO.security_groups
LAMBDA_TRUST = DEMO.trust_policy
ROLES = DEMO.roles
TOPICS = DEMO.topics
QUEUES = DEMO.queues
STREAMS = DEMO.streams
LAYERS = DEMO.layers
FUNCTIONS = DEMO.functions
EVENT_SOURCES = DEMO.event_sources
STREAM_SOURCES = DEMO.stream_sources
RETENTION = DEMO.retention


class _Seeder:
    def __init__(
        self, extensions: LambdaExtensions, account: str, region: str, now: datetime
    ) -> None:
        self.extensions = extensions
        self.account = account
        self.region = region
        self.now = now.astimezone(UTC)
        self.lambdas: LambdaBackend = get_backend(account, region)
        self.iam = iam_backends[account]["aws"]
        self.sqs = sqs_backends[account][region]
        self.sns = sns_backends[account][region]
        self.logs = logs_backends[account][region]
        self.functions: list[str] = []
        self.queues: dict[str, str] = {}
        self.topics: dict[str, str] = {}
        self.dead_letters: dict[str, str] = {}
        self.failures: dict[str, str] = {}
        self.sources: dict[str, str] = {}
        self.streams: dict[str, str] = {}
        self.posture: PostureSeeder | None = None

    def at(self, age: timedelta) -> datetime:
        return self.now - age

    def role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.account}:role/service-role/{name}"

    def target(self, reference: str) -> str:
        kind, name = reference.split(":", 1)
        return self.queues[name] if kind == "sqs" else self.topics[name]

    def role(self, role: Role) -> None:
        created = self.iam.create_role(
            role_name=role.name,
            assume_role_policy_document=json.dumps(LAMBDA_TRUST),
            path="/service-role/",
            permissions_boundary=None,
            description=role.description,
            tags=[],
            max_session_duration="3600",
        )
        created.create_date = self.at(role.age).replace(tzinfo=None)
        if role.policy is not None:
            self.iam.put_role_policy(role.name, f"{role.name}-access", json.dumps(role.policy))
        if self.posture is not None:
            self.posture.role(role.name)

    def topic(self, name: str, team: str) -> None:
        topic = self.sns.create_topic(name, tags={"team": team, "env": "prod"})
        self.topics[name] = topic.arn

    def queue(self, queue: Queue) -> None:
        attributes: dict[str, Any] = {
            "VisibilityTimeout": str(queue.visibility_timeout),
            "MessageRetentionPeriod": str(queue.retention_days * 86400),
        }
        if queue.dead_letter:
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": self.queues[queue.dead_letter],
                    "maxReceiveCount": queue.max_receive_count,
                }
            )
        created = self.sqs.create_queue(
            queue.name, tags={"team": queue.team, "env": "prod"}, **attributes
        )
        stamp = int(self.at(queue.age).timestamp())
        created.created_timestamp = stamp
        created.last_modified_timestamp = stamp
        self.queues[queue.name] = created.queue_arn

    def layer(self, layer: Layer) -> dict[str, str]:
        arns = {}
        for index, age in enumerate(layer.ages, start=1):
            version = self.lambdas.publish_layer_version(
                {
                    "LayerName": layer.name,
                    "Description": layer.description,
                    "Content": {
                        "ZipFile": encoded(layer_package(layer.name, layer.directory, str(index)))
                    },
                    "CompatibleRuntimes": list(layer.runtimes),
                    "CompatibleArchitectures": ["x86_64", "arm64"],
                    "LicenseInfo": "Proprietary",
                }
            )
            version.created_date = aws_timestamp(self.at(age))
            arns[f"{layer.name}:{index}"] = version.arn
        return arns

    def function(self, spec: Function, layers: Mapping[str, str]) -> None:
        releases = spec.releases or (spec.deployed,)
        request: dict[str, Any] = {
            "FunctionName": spec.name,
            "Description": spec.description,
            "Role": self.role_arn(spec.role),
            "MemorySize": spec.memory,
            "Timeout": spec.timeout,
            "Architectures": [spec.arch],
            "EphemeralStorage": {"Size": spec.storage},
            "TracingConfig": {"Mode": "Active" if spec.tracing else "PassThrough"},
            "Layers": [layers[layer] for layer in spec.layers],
            "Tags": {"env": spec.env, "team": spec.team, "service": spec.service},
            "Code": self.code(spec, 1),
        }
        if spec.variables:
            request["Environment"] = {"Variables": dict(spec.variables)}
        if spec.image:
            request["PackageType"] = "Image"
            request["ImageConfig"] = {"Command": list(spec.image_command)}
        else:
            request["Runtime"] = spec.runtime
            request["Handler"] = spec.handler
        if spec.vpc:
            request["VpcConfig"] = {
                "SubnetIds": list(SUBNETS),
                "SecurityGroupIds": list(SECURITY_GROUPS),
            }
        function = self.lambdas.create_function(request)
        settings = FunctionSettings(
            dead_letter_target=self.target(spec.dead_letter) if spec.dead_letter else None,
            log_format=spec.log_format,
            application_log_level=spec.application_log_level,
            system_log_level=spec.system_log_level,
            log_group=spec.log_group,
        )
        self.extensions.set_settings(self.account, self.region, spec.name, "$LATEST", settings)
        if settings.dead_letter_target:
            self.dead_letters[spec.name] = settings.dead_letter_target
        self.releases(spec, function.function_name, releases)
        function.last_modified = aws_timestamp(self.at(spec.deployed))
        if spec.reserved is not None:
            self.lambdas.put_function_concurrency(spec.name, str(spec.reserved))
            function.reserved_concurrency = spec.reserved
        if spec.on_failure:
            self.invoke_config(spec)
        self.log_group(spec, releases[0])
        self.functions.append(spec.name)

    def code(self, spec: Function, release: int) -> dict[str, str]:
        if spec.image:
            repository, tag = spec.image.split(":", 1)
            if release > 1:
                tag = f"{tag}-r{release}"
            uri = f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{repository}:{tag}"
            return {"ImageUri": uri}
        assert spec.runtime is not None and spec.handler is not None
        package = function_package(
            spec.name, spec.runtime, spec.handler, spec.description, f"{release}"
        )
        return {"ZipFile": encoded(package)}

    def releases(self, spec: Function, name: str, releases: tuple[timedelta, ...]) -> None:
        if not spec.releases:
            return
        for number, age in enumerate(releases, start=1):
            if number > 1:
                self.lambdas.update_function_code(name, "$LATEST", self.code(spec, number))
            latest = self.lambdas.get_function(name)
            latest.last_modified = aws_timestamp(self.at(age))
            version = self.extensions.publish_version(
                self.lambdas, name, f"Release {number} of {spec.service}"
            )
            version.last_modified = latest.last_modified
        for alias in spec.aliases:
            routing = None
            if alias.canary:
                canary_version, weight = alias.canary
                routing = {"AdditionalVersionWeights": {str(canary_version): weight}}
            self.lambdas.create_alias(
                name=alias.name,
                function_name=name,
                function_version=str(alias.version),
                description=alias.description,
                routing_config=routing,  # type: ignore[arg-type]
            )

    def invoke_config(self, spec: Function) -> None:
        config: dict[str, Any] = {
            "DestinationConfig": {"OnFailure": {"Destination": self.target(spec.on_failure or "")}}
        }
        if spec.retries is not None:
            config["MaximumRetryAttempts"] = spec.retries
        if spec.max_event_age is not None:
            config["MaximumEventAgeInSeconds"] = spec.max_event_age
        self.lambdas.put_function_event_invoke_config(spec.name, config)
        self.failures[spec.name] = config["DestinationConfig"]["OnFailure"]["Destination"]

    def log_group(self, spec: Function, age: timedelta) -> None:
        name = spec.log_group or f"/aws/lambda/{spec.name}"
        group = self.logs.create_log_group(name, tags={"team": spec.team})
        if spec.env in RETENTION and not spec.name.startswith("legacy-"):
            self.logs.put_retention_policy(name, str(RETENTION[spec.env]))
        group.creation_time = self.at(age).replace(tzinfo=None)

    def event_source(self, source: EventSource) -> None:
        mapping = self.lambdas.create_event_source_mapping(
            {
                "EventSourceArn": self.queues[source.queue],
                "FunctionName": source.function,
                "BatchSize": source.batch_size,
                "MaximumBatchingWindowInSeconds": source.window,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": source.max_concurrency},
            }
        )
        stamp = self.at(source.age).timestamp()
        self.extensions.settle_event_source_mapping(self.account, self.region, mapping, stamp)
        self.sources[source.function] = self.queues[source.queue]

    def data_stream(self, stream: DataStream) -> None:
        kinesis = kinesis_backends[self.account][self.region]
        created = kinesis.create_stream(
            stream.name, stream.shards, retention_period_hours=stream.retention_hours
        )
        created.creation_datetime = self.at(stream.age).replace(tzinfo=None)
        created.tags = {"team": stream.team, "env": "prod"}
        self.streams[stream.name] = created.arn

    def stream_source(self, source: StreamSource) -> None:
        request: dict[str, Any] = {
            "EventSourceArn": self.streams[source.stream],
            "FunctionName": source.function,
            "BatchSize": source.batch_size,
            "StartingPosition": source.starting_position,
            "MaximumBatchingWindowInSeconds": source.window,
            "MaximumRetryAttempts": source.retries,
            "MaximumRecordAgeInSeconds": source.max_record_age,
            "BisectBatchOnFunctionError": source.bisect,
            "ParallelizationFactor": 1,
        }
        if source.on_failure:
            request["DestinationConfig"] = {
                "OnFailure": {"Destination": self.target(source.on_failure)}
            }
        mapping = self.lambdas.create_event_source_mapping(request)
        stamp = self.at(source.age).timestamp()
        self.extensions.settle_event_source_mapping(self.account, self.region, mapping, stamp)
        self.sources[source.function] = self.streams[source.stream]

    def demo(self) -> None:
        self.posture = PostureSeeder(self.iam, self.lambdas, self.account, self.region, self.now)
        self.posture.managed()
        for role in ROLES:
            self.role(role)
        for name, team in TOPICS:
            self.topic(name, team)
        for queue in QUEUES:
            self.queue(queue)
        for subnet in SUBNETS:
            self.extensions.subnet_vpcs[subnet] = VPC_ID
        layers: dict[str, str] = {}
        for layer in LAYERS:
            layers.update(self.layer(layer))
        for spec in FUNCTIONS:
            self.function(spec, layers)
        for source in EVENT_SOURCES:
            self.event_source(source)
        for stream in STREAMS:
            self.data_stream(stream)
        for stream_source in STREAM_SOURCES:
            self.stream_source(stream_source)
        self.posture.permissions(set(self.functions))
        self.posture.alarms(self.queues)

    def bulk(self, count: int) -> None:
        role = ROLES[0]
        if not any(existing.name == role.name for existing in self.iam.get_roles()):
            self.role(role)
        bulk = DEMO.bulk
        chooser = random.Random(SEED)
        package = function_package(
            "bulk-fn", "python3.12", "app.handler", "Generated function", "1"
        )
        zipped = encoded(package)
        for index in range(1, count + 1):
            name = f"bulk-fn-{index:05d}"
            runtime = chooser.choice(bulk.runtimes)
            handler = "app.handler" if runtime.startswith("python") else "index.handler"
            function = self.lambdas.create_function(
                {
                    "FunctionName": name,
                    "Description": f"Generated function {index}",
                    "Role": self.role_arn(role.name),
                    "Runtime": runtime,
                    "Handler": handler,
                    "MemorySize": chooser.choice(bulk.memory),
                    "Timeout": chooser.choice(bulk.timeouts),
                    "Architectures": [chooser.choice(bulk.architectures)],
                    "Tags": {"env": "dev", "team": "platform", "service": "bulk"},
                    "Code": {"ZipFile": zipped},
                }
            )
            function.last_modified = aws_timestamp(self.at(timedelta(minutes=7 * index)))
            self.functions.append(name)

    def result(self, world: str) -> SeededWorld:
        return SeededWorld(
            name=world,
            functions=tuple(self.functions),
            queues=dict(self.queues),
            topics=dict(self.topics),
            dead_letter_targets=dict(self.dead_letters),
            failure_destinations=dict(self.failures),
            event_sources=dict(self.sources),
            streams=dict(self.streams),
        )


def seed_world(
    world: str,
    extensions: LambdaExtensions,
    *,
    account: str,
    region: str,
    now: datetime,
    extra_functions: int = 0,
) -> SeededWorld:
    """Fill moto's backends with ``world`` (and ``extra_functions`` bulk functions)."""
    if world not in WORLDS:
        raise ValueError(f"Unknown world {world!r}")
    mock_random.seed(SEED)
    seeder = _Seeder(extensions, account, region, now)
    if world == "demo":
        seeder.demo()
    if extra_functions:
        seeder.bulk(extra_functions)
    return seeder.result(world)
