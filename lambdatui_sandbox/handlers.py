"""The Python source the sandbox runs when a demo function is invoked.

Python functions run the code of their own deployment package (see bundles.py); a few
demo functions get a handler with a story of its own. Functions in other runtimes (Node,
Java, custom runtimes, images) cannot run here, so each is answered by a Python stand-in
that behaves as its deployed code does.
"""

from __future__ import annotations

#: Handler file and function name every stand-in uses.
STAND_IN_HANDLER = "standin.handler"

_HELLO = '''"""{name}: {description}"""

import json
import logging

logger = logging.getLogger()
logger.setLevel("INFO")


def {function}(event, context):
    name = event.get("name", "world") if isinstance(event, dict) else "world"
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


def {function}(event, context):
    method = event.get("httpMethod") or event.get("requestContext", {{}}).get("http", {{}}).get(
        "method", "GET"
    )
    path = event.get("path") or event.get("rawPath") or "/"
    logger.info("%s %s", method, path)
    if method == "POST":
        try:
            order = json.loads(event.get("body") or "{{}}")
        except ValueError:
            logger.warning("rejected a body that is not JSON")
            return _response(400, {{"message": "body must be JSON"}})
        if not order.get("items"):
            return _response(422, {{"message": "an order needs at least one item"}})
        order_id = str(uuid.uuid4())
        logger.info("created order %s with %d item(s)", order_id, len(order["items"]))
        return _response(201, {{"orderId": order_id}})
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

_HANGS = '''"""{name}: {description}"""

import logging
import time

logger = logging.getLogger()
logger.setLevel("INFO")


def {function}(event, context):
    logger.info("asking the signing service for a key")
    # The signing service stopped answering: this waits past the function's timeout.
    time.sleep(context.get_remaining_time_in_millis() / 1000 + 5)
    return {{"token": None}}
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

#: Demo functions whose handler tells a story: a success, an API Gateway response, a
#: handler that raises on a bad field, and one that times out.
STORIES = {
    "dev-sandbox-hello": _HELLO,
    "orders-api": _ORDERS_API,
    "orders-api-staging": _ORDERS_API,
    "orders-worker": _ORDERS_WORKER,
    "auth-token-issuer": _HANGS,
}


def python_source(name: str, function: str, description: str, release: str) -> str:
    """The handler module of a demo function (its story, or the generic handler)."""
    template = STORIES.get(name, _GENERIC)
    return template.format(name=name, function=function, description=description, release=release)
