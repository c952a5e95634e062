"""Moto extensions: Lambda behaviours moto 5.2 lacks, shaped as the AWS API reference says.

- ListFunctions, ListVersionsByFunction and ListEventSourceMappings honour Marker and
  MaxItems and never return more than one AWS page; ListFunctions items omit the fields
  AWS only returns from GetFunction.
- Function configurations carry DeadLetterConfig and LoggingConfig, the VPC's real id,
  no null members, LastModified in AWS's format, and a RevisionId that changes with
  every change of the configuration or code.
- GetFunction reports a reserved concurrency of zero.
- UpdateFunctionConfiguration and UpdateFunctionCode move LastModified, and with a
  RevisionId that is not the function's latest answer PreconditionFailedException.
- ListVersionsByFunction of a missing function is ResourceNotFoundException.
- GetAccountSettings is answered; its unreserved concurrency shrinks as functions
  reserve some.
- Event source mappings (created in this module or seeded) leave their queue's
  messages alone, so whatever drives the sandbox decides what happens to them; the
  acting APIs on them live in acting.py.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import json
import os
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from moto.awslambda.models import EventSourceMapping, LambdaBackend, LambdaFunction
from moto.awslambda.utils import get_backend

from .middleware import Call, Forward, Handler, Reply
from .operations import Operation, account_for

FUNCTIONS_PAGE = 50
VERSIONS_PAGE = 50
EVENT_SOURCE_MAPPINGS_PAGE = 100
MAX_ITEMS = 10000
CONCURRENCY_QUOTA = 1000
TOTAL_CODE_SIZE_LIMIT = 80_530_636_800
CODE_SIZE_UNZIPPED_LIMIT = 262_144_000
CODE_SIZE_ZIPPED_LIMIT = 52_428_800
LATEST = "$LATEST"
#: A function's state and last update's status (GetFunction returns them, ListFunctions not).
STATUS_MEMBERS = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
)
LIST_FUNCTIONS_OMITS = (*STATUS_MEMBERS, "RuntimeVersionConfig")
#: Members left out of a function's RevisionId: what differs between the operations that
#: return one configuration (qualified ARNs, create-time status), not what the user set.
REVISION_IGNORES = frozenset({"FunctionArn", "RevisionId", *STATUS_MEMBERS})
LOG_FORMATS = ("JSON", "Text")
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
DEAD_LETTER_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$")
_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")

T = TypeVar("T")
FunctionKey = tuple[str, str, str, str]


class ExtensionError(Exception):
    """An AWS error answer: the error code, a sentence and the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def reply(self) -> Reply:
        return Reply.error(self.code, self.message, self.status)


def aws_timestamp(moment: datetime) -> str:
    """Lambda's LastModified format: ``2024-11-20T10:15:30.000+0000``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def normalize_timestamp(text: str) -> str:
    """Rewrite one of moto's UTC timestamps in Lambda's LastModified format."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return text
    base, fraction, _zone = match.groups()
    millis = (fraction or "0").ljust(3, "0")[:3]
    return f"{base}.{millis}+0000"


@dataclass(frozen=True)
class FunctionSettings:
    """What CreateFunction and UpdateFunctionConfiguration accept and moto does not keep."""

    dead_letter_target: str | None = None
    log_format: str = "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None
    log_group: str | None = None

    def logging_config(self, function_name: str) -> dict[str, str]:
        config = {"LogFormat": self.log_format}
        if self.log_format == "JSON":
            config["ApplicationLogLevel"] = self.application_log_level or "INFO"
            config["SystemLogLevel"] = self.system_log_level or "INFO"
        config["LogGroup"] = self.log_group or f"/aws/lambda/{function_name}"
        return config

    def updated(self, request: dict[str, Any]) -> FunctionSettings:
        """Apply a CreateFunction or UpdateFunctionConfiguration request body."""
        settings = self
        dead_letter = request.get("DeadLetterConfig")
        if isinstance(dead_letter, dict) and "TargetArn" in dead_letter:
            target = str(dead_letter.get("TargetArn") or "")
            if target and not DEAD_LETTER_ARN.match(target):
                raise ExtensionError(
                    "InvalidParameterValueException",
                    f"The dead-letter target {target} is not an SQS queue or SNS topic ARN.",
                )
            settings = replace(settings, dead_letter_target=target or None)
        logging = request.get("LoggingConfig")
        if isinstance(logging, dict):
            settings = settings._with_logging(logging)
        return settings

    def _with_logging(self, logging: dict[str, Any]) -> FunctionSettings:
        log_format = str(logging.get("LogFormat") or self.log_format)
        if log_format not in LOG_FORMATS:
            raise ExtensionError(
                "InvalidParameterValueException", f"LogFormat {log_format} is not JSON or Text."
            )
        application = logging.get("ApplicationLogLevel")
        system = logging.get("SystemLogLevel")
        if log_format == "Text":
            if application or system:
                raise ExtensionError(
                    "InvalidParameterValueException",
                    "ApplicationLogLevel and SystemLogLevel need LogFormat JSON.",
                )
            return replace(
                self,
                log_format="Text",
                application_log_level=None,
                system_log_level=None,
                log_group=logging.get("LogGroup") or self.log_group,
            )
        if application and application not in APPLICATION_LOG_LEVELS:
            raise ExtensionError(
                "InvalidParameterValueException", f"ApplicationLogLevel {application} is invalid."
            )
        if system and system not in SYSTEM_LOG_LEVELS:
            raise ExtensionError(
                "InvalidParameterValueException", f"SystemLogLevel {system} is invalid."
            )
        return replace(
            self,
            log_format="JSON",
            application_log_level=application or self.application_log_level or "INFO",
            system_log_level=system or self.system_log_level or "INFO",
            log_group=logging.get("LogGroup") or self.log_group,
        )


def concurrency_quota() -> int:
    """The account's concurrent executions (AWS's default quota, or moto's variable)."""
    return int(os.environ.get("MOTO_LAMBDA_CONCURRENCY_QUOTA", CONCURRENCY_QUOTA))


def derived_uuid(*parts: Any) -> str:
    """A version-4-shaped UUID that depends only on ``parts``."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return str(uuid.UUID(bytes=hashlib.sha256(text.encode()).digest()[:16], version=4))


def revision_id(account: str, region: str, config: dict[str, Any]) -> str:
    """A configuration's RevisionId, derived from what it holds.

    Every update of a function's configuration or code changes what it holds (at least
    its LastModified), so it changes the RevisionId; reading it never does.
    """
    kept = {key: value for key, value in config.items() if key not in REVISION_IGNORES}
    return derived_uuid(account, region, kept)


def not_found(account: str, region: str, name: str, qualifier: str | None = None) -> ExtensionError:
    """Lambda's ResourceNotFoundException for a function (or one of its versions)."""
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    if qualifier:
        arn = f"{arn}:{qualifier}"
    return ExtensionError("ResourceNotFoundException", f"Function not found: {arn}", 404)


def precondition_failed() -> ExtensionError:
    return ExtensionError(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. "
        "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )


def function_reference(text: str) -> tuple[str, str | None]:
    """Split a function name, ARN or partial ARN into its name and qualifier."""
    rest = text.split(":function:", 1)[1] if ":function:" in text else text
    name, _, qualifier = rest.partition(":")
    return name, qualifier or None


class LambdaExtensions:
    """The extension handlers and the state moto does not keep."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._settings: dict[FunctionKey, FunctionSettings] = {}
        self.subnet_vpcs: dict[str, str] = {}
        self._handlers: dict[str, Handler] = {
            "ListFunctions": self._list_functions,
            "GetFunction": self._get_function,
            "GetFunctionConfiguration": self._get_function_configuration,
            "ListVersionsByFunction": self._list_versions,
            "CreateFunction": self._create_function,
            "UpdateFunctionConfiguration": self._update_function_configuration,
            "UpdateFunctionCode": self._update_function_code,
            "PublishVersion": self._publish_version,
            "DeleteFunction": self._delete_function,
            "GetAccountSettings": self._get_account_settings,
        }

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service != "lambda":
            return None
        return self._handlers.get(operation.action)

    def reset(self) -> None:
        with self._lock:
            self._settings.clear()
            self.subnet_vpcs.clear()

    def settings(self, account: str, region: str, name: str, version: str) -> FunctionSettings:
        with self._lock:
            return self._settings.get((account, region, name, version), FunctionSettings())

    def set_settings(
        self, account: str, region: str, name: str, version: str, settings: FunctionSettings
    ) -> None:
        with self._lock:
            self._settings[(account, region, name, version)] = settings

    def publish_version(
        self, backend: LambdaBackend, name: str, description: str = ""
    ) -> LambdaFunction:
        """Publish through moto and give the new version the settings of $LATEST."""
        version = backend.publish_version(name, description)
        if version is None:
            raise ExtensionError("ResourceNotFoundException", f"Function not found: {name}", 404)
        self._copy_to_version(backend.account_id, backend.region_name, name, str(version.version))
        return version

    def settle_event_source_mapping(
        self, account: str, region: str, mapping: EventSourceMapping, last_modified: float
    ) -> None:
        """Give a mapping its LastModified and detach moto's immediate SQS/Kinesis delivery."""
        mapping.last_modified = last_modified
        if ":kinesis:" in mapping.event_source_arn:
            from moto.kinesis.models import kinesis_backends

            for stream in kinesis_backends[account][region].streams.values():
                if stream.arn == mapping.event_source_arn:
                    stream.lambda_event_source_mappings.pop(mapping.event_source_arn, None)
            return
        if ":sqs:" not in mapping.event_source_arn:
            return
        from moto.sqs.models import sqs_backends

        for queue in sqs_backends[account][region].queues.values():
            if queue.queue_arn == mapping.event_source_arn:
                queue.lambda_event_source_mappings.pop(mapping.function_arn, None)

    def configuration(
        self, account: str, region: str, config: dict[str, Any], *, listed: bool = False
    ) -> dict[str, Any]:
        """A moto FunctionConfiguration as AWS returns it."""
        result = {key: value for key, value in config.items() if value is not None}
        if isinstance(result.get("LastModified"), str):
            result["LastModified"] = normalize_timestamp(result["LastModified"])
        name = str(result.get("FunctionName", ""))
        version = str(result.get("Version", LATEST))
        settings = self.settings(account, region, name, version)
        if settings.dead_letter_target:
            result["DeadLetterConfig"] = {"TargetArn": settings.dead_letter_target}
        result["LoggingConfig"] = settings.logging_config(name)
        vpc = result.get("VpcConfig")
        if isinstance(vpc, dict):
            result["VpcConfig"] = self._vpc_config(account, region, vpc)
        result["RevisionId"] = revision_id(account, region, result)
        if listed:
            for key in LIST_FUNCTIONS_OMITS:
                result.pop(key, None)
        return result

    def _copy_to_version(self, account: str, region: str, name: str, version: str) -> None:
        with self._lock:
            key = (account, region, name, version)
            latest = self._settings.get((account, region, name, LATEST))
            if latest is not None and key not in self._settings:
                self._settings[key] = latest

    def _vpc_config(self, account: str, region: str, vpc: dict[str, Any]) -> dict[str, Any]:
        vpc = dict(vpc)
        subnets = list(vpc.get("SubnetIds") or [])
        vpc_id = self._vpc_of(account, region, subnets)
        if vpc_id:
            vpc["VpcId"] = vpc_id
        vpc.setdefault("Ipv6AllowedForDualStack", False)
        return vpc

    def _vpc_of(self, account: str, region: str, subnets: Sequence[str]) -> str | None:
        for subnet in subnets:
            with self._lock:
                known = self.subnet_vpcs.get(subnet)
            if known:
                return known
            if "moto.ec2.models" in sys.modules:
                from moto.ec2.models import ec2_backends

                try:
                    return str(ec2_backends[account][region].get_subnet(subnet).vpc_id)
                except Exception:
                    continue
        return None

    @staticmethod
    def _where(call: Call) -> tuple[str, str]:
        operation = call.operation
        return account_for(call.environ, operation.access_key), operation.region

    def _backend(self, call: Call) -> LambdaBackend:
        account, region = self._where(call)
        return get_backend(account, region)

    def _list_functions(self, call: Call, forward: Forward) -> Reply:
        account, region = self._where(call)
        backend = get_backend(account, region)
        query = call.query
        try:
            limit = max_items(query, FUNCTIONS_PAGE)
            page, marker = _function_page(
                backend, query.get("FunctionVersion") == "ALL", query.get("Marker"), limit
            )
        except ExtensionError as error:
            return error.reply()
        payload: dict[str, Any] = {
            "Functions": [
                self.configuration(account, region, fn.get_configuration(), listed=True)
                for fn in page
            ]
        }
        if marker:
            payload["NextMarker"] = marker
        return Reply.json(payload)

    def _get_function(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if not reply.ok:
            return reply
        account, region = self._where(call)
        payload = reply.payload()
        config = self.configuration(account, region, payload.get("Configuration", {}))
        payload["Configuration"] = config
        function = get_backend(account, region).get_function(config["FunctionName"])
        if function.reserved_concurrency is not None:
            reserved = int(function.reserved_concurrency)
            payload["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
        else:
            payload.pop("Concurrency", None)
        return reply.with_payload(payload)

    def _get_function_configuration(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if not reply.ok:
            return reply
        account, region = self._where(call)
        return reply.with_payload(self.configuration(account, region, reply.payload()))

    def _list_versions(self, call: Call, forward: Forward) -> Reply:
        account, region = self._where(call)
        name, _ = function_reference(call.operation.params.get("FunctionName", ""))
        try:
            limit = max_items(call.query, VERSIONS_PAGE)
            if not list(get_backend(account, region).list_versions_by_function(name)):
                raise not_found(account, region, name)
        except ExtensionError as error:
            return error.reply()
        reply = forward()
        if not reply.ok:
            return reply
        versions = reply.payload().get("Versions", [])
        try:
            page, marker = paged(versions, _version_sort_key, call.query.get("Marker"), limit)
        except ExtensionError as error:
            return error.reply()
        payload: dict[str, Any] = {
            "Versions": [self.configuration(account, region, config) for config in page]
        }
        if marker:
            payload["NextMarker"] = marker
        return reply.with_payload(payload)

    def _create_function(self, call: Call, forward: Forward) -> Reply:
        try:
            settings = FunctionSettings().updated(call.json_body())
        except ExtensionError as error:
            return error.reply()
        reply = forward()
        if not reply.ok:
            return reply
        account, region = self._where(call)
        config = reply.payload()
        name = str(config["FunctionName"])
        self.set_settings(account, region, name, LATEST, settings)
        version = str(config.get("Version", LATEST))
        if version != LATEST:
            self._copy_to_version(account, region, name, version)
        return reply.with_payload(self.configuration(account, region, config))

    def _update_function_configuration(self, call: Call, forward: Forward) -> Reply:
        account, region = self._where(call)
        name, _ = function_reference(call.operation.params.get("FunctionName", ""))
        try:
            self.check_revision(call, name)
            settings = self.settings(account, region, name, LATEST).updated(call.json_body())
        except ExtensionError as error:
            return error.reply()
        reply = forward()
        if not reply.ok:
            return reply
        self.set_settings(account, region, name, LATEST, settings)
        return self._touched(call, reply)

    def _update_function_code(self, call: Call, forward: Forward) -> Reply:
        name, _ = function_reference(call.operation.params.get("FunctionName", ""))
        try:
            self.check_revision(call, name)
        except ExtensionError as error:
            return error.reply()
        reply = forward()
        if not reply.ok:
            return reply
        return self._touched(call, reply)

    def latest_revision(self, account: str, region: str, name: str) -> str:
        """The RevisionId $LATEST of ``name`` has now (ResourceNotFound if it is gone)."""
        try:
            function = get_backend(account, region).get_function(name)
        except Exception:
            raise not_found(account, region, name) from None
        return str(self.configuration(account, region, function.get_configuration())["RevisionId"])

    def check_revision(self, call: Call, name: str) -> None:
        """PreconditionFailedException when the request's RevisionId is not the latest."""
        wanted = call.json_body().get("RevisionId")
        if not wanted:
            return
        account, region = self._where(call)
        if wanted != self.latest_revision(account, region, name):
            raise precondition_failed()

    def _touched(self, call: Call, reply: Reply) -> Reply:
        account, region = self._where(call)
        config = reply.payload()
        stamp = aws_timestamp(datetime.now(UTC))
        name = str(config["FunctionName"])
        get_backend(account, region).get_function(name).last_modified = stamp
        version = str(config.get("Version", LATEST))
        if version == LATEST:
            config["LastModified"] = stamp
        else:
            self._copy_to_version(account, region, name, version)
        return reply.with_payload(self.configuration(account, region, config))

    def _publish_version(self, call: Call, forward: Forward) -> Reply:
        name, _ = function_reference(call.operation.params.get("FunctionName", ""))
        try:
            self.check_revision(call, name)
        except ExtensionError as error:
            return error.reply()
        reply = forward()
        if not reply.ok:
            return reply
        account, region = self._where(call)
        config = reply.payload()
        self._copy_to_version(
            account, region, str(config["FunctionName"]), str(config.get("Version"))
        )
        return reply.with_payload(self.configuration(account, region, config))

    def _delete_function(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if not reply.ok:
            return reply
        account, region = self._where(call)
        name, qualifier = function_reference(call.operation.params.get("FunctionName", ""))
        qualifier = call.query.get("Qualifier") or qualifier
        with self._lock:
            for key in list(self._settings):
                if key[:3] == (account, region, name) and qualifier in (None, key[3]):
                    del self._settings[key]
        return reply

    def _get_account_settings(self, call: Call, forward: Forward) -> Reply:
        backend = self._backend(call)
        functions = list(backend.list_functions())
        quota = concurrency_quota()
        reserved = sum(int(fn.reserved_concurrency or 0) for fn in functions)
        code_size = sum(int(fn.code_size) for fn in functions)
        for fn in functions:
            published = list(backend.list_versions_by_function(fn.function_name))[1:]
            code_size += sum(int(version.code_size) for version in published)
        for layer in backend.list_layers():
            versions = backend.list_layer_versions(str(layer["LayerName"]))
            code_size += sum(int(version.code_size) for version in versions)
        return Reply.json(
            {
                "AccountLimit": {
                    "TotalCodeSize": TOTAL_CODE_SIZE_LIMIT,
                    "CodeSizeUnzipped": CODE_SIZE_UNZIPPED_LIMIT,
                    "CodeSizeZipped": CODE_SIZE_ZIPPED_LIMIT,
                    "ConcurrentExecutions": quota,
                    "UnreservedConcurrentExecutions": quota - reserved,
                },
                "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(functions)},
            }
        )


def _function_page(
    backend: LambdaBackend, all_versions: bool, marker: str | None, limit: int
) -> tuple[list[LambdaFunction], str | None]:
    """One ListFunctions page in (name, version) order, expanding versions only as needed."""
    latest = sorted(backend.list_functions(), key=lambda fn: str(fn.function_name))
    after: list[Any] | None = None
    start = 0
    if marker:
        after = _decode_marker(marker)
        if len(after) != 2 or not isinstance(after[0], str) or not isinstance(after[1], int):
            raise ExtensionError("InvalidParameterValueException", "The Marker is not valid.")
        start = bisect.bisect_left([str(fn.function_name) for fn in latest], after[0])
    page: list[LambdaFunction] = []
    for function in latest[start:]:
        candidates = (
            list(backend.list_versions_by_function(function.function_name))
            if all_versions
            else [function]
        )
        for candidate in candidates:
            key = list(_function_sort_key(candidate))
            if after is not None and key <= after:
                continue
            if len(page) == limit:
                return page, _encode_marker(list(_function_sort_key(page[-1])))
            page.append(candidate)
    return page, None


def _function_sort_key(function: LambdaFunction) -> tuple[str, int]:
    return function.function_name, _version_rank(str(function.version))


def _version_sort_key(config: dict[str, Any]) -> tuple[str, int]:
    return "", _version_rank(str(config.get("Version", LATEST)))


def _version_rank(version: str) -> int:
    return -1 if version == LATEST else int(version)


def max_items(query: dict[str, str], page_limit: int) -> int:
    raw = query.get("MaxItems")
    if raw is None or raw == "":
        return page_limit
    try:
        value = int(raw)
    except ValueError:
        raise _validation(raw, "must be an integer") from None
    if value < 1:
        raise _validation(raw, "must have value greater than or equal to 1")
    if value > MAX_ITEMS:
        raise _validation(raw, f"must have value less than or equal to {MAX_ITEMS}")
    return min(value, page_limit)


def _validation(value: str, constraint: str) -> ExtensionError:
    return ExtensionError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at 'maxItems' failed to satisfy "
        f"constraint: Member {constraint}",
    )


def paged(
    items: Iterable[T], key: Callable[[T], Any], marker: str | None, limit: int
) -> tuple[list[T], str | None]:
    """One page of ``items`` (already in ``key`` order) after ``marker``, and the next marker."""
    ordered = list(items)
    start = 0
    if marker:
        after = _decode_marker(marker)
        try:
            start = next(
                (index for index, item in enumerate(ordered) if _comparable(key(item)) > after),
                len(ordered),
            )
        except TypeError:
            raise ExtensionError(
                "InvalidParameterValueException", "The Marker is not valid."
            ) from None
    page = ordered[start : start + limit]
    if start + limit < len(ordered) and page:
        return page, _encode_marker(_comparable(key(page[-1])))
    return page, None


def _comparable(key: Any) -> list[Any]:
    return list(key) if isinstance(key, tuple) else [key]


def _encode_marker(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_marker(marker: str) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(marker.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list):
        raise ExtensionError("InvalidParameterValueException", "The Marker is not valid.")
    return key
