"""The APIs an operator acts with, answered as AWS answers them (moto 5.2 falls short).

- PutFunctionConcurrency keeps at least 100 executions of the account unreserved
  (InvalidParameterValueException in AWS's words otherwise); GetFunctionConcurrency
  has no ReservedConcurrentExecutions member when the function reserves none;
  DeleteFunctionConcurrency makes it unreserved.
- UpdateAlias honours RevisionId (PreconditionFailedException when the alias moved
  since it was read), checks the versions it routes to, and gives the alias a new
  RevisionId; aliases answer without null members.
- Event source mappings pass through Creating, Enabling, Disabling and Updating for
  about a second before they settle; StateTransitionReason is spelled as AWS spells it
  for the source (``USER_INITIATED`` for SQS, ``User action`` for streams).
  GetEventSourceMapping and ListEventSourceMappings report the same state.
- Asynchronous invoke configurations name the qualified function ARN they apply to,
  always carry both DestinationConfig members, and a put replaces the previous one.

``generation`` counts the changes that alter how the account's functions run, so the
traffic simulator can follow them (see simulation.DemoControls).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from moto.awslambda.models import EventSourceMapping, LambdaAlias, LambdaFunction
from moto.awslambda.utils import get_backend

from .extensions import (
    EVENT_SOURCE_MAPPINGS_PAGE,
    LATEST,
    ExtensionError,
    LambdaExtensions,
    concurrency_quota,
    derived_uuid,
    function_reference,
    max_items,
    not_found,
    paged,
    precondition_failed,
)
from .middleware import Call, Forward, Handler, Reply
from .operations import Operation, account_for

#: Accounts keep this much concurrency unreserved (PutFunctionConcurrency).
MIN_UNRESERVED = 100
#: How long an event source mapping stays Creating, Enabling, Disabling or Updating.
TRANSITION_S = 1.0
STREAM_SOURCES = (":kinesis:", ":dynamodb:")


@dataclass(frozen=True)
class _Transition:
    state: str
    until: float


def transition_reason(source_arn: str) -> str:
    """StateTransitionReason of a user's change, as AWS writes it for this kind of source."""
    if any(kind in source_arn for kind in STREAM_SOURCES):
        return "User action"
    return "USER_INITIATED"


class ActingExtensions:
    """Reserved concurrency, aliases, event source mapping states, async invoke configs."""

    def __init__(self, lambdas: LambdaExtensions, transition_s: float = TRANSITION_S) -> None:
        self.lambdas = lambdas
        self.transition_s = transition_s
        self._lock = threading.Lock()
        self._transitions: dict[str, _Transition] = {}
        self._generation = 0
        self._handlers: dict[str, Handler] = {
            "PutFunctionConcurrency": self._put_concurrency,
            "GetFunctionConcurrency": self._get_concurrency,
            "DeleteFunctionConcurrency": self._delete_concurrency,
            "CreateAlias": self._alias_changed,
            "DeleteAlias": self._alias_changed,
            "GetAlias": self._get_alias,
            "ListAliases": self._list_aliases,
            "UpdateAlias": self._update_alias,
            "CreateEventSourceMapping": self._create_mapping,
            "UpdateEventSourceMapping": self._update_mapping,
            "GetEventSourceMapping": self._get_mapping,
            "ListEventSourceMappings": self._list_mappings,
            "GetFunctionEventInvokeConfig": self._invoke_config,
            "PutFunctionEventInvokeConfig": self._invoke_config,
            "UpdateFunctionEventInvokeConfig": self._invoke_config,
            "ListFunctionEventInvokeConfigs": self._invoke_configs,
        }

    @property
    def generation(self) -> int:
        """Grows with every change of concurrency, alias or event source mapping."""
        with self._lock:
            return self._generation

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service != "lambda":
            return None
        return self._handlers.get(operation.action)

    def reset(self) -> None:
        with self._lock:
            self._transitions.clear()
            self._generation += 1

    def _changed(self) -> None:
        with self._lock:
            self._generation += 1

    @staticmethod
    def _where(call: Call) -> tuple[str, str]:
        return account_for(call.environ, call.operation.access_key), call.operation.region

    def _function(self, call: Call) -> LambdaFunction:
        account, region = self._where(call)
        name, _ = function_reference(call.operation.params.get("FunctionName", ""))
        try:
            return get_backend(account, region).get_function(name)
        except Exception:
            raise not_found(account, region, name) from None

    # Reserved concurrency.

    def _put_concurrency(self, call: Call, forward: Forward) -> Reply:
        try:
            function = self._function(call)
            value = call.json_body().get("ReservedConcurrentExecutions")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ExtensionError(
                    "InvalidParameterValueException",
                    "ReservedConcurrentExecutions must be an integer of 0 or more.",
                )
            account, region = self._where(call)
            others = sum(
                int(fn.reserved_concurrency or 0)
                for fn in get_backend(account, region).list_functions()
                if fn.function_name != function.function_name
            )
            if concurrency_quota() - others - value < MIN_UNRESERVED:
                raise ExtensionError(
                    "InvalidParameterValueException",
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}].",
                )
        except ExtensionError as error:
            return error.reply()
        function.reserved_concurrency = value
        self._changed()
        return Reply.json({"ReservedConcurrentExecutions": value})

    def _get_concurrency(self, call: Call, forward: Forward) -> Reply:
        try:
            function = self._function(call)
        except ExtensionError as error:
            return error.reply()
        if function.reserved_concurrency is None:
            return Reply.json({})
        return Reply.json({"ReservedConcurrentExecutions": int(function.reserved_concurrency)})

    def _delete_concurrency(self, call: Call, forward: Forward) -> Reply:
        try:
            function = self._function(call)
        except ExtensionError as error:
            return error.reply()
        function.reserved_concurrency = None
        self._changed()
        return Reply(204, [("x-amzn-RequestId", str(uuid.uuid4()))])

    # Aliases.

    def _alias(self, call: Call) -> LambdaAlias:
        account, region = self._where(call)
        params = call.operation.params
        name, _ = function_reference(params.get("FunctionName", ""))
        alias_name = params.get("Name", "")
        try:
            return get_backend(account, region).get_alias(alias_name, name)
        except Exception:
            arn = f"arn:aws:lambda:{region}:{account}:function:{name}:{alias_name}"
            raise ExtensionError(
                "ResourceNotFoundException", f"Cannot find alias arn: {arn}", 404
            ) from None

    def _alias_changed(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if reply.ok:
            self._changed()
            if reply.body and call.operation.action == "CreateAlias":
                return reply.with_payload(_alias_json(reply.payload()))
        return reply

    def _get_alias(self, call: Call, forward: Forward) -> Reply:
        try:
            alias = self._alias(call)
        except ExtensionError as error:
            return error.reply()
        return Reply.json(_alias_json(alias.to_json()))

    def _list_aliases(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if not reply.ok:
            return reply
        payload = reply.payload()
        payload["Aliases"] = [_alias_json(alias) for alias in payload.get("Aliases", [])]
        return reply.with_payload(payload)

    def _update_alias(self, call: Call, forward: Forward) -> Reply:
        body = call.json_body()
        account, region = self._where(call)
        name, _ = function_reference(call.operation.params.get("FunctionName", ""))
        try:
            alias = self._alias(call)
            wanted = body.get("RevisionId")
            if wanted and wanted != alias.revision_id:
                raise precondition_failed()
            primary = str(body.get("FunctionVersion") or alias.function_version)
            weights = (body.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            backend = get_backend(account, region)
            for version in (primary, *weights):
                try:
                    backend.get_function(name, str(version))
                except Exception:
                    raise not_found(account, region, name, str(version)) from None
            for version, weight in weights.items():
                if str(version) == primary or str(version) == LATEST:
                    raise ExtensionError(
                        "InvalidParameterValueException",
                        f"Invalid function version {version} in the alias's routing "
                        "configuration: route to a published version other than its own.",
                    )
                if not 0.0 <= float(weight) <= 1.0:
                    raise ExtensionError(
                        "InvalidParameterValueException",
                        f"The weight of version {version} must be between 0.0 and 1.0.",
                    )
        except ExtensionError as error:
            return error.reply()
        reply = forward()
        if not reply.ok:
            return reply
        alias.revision_id = derived_uuid(alias.revision_id, alias.to_json())
        self._changed()
        return Reply.json(_alias_json(alias.to_json()))

    # Event source mappings.

    def state(self, mapping: EventSourceMapping) -> str:
        """The mapping's State now: a transition for about a second after a change."""
        with self._lock:
            transition = self._transitions.get(mapping.uuid)
            if transition is not None:
                if time.monotonic() < transition.until:
                    return transition.state
                del self._transitions[mapping.uuid]
        return "Enabled" if mapping.enabled else "Disabled"

    def _begin(self, mapping: EventSourceMapping, state: str) -> None:
        with self._lock:
            self._transitions[mapping.uuid] = _Transition(
                state, time.monotonic() + self.transition_s
            )
            self._generation += 1

    def mapping_json(self, mapping: EventSourceMapping) -> dict[str, Any]:
        config = {k: v for k, v in mapping.get_configuration().items() if v is not None}
        config["State"] = self.state(mapping)
        config["StateTransitionReason"] = transition_reason(mapping.event_source_arn)
        return config

    def _mapping(self, call: Call, uuid_text: str) -> EventSourceMapping:
        account, region = self._where(call)
        mapping = get_backend(account, region).get_event_source_mapping(uuid_text)
        if mapping is None:
            raise ExtensionError(
                "ResourceNotFoundException",
                f"The resource you requested does not exist. (Service: Lambda, "
                f"Status Code: 404, Request ID: {uuid.uuid4()})",
                404,
            )
        return mapping

    def _create_mapping(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if not reply.ok:
            return reply
        account, region = self._where(call)
        created = str(reply.payload().get("UUID"))
        mapping = get_backend(account, region).get_event_source_mapping(created)
        if mapping is None:
            return reply
        self.lambdas.settle_event_source_mapping(account, region, mapping, time.time())
        self._begin(mapping, "Creating")
        return reply.with_payload(self.mapping_json(mapping))

    def _update_mapping(self, call: Call, forward: Forward) -> Reply:
        try:
            mapping = self._mapping(call, call.operation.params.get("UUID", ""))
        except ExtensionError as error:
            return error.reply()
        was_enabled = bool(mapping.enabled)
        reply = forward()
        if not reply.ok:
            return reply
        account, region = self._where(call)
        self.lambdas.settle_event_source_mapping(account, region, mapping, time.time())
        if bool(mapping.enabled) != was_enabled:
            self._begin(mapping, "Enabling" if mapping.enabled else "Disabling")
        else:
            self._begin(mapping, "Updating")
        return Reply.json(self.mapping_json(mapping), 202)

    def _get_mapping(self, call: Call, forward: Forward) -> Reply:
        try:
            mapping = self._mapping(call, call.operation.params.get("UUID", ""))
        except ExtensionError as error:
            return error.reply()
        return Reply.json(self.mapping_json(mapping))

    def _list_mappings(self, call: Call, forward: Forward) -> Reply:
        account, region = self._where(call)
        query = call.query
        mappings = list(get_backend(account, region).list_event_source_mappings("", ""))
        source = query.get("EventSourceArn")
        if source:
            mappings = [m for m in mappings if m.event_source_arn == source]
        function = query.get("FunctionName")
        if function:
            wanted = function_reference(function)
            mappings = [m for m in mappings if function_reference(m.function_arn) == wanted]
        order = {mapping.uuid: index for index, mapping in enumerate(mappings)}
        try:
            limit = max_items(query, EVENT_SOURCE_MAPPINGS_PAGE)
            page, marker = paged(mappings, lambda m: order[m.uuid], query.get("Marker"), limit)
        except ExtensionError as error:
            return error.reply()
        payload: dict[str, Any] = {
            "EventSourceMappings": [self.mapping_json(mapping) for mapping in page]
        }
        if marker:
            payload["NextMarker"] = marker
        return Reply.json(payload)

    # Asynchronous invoke configurations.

    def _invoke_config(self, call: Call, forward: Forward) -> Reply:
        action = call.operation.action
        if action == "GetFunctionEventInvokeConfig":
            reply = forward()
            if reply.ok:
                return reply.with_payload(_invoke_config_json(reply.payload(), _qualifier(call)))
            return reply
        try:
            function = self._function(call)
        except ExtensionError as error:
            return error.reply()
        previous = (
            dict(function.event_invoke_config[-1].config) if function.event_invoke_config else {}
        )
        reply = forward()
        if not reply.ok:
            return reply
        # moto appends every put and updates by putting: Lambda keeps one configuration,
        # which a put replaces and an update amends.
        del function.event_invoke_config[:-1]
        kept = function.event_invoke_config[-1]
        if action == "UpdateFunctionEventInvokeConfig":
            kept.config = {**previous, **kept.config}
        self._changed()
        return reply.with_payload(_invoke_config_json(kept.response(), _qualifier(call)))

    def _invoke_configs(self, call: Call, forward: Forward) -> Reply:
        reply = forward()
        if not reply.ok:
            return reply
        payload = reply.payload()
        payload["FunctionEventInvokeConfigs"] = [
            _invoke_config_json(config, _qualifier(call))
            for config in payload.get("FunctionEventInvokeConfigs", [])
        ]
        return reply.with_payload(payload)


def _qualifier(call: Call) -> str:
    _, qualifier = function_reference(call.operation.params.get("FunctionName", ""))
    return call.query.get("Qualifier") or qualifier or LATEST


def _invoke_config_json(config: dict[str, Any], qualifier: str) -> dict[str, Any]:
    result = dict(config)
    arn = str(result.get("FunctionArn", ""))
    if arn and arn.count(":") == 6:
        result["FunctionArn"] = f"{arn}:{qualifier}"
    destinations = dict(result.get("DestinationConfig") or {})
    destinations.setdefault("OnSuccess", {})
    destinations.setdefault("OnFailure", {})
    result["DestinationConfig"] = destinations
    return result


def _alias_json(alias: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in alias.items() if value not in (None, {})}
