"""The deterministic demo account: an online shop's Lambda estate during an incident."""

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

from .bundles import encoded, function_package, layer_package
from .extensions import FunctionSettings, LambdaExtensions, aws_timestamp
from .posture import PostureSeeder

WORLDS = ("demo", "empty")
SEED = 20241120

VPC_ID = "vpc-0c8d3e5f7a9b1c2d4"
SUBNETS = ("subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829")
SECURITY_GROUPS = ("sg-0f1e2d3c4b5a69788",)
BULK_RUNTIMES = ("python3.12", "python3.13", "nodejs22.x", "nodejs20.x")
BULK_MEMORY = (128, 256, 512, 1024)


def ago(days: float = 0, hours: float = 0, minutes: float = 0) -> timedelta:
    return timedelta(days=days, hours=hours, minutes=minutes)


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


LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


ROLES = (
    Role(
        "lambda-basic-execution",
        "Shared role for functions that only write logs",
        ago(days=610),
    ),
    Role("orders-service-role", "Orders API and worker", ago(days=402)),
    Role("payments-service-role", "Payments webhooks, ledger and reconciliation", ago(days=355)),
    Role("checkout-service-role", "Checkout API and cart", ago(days=290)),
    Role("catalog-service-role", "Catalog indexing and images", ago(days=240)),
    Role("platform-auth-role", "Token issuing and session validation", ago(days=510)),
    Role("auth-jwks-rotator-role", "Signing key rotation", ago(days=33)),
    Role("notifications-role", "Email and SMS senders", ago(days=180)),
    Role("orders-analytics-consumer-role", "Orders stream into the warehouse", ago(days=75)),
)

TOPICS = (("payments-alerts", "payments"), ("orders-events", "orders"))

QUEUES = (
    Queue("orders-dlq", "orders", ago(days=400), retention_days=14),
    Queue(
        "orders-queue",
        "orders",
        ago(days=400),
        dead_letter="orders-dlq",
        visibility_timeout=720,
    ),
    Queue("catalog-updates-dlq", "catalog", ago(days=238), retention_days=14),
    Queue(
        "catalog-updates",
        "catalog",
        ago(days=238),
        dead_letter="catalog-updates-dlq",
        max_receive_count=3,
        visibility_timeout=1800,
    ),
    Queue("payments-webhook-dlq", "payments", ago(days=350), retention_days=14),
    Queue("payments-webhook-failures", "payments", ago(days=120), retention_days=14),
    Queue("payments-reconciler-dlq", "payments", ago(days=330), retention_days=14),
    Queue("image-resizer-dlq", "catalog", ago(days=200), retention_days=7),
    Queue("notifications-dlq", "growth", ago(days=170), retention_days=14),
    Queue("notifications-failures", "growth", ago(days=90), retention_days=14),
    Queue("orders-analytics-failures", "orders", ago(days=75), retention_days=14),
)

STREAMS = (DataStream("orders-events", "orders", 2, ago(days=75)),)

LAYERS = (
    Layer(
        "shared-python-utils",
        "Logging, tracing and idempotency helpers for Python functions",
        "python",
        ("python3.11", "python3.12", "python3.13"),
        (ago(days=300), ago(days=64), ago(days=15)),
    ),
    Layer(
        "observability-extension",
        "Telemetry extension shipping metrics and traces",
        "extensions",
        ("python3.12", "nodejs20.x", "nodejs22.x", "java21"),
        (ago(days=220), ago(days=40)),
    ),
)

PY_UTILS = "shared-python-utils:3"
PY_UTILS_OLD = "shared-python-utils:2"
TELEMETRY = "observability-extension:2"

FUNCTIONS = (
    Function(
        "orders-api",
        "REST API for creating and reading orders",
        "python3.12",
        "app.handler",
        "orders",
        "prod",
        "orders",
        "orders-service-role",
        ago(hours=2, minutes=14),
        memory=512,
        timeout=29,
        arch="arm64",
        log_format="JSON",
        variables={
            "ORDERS_TABLE": "orders-prod",
            "POWERTOOLS_SERVICE_NAME": "orders-api",
            "LOG_LEVEL": "INFO",
        },
        layers=(PY_UTILS, TELEMETRY),
        tracing=True,
        reserved=200,
        releases=(ago(days=30), ago(days=9), ago(hours=2, minutes=14)),
        aliases=(Alias("live", 3, "Production traffic"), Alias("previous", 2, "Rollback target")),
    ),
    Function(
        "orders-worker",
        "Consumes orders-queue: reserves stock and charges the card",
        "python3.12",
        "worker.handler",
        "orders",
        "prod",
        "orders",
        "orders-service-role",
        ago(days=6, hours=3),
        memory=1024,
        timeout=120,
        arch="arm64",
        log_format="JSON",
        application_log_level="INFO",
        system_log_level="WARN",
        variables={
            "ORDERS_TABLE": "orders-prod",
            "PAYMENTS_API_URL": "https://payments.internal.example.com",
            "POWERTOOLS_SERVICE_NAME": "orders-worker",
        },
        layers=(PY_UTILS,),
        tracing=True,
    ),
    Function(
        "orders-export-csv",
        "Nightly export of the day's orders to the finance bucket",
        "python3.11",
        "lambda_function.lambda_handler",
        "orders",
        "prod",
        "orders",
        "orders-service-role",
        ago(days=47),
        memory=2048,
        timeout=900,
        storage=4096,
        variables={"EXPORT_BUCKET": "shop-finance-exports", "LOG_LEVEL": "INFO"},
        layers=(PY_UTILS_OLD,),
    ),
    Function(
        "orders-api-staging",
        "REST API for creating and reading orders (staging)",
        "python3.13",
        "app.handler",
        "orders",
        "staging",
        "orders",
        "orders-service-role",
        ago(hours=5, minutes=40),
        memory=512,
        timeout=29,
        arch="arm64",
        log_format="JSON",
        application_log_level="DEBUG",
        system_log_level="DEBUG",
        variables={"ORDERS_TABLE": "orders-staging", "LOG_LEVEL": "DEBUG"},
        layers=(PY_UTILS,),
    ),
    Function(
        "checkout-api",
        "Checkout: pricing, tax and order submission",
        "nodejs22.x",
        "index.handler",
        "checkout",
        "prod",
        "checkout",
        "checkout-service-role",
        ago(minutes=52),
        memory=1024,
        timeout=29,
        arch="arm64",
        log_format="JSON",
        log_group="/shop/checkout",
        variables={"NODE_OPTIONS": "--enable-source-maps", "CART_TABLE": "carts-prod"},
        layers=(TELEMETRY,),
        tracing=True,
        releases=(ago(days=11), ago(minutes=52)),
        aliases=(Alias("live", 1, "Production traffic", canary=(2, 0.1)),),
    ),
    Function(
        "checkout-cart-service",
        "Cart reads and writes",
        "nodejs20.x",
        "index.handler",
        "checkout",
        "prod",
        "checkout",
        "checkout-service-role",
        ago(days=19),
        memory=512,
        timeout=10,
        variables={"CART_TABLE": "carts-prod"},
    ),
    Function(
        "checkout-session-cleanup",
        "Hourly: expires abandoned checkout sessions",
        "nodejs20.x",
        "index.handler",
        "checkout",
        "prod",
        "checkout",
        "lambda-basic-execution",
        ago(days=88),
        memory=256,
        timeout=300,
        arch="arm64",
    ),
    Function(
        "payments-webhook",
        "Receives payment provider webhooks and updates payment state",
        "python3.12",
        "app.handler",
        "payments",
        "prod",
        "payments",
        "payments-service-role",
        ago(minutes=23),
        memory=1024,
        timeout=30,
        log_format="JSON",
        variables={
            "STRIPE_API_KEY": "sk_live_demo_NOT_A_REAL_KEY_0000",
            "STRIPE_WEBHOOK_SECRET": "whsec_demo_NOT_A_REAL_SECRET",
            "PAYMENTS_TABLE": "payments-prod",
        },
        layers=(PY_UTILS, TELEMETRY),
        dead_letter="sqs:payments-webhook-dlq",
        tracing=True,
        releases=(ago(days=12), ago(minutes=23)),
        aliases=(Alias("prod", 2, "Production traffic"),),
        on_failure="sqs:payments-webhook-failures",
        retries=2,
        max_event_age=3600,
    ),
    Function(
        "payments-reconciler-prod",
        "Reconciles settlements against the ledger every 15 minutes",
        "java21",
        "com.example.payments.ReconcileHandler::handleRequest",
        "payments",
        "prod",
        "payments",
        "payments-service-role",
        ago(days=3, hours=1),
        memory=3008,
        timeout=900,
        storage=2048,
        variables={
            "DB_HOST": "ledger.cluster-demo.us-east-1.rds.amazonaws.com",
            "DB_USER": "reconciler",
            "DB_PASSWORD": "demo-password-not-real",
            "JAVA_TOOL_OPTIONS": "-XX:+TieredCompilation -XX:TieredStopAtLevel=1",
        },
        layers=(TELEMETRY,),
        dead_letter="sqs:payments-reconciler-dlq",
        vpc=True,
    ),
    Function(
        "payments-refunds",
        "Issues refunds requested by support",
        "java17",
        "com.example.payments.RefundHandler::handleRequest",
        "payments",
        "prod",
        "payments",
        "payments-service-role",
        ago(days=26),
        memory=2048,
        timeout=60,
        arch="arm64",
        log_format="JSON",
        variables={"DB_HOST": "ledger.cluster-demo.us-east-1.rds.amazonaws.com"},
        vpc=True,
    ),
    Function(
        "payments-fraud-score",
        "Scores payments with the fraud model",
        None,
        None,
        "risk",
        "prod",
        "fraud",
        "payments-service-role",
        ago(days=8),
        memory=10240,
        timeout=120,
        storage=10240,
        log_format="JSON",
        application_log_level="WARN",
        system_log_level="WARN",
        variables={"MODEL_VERSION": "2024.11.3"},
        tracing=True,
        image="fraud-score:2024.11.3",
        image_command=("app.score",),
    ),
    Function(
        "payments-ledger-writer",
        "Writes settled payments to the ledger",
        "python3.13",
        "ledger.handler",
        "payments",
        "prod",
        "payments",
        "payments-service-role",
        ago(days=14),
        memory=256,
        timeout=15,
        arch="arm64",
        log_format="JSON",
        variables={"LEDGER_TABLE": "ledger-prod"},
        layers=(PY_UTILS,),
        dead_letter="sns:payments-alerts",
        reserved=10,
    ),
    Function(
        "image-resizer",
        "Creates thumbnails for uploaded product images",
        None,
        None,
        "catalog",
        "prod",
        "images",
        "catalog-service-role",
        ago(days=4),
        memory=2048,
        timeout=60,
        arch="arm64",
        storage=1024,
        variables={"THUMBNAIL_BUCKET": "shop-product-thumbnails"},
        dead_letter="sqs:image-resizer-dlq",
        image="image-resizer:v42",
        image_command=("app.handler",),
    ),
    Function(
        "catalog-search-indexer",
        "Consumes catalog-updates and refreshes the search index",
        "nodejs22.x",
        "index.handler",
        "catalog",
        "prod",
        "search",
        "catalog-service-role",
        ago(days=10),
        memory=1536,
        timeout=300,
        arch="arm64",
        log_format="JSON",
        variables={"SEARCH_ENDPOINT": "https://search.internal.example.com"},
        layers=(TELEMETRY,),
    ),
    Function(
        "catalog-price-updater",
        "Applies supplier price files",
        "python3.11",
        "lambda_function.lambda_handler",
        "catalog",
        "staging",
        "pricing",
        "catalog-service-role",
        ago(days=2, hours=7),
        memory=256,
        timeout=60,
        layers=(PY_UTILS_OLD,),
    ),
    Function(
        "report-generator-java",
        "Monthly finance reports as PDF",
        "java21",
        "com.example.reports.ReportHandler::handleRequest",
        "finance",
        "prod",
        "reports",
        "lambda-basic-execution",
        ago(days=61),
        memory=4096,
        timeout=900,
        storage=8192,
        variables={"REPORT_BUCKET": "shop-finance-reports"},
    ),
    Function(
        "auth-token-issuer",
        "Issues access tokens for the storefront",
        "provided.al2023",
        "bootstrap",
        "platform",
        "prod",
        "auth",
        "platform-auth-role",
        ago(days=5, hours=2),
        memory=128,
        timeout=3,
        arch="arm64",
        log_format="JSON",
        variables={"JWT_SECRET": "demo-jwt-secret-not-real", "TOKEN_TTL_SECONDS": "900"},
        reserved=100,
    ),
    Function(
        "auth-session-validator",
        "Validates session tokens at the edge of every API",
        "provided.al2023",
        "bootstrap",
        "platform",
        "prod",
        "auth",
        "platform-auth-role",
        ago(days=5, hours=2),
        memory=128,
        timeout=5,
        arch="arm64",
        log_format="JSON",
        variables={"JWKS_URL": "https://auth.internal.example.com/.well-known/jwks.json"},
    ),
    Function(
        "auth-jwks-rotator",
        "Rotates token signing keys weekly",
        "provided.al2023",
        "bootstrap",
        "platform",
        "prod",
        "auth",
        "auth-jwks-rotator-role",
        ago(days=33),
        memory=256,
        timeout=60,
    ),
    Function(
        "notifications-email-sender",
        "Sends transactional email",
        "python3.12",
        "sender.handler",
        "growth",
        "prod",
        "notifications",
        "notifications-role",
        ago(days=16),
        memory=256,
        timeout=30,
        arch="arm64",
        log_format="JSON",
        variables={
            "SENDGRID_API_KEY": "SG.demo-NOT-A-REAL-KEY",
            "FROM_ADDRESS": "orders@example.com",
        },
        layers=(PY_UTILS,),
        dead_letter="sqs:notifications-dlq",
        on_failure="sqs:notifications-failures",
        retries=1,
        max_event_age=21600,
    ),
    Function(
        "notifications-sms-sender",
        "Sends delivery updates by SMS",
        "nodejs20.x",
        "index.handler",
        "growth",
        "prod",
        "notifications",
        "notifications-role",
        ago(days=73),
        memory=128,
        timeout=10,
        dead_letter="sqs:notifications-dlq",
    ),
    Function(
        "inventory-sync",
        "Syncs stock levels from the warehouse system",
        "python3.12",
        "lambda_function.lambda_handler",
        "inventory",
        "prod",
        "inventory",
        "lambda-basic-execution",
        ago(days=21),
        memory=512,
        timeout=120,
        log_format="JSON",
        variables={"WAREHOUSE_API_URL": "https://wms.internal.example.com"},
        layers=(PY_UTILS,),
        reserved=5,
    ),
    Function(
        "inventory-sync-dev",
        "Syncs stock levels from the warehouse system (dev)",
        "python3.13",
        "lambda_function.lambda_handler",
        "inventory",
        "dev",
        "inventory",
        "lambda-basic-execution",
        ago(hours=20),
        memory=128,
        timeout=120,
        arch="arm64",
    ),
    Function(
        "shipping-label-printer",
        "Buys shipping labels from the carrier",
        "java17",
        "com.example.shipping.LabelHandler::handleRequest",
        "fulfilment",
        "prod",
        "shipping",
        "lambda-basic-execution",
        ago(days=120),
        memory=1024,
        timeout=30,
    ),
    Function(
        "shipping-rates-quote",
        "Quotes shipping rates at checkout",
        "nodejs22.x",
        "index.handler",
        "fulfilment",
        "prod",
        "shipping",
        "lambda-basic-execution",
        ago(days=9),
        memory=512,
        timeout=6,
        arch="arm64",
        log_format="JSON",
    ),
    Function(
        "legacy-coupon-service",
        "DEPRECATED: replaced by promotions; concurrency set to 0",
        "python3.11",
        "lambda_function.lambda_handler",
        "growth",
        "prod",
        "coupons",
        "lambda-basic-execution",
        ago(days=412),
        memory=128,
        timeout=3,
        reserved=0,
    ),
    Function(
        "platform-log-shipper",
        "Forwards CloudWatch log subscriptions to the log archive",
        "python3.12",
        "shipper.handler",
        "platform",
        "prod",
        "observability",
        "lambda-basic-execution",
        ago(days=150),
        memory=128,
        timeout=60,
        arch="arm64",
    ),
    Function(
        "platform-canary-healthcheck",
        "Probes the storefront every minute",
        "nodejs22.x",
        "index.handler",
        "platform",
        "prod",
        "observability",
        "lambda-basic-execution",
        ago(days=2),
        memory=128,
        timeout=30,
        arch="arm64",
        log_format="JSON",
    ),
    Function(
        "dev-sandbox-hello",
        "Hello world used for onboarding",
        "python3.13",
        "lambda_function.lambda_handler",
        "platform",
        "dev",
        "onboarding",
        "lambda-basic-execution",
        ago(days=3, hours=5),
    ),
    Function(
        "orders-analytics-consumer",
        "Reads the orders-events stream into the analytics warehouse",
        "python3.12",
        "analytics.handler",
        "orders",
        "prod",
        "analytics",
        "orders-analytics-consumer-role",
        ago(days=5, hours=2),
        memory=512,
        timeout=60,
        arch="arm64",
        log_format="JSON",
        variables={
            "WAREHOUSE_URL": "https://warehouse.internal.example.com",
            "POWERTOOLS_SERVICE_NAME": "orders-analytics-consumer",
        },
        layers=(PY_UTILS,),
    ),
)

EVENT_SOURCES = (
    EventSource("orders-queue", "orders-worker", 10, 5, 20, ago(days=400)),
    EventSource("catalog-updates", "catalog-search-indexer", 100, 30, 5, ago(days=238)),
)

STREAM_SOURCES = (
    StreamSource(
        "orders-events",
        "orders-analytics-consumer",
        100,
        "LATEST",
        "sqs:orders-analytics-failures",
        ago(days=75),
        window=1,
        retries=3,
        max_record_age=86_400,
        bisect=True,
    ),
)

RETENTION = {"prod": 30, "staging": 14, "dev": 7}


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
        chooser = random.Random(SEED)
        package = function_package(
            "bulk-fn", "python3.12", "app.handler", "Generated function", "1"
        )
        zipped = encoded(package)
        for index in range(1, count + 1):
            name = f"bulk-fn-{index:05d}"
            runtime = chooser.choice(BULK_RUNTIMES)
            handler = "app.handler" if runtime.startswith("python") else "index.handler"
            function = self.lambdas.create_function(
                {
                    "FunctionName": name,
                    "Description": f"Generated function {index}",
                    "Role": self.role_arn(role.name),
                    "Runtime": runtime,
                    "Handler": handler,
                    "MemorySize": chooser.choice(BULK_MEMORY),
                    "Timeout": chooser.choice((3, 10, 30, 60)),
                    "Architectures": [chooser.choice(("x86_64", "arm64"))],
                    "Tags": {"env": "dev", "team": "platform", "service": "bulk"},
                    "Code": {"ZipFile": zipped},
                }
            )
            function.last_modified = aws_timestamp(self.at(ago(minutes=7 * index)))
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
