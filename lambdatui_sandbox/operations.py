"""Which AWS service, action and account an HTTP request addresses."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.request import Request
from moto.core.routing import get_service_router

SIGNING_NAMES = {"monitoring": "cloudwatch", "states": "stepfunctions", "email": "ses"}

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")


@dataclass(frozen=True)
class Operation:
    """One identified request: ``service`` is the boto3 client name."""

    service: str
    action: str
    region: str
    access_key: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.service}:{self.action}"


def identify(environ: dict[str, Any], body: bytes, default_region: str) -> Operation:
    """Name the operation a request calls, from its signature, headers, body or path."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/")
    match = _CREDENTIAL.search(auth)
    if match is None:
        return Operation("unsigned", f"{method} {path}", default_region)
    access_key, region, signing_name = match.groups()
    service = SIGNING_NAMES.get(signing_name, signing_name)

    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return Operation(service, target.rsplit(".", 1)[-1], region, access_key)
    rpc = _RPC_V2_PATH.match(path)
    if rpc:
        return Operation(service, rpc.group(1), region, access_key)
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return Operation(service, query["Action"][0], region, access_key)
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return Operation(service, form["Action"][0], region, access_key)
    return _rest_operation(service, region, access_key, environ, body)


def _rest_operation(
    service: str, region: str, access_key: str, environ: dict[str, Any], body: bytes
) -> Operation:
    method = environ.get("REQUEST_METHOD", "GET")
    if service == "schemas":  # moto has no router for it; the sandbox's extension has
        from .schemas import route

        found = route(method, environ.get("PATH_INFO", "/"))
        if found is not None:
            return Operation(service, found[0], region, access_key, found[1])
    fallback = Operation(service, f"{method} {environ.get('PATH_INFO', '/')}", region, access_key)
    probe = dict(environ)
    probe["wsgi.input"] = io.BytesIO(body)
    try:
        operation, params = get_service_router(service).match(Request(probe))
    except Exception:
        return fallback
    labels = {name: unquote(str(value)) for name, value in params.items()}
    return Operation(service, operation.name, region, access_key, labels)


def account_for(environ: dict[str, Any], access_key: str) -> str:
    """The account moto files a request under (same precedence as moto's responses)."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    header = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if header:
        return str(header)
    if not access_key:
        return DEFAULT_ACCOUNT_ID
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)
