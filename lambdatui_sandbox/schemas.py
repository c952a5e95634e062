"""EventBridge Schemas, which moto 5.2 lacks: enough of it for shareable test events.

The Lambda console keeps a function's shareable test events in the registry
``lambda-testevent-schemas`` as the schema ``_<function>-schema`` (type OpenApi3). This
implements the registry and schema operations that use (Create/Describe/Delete/List
registries, Create/Describe/Update/Delete/List schemas) as the API reference shapes
them, and the schema versions (ListSchemaVersions, DeleteSchemaVersion): REST JSON
under /v1/registries, 201 on create, 204 on delete, versions counted from 1 and never
renumbered, NotFoundException (404), ConflictException (409) and BadRequestException
(400). A schema keeps at least one version: DeleteSchema removes the last.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from .middleware import Call, Forward, Handler, Reply
from .operations import Operation, account_for

CONTENT_LIMIT = 100_000
TYPES = ("OpenApi3", "JSONSchemaDraft4")
VERSIONS_PAGE = 100

_SCHEMA = r"^/v1/registries/name/(?P<RegistryName>[^/]+)/schemas/name/(?P<SchemaName>[^/]+)"

_ROUTES = (
    ("GET", re.compile(r"^/v1/registries$"), "ListRegistries"),
    ("POST", re.compile(r"^/v1/registries/name/(?P<RegistryName>[^/]+)$"), "CreateRegistry"),
    ("GET", re.compile(r"^/v1/registries/name/(?P<RegistryName>[^/]+)$"), "DescribeRegistry"),
    ("DELETE", re.compile(r"^/v1/registries/name/(?P<RegistryName>[^/]+)$"), "DeleteRegistry"),
    ("GET", re.compile(r"^/v1/registries/name/(?P<RegistryName>[^/]+)/schemas$"), "ListSchemas"),
    ("POST", re.compile(_SCHEMA + "$"), "CreateSchema"),
    ("GET", re.compile(_SCHEMA + "$"), "DescribeSchema"),
    ("PUT", re.compile(_SCHEMA + "$"), "UpdateSchema"),
    ("DELETE", re.compile(_SCHEMA + "$"), "DeleteSchema"),
    ("GET", re.compile(_SCHEMA + "/versions$"), "ListSchemaVersions"),
    (
        "DELETE",
        re.compile(_SCHEMA + r"/version/(?P<SchemaVersion>[^/]+)$"),
        "DeleteSchemaVersion",
    ),
)


def route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The Schemas action a REST request names, with its path labels."""
    for verb, pattern, action in _ROUTES:
        match = pattern.match(path)
        if verb == method and match:
            return action, {key: unquote(value) for key, value in match.groupdict().items()}
    return None


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class SchemaError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def reply(self) -> Reply:
        reply = Reply.json({"Code": self.code, "Message": self.message}, self.status)
        reply.headers.append(("x-amzn-ErrorType", self.code))
        return reply


@dataclass
class _Version:
    number: int
    content: str
    type: str
    description: str
    created: str


@dataclass
class _Schema:
    name: str
    tags: dict[str, str]
    # Oldest first; numbers only grow, so a deleted version's number is never reused.
    versions: list[_Version] = field(default_factory=list)
    last_number: int = 0

    def add(self, content: str, kind: str, description: str) -> _Version:
        self.last_number += 1
        version = _Version(self.last_number, content, kind, description, _stamp())
        self.versions.append(version)
        return version

    def version(self, asked: str | None) -> _Version:
        """The version numbered ``asked`` (the latest when None)."""
        if asked is None:
            return self.versions[-1]
        for version in self.versions:
            if str(version.number) == asked:
                return version
        raise SchemaError("NotFoundException", f"Schema version {asked} does not exist.", 404)


@dataclass
class _Registry:
    name: str
    description: str
    tags: dict[str, str]
    schemas: dict[str, _Schema] = field(default_factory=dict)


class Schemas:
    """The registries of every account and region, in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._registries: dict[tuple[str, str, str], _Registry] = {}

    def handler_for(self, operation: Operation) -> Handler | None:
        if operation.service != "schemas":
            return None
        action = getattr(self, f"_{operation.action}", None)
        return self._wrap(action) if action is not None else None

    def reset(self) -> None:
        with self._lock:
            self._registries.clear()

    def put_schema(
        self, account: str, region: str, registry: str, schema: str, content: str
    ) -> None:
        """Create (or add a version to) a schema, creating its registry (seeding)."""
        with self._lock:
            found = self._registries.setdefault(
                (account, region, registry), _Registry(registry, "", {})
            )
            entry = found.schemas.setdefault(schema, _Schema(schema, {}))
            entry.add(content, "OpenApi3", "")

    # Plumbing.

    def _wrap(self, action: Any) -> Handler:
        def handle(call: Call, forward: Forward) -> Reply:
            where = (
                account_for(call.environ, call.operation.access_key),
                call.operation.region,
            )
            try:
                with self._lock:
                    status, payload = action(where, call)
            except SchemaError as exc:
                return exc.reply()
            if status == 204:
                return Reply(204, [("x-amzn-RequestId", "sandbox")])
            return Reply.json(payload, status)

        return handle

    def _registry(self, where: tuple[str, str], name: str) -> _Registry:
        registry = self._registries.get((*where, name))
        if registry is None:
            raise SchemaError("NotFoundException", f"Registry {name} does not exist.", 404)
        return registry

    def _schema(self, where: tuple[str, str], registry: str, name: str) -> _Schema:
        schema = self._registry(where, registry).schemas.get(name)
        if schema is None:
            raise SchemaError("NotFoundException", f"Schema {name} does not exist.", 404)
        return schema

    @staticmethod
    def _arn(where: tuple[str, str], kind: str, path: str) -> str:
        account, region = where
        return f"arn:aws:schemas:{region}:{account}:{kind}/{path}"

    def _registry_view(self, where: tuple[str, str], registry: _Registry) -> dict[str, Any]:
        return {
            "Description": registry.description,
            "RegistryArn": self._arn(where, "registry", registry.name),
            "RegistryName": registry.name,
            "tags": registry.tags,
        }

    def _schema_view(
        self, where: tuple[str, str], registry: str, schema: _Schema, version: _Version
    ) -> dict[str, Any]:
        return {
            "Description": version.description,
            "LastModified": schema.versions[-1].created,
            "SchemaArn": self._arn(where, "schema", f"{registry}/{schema.name}"),
            "SchemaName": schema.name,
            "SchemaVersion": str(version.number),
            "tags": schema.tags,
            "Type": version.type,
            "VersionCreatedDate": version.created,
        }

    @staticmethod
    def _content(body: dict[str, Any], required: bool) -> str | None:
        content = body.get("Content")
        if content is None:
            if required:
                raise SchemaError("BadRequestException", "Content is required.", 400)
            return None
        if not isinstance(content, str) or not content:
            raise SchemaError("BadRequestException", "Content must be a non-empty string.", 400)
        if len(content) > CONTENT_LIMIT:
            raise SchemaError(
                "BadRequestException",
                f"Content is longer than the {CONTENT_LIMIT} characters allowed.",
                400,
            )
        try:
            json.loads(content)
        except ValueError:
            raise SchemaError("BadRequestException", "Content is not valid JSON.", 400) from None
        return content

    @staticmethod
    def _type(body: dict[str, Any], required: bool) -> str | None:
        kind = body.get("Type")
        if kind is None and not required:
            return None
        if kind not in TYPES:
            raise SchemaError(
                "BadRequestException", f"Type must be one of {', '.join(TYPES)}.", 400
            )
        return str(kind)

    # Registries.

    def _ListRegistries(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        prefix = call.query.get("registryNamePrefix", "")
        items = [
            self._registry_view(where, registry)
            for (account, region, name), registry in sorted(self._registries.items())
            if (account, region) == where and name.startswith(prefix)
        ]
        return 200, {"Registries": items}

    def _CreateRegistry(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        name = call.operation.params["RegistryName"]
        if (*where, name) in self._registries:
            raise SchemaError("ConflictException", f"Registry {name} already exists.", 409)
        body = call.json_body()
        registry = _Registry(name, str(body.get("Description", "")), dict(body.get("tags", {})))
        self._registries[(*where, name)] = registry
        return 201, self._registry_view(where, registry)

    def _DescribeRegistry(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        registry = self._registry(where, call.operation.params["RegistryName"])
        return 200, self._registry_view(where, registry)

    def _DeleteRegistry(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        name = call.operation.params["RegistryName"]
        self._registry(where, name)
        del self._registries[(*where, name)]
        return 204, None

    # Schemas.

    def _ListSchemas(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        name = call.operation.params["RegistryName"]
        registry = self._registry(where, name)
        prefix = call.query.get("schemaNamePrefix", "")
        items = [
            {
                "LastModified": schema.versions[-1].created,
                "SchemaArn": self._arn(where, "schema", f"{name}/{schema.name}"),
                "SchemaName": schema.name,
                "tags": schema.tags,
                "VersionCount": len(schema.versions),
            }
            for schema in sorted(registry.schemas.values(), key=lambda item: item.name)
            if schema.name.startswith(prefix)
        ]
        return 200, {"Schemas": items}

    def _CreateSchema(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        params = call.operation.params
        registry = self._registry(where, params["RegistryName"])
        name = params["SchemaName"]
        if name in registry.schemas:
            raise SchemaError("ConflictException", f"Schema {name} already exists.", 409)
        body = call.json_body()
        content = self._content(body, required=True)
        kind = self._type(body, required=True)
        assert content is not None and kind is not None
        schema = _Schema(name, dict(body.get("tags", {})))
        version = schema.add(content, kind, str(body.get("Description", "")))
        registry.schemas[name] = schema
        return 201, self._schema_view(where, registry.name, schema, version)

    def _DescribeSchema(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        params = call.operation.params
        schema = self._schema(where, params["RegistryName"], params["SchemaName"])
        version = schema.version(call.query.get("schemaVersion") or None)
        view = self._schema_view(where, params["RegistryName"], schema, version)
        view["Content"] = version.content
        return 200, view

    def _UpdateSchema(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        params = call.operation.params
        schema = self._schema(where, params["RegistryName"], params["SchemaName"])
        body = call.json_body()
        latest = schema.versions[-1]
        content = self._content(body, required=False) or latest.content
        kind = self._type(body, required=False) or latest.type
        description = str(body.get("Description", latest.description))
        version = schema.add(content, kind, description)
        return 200, self._schema_view(where, params["RegistryName"], schema, version)

    def _DeleteSchema(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        params = call.operation.params
        registry = self._registry(where, params["RegistryName"])
        self._schema(where, params["RegistryName"], params["SchemaName"])
        del registry.schemas[params["SchemaName"]]
        return 204, None

    # Schema versions.

    def _ListSchemaVersions(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        params = call.operation.params
        schema = self._schema(where, params["RegistryName"], params["SchemaName"])
        arn = self._arn(where, "schema", f"{params['RegistryName']}/{schema.name}")
        limit = _page_limit(call.query.get("limit"))
        start = _page_start(call.query.get("nextToken"))
        page = schema.versions[start : start + limit]
        answer: dict[str, Any] = {
            "SchemaVersions": [
                {
                    "SchemaArn": arn,
                    "SchemaName": schema.name,
                    "SchemaVersion": str(version.number),
                    "Type": version.type,
                }
                for version in page
            ]
        }
        if start + limit < len(schema.versions):
            answer["NextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
        return 200, answer

    def _DeleteSchemaVersion(self, where: tuple[str, str], call: Call) -> tuple[int, Any]:
        params = call.operation.params
        schema = self._schema(where, params["RegistryName"], params["SchemaName"])
        version = schema.version(params["SchemaVersion"])
        if len(schema.versions) == 1:
            raise SchemaError(
                "BadRequestException",
                f"Version {version.number} is the only version of schema {schema.name}; "
                "delete the schema instead.",
                400,
            )
        schema.versions.remove(version)
        return 204, None


def _page_limit(text: str | None) -> int:
    if text is None:
        return VERSIONS_PAGE
    if not text.isdigit() or not 1 <= int(text) <= VERSIONS_PAGE:
        raise SchemaError(
            "BadRequestException", f"limit must be between 1 and {VERSIONS_PAGE}.", 400
        )
    return int(text)


def _page_start(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except (binascii.Error, ValueError):
        raise SchemaError("BadRequestException", "The nextToken is not valid.", 400) from None
