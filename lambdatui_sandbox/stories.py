"""The demo account's traffic: an online shop's functions during an incident.

- payments-webhook: version 2 went live on the ``prod`` alias 23 minutes ago and fails
  with ``KeyError: 'payment_intent'`` on events without a payment intent; the share of
  failures keeps rising, and each failed event is retried twice.
- checkout-api: version 2 runs as a 10% canary on ``live`` and fails on carts without a
  promotion currency (TypeError); version 1 is healthy.
- legacy-coupon-service: reserved concurrency 0, an old app version still calls it, so
  every request is throttled.
- inventory-sync: the warehouse pushes bursts of sync requests every ten minutes, more
  than its reserved concurrency of 5 can take, so part of each burst is throttled.
- shipping-label-printer: the carrier API hangs now and then and the function times
  out after 30 seconds.
- image-resizer: very large uploads run it out of memory (Runtime.OutOfMemory).
- orders-analytics-consumer: reads the orders-events Kinesis stream; the warehouse it
  writes to slowed down 40 minutes ago, so the consumer falls behind and its IteratorAge
  grows from about a second to six minutes by now, and keeps growing.
- Everything else is healthy, from about one call a minute to a few per second, with
  schedules where a function is a cron job.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from .invocations import InvocationType, Outcome
from .profiles import (
    Backlog,
    Bursts,
    Context,
    DailyAt,
    Every,
    Failure,
    Line,
    Profile,
    Ramp,
    Spread,
)
from .world import FUNCTIONS

ASYNC = InvocationType.ASYNC
SQS = InvocationType.SQS_BATCH
STREAM = InvocationType.STREAM
BACKLOG_MS = 40 * 60_000

OK_EVENT_TYPES = (
    "payment_intent.succeeded",
    "payment_intent.succeeded",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.succeeded",
    "charge.succeeded",
)
INTENTLESS_EVENT_TYPES = ("charge.dispute.created", "payout.paid", "customer.updated")


def _hex(bits: int) -> Any:
    width = bits // 4
    return lambda rng: f"{rng.getrandbits(bits):0{width}x}"


def _choice(*values: str) -> Any:
    return lambda rng: rng.choice(values)


def _int(low: int, high: int) -> Any:
    return lambda rng: str(rng.randint(low, high))


def _money(low: float, high: float) -> Any:
    return lambda rng: f"{rng.uniform(low, high):.2f}"


VOCABULARY: Mapping[str, Any] = {
    "order_id": lambda rng: f"ord_{rng.getrandbits(40):010x}",
    "cart_id": lambda rng: f"cart_{rng.getrandbits(40):010x}",
    "customer_id": lambda rng: f"cus_{rng.getrandbits(48):012x}",
    "event_id": lambda rng: f"evt_{rng.getrandbits(96):024x}",
    "pi_id": lambda rng: f"pi_{rng.getrandbits(96):024x}",
    "entry_id": lambda rng: f"led_{rng.getrandbits(48):012x}",
    "event_type": _choice(*OK_EVENT_TYPES),
    "bad_event_type": _choice(*INTENTLESS_EVENT_TYPES),
    "state": _choice("succeeded", "succeeded", "succeeded", "requires_payment_method"),
    "sku": lambda rng: f"SKU-{rng.randint(10000, 99999)}",
    "items": _int(1, 6),
    "amount": _money(6.0, 320.0),
    "tax": _money(0.4, 28.0),
    "currency": _choice("USD", "USD", "USD", "EUR", "GBP"),
    "records": _int(1, 10),
    "slow_ms": _int(900, 2400),
    "ms": _int(40, 260),
    "latency": _int(80, 190),
    "score": lambda rng: f"{rng.betavariate(1.2, 9):.3f}",
    "carrier": _choice("UPS", "FedEx", "DHL", "USPS"),
    "tracking": lambda rng: f"1Z{rng.getrandbits(56):014X}",
    "zip": _int(10001, 99950),
    "rates": _int(3, 7),
    "client_id": _choice("storefront-web", "storefront-web", "ios-app", "android-app"),
    "user_id": lambda rng: f"usr_{rng.getrandbits(48):012x}",
    "template": _choice("order-confirmation", "shipping-update", "refund-issued"),
    "message_id": lambda rng: f"{rng.getrandbits(88):022x}",
    "sms_id": lambda rng: f"SM{rng.getrandbits(128):032x}",
    "upload": lambda rng: f"uploads/2026/{rng.getrandbits(48):012x}.jpg",
    "mp": lambda rng: f"{rng.uniform(2.0, 24.0):.1f}",
    "big_mp": lambda rng: f"{rng.uniform(48.0, 108.0):.1f}",
    "thumbs": _choice("3", "4"),
    "docs": _int(1, 100),
    "took": _int(35, 420),
    "supplier": _choice("acme", "globex", "initech", "umbrella"),
    "prices": _int(200, 4000),
    "skipped": _int(0, 12),
    "skus": _int(20, 400),
    "warehouse": _choice("EWR1", "LAS2", "DFW3"),
    "sessions": _int(40, 900),
    "settlements": _int(300, 1400),
    "unmatched": _int(0, 3),
    "batch_id": lambda rng: f"stl_{rng.getrandbits(40):010x}",
    "log_group": _choice(
        "/aws/ecs/storefront", "/aws/ecs/search-api", "/aws/rds/ledger/postgresql"
    ),
    "forwarded": _int(12, 480),
    "rows": _int(18000, 42000),
    "expired": _int(0, 35),
    "refund_id": lambda rng: f"re_{rng.getrandbits(96):024x}",
    "shard": _choice("shardId-000000000000", "shardId-000000000001"),
    "batch": _int(60, 100),
    "warehouse_ms": _int(1800, 5200),
}

WEBHOOK_STACK = (
    '  File "/var/task/app.py", line 47, in handler\n    return route(event)\n',
    '  File "/var/task/app.py", line 29, in route\n'
    '    return HANDLERS[kind](payload["data"]["object"])\n',
    '  File "/var/task/handlers/payments.py", line 63, in on_payment_event\n'
    '    intent_id = obj["payment_intent"]\n',
)

CHECKOUT_STACK = (
    "TypeError: Cannot read properties of undefined (reading 'currency')",
    "    at applyPromotions (file:///var/task/pricing.mjs:142:38)",
    "    at priceCart (file:///var/task/pricing.mjs:61:11)",
    "    at async Runtime.handler (file:///var/task/index.mjs:24:19)",
)

ORDERS_STACK = (
    '  File "/var/task/app.py", line 88, in create_order\n    table.put_item(Item=item)\n',
    '  File "/opt/python/botocore/client.py", line 1023, in _make_api_call\n'
    "    raise error_class(parsed_response, operation_name)\n",
)


def _webhook_payload(ctx: Context) -> dict[str, Any]:
    kind = ctx["event_type"]
    obj: dict[str, Any] = {"id": ctx["pi_id"], "object": kind.split(".")[0]}
    if kind.startswith(("payment_intent", "charge.succeeded")):
        obj.update(
            amount=int(float(ctx["amount"]) * 100),
            currency=ctx["currency"].lower(),
            payment_intent=ctx["pi_id"],
            customer=ctx["customer_id"],
        )
    return {
        "id": ctx["event_id"],
        "object": "event",
        "api_version": "2024-06-20",
        "type": kind,
        "livemode": True,
        "data": {"object": obj},
    }


def _ledger_payload(ctx: Context) -> dict[str, Any]:
    return {
        "payment_intent": ctx["pi_id"],
        "amount": ctx["amount"],
        "currency": ctx["currency"],
        "entry": ctx["entry_id"],
    }


def _image_payload(ctx: Context) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "shop-product-uploads"},
                    "object": {"key": ctx["upload"]},
                },
            }
        ]
    }


def _email_payload(ctx: Context) -> dict[str, Any]:
    return {"template": ctx["template"], "customer": ctx["customer_id"], "order": ctx["order_id"]}


def _sms_payload(ctx: Context) -> dict[str, Any]:
    return {"order": ctx["order_id"], "kind": "out-for-delivery"}


def _queue_payload(ctx: Context) -> dict[str, Any]:
    count = int(ctx["records"])
    return {
        "Records": [
            {
                "messageId": f"{ctx.rng.getrandbits(128):032x}",
                "eventSource": "aws:sqs",
                "body": f'{{"order_id": "{ctx["order_id"]}", "seq": {index}}}',
            }
            for index in range(count)
        ]
    }


def _stream_payload(ctx: Context) -> dict[str, Any]:
    shard = ctx["shard"]
    return {
        "Records": [
            {
                "eventSource": "aws:kinesis",
                "eventName": "aws:kinesis:record",
                "eventID": f"{shard}:{ctx.rng.getrandbits(180):055d}",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/orders-events",
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": ctx["order_id"],
                    "data": "eyJ0eXBlIjogIm9yZGVyLmNyZWF0ZWQifQ==",
                },
            }
        ]
    }


def _schedule_payload(ctx: Context) -> dict[str, Any]:
    return {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}


def _logs_payload(ctx: Context) -> dict[str, Any]:
    return {"awslogs": {"data": f"H4sIAAAAAAAA/{ctx.rng.getrandbits(192):048x}"}}


def _ago(spec_name: str, release: int) -> timedelta:
    for spec in FUNCTIONS:
        if spec.name == spec_name:
            return spec.releases[release - 1]
    raise KeyError(spec_name)


def demo_profiles(now_ms: int) -> dict[str, Profile]:
    """Profiles of the demo world's functions, anchored on the world clock."""
    webhook_v2 = now_ms - int(_ago("payments-webhook", 2).total_seconds() * 1000)
    return {
        "orders-api": Profile(
            rate=1.2,
            style="powertools",
            duration=Spread(48, 0.45),
            init=Spread(310, 0.2, 0.0),
            memory=(112, 138),
            lines=(
                Line("DEBUG", "Loaded customer {customer_id}", location="load_customer:41"),
                Line(
                    "INFO",
                    ("Received POST /orders", "Received GET /orders/{order_id}"),
                    location="handler:31",
                    fields=(("cart_id", "{cart_id}"),),
                ),
                Line(
                    "INFO",
                    "Order {order_id} created with {items} item(s), total {amount} {currency}",
                    location="create_order:92",
                    fields=(("order_id", "{order_id}"), ("items", "{items}")),
                ),
                Line(
                    "WARNING",
                    "Inventory reservation for {sku} took {slow_ms} ms",
                    chance=0.03,
                    location="reserve_stock:133",
                ),
            ),
            failures=(
                Failure(
                    Outcome.ERROR,
                    0.002,
                    "ProvisionedThroughputExceededException",
                    "An error occurred (ProvisionedThroughputExceededException) when calling "
                    "the PutItem operation (reached max retries: 3): The level of configured "
                    "provisioned throughput for the table was exceeded.",
                    ORDERS_STACK,
                    lines=(Line("INFO", "Received POST /orders", location="handler:31"),),
                ),
            ),
        ),
        "orders-worker": Profile(
            rate=0.25,
            kind=SQS,
            style="powertools",
            duration=Spread(850, 0.5),
            init=Spread(340, 0.2, 0.0),
            memory=(150, 190),
            payload=_queue_payload,
            lines=(
                Line(
                    "INFO",
                    "Processing {records} record(s) from orders-queue",
                    location="handler:22",
                ),
                Line("INFO", "Reserved stock for order {order_id}", location="reserve:57"),
                Line(
                    "INFO",
                    "Charged {amount} {currency} for order {order_id}",
                    location="charge:84",
                    fields=(("order_id", "{order_id}"),),
                ),
                Line(
                    "WARNING",
                    "Payments API returned 503 for order {order_id}; reporting item failure",
                    chance=0.04,
                    location="charge:97",
                ),
            ),
        ),
        "orders-export-csv": Profile(
            schedule=DailyAt(2, 0),
            kind=ASYNC,
            duration=Spread(95_000, 0.15, 0.0),
            memory=(640, 910),
            payload=_schedule_payload,
            lines=(
                Line("INFO", "Exporting yesterday's orders"),
                Line("INFO", "Wrote {rows} rows to s3://shop-finance-exports/orders.csv"),
            ),
        ),
        "orders-api-staging": Profile(
            rate=1 / 60,
            duration=Spread(60, 0.5),
            memory=(96, 120),
            lines=(
                Line("DEBUG", "Event: POST /orders cart={cart_id}", fields=(("stage", "staging"),)),
                Line("DEBUG", "GetItem carts-staging {cart_id} consumed 0.5 RCU"),
                Line("INFO", "Order {order_id} created with {items} item(s)"),
                Line("DEBUG", "PutItem orders-staging consumed 1.0 WCU"),
            ),
        ),
        "checkout-api": Profile(
            rate=1.0,
            style="node",
            duration=Spread(140, 0.4),
            init=Spread(240, 0.2, 0.0),
            memory=(118, 152),
            lines=(
                Line("INFO", "POST /checkout cart={cart_id}"),
                Line("INFO", "Priced cart {cart_id}: subtotal {amount} tax {tax} {currency}"),
                Line("INFO", "Submitted order {order_id}", fields=(("orderId", "{order_id}"),)),
            ),
            failures=(
                Failure(
                    Outcome.ERROR,
                    0.07,
                    "TypeError",
                    "Cannot read properties of undefined (reading 'currency')",
                    CHECKOUT_STACK,
                    versions=("2",),
                    lines=(
                        Line("INFO", "POST /checkout cart={cart_id}"),
                        Line(
                            "WARN", "Promotion SPRING-{items}0 has no price list for cart {cart_id}"
                        ),
                    ),
                ),
            ),
        ),
        "checkout-cart-service": Profile(
            rate=0.8,
            style="node",
            duration=Spread(22, 0.5),
            init=Spread(200, 0.2, 0.0),
            memory=(78, 96),
            lines=(Line("INFO", ("GET /cart/{cart_id}", "PUT /cart/{cart_id} items={items}")),),
        ),
        "checkout-session-cleanup": Profile(
            schedule=Every(3600),
            kind=ASYNC,
            style="node",
            duration=Spread(34_000, 0.2, 0.0),
            memory=(88, 120),
            payload=_schedule_payload,
            lines=(
                Line("INFO", "Scanning checkout sessions older than 30 minutes"),
                Line("INFO", "Expired {expired} abandoned checkout sessions of {sessions}"),
            ),
        ),
        "payments-webhook": Profile(
            rate=0.6,
            kind=ASYNC,
            duration=Spread(160, 0.45),
            init=Spread(420, 0.2, 0.0),
            memory=(104, 131),
            payload=_webhook_payload,
            lines=(
                Line(
                    "INFO",
                    "Received {event_type} {event_id}",
                    fields=(("provider", "stripe"), ("event_type", "{event_type}")),
                ),
                Line("INFO", "Payment {pi_id} marked {state}"),
            ),
            failures=(
                Failure(
                    Outcome.ERROR,
                    Ramp(webhook_v2, webhook_v2 + 40 * 60_000, 0.06, 0.5),
                    "KeyError",
                    "'payment_intent'",
                    WEBHOOK_STACK,
                    versions=("2",),
                    lines=(
                        Line(
                            "INFO",
                            "Received {event_type} {event_id}",
                            fields=(("provider", "stripe"), ("event_type", "{event_type}")),
                        ),
                    ),
                    context={"event_type": "{bad_event_type}"},
                ),
            ),
        ),
        "payments-reconciler-prod": Profile(
            schedule=Every(900, 5),
            kind=ASYNC,
            style="java",
            duration=Spread(52_000, 0.25, 0.0),
            init=Spread(2600, 0.2, 0.0),
            memory=(980, 1320),
            payload=_schedule_payload,
            lines=(
                Line("INFO", "Reconciling settlement batch {batch_id} ({settlements} items)"),
                Line("INFO", "Matched {settlements} settlements; {unmatched} left for review"),
            ),
        ),
        "payments-refunds": Profile(
            rate=1 / 120,
            style="java",
            duration=Spread(640, 0.4),
            init=Spread(3100, 0.2, 0.0),
            memory=(190, 240),
            lines=(
                Line("INFO", "Refund requested for {pi_id} ({amount} {currency})"),
                Line("INFO", "Refund {refund_id} issued"),
            ),
        ),
        "payments-fraud-score": Profile(
            rate=0.6,
            duration=Spread(95, 0.35),
            init=Spread(1900, 0.25, 0.0),
            memory=(3600, 4200),
            lines=(
                Line("INFO", "Scored payment {pi_id}: {score}"),
                Line("WARNING", "Model inference took {slow_ms} ms (budget 250 ms)", chance=0.03),
            ),
        ),
        "payments-ledger-writer": Profile(
            rate=0.4,
            kind=ASYNC,
            duration=Spread(32, 0.4),
            init=Spread(280, 0.2, 0.0),
            memory=(84, 102),
            payload=_ledger_payload,
            lines=(
                Line(
                    "INFO",
                    "Wrote ledger entry {entry_id} for {pi_id} ({amount} {currency})",
                    fields=(("entry", "{entry_id}"),),
                ),
            ),
        ),
        "image-resizer": Profile(
            rate=0.25,
            kind=ASYNC,
            duration=Spread(1500, 0.45),
            init=Spread(1100, 0.25, 0.0),
            memory=(420, 910),
            payload=_image_payload,
            lines=(
                Line("INFO", "Resizing s3://shop-product-uploads/{upload} ({mp} MP)"),
                Line("INFO", "Wrote {thumbs} thumbnails to s3://shop-product-thumbnails"),
            ),
            failures=(
                Failure(
                    Outcome.OOM,
                    0.03,
                    "Runtime.OutOfMemory",
                    "Runtime exited with error: signal: killed",
                    lines=(
                        Line("INFO", "Resizing s3://shop-product-uploads/{upload} ({big_mp} MP)"),
                    ),
                ),
            ),
        ),
        "catalog-search-indexer": Profile(
            rate=0.15,
            kind=SQS,
            style="node",
            duration=Spread(2400, 0.4),
            init=Spread(260, 0.2, 0.0),
            memory=(210, 330),
            payload=_queue_payload,
            lines=(
                Line("INFO", "Indexing {docs} product update(s)"),
                Line("INFO", "Bulk request to products-v7 took {took} ms"),
            ),
        ),
        "catalog-price-updater": Profile(
            schedule=Every(1800, 420),
            kind=ASYNC,
            duration=Spread(8000, 0.3, 0.0),
            memory=(110, 160),
            payload=_schedule_payload,
            lines=(
                Line("INFO", "Applying price file supplier-{supplier}.csv"),
                Line("INFO", "Updated {prices} prices, skipped {skipped}"),
            ),
        ),
        "report-generator-java": Profile(
            schedule=DailyAt(6, 0, monthday=1),
            kind=ASYNC,
            style="java",
            duration=Spread(410_000, 0.2, 0.0),
            init=Spread(2800, 0.2, 0.0),
            memory=(1900, 2600),
            payload=_schedule_payload,
            lines=(Line("INFO", "Rendering monthly finance report"),),
        ),
        "auth-token-issuer": Profile(
            rate=1.5,
            style="go",
            duration=Spread(11, 0.5),
            init=Spread(55, 0.25, 0.0),
            memory=(22, 31),
            lines=(
                Line(
                    "INFO",
                    "issued access token",
                    fields=(("client_id", "{client_id}"), ("ttl", "900")),
                ),
            ),
        ),
        "auth-session-validator": Profile(
            rate=2.0,
            style="go",
            duration=Spread(3.5, 0.5),
            init=Spread(48, 0.25, 0.0),
            memory=(20, 27),
            lines=(
                Line(
                    "WARN",
                    "rejected expired session token",
                    chance=0.04,
                    fields=(("client_id", "{client_id}"),),
                ),
            ),
        ),
        "auth-jwks-rotator": Profile(
            schedule=DailyAt(3, 0, weekday=0),
            kind=ASYNC,
            style="go",
            duration=Spread(1200, 0.3, 0.0),
            init=Spread(60, 0.2, 0.0),
            memory=(28, 36),
            payload=_schedule_payload,
            lines=(Line("INFO", "rotated signing key"),),
        ),
        "notifications-email-sender": Profile(
            rate=0.3,
            kind=ASYNC,
            style="powertools",
            duration=Spread(240, 0.4),
            init=Spread(330, 0.2, 0.0),
            memory=(96, 118),
            payload=_email_payload,
            lines=(
                Line(
                    "INFO",
                    "Sending {template} email to customer {customer_id}",
                    location="send:38",
                    fields=(("template", "{template}"),),
                ),
                Line("INFO", "SendGrid accepted message {message_id}", location="send:61"),
            ),
        ),
        "notifications-sms-sender": Profile(
            rate=0.1,
            kind=ASYNC,
            style="node",
            duration=Spread(310, 0.4),
            init=Spread(210, 0.2, 0.0),
            memory=(70, 88),
            payload=_sms_payload,
            lines=(
                Line("INFO", "Sending delivery update SMS for order {order_id}"),
                Line("INFO", "Twilio accepted message {sms_id}"),
            ),
        ),
        "inventory-sync": Profile(
            rate=1 / 60,
            bursts=Bursts(600, 36, 12, 180),
            duration=Spread(2600, 0.35),
            init=Spread(300, 0.2, 0.0),
            memory=(130, 170),
            lines=(
                Line("INFO", "Syncing {skus} SKU(s) from warehouse {warehouse}"),
                Line(
                    "INFO",
                    "Stock levels updated for {skus} SKU(s)",
                    fields=(("warehouse", "{warehouse}"),),
                ),
            ),
        ),
        "inventory-sync-dev": Profile(
            schedule=Every(900, 90),
            kind=ASYNC,
            duration=Spread(1800, 0.3, 0.0),
            memory=(60, 78),
            payload=_schedule_payload,
            lines=(Line("INFO", "Syncing {skus} SKU(s) from warehouse {warehouse} (dev)"),),
        ),
        "shipping-label-printer": Profile(
            rate=0.15,
            style="java",
            duration=Spread(1900, 0.5),
            init=Spread(3100, 0.2, 0.0),
            memory=(230, 290),
            lines=(
                Line("INFO", "Requesting {carrier} label for order {order_id}"),
                Line("INFO", "Label {tracking} purchased from {carrier}"),
            ),
            failures=(
                Failure(
                    Outcome.TIMEOUT,
                    0.05,
                    lines=(
                        Line("INFO", "Requesting {carrier} label for order {order_id}"),
                        Line("WARN", "{carrier} did not answer in 10 s, retrying (attempt 2 of 3)"),
                    ),
                ),
            ),
        ),
        "shipping-rates-quote": Profile(
            rate=0.8,
            style="node",
            duration=Spread(280, 0.5),
            init=Spread(230, 0.2, 0.0),
            memory=(92, 118),
            lines=(
                Line("INFO", "Quoting rates to {zip} for {items} item(s)"),
                Line("INFO", "Returned {rates} rates (cheapest {carrier} {tax} USD)"),
            ),
        ),
        "legacy-coupon-service": Profile(rate=0.3, duration=Spread(40, 0.3)),
        "platform-log-shipper": Profile(
            rate=0.4,
            kind=ASYNC,
            duration=Spread(55, 0.4),
            memory=(64, 82),
            payload=_logs_payload,
            lines=(Line("INFO", "Forwarded {forwarded} log events from {log_group}"),),
        ),
        "platform-canary-healthcheck": Profile(
            schedule=Every(60, 0, 0.8),
            kind=ASYNC,
            style="node",
            duration=Spread(820, 0.3),
            memory=(84, 104),
            payload=_schedule_payload,
            lines=(
                Line("INFO", "GET https://shop.example.com/ 200 in {latency} ms"),
                Line("INFO", "GET https://shop.example.com/api/health 200 in {ms} ms"),
            ),
        ),
        "orders-analytics-consumer": Profile(
            rate=0.4,
            kind=STREAM,
            style="powertools",
            duration=Spread(2600, 0.35),
            init=Spread(360, 0.2, 0.0),
            memory=(180, 230),
            payload=_stream_payload,
            backlog=Backlog(now_ms - BACKLOG_MS),
            lines=(
                Line(
                    "INFO",
                    "Processing {batch} record(s) from orders-events {shard}",
                    location="handler:28",
                    fields=(("shard", "{shard}"),),
                ),
                Line(
                    "WARNING",
                    "Warehouse insert took {warehouse_ms} ms for {batch} record(s)",
                    chance=0.35,
                    location="load:71",
                ),
                Line(
                    "INFO", "Loaded {batch} order event(s) into the warehouse", location="load:88"
                ),
            ),
        ),
        "dev-sandbox-hello": Profile(
            rate=1 / 1200,
            duration=Spread(2.5, 0.3),
            memory=(38, 44),
            lines=(Line("INFO", "Hello from dev-sandbox-hello!"),),
        ),
    }
