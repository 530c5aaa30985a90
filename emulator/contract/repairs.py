"""Repairs to a vendor document's schemas and operations, made once at load, each reported.

They work on the raw document (with its $refs), so that a shared component is repaired, and
reported, once. Documents that need nothing (the project's own contract) pass unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from emulator.contract.document import Resolver
from emulator.contract.report import SpecReport

Json = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
NULL_SCHEMA: Json = {"nullable": True, "enum": [None]}
_COMPOSED = ("allOf", "anyOf", "oneOf")
_KINDS = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
          dict: "object"}  # fmt: skip
_ERROR_FIELDS = (("code", "integer"), ("key", "string"), ("message", "string"),
                 ("details", "string"), ("request_id", "string"), ("resource_id", "string"),
                 ("resource_type", "string"))  # fmt: skip
ERROR_SCHEMA: Json = {
    "type": "object",
    "properties": {name: {"type": kind} for name, kind in _ERROR_FIELDS},
}
BAD_REQUEST_SCHEMA: Json = {
    "type": "object",
    "properties": {
        "statusCode": {"type": "integer"},
        "error": {"type": "string"},
        "message": {"type": "string"},
    },
}
Visit = Callable[[Json, str], None]


def operations(document: Json) -> Iterator[tuple[str, str, Json, Json]]:
    """(method, path, operation, path item) for every operation of the document."""
    for path, item in document.get("paths", {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield method, path, op, item


def _walk(node: Any, where: str, visit: Visit, seen: set[int]) -> None:
    if not isinstance(node, dict) or id(node) in seen:
        return
    seen.add(id(node))
    visit(node, where)  # may rewrite the node; its (new) children are walked below
    for name, sub in (node.get("properties") or {}).items():
        _walk(sub, f"{where}.{name}", visit, seen)
    _walk(node.get("items"), f"{where}[]", visit, seen)
    _walk(node.get("additionalProperties"), f"{where}{{*}}", visit, seen)
    _walk(node.get("not"), f"{where}.not", visit, seen)
    for keyword in _COMPOSED:
        for index, sub in enumerate(node.get(keyword) or []):
            _walk(sub, f"{where}.{keyword}[{index}]", visit, seen)


def _content_schemas(owner: Json, where: str) -> Iterator[tuple[Any, str]]:
    for media, content in (owner.get("content") or {}).items():
        if isinstance(content, dict) and "schema" in content:
            yield content["schema"], f"{where} ({media})"


def schema_roots(document: Json) -> Iterator[tuple[Any, str]]:
    """Every place a schema starts: components, parameters, bodies and responses."""
    components = document.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        yield schema, name
    for name, param in (components.get("parameters") or {}).items():
        if isinstance(param, dict) and "schema" in param:
            yield param["schema"], f"parameter {name}"
    for method, path, op, item in operations(document):
        label = f"{method.upper()} {path}"
        for param in [*item.get("parameters", []), *op.get("parameters", [])]:
            if isinstance(param, dict) and "schema" in param:
                yield param["schema"], f"{label} {param.get('name')}"
        yield from _content_schemas(op.get("requestBody") or {}, f"{label} request")
        for status, response in (op.get("responses") or {}).items():
            if isinstance(response, dict):
                yield from _content_schemas(response, f"{label} {status}")


def walk_schemas(document: Json, visit: Visit) -> None:
    seen: set[int] = set()
    for schema, where in list(schema_roots(document)):
        _walk(schema, where, visit, seen)


def repair_servers(document: Json, report: SpecReport) -> None:
    servers = document.get("servers") or []
    urls = [str(server.get("url", "")) for server in servers if isinstance(server, dict)]
    if urls and not any(url.startswith("/") for url in urls):
        document["servers"] = [*servers, {"url": "/"}]
        report.add("server", "servers", f"'/' added beside {', '.join(urls)}")


class _Facts:
    """What a oneOf branch pins down: its types, nullability, required names and enums."""

    def __init__(self, resolver: Resolver, node: Any, depth: int = 0) -> None:
        self.types: set[str] | None = None
        self.nullable = False
        self.required: set[str] = set()
        self.properties: set[str] = set()
        self.enums: dict[str, frozenset[Any]] = {}
        self._read(resolver, node, depth)

    def _read(self, resolver: Resolver, node: Any, depth: int) -> None:
        if not isinstance(node, dict) or depth > 8:
            return
        if isinstance(node.get("$ref"), str):
            self._read(resolver, resolver.target(node["$ref"]), depth + 1)
            return
        if "type" in node:
            kind = "number" if node["type"] == "integer" else str(node["type"])
            self.types = {kind} if self.types is None else self.types & {kind}
        self.nullable = self.nullable or node.get("nullable") is True
        self.required |= set(node.get("required") or [])
        for name, sub in (node.get("properties") or {}).items():
            self.properties.add(name)
            values = _enum_of(resolver, sub)
            if values is not None:
                self.enums[name] = values
        for part in node.get("allOf") or []:
            self._read(resolver, part, depth + 1)


def _enum_of(resolver: Resolver, node: Any) -> frozenset[Any] | None:
    for _ in range(8):
        if not isinstance(node, dict):
            return None
        if isinstance(node.get("$ref"), str):
            node = resolver.target(node["$ref"])
            continue
        enum = node.get("enum")
        if isinstance(enum, list) and all(isinstance(v, str | int | bool) for v in enum):
            return frozenset(enum)
        return None
    return None


def _disjoint(sets: list[frozenset[Any]]) -> bool:
    seen: set[Any] = set()
    for values in sets:
        if seen & values:
            return False
        seen |= values
    return True


def exclusive(resolver: Resolver, branches: list[Any]) -> bool:
    """True when no instance can match two branches (so oneOf means what it says)."""
    if len(branches) < 2:
        return True
    facts = [_Facts(resolver, branch) for branch in branches]
    typed = sum(fact.nullable for fact in facts) <= 1 and all(f.types for f in facts)
    if typed and _disjoint([frozenset(fact.types or ()) for fact in facts]):
        return True
    shared = set.intersection(*(fact.required & set(fact.enums) for fact in facts))
    return any(_disjoint([fact.enums[name] for fact in facts]) for name in shared)


def repair_schemas(document: Json, resolver: Resolver, report: SpecReport) -> None:
    def visit(node: Json, where: str) -> None:
        branches = node.get("oneOf")
        if isinstance(branches, list) and not exclusive(resolver, branches):
            node["anyOf"] = node.pop("oneOf")
            report.add("one-of", where, f"oneOf of {len(branches)} overlapping branches")
        if node.get("nullable") is True and any(k in node for k in (*_COMPOSED, "$ref")):
            _null_branch(node)
            report.add("nullable", where, "null accepted as declared")
        if "default" in node:
            _check_default(node, where, report)

    walk_schemas(document, visit)


def _null_branch(node: Json) -> None:
    """{nullable, allOf: [X]} -> {anyOf: [{allOf: [X]}, null]}; annotations stay outside."""
    moved = {key: node.pop(key) for key in [*_COMPOSED, "$ref", "type"] if key in node}
    for key in ("properties", "required", "additionalProperties", "items", "enum"):
        if key in node:
            moved[key] = node.pop(key)
    node.pop("nullable")
    node["anyOf"] = [moved, dict(NULL_SCHEMA)]


def _check_default(node: Json, where: str, report: SpecReport) -> None:
    default = node["default"]
    enum = node.get("enum")
    kind = node.get("type")
    if isinstance(enum, list) and default not in enum:
        node.pop("default")
        report.add("bad-default", where, f"default {default!r} is not in its enum: dropped")
    elif default is None and not node.get("nullable"):
        node.pop("default")
        report.add("bad-default", where, "default null on a non-nullable schema: dropped")
    elif isinstance(kind, str) and default is not None:
        found = _KINDS.get(type(default))
        if found and found != kind and not (kind == "number" and found == "integer"):
            node["type"] = found
            what = f"type {kind} made {found}, as its default {default!r}"
            report.add("bad-default", where, what)


def _is_date_time(resolver: Resolver, schema: Any) -> bool:
    for _ in range(8):
        if not isinstance(schema, dict):
            return False
        if isinstance(schema.get("$ref"), str):
            schema = resolver.target(schema["$ref"])
            continue
        return schema.get("format") == "date-time"
    return False


def repair_date_params(document: Json, resolver: Resolver, report: SpecReport) -> None:
    """Query values such as `end_date=2016-11-16`: the vendor documents dates as accepted."""
    components = (document.get("components") or {}).get("parameters") or {}
    sites = [(param, f"parameter {name}") for name, param in components.items()]
    for method, path, op, item in operations(document):
        for param in [*item.get("parameters", []), *op.get("parameters", [])]:
            sites.append((param, f"{method.upper()} {path} {param.get('name')}"))
    for param, where in sites:
        if not isinstance(param, dict) or param.get("in") != "query":
            continue
        if _is_date_time(resolver, param.get("schema")):
            param["schema"] = {
                "type": "string",
                "anyOf": [{"format": "date-time"}, {"format": "date"}],
            }
            report.add("date-param", where, "a date (YYYY-MM-DD) accepted beside a date-time")


def _path_params(path: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", path)


def _names_an_id(resolver: Resolver, body: Json) -> bool:
    """Whether a JSON request body has an `id` of its own (an upsert such as create-customer
    answers 404 for an id that names nothing)."""
    content = (body.get("content") or {}).get("application/json") or {}
    return "id" in _Facts(resolver, content.get("schema")).properties


def repair_responses(document: Json, resolver: Resolver, report: SpecReport) -> None:
    """Declare the error statuses every operation can answer: 400 and 401 everywhere, 404
    where the path or the body's `id` names a resource, 413 and 415 where a body is read."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("BadRequest", BAD_REQUEST_SCHEMA)
    error = {"$ref": "#/components/schemas/Error"}
    too_large = {"$ref": "#/components/schemas/BadRequest"}
    for method, path, op, _item in operations(document):
        responses = op.setdefault("responses", {})
        if "default" in responses:
            continue
        wanted = [("400", error), ("401", error)]
        body = op.get("requestBody") or {}
        if _path_params(path) or (body and _names_an_id(resolver, body)):
            wanted.append(("404", error))
        if op.get("requestBody"):
            wanted += [("413", too_large), ("415", error)]
        added = [status for status, _ in wanted if status not in responses]
        for status, schema in wanted:
            if status in added:
                responses[status] = {
                    "description": "Declared by the emulator (the API answers it).",
                    "content": {"application/json": {"schema": dict(schema)}},
                }
        if added:
            report.add("response", f"{method.upper()} {path}", ", ".join(added))
