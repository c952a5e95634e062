"""Lambda functions: listing (paged), tags, and one function's full detail."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from .errors import AwsError, NotFound, is_transient
from .models import (
    Alias,
    AsyncInvokeConfig,
    Configuration,
    EventSourceMapping,
    Function,
    FunctionDetail,
    Layer,
    Part,
    Version,
    VpcConfig,
)
from .session import AwsSession, call, require

T = TypeVar("T")

PAGE_SIZE = 50  # ListFunctions returns at most 50 per page whatever MaxItems says


_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def parse_time(value: Any) -> datetime | None:
    """Parse Lambda's "2024-11-20T10:15:30.000+0000" (or a datetime) to an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    match = _TIME.match(value.strip())
    if not match:
        return None
    base, fraction, zone = match.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    offset = "+0000" if zone in (None, "Z") else zone.replace(":", "")
    try:
        return datetime.strptime(f"{base}.{micro}{offset}", "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None


def function_from(config: dict[str, Any], region: str) -> Function:
    logging = config.get("LoggingConfig") or {}
    name = str(config.get("FunctionName", ""))
    archs = config.get("Architectures") or ["x86_64"]
    return Function(
        name=name,
        arn=str(config.get("FunctionArn", "")),
        runtime=str(config.get("Runtime") or ""),
        package_type=str(config.get("PackageType") or "Zip"),
        architecture=str(archs[0]),
        memory_mb=int(config.get("MemorySize") or 0),
        timeout_s=int(config.get("Timeout") or 0),
        code_size=int(config.get("CodeSize") or 0),
        last_modified=parse_time(config.get("LastModified")),
        state=str(config.get("State") or ""),
        last_update_status=str(config.get("LastUpdateStatus") or ""),
        description=str(config.get("Description") or ""),
        handler=str(config.get("Handler") or ""),
        role=str(config.get("Role") or ""),
        log_format=str(logging.get("LogFormat") or "Text"),
        log_group=str(logging.get("LogGroup") or f"/aws/lambda/{name}"),
        region=region,
        dead_letter=str((config.get("DeadLetterConfig") or {}).get("TargetArn") or ""),
        vpc_id=_vpc_id(config.get("VpcConfig") or {}),
        kms_key_arn=str(config.get("KMSKeyArn") or ""),
        secret_env=secret_looking((config.get("Environment") or {}).get("Variables") or {}),
    )


def _vpc_id(vpc: dict[str, Any]) -> str:
    if vpc.get("VpcId"):
        return str(vpc["VpcId"])
    return "vpc" if vpc.get("SubnetIds") else ""


_SECRET_WORDS = (
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH_KEY",
    "CLIENT_SECRET",
)
# Names that hold where a secret lives, or a setting about it, not the secret.
_NOT_SECRET_SUFFIXES = (
    "_ARN",
    "_NAME",
    "_ID",
    "_URL",
    "_URI",
    "_PATH",
    "_PARAM",
    "_PARAMETER",
    "_TTL",
    "_SECONDS",
    "_TTL_SECONDS",
    "_HEADER",
    "_REGION",
)
_REFERENCE_PREFIXES = ("arn:", "{{resolve:", "ssm:", "/", "secretsmanager:")


def secret_looking(variables: dict[str, Any]) -> tuple[str, ...]:
    """Variable names like PASSWORD, SECRET, TOKEN, API_KEY holding a plain value."""
    found = []
    for name, value in variables.items():
        upper = f"_{str(name).upper()}_"
        if not any(f"_{word}_" in upper for word in _SECRET_WORDS):
            continue
        if str(name).upper().endswith(_NOT_SECRET_SUFFIXES):
            continue
        text = str(value or "").strip()
        if not text or text.startswith(_REFERENCE_PREFIXES) or text.isdigit():
            continue
        if text.lower() in ("true", "false"):
            continue
        found.append(str(name))
    return tuple(sorted(found))


async def list_function_pages(session: AwsSession) -> AsyncIterator[list[Function]]:
    """Yield the account's functions page by page (ListFunctions, Marker/NextMarker)."""
    marker: str | None = None
    while True:
        params: dict[str, Any] = {"MaxItems": PAGE_SIZE}
        if marker:
            params["Marker"] = marker
        reply = await call(session, "lambda", "ListFunctions", **params)
        found = require(reply, "Functions", "lambda:ListFunctions") or []
        yield [function_from(c, session.region) for c in found]
        marker = reply.get("NextMarker")
        if not marker:
            return


def function_pages_in(
    session: AwsSession, regions: tuple[str, ...]
) -> AsyncIterator[list[Function]]:
    """Pages of every region's functions, the regions listed concurrently."""
    from .paging import merge

    return merge([list_function_pages(session.in_region(r)) for r in regions])


async def function_tags(session: AwsSession) -> dict[str, tuple[tuple[str, str], ...]]:
    """Tags of every tagged function, by ARN, through the Resource Groups Tagging API.

    One call per 100 functions instead of one ListTags per function.
    """
    tags: dict[str, tuple[tuple[str, str], ...]] = {}
    token = ""
    while True:
        reply = await call(
            session,
            "resourcegroupstaggingapi",
            "GetResources",
            ResourceTypeFilters=["lambda:function"],
            ResourcesPerPage=100,
            PaginationToken=token,
        )
        for item in reply.get("ResourceTagMappingList", []):
            pairs = tuple(sorted((t["Key"], t["Value"]) for t in item.get("Tags", [])))
            tags[item["ResourceARN"]] = pairs
        token = reply.get("PaginationToken") or ""
        if not token:
            return tags


async def find_function(session: AwsSession, name: str) -> Function:
    """One function by name or ARN (GetFunction); NotFound when it does not exist."""
    reply = await call(session, "lambda", "GetFunction", FunctionName=name)
    config = reply.get("Configuration") or {}
    if not config.get("FunctionArn"):
        raise NotFound(f"lambda:GetFunction: no function named {name}", action="lambda:GetFunction")
    fn = function_from(config, session.region)
    tags = tuple(sorted((reply.get("Tags") or {}).items()))
    return replace(fn, tags=tags) if tags else fn


async def function_state(session: AwsSession, name: str) -> tuple[str, str]:
    """(State, LastUpdateStatus) of a function: ListFunctions does not return them."""
    reply = await call(session, "lambda", "GetFunction", FunctionName=name)
    config = reply.get("Configuration") or {}
    return str(config.get("State") or "-"), str(config.get("LastUpdateStatus") or "")


def configuration_from(config: dict[str, Any], region: str) -> Configuration:
    env = config.get("Environment") or {}
    vpc = config.get("VpcConfig") or {}
    vpc_model = None
    if vpc.get("SubnetIds") or vpc.get("VpcId"):
        vpc_model = VpcConfig(
            vpc_id=str(vpc.get("VpcId") or ""),
            subnet_ids=tuple(vpc.get("SubnetIds") or ()),
            security_group_ids=tuple(vpc.get("SecurityGroupIds") or ()),
        )
    logging = config.get("LoggingConfig") or {}
    env_error = (env.get("Error") or {}).get("Message")
    return Configuration(
        function=function_from(config, region),
        ephemeral_storage_mb=int((config.get("EphemeralStorage") or {}).get("Size") or 512),
        code_sha256=str(config.get("CodeSha256") or ""),
        state_reason=str(config.get("StateReason") or ""),
        last_update_status_reason=str(config.get("LastUpdateStatusReason") or ""),
        tracing=str((config.get("TracingConfig") or {}).get("Mode") or "PassThrough"),
        layers=tuple(
            Layer(arn=str(layer.get("Arn", "")), code_size=int(layer.get("CodeSize") or 0))
            for layer in config.get("Layers") or ()
        ),
        vpc=vpc_model,
        dlq_target=(config.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        environment=tuple(sorted((env.get("Variables") or {}).items())),
        environment_error=str(env_error) if env_error else None,
        kms_key_arn=config.get("KMSKeyArn") or None,
        application_log_level=str(logging.get("ApplicationLogLevel") or ""),
        system_log_level=str(logging.get("SystemLogLevel") or ""),
        version=str(config.get("Version") or "$LATEST"),
        signing_profile=config.get("SigningProfileVersionArn") or None,
    )


async def _part(make: Callable[[], Awaitable[T]]) -> Part[T]:
    try:
        return Part(value=await make())
    except AwsError as exc:
        return Part(error=exc.sentence, transient=is_transient(exc))


async def _get_function(session: AwsSession, name: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = await call(session, "lambda", "GetFunction", FunctionName=name)
        require(result.get("Configuration"), "FunctionName", "lambda:GetFunction")
        return result
    except NotFound:
        raise
    except AwsError:
        config = await call(session, "lambda", "GetFunctionConfiguration", FunctionName=name)
        require(config, "FunctionName", "lambda:GetFunctionConfiguration")
        return {"Configuration": config}


async def _concurrency(session: AwsSession, name: str, reply: dict[str, Any]) -> int | None:
    if "Concurrency" in reply:
        value = reply["Concurrency"].get("ReservedConcurrentExecutions")
        return int(value) if value is not None else None
    got = await call(session, "lambda", "GetFunctionConcurrency", FunctionName=name)
    value = got.get("ReservedConcurrentExecutions")
    return int(value) if value is not None else None


async def _async_config(session: AwsSession, name: str) -> AsyncInvokeConfig | None:
    try:
        got = await call(session, "lambda", "GetFunctionEventInvokeConfig", FunctionName=name)
    except NotFound:
        return None
    dest = got.get("DestinationConfig") or {}
    return AsyncInvokeConfig(
        max_retries=got.get("MaximumRetryAttempts"),
        max_event_age_s=got.get("MaximumEventAgeInSeconds"),
        on_success=(dest.get("OnSuccess") or {}).get("Destination") or None,
        on_failure=(dest.get("OnFailure") or {}).get("Destination") or None,
    )


def mapping_from(m: dict[str, Any]) -> EventSourceMapping:
    """One EventSourceMappingConfiguration (List/Get/UpdateEventSourceMapping replies)."""
    dest = (m.get("DestinationConfig") or {}).get("OnFailure") or {}
    return EventSourceMapping(
        uuid=str(m.get("UUID", "")),
        source_arn=str(m.get("EventSourceArn", "")),
        state=str(m.get("State", "")),
        batch_size=m.get("BatchSize"),
        last_result=str(m.get("LastProcessingResult") or ""),
        on_failure=dest.get("Destination") or None,
    )


async def event_source_mappings(session: AwsSession, name: str) -> tuple[EventSourceMapping, ...]:
    out: list[EventSourceMapping] = []
    marker: str | None = None
    while True:
        params: dict[str, Any] = {"FunctionName": name}
        if marker:
            params["Marker"] = marker
        got = await call(session, "lambda", "ListEventSourceMappings", **params)
        out.extend(mapping_from(m) for m in got.get("EventSourceMappings", []))
        marker = got.get("NextMarker")
        if not marker:
            return tuple(out)


async def aliases_of(session: AwsSession, name: str) -> tuple[Alias, ...]:
    got = await call(session, "lambda", "ListAliases", FunctionName=name)
    return tuple(alias_from(a) for a in got.get("Aliases", []))


def alias_from(a: dict[str, Any]) -> Alias:
    """One AliasConfiguration (ListAliases, GetAlias, UpdateAlias replies)."""
    weights = (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return Alias(
        name=str(a.get("Name", "")),
        version=str(a.get("FunctionVersion", "")),
        weights=tuple(sorted((str(v), float(w)) for v, w in weights.items())),
        description=str(a.get("Description") or ""),
        revision_id=str(a.get("RevisionId") or ""),
    )


async def versions_of(session: AwsSession, name: str) -> tuple[Version, ...]:
    out: list[Version] = []
    marker: str | None = None
    while True:
        params: dict[str, Any] = {"FunctionName": name}
        if marker:
            params["Marker"] = marker
        got = await call(session, "lambda", "ListVersionsByFunction", **params)
        out.extend(
            Version(
                version=str(v.get("Version", "")),
                description=str(v.get("Description") or ""),
                last_modified=parse_time(v.get("LastModified")),
                code_sha256=str(v.get("CodeSha256") or ""),
            )
            for v in got.get("Versions", [])
        )
        marker = got.get("NextMarker")
        if not marker:
            return tuple(out)


async def function_detail(session: AwsSession, name: str) -> FunctionDetail:
    """Everything the detail screen shows; each part fails on its own."""
    base: Part[dict[str, Any]] = await _part(lambda: _get_function(session, name))
    reply = base.value or {}

    async def tags() -> tuple[tuple[str, str], ...]:
        if "Tags" in reply:
            return tuple(sorted(reply["Tags"].items()))
        arn = (reply.get("Configuration") or {}).get("FunctionArn")
        if not arn:
            raise AwsError(base.error or "function not loaded")
        got = await call(session, "lambda", "ListTags", Resource=arn)
        return tuple(sorted((got.get("Tags") or {}).items()))

    concurrency, async_config, mappings, aliases, versions, tag_part = await asyncio.gather(
        _part(lambda: _concurrency(session, name, reply)),
        _part(lambda: _async_config(session, name)),
        _part(lambda: event_source_mappings(session, name)),
        _part(lambda: aliases_of(session, name)),
        _part(lambda: versions_of(session, name)),
        _part(tags),
    )
    configuration: Part[Configuration]
    if base.value is not None:
        config = configuration_from(reply.get("Configuration") or {}, session.region)
        image = (reply.get("Code") or {}).get("ImageUri")
        if image:
            config = replace(config, image_uri=str(image))
        configuration = Part(value=config)
    else:
        configuration = Part(error=base.error, transient=base.transient)
    return FunctionDetail(
        configuration=configuration,
        reserved_concurrency=concurrency,
        async_config=async_config,
        mappings=mappings,
        aliases=aliases,
        versions=versions,
        tags=tag_part,
    )
