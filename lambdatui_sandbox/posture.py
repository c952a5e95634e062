"""The demo account's posture: policies, invoke permissions and CloudWatch alarms.

Each finding the console knows shows up somewhere: `payments-service-role`
allows `sqs:*` and `dynamodb:*` on `*`, several roles are shared, async
functions lack failure destinations, some alarms are in ALARM with a history,
and `orders-analytics-consumer` is clean (its own narrow role, JSON logs, alarms
on Errors, Throttles, IteratorAge and its failure queue's depth).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from .alarms import transition

ARN = "arn:aws:{service}:REGION:ACCOUNT:{resource}"


def arn(service: str, resource: str) -> str:
    return ARN.format(service=service, resource=resource)


def policy(*statements: tuple[list[str], str | list[str]]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": resource}
            for actions, resource in statements
        ],
    }


# Customer managed policies, attached to roles by name.
MANAGED = {
    "lambda-logs-write": (
        "CloudWatch Logs for Lambda functions' own log groups",
        policy(
            (
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [arn("logs", "log-group:/aws/lambda/*:*"), arn("logs", "log-group:/shop/*:*")],
            )
        ),
    ),
    "xray-write": (
        "Send traces to X-Ray",
        policy((["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")),
    ),
    "vpc-network-interfaces": (
        "Network interfaces for functions attached to a VPC",
        policy(
            (
                [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DeleteNetworkInterface",
                ],
                "*",
            )
        ),
    ),
}

# Inline policies by role name (one per role, named ROLE-access).
INLINE: Mapping[str, dict[str, Any]] = {
    "orders-service-role": policy(
        (
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
            [arn("dynamodb", "table/orders-prod"), arn("dynamodb", "table/orders-staging")],
        ),
        (
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            arn("sqs", "orders-queue"),
        ),
        (["s3:PutObject"], "arn:aws:s3:::shop-finance-exports/*"),
    ),
    # The broad one: written in a hurry during the payments launch.
    "payments-service-role": policy(
        (["sqs:*", "sns:Publish"], "*"),
        (["dynamodb:*"], "*"),
        (["secretsmanager:GetSecretValue"], arn("secretsmanager", "secret:payments/*")),
    ),
    "checkout-service-role": policy(
        (
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            arn("dynamodb", "table/carts-prod"),
        ),
    ),
    "catalog-service-role": policy(
        (["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::shop-product-*/*"),
        (
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            arn("sqs", "catalog-updates"),
        ),
    ),
    "platform-auth-role": policy(
        (["kms:Sign", "kms:GetPublicKey"], arn("kms", "key/0b6c5c1e-demo-signing-key")),
    ),
    "auth-jwks-rotator-role": policy(
        (["kms:GetPublicKey", "kms:Sign"], arn("kms", "alias/auth-signing-*")),
        (["s3:PutObject"], "arn:aws:s3:::shop-auth-jwks/*"),
    ),
    "notifications-role": policy(
        (["ses:SendEmail"], arn("ses", "identity/example.com")),
        (["sqs:SendMessage"], arn("sqs", "notifications-failures")),
    ),
    "orders-analytics-consumer-role": policy(
        (
            [
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:ListShards",
            ],
            arn("kinesis", "stream/orders-events"),
        ),
        (["sqs:SendMessage"], arn("sqs", "orders-analytics-failures")),
    ),
}

ATTACHED: Mapping[str, tuple[str, ...]] = {
    "lambda-basic-execution": ("lambda-logs-write",),
    "orders-service-role": ("lambda-logs-write", "xray-write"),
    "payments-service-role": ("lambda-logs-write", "vpc-network-interfaces"),
    "checkout-service-role": ("lambda-logs-write", "xray-write"),
    "catalog-service-role": ("lambda-logs-write",),
    "platform-auth-role": ("lambda-logs-write",),
    "auth-jwks-rotator-role": ("lambda-logs-write",),
    "notifications-role": ("lambda-logs-write",),
    "orders-analytics-consumer-role": ("lambda-logs-write",),
}

# Services allowed to invoke functions (they invoke asynchronously).
PERMISSIONS = (
    ("catalog-price-updater", "s3.amazonaws.com", "arn:aws:s3:::shop-supplier-price-files"),
    ("checkout-session-cleanup", "events.amazonaws.com", arn("events", "rule/hourly-cleanup")),
    ("report-generator-java", "events.amazonaws.com", arn("events", "rule/monthly-reports")),
    ("image-resizer", "s3.amazonaws.com", "arn:aws:s3:::shop-product-uploads"),
    ("notifications-email-sender", "sns.amazonaws.com", arn("sns", "orders-events")),
)


@dataclass(frozen=True)
class Alarm:
    """A demo alarm: ``function`` or ``queue`` names what it watches; states oldest first."""

    name: str
    metric: str = ""
    function: str = ""
    queue: str = ""
    resource: str = ""  # Resource dimension ("NAME:alias") instead of FunctionName
    statistic: str = "Sum"
    threshold: float = 1
    comparison: str = "GreaterThanOrEqualToThreshold"
    period: int = 60
    periods: int = 1
    description: str = ""
    rule: str = ""
    math: tuple[str, str, str] | None = None  # (expression, metric 1, metric 2)
    # (minutes ago, state, reason), oldest first; the last is the current state.
    states: tuple[tuple[float, str, str], ...] = field(default_factory=tuple)


def _ok(minutes: float) -> tuple[float, str, str]:
    return (
        minutes,
        "OK",
        "Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold.",
    )


ALARMS = (
    Alarm(
        "payments-webhook-errors",
        "Errors",
        "payments-webhook",
        threshold=5,
        period=300,
        description="Webhook failures: payments are not being confirmed",
        states=(
            _ok(20_000),
            (
                18,
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [41.0] "
                "was greater than or equal to the threshold (5.0).",
            ),
        ),
    ),
    Alarm(
        "payments-webhook-throttles",
        "Throttles",
        "payments-webhook",
        states=(_ok(20_000),),
    ),
    Alarm(
        "payments-webhook-dlq-depth",
        "ApproximateNumberOfMessagesVisible",
        queue="payments-webhook-dlq",
        statistic="Maximum",
        threshold=1,
        description="Failed webhook events waiting in the DLQ",
        states=(
            _ok(20_000),
            (
                12,
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [7.0] "
                "was greater than or equal to the threshold (1.0).",
            ),
        ),
    ),
    Alarm(
        "payments-degraded",
        rule='ALARM("payments-webhook-errors") OR ALARM("payments-webhook-dlq-depth")',
        description="Page the payments on-call",
        states=(
            (20_000, "OK", "All alarms in the rule are OK"),
            (18, "ALARM", 'ALARM("payments-webhook-errors") is in ALARM'),
        ),
    ),
    Alarm(
        "checkout-api-live-errors",
        "Errors",
        resource="checkout-api:live",
        threshold=10,
        period=300,
        description="Errors on the live alias (canary included)",
        states=(
            _ok(30_000),
            (
                240,
                "ALARM",
                "Threshold Crossed: 1 datapoint [12.0] was greater than or equal to the "
                "threshold (10.0).",
            ),
            _ok(232),
            (
                40,
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [23.0] "
                "was greater than or equal to the threshold (10.0).",
            ),
        ),
    ),
    Alarm(
        "checkout-api-p99",
        "Duration",
        "checkout-api",
        statistic="p99",
        threshold=3000,
        comparison="GreaterThanThreshold",
        period=300,
        periods=3,
        description="Checkout is slow for the slowest 1%",
        states=(_ok(30_000),),
    ),
    Alarm("orders-api-errors", "Errors", "orders-api", threshold=5, states=(_ok(40_000),)),
    Alarm("orders-api-throttles", "Throttles", "orders-api", states=(_ok(40_000),)),
    Alarm(
        "orders-worker-error-rate",
        function="orders-worker",
        threshold=5,
        comparison="GreaterThanThreshold",
        period=300,
        math=("100 * errors / invocations", "Errors", "Invocations"),
        description="More than 5% of order batches fail",
        states=(_ok(40_000),),
    ),
    Alarm(
        "legacy-coupon-service-throttles",
        "Throttles",
        "legacy-coupon-service",
        threshold=1,
        description="Callers of the retired coupon service",
        states=(
            (50_000, "OK", "Threshold Crossed: no datapoints were received."),
            (
                2_880,
                "ALARM",
                "Threshold Crossed: 1 datapoint [64.0] was greater than or equal to the "
                "threshold (1.0).",
            ),
        ),
    ),
    Alarm(
        "shipping-label-printer-errors",
        "Errors",
        "shipping-label-printer",
        threshold=3,
        period=300,
        states=(
            _ok(60_000),
            (
                95,
                "ALARM",
                "Threshold Crossed: 1 datapoint [6.0] was greater than or equal to the "
                "threshold (3.0).",
            ),
        ),
    ),
    Alarm(
        "inventory-sync-dev-errors",
        "Errors",
        "inventory-sync-dev",
        states=(
            (
                1_200,
                "INSUFFICIENT_DATA",
                "Insufficient Data: 1 datapoint was unknown.",
            ),
        ),
    ),
    Alarm("orders-analytics-errors", "Errors", "orders-analytics-consumer", states=(_ok(9_000),)),
    Alarm(
        "orders-analytics-throttles",
        "Throttles",
        "orders-analytics-consumer",
        states=(_ok(9_000),),
    ),
    Alarm(
        "orders-analytics-iterator-age",
        "IteratorAge",
        "orders-analytics-consumer",
        statistic="Maximum",
        threshold=60_000,
        comparison="GreaterThanThreshold",
        period=60,
        periods=5,
        description="The analytics consumer is more than a minute behind the stream",
        states=(
            _ok(9_000),
            (
                35,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were greater than the "
                "threshold (60000.0).",
            ),
        ),
    ),
    Alarm(
        "orders-analytics-failures-depth",
        "ApproximateNumberOfMessagesVisible",
        queue="orders-analytics-failures",
        statistic="Maximum",
        states=(_ok(9_000),),
    ),
)


def resolve(document: Mapping[str, Any], account: str, region: str) -> str:
    return json.dumps(document).replace("ACCOUNT", account).replace("REGION", region)


class PostureSeeder:
    def __init__(self, iam: Any, lambdas: Any, account: str, region: str, now: datetime) -> None:
        self.iam = iam
        self.lambdas = lambdas
        self.account = account
        self.region = region
        self.now = now
        self._managed: dict[str, str] = {}

    def managed(self) -> None:
        for name, (description, document) in MANAGED.items():
            created = self.iam.create_policy(
                description=description,
                path="/",
                policy_document=resolve(document, self.account, self.region),
                policy_name=name,
                tags=[],
            )
            self._managed[name] = created.arn

    def role(self, name: str) -> None:
        """Attach the role's managed policies and put its inline one."""
        document = INLINE.get(name)
        if document is not None:
            self.iam.put_role_policy(
                name, f"{name}-access", resolve(document, self.account, self.region)
            )
        for policy_name in ATTACHED.get(name, ()):
            self.iam.attach_role_policy(self._managed[policy_name], name)

    def permissions(self, functions: set[str]) -> None:
        for index, (function, service, source) in enumerate(PERMISSIONS):
            if function not in functions:
                continue
            raw = {
                "StatementId": f"invoke-{index}",
                "Action": "lambda:InvokeFunction",
                "Principal": service,
                "SourceArn": source.replace("ACCOUNT", self.account).replace("REGION", self.region),
            }
            self.lambdas.add_permission(function, None, json.dumps(raw))

    def alarms(self, queues: Mapping[str, str]) -> None:
        backend = cloudwatch_backends[self.account][self.region]
        for spec in ALARMS:
            dimensions: list[dict[str, str]] = []
            namespace = "AWS/Lambda"
            if spec.queue:
                namespace = "AWS/SQS"
                dimensions = [{"Name": "QueueName", "Value": spec.queue}]
                assert spec.queue in queues
            elif spec.resource:
                dimensions = [
                    {"Name": "FunctionName", "Value": spec.resource.split(":")[0]},
                    {"Name": "Resource", "Value": spec.resource},
                ]
            elif spec.function:
                dimensions = [{"Name": "FunctionName", "Value": spec.function}]
            extended = spec.statistic if spec.statistic.startswith("p") else None
            alarm = backend.put_metric_alarm(
                name=spec.name,
                namespace="" if spec.math or spec.rule else namespace,
                metric_name="" if spec.math or spec.rule else spec.metric,
                metric_data_queries=self._math(spec, dimensions),
                comparison_operator="" if spec.rule else spec.comparison,
                evaluation_periods=0 if spec.rule else spec.periods,
                period=0 if spec.rule or spec.math else spec.period,
                threshold=0.0 if spec.rule else float(spec.threshold),
                statistic="" if spec.rule or spec.math or extended else spec.statistic,
                extended_statistic=extended,
                description=spec.description,
                dimensions=[] if spec.math or spec.rule else dimensions,
                alarm_actions=[f"arn:aws:sns:{self.region}:{self.account}:payments-alerts"]
                if spec.name.startswith("payments")
                else [],
                rule=spec.rule or None,
            )
            first = spec.states[0][0] if spec.states else 0
            alarm.configuration_updated_timestamp = (
                self.now - timedelta(minutes=first + 1)
            ).replace(tzinfo=None)
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_reason = "Unchecked: Initial alarm creation"
            for minutes, state, reason in spec.states:
                transition(alarm, state, reason, self.now - timedelta(minutes=minutes))

    def _math(self, spec: Alarm, dimensions: list[dict[str, str]]) -> list[Any] | None:
        if spec.math is None:
            return None
        from moto.cloudwatch import models

        # moto annotates these fields as str; they hold what the API sent.
        query: Any = models.MetricDataQuery
        stat: Any = models.MetricStat
        Dimension, Metric = models.Dimension, models.Metric

        expression, first, second = spec.math
        dims = [Dimension(d["Name"], d["Value"]) for d in dimensions]
        queries = [
            query(
                query_id=query_id,
                label=None,
                period=None,
                return_data=False,
                expression=None,
                metric_stat=stat(
                    metric=Metric(metric_name=metric, namespace="AWS/Lambda", dimensions=dims),
                    period=spec.period,
                    stat="Sum",
                    unit=None,
                ),
            )
            for query_id, metric in (("errors", first), ("invocations", second))
        ]
        queries.append(
            query(
                query_id="rate",
                label="Error rate (%)",
                period=None,
                return_data=True,
                expression=expression,
                metric_stat=None,
            )
        )
        return queries
