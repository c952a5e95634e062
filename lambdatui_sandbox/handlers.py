"""The Python source the sandbox runs when a demo function is invoked.

A few Python demo functions carry real code whose behaviour is their story (see
bundles.py): ``dev-sandbox-hello`` greets, ``orders-api`` answers API Gateway,
``orders-worker`` refuses records that are not orders, and ``payments-webhook``'s
release 2 routes every event to the payment handler, which fails on events without a
payment intent (release 1 acknowledges them). Every other function runs the stand-in:
Python that tells the story the sandbox hands it (``context.story``, see
storyline.py), or, for a function with no story, answers that it is the demo's
stand-in.
"""

from __future__ import annotations

#: Handler file and function name every stand-in uses.
STAND_IN_HANDLER = "standin.handler"

STAND_IN_SOURCE = '''"""The demo's stand-in for code the sandbox does not have or cannot run.

Given a story (context.story) it tells it: logs the story's lines over the story's run
time, then returns the story's result or fails as the story says. Without one it only
says what it is.
"""

import logging
import time

logger = logging.getLogger()
logger.setLevel(logging.DEBUG)


class StoryFailure(Exception):
    """Ends the invocation with the story's Lambda error (or out of memory)."""

    def __init__(self, error, out_of_memory=False):
        super().__init__(error.get("errorMessage", ""))
        self.lambda_error = error
        self.lambda_out_of_memory = out_of_memory


def handler(event, context):
    story = getattr(context, "story", None)
    if not story:
        logger.info("handling request for %s", context.function_name)
        return {
            "standIn": (
                f"{context.function_name} is answered by the demo's stand-in: "
                "the sandbox has no code of it to run."
            )
        }
    lines = story.get("lines", [])
    run_s = float(story.get("runMs", 0.0)) / 1000
    outcome = story.get("outcome", "ok")
    span = run_s / 5 if outcome == "timeout" else run_s
    step = span / (len(lines) + 1)
    for level, text, fields, location in lines:
        time.sleep(step)
        line = {"level": level, "fields": fields, "location": location}
        logger.info(text, extra={"story_line": line})
    if outcome == "timeout":
        time.sleep(context.get_remaining_time_in_millis() / 1000 + 5)
    time.sleep(max(0.0, run_s - step * len(lines)))
    if outcome in ("error", "oom"):
        raise StoryFailure(story.get("error") or {}, out_of_memory=outcome == "oom")
    return story.get("result")
'''

_HELLO = '''"""{name}: {description}"""

import json
import logging

logger = logging.getLogger()
logger.setLevel("INFO")


def {function}(event, context):
    name = event.get("name", "world") if isinstance(event, dict) else "world"
    logger.info("Hello from {name}!")
    logger.info("saying hello to %s", name)
    return {{"message": f"Hello, {{name}}!", "requestId": context.aws_request_id}}
'''

_ORDERS_API = '''"""{name}: {description}"""

import json
import logging
import uuid

logger = logging.getLogger()
logger.setLevel("INFO")

RELEASE = "{release}"


def _response(status, body):
    return {{
        "statusCode": status,
        "headers": {{"Content-Type": "application/json", "X-Release": RELEASE}},
        "body": json.dumps(body),
    }}


def _total(items):
    total = 0.0
    for item in items:
        try:
            total += float(item.get("unit_price", 0)) * int(item.get("quantity", 1))
        except (AttributeError, TypeError, ValueError):
            continue
    return total


def create_order(order):
    order_id = f"ord_{{uuid.uuid4().hex[:10]}}"
    items = order["items"]
    total = _total(items)
    logger.info(
        "Order %s created with %d item(s), total %.2f %s",
        order_id,
        len(items),
        total,
        order.get("currency", "USD"),
        extra={{"order_id": order_id, "items": str(len(items))}},
    )
    return order_id


def {function}(event, context):
    method = event.get("httpMethod") or event.get("requestContext", {{}}).get("http", {{}}).get(
        "method", "GET"
    )
    path = event.get("path") or event.get("rawPath") or "/"
    cart = (event.get("headers") or {{}}).get("x-cart-id", "none")
    logger.info("Received %s %s", method, path, extra={{"cart_id": cart}})
    if method == "POST":
        try:
            order = json.loads(event.get("body") or "{{}}")
        except ValueError:
            logger.warning("rejected a body that is not JSON")
            return _response(400, {{"message": "body must be JSON"}})
        if not order.get("items"):
            return _response(422, {{"message": "an order needs at least one item"}})
        return _response(201, {{"orderId": create_order(order)}})
    return _response(200, {{"orders": [], "path": path}})
'''

_ORDERS_WORKER = '''"""{name}: {description}"""

import json
import logging

logger = logging.getLogger()
logger.setLevel("INFO")


class OrderValidationError(Exception):
    pass


def _order(record, index):
    try:
        body = json.loads(record.get("body") or "")
    except ValueError:
        raise OrderValidationError(
            f"record {{index}} ({{record.get('messageId')}}): body is not JSON"
        ) from None
    if not isinstance(body, dict) or "orderId" not in body:
        raise OrderValidationError(
            f"record {{index}} ({{record.get('messageId')}}): missing field 'orderId'"
        )
    quantity = body.get("quantity")
    if not isinstance(quantity, int) or quantity < 1:
        raise OrderValidationError(
            f"record {{index}}: 'quantity' must be a positive integer, got {{quantity!r}}"
        )
    return body


def {function}(event, context):
    records = event.get("Records", []) if isinstance(event, dict) else []
    logger.info("received %d record(s)", len(records))
    for index, record in enumerate(records):
        order = _order(record, index)
        logger.info("reserved stock for %s (quantity %d)", order["orderId"], order["quantity"])
    return {{"batchItemFailures": []}}
'''

_GENERIC = '''"""{name}: {description}"""

import json
import logging
import os

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

RELEASE = "{release}"


def {function}(event, context):
    records = event.get("Records", []) if isinstance(event, dict) else []
    if records:
        logger.info("processing %d record(s)", len(records))
        return {{"batchItemFailures": []}}
    logger.info("handling request for {name}")
    return {{"statusCode": 200, "body": json.dumps({{"service": "{name}", "release": RELEASE}})}}
'''

_WEBHOOK_APP = '''"""__NAME__: __DESCRIPTION__

The payment provider calls the webhook once per event; the event's type decides which
handler updates the payments table.
"""

import logging
from collections import defaultdict

from handlers.payments import ignored, on_payment_event

logger = logging.getLogger()
logger.setLevel("INFO")

RELEASE = "__RELEASE__"

# Release __RELEASE__: __ROUTING__
# (Payment intents and charges always go to the payment handler.)
HANDLERS = defaultdict(lambda: __DEFAULT__)
HANDLERS.update(
    {kind: on_payment_event for kind in ("payment_intent.succeeded", "charge.succeeded")}
)
HANDLERS["payment_intent.payment_failed"] = on_payment_event
# Handlers answer a body for the provider; an exception makes Lambda retry the event.


def route(payload):
    kind = payload["type"]
    return HANDLERS[kind](payload["data"]["object"])


def _event_id(event):
    """The provider's event id (the provider retries with the same one)."""
    return event.get("id", "evt_unknown")


def handler(event, context):
    kind = event.get("type", "unknown")
    event_id = _event_id(event)
    logger.info(
        "Received %s %s",
        kind,
        event_id,
        extra={"provider": "stripe", "event_type": kind},
    )
    # Every event is acknowledged only once its payment state is stored.
    return route(event)
'''

_WEBHOOK_PAYMENTS = '''"""Payment events: each payment intent's state, kept in the payments table.

A payment intent moves through the provider's states; the table keeps the last one
the webhook saw, with the amount and currency of the charge that moved it:

    requires_payment_method -> requires_confirmation -> processing -> succeeded
                                                                   -> canceled

Charges refer to their payment intent, so a charge event updates its intent's row.
Events that concern no payment (disputes, payouts, customers) carry no intent.
"""

import json
import logging
import os

logger = logging.getLogger()

TABLE = os.environ.get("PAYMENTS_TABLE", "payments-prod")

#: The provider's states the table records (anything else is kept as it comes).
STATES = (
    "requires_payment_method",
    "requires_confirmation",
    "processing",
    "succeeded",
    "canceled",
)

#: Currencies whose amounts have no minor unit (the provider sends them as they are).
ZERO_DECIMAL = frozenset({"jpy", "krw", "vnd"})


def _amount(obj):
    """The charge's amount in major units, as the table stores it."""
    # The provider sends amounts in the currency's minor unit (cents for USD).
    minor = int(obj.get("amount", 0))
    currency = str(obj.get("currency", "usd")).lower()
    if currency in ZERO_DECIMAL:
        return f"{minor} {currency.upper()}"
    return f"{minor / 100:.2f} {currency.upper()}"


def _store(intent_id, state, obj):
    """Write the intent's new state (the demo keeps no table)."""
    return {"table": TABLE, "paymentIntent": intent_id, "state": state, "amount": _amount(obj)}


def _body(payload):
    """The answer the provider gets (it retries anything but a 2xx)."""
    return {"statusCode": 200, "body": json.dumps(payload)}


def ignored(obj):
    """Events that carry no payment intent (disputes, payouts, customers): acknowledged."""
    logger.info("Ignored %s %s: no payment intent", obj.get("object", "event"), obj.get("id"))
    return _body({"ignored": obj.get("id")})


def on_payment_event(obj):
    """A payment intent or charge event: record the intent's state."""
    # Charges and intents both name the intent they concern.
    intent_id = obj["payment_intent"]
    state = obj.get("status", "succeeded")
    stored = _store(intent_id, state, obj)
    logger.info("Payment %s marked %s", intent_id, state)
    return _body(stored)
'''

#: How each release of payments-webhook routes events it has no handler for.
_WEBHOOK_ROUTING = {
    "1": ("ignored", "events without a payment intent are acknowledged and ignored."),
    "2": ("on_payment_event", "every event goes to the payment handler."),
}

#: Demo functions whose handler module tells their story.
STORIES = {
    "dev-sandbox-hello": _HELLO,
    "orders-api": _ORDERS_API,
    "orders-api-staging": _ORDERS_API,
    "orders-worker": _ORDERS_WORKER,
}
#: Demo functions whose package holds several files (handler module ``app``).
PACKAGES = frozenset({"payments-webhook"})
STORY_CODE = frozenset(STORIES) | PACKAGES


def python_files(
    name: str, module: str, function: str, description: str, release: str
) -> dict[str, str]:
    """The files of a Python demo function's package: its story's code, or the generic one."""
    path = f"{module.replace('.', '/')}.py"
    if name == "payments-webhook":
        default, routing = _WEBHOOK_ROUTING.get(release, _WEBHOOK_ROUTING["2"])
        fields = {
            "__NAME__": name,
            "__DESCRIPTION__": description,
            "__RELEASE__": release,
            "__DEFAULT__": default,
            "__ROUTING__": routing,
        }
        app = _WEBHOOK_APP
        for key, value in fields.items():
            app = app.replace(key, value)
        return {
            path: app,
            "handlers/__init__.py": '"""Handlers of the webhook\'s events."""\n',
            "handlers/payments.py": _WEBHOOK_PAYMENTS,
        }
    template = STORIES.get(name, _GENERIC)
    source = template.format(name=name, function=function, description=description, release=release)
    return {path: source}
