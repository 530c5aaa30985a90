"""Reading parameters from the query string and the path, typed by their schemas."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.contract.schema import Problem, SchemaCheck

Json = dict[str, Any]
# The official Python SDK writes datetimes as 2024-01-02T03:04:05.123000+0000 (no colon in the
# offset), or with no offset at all; both are normalised to RFC 3339 before validation.
_COMPACT_OFFSET = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+)([+-]\d\d)(\d\d)$")
_NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$")


@dataclass(frozen=True)
class ParamSpec:
    name: str
    location: str
    required: bool
    kind: str  # integer, number, boolean, string, array, object
    dated: bool  # a date or date-time value
    deep: bool  # style: deepObject
    check: SchemaCheck
    # The schema takes any text (a path id's {type: string}): a value read as text needs no
    # check (asked on nearly every request).
    any_text: bool = False


_ANNOTATIONS = frozenset({"type", "description", "title", "example", "examples"})


def takes_any_text(schema: Json) -> bool:
    return schema.get("type") == "string" and schema.keys() <= _ANNOTATIONS


def _schema_kind(schema: Json) -> tuple[str, bool]:
    options = [schema, *schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]
    kind = next((o["type"] for o in options if "type" in o), "string")
    dated = any(o.get("format") in ("date", "date-time") for o in options)
    return str(kind), dated


def param_spec(raw: Json, check: SchemaCheck) -> ParamSpec:
    kind, dated = _schema_kind(raw.get("schema", {}))
    return ParamSpec(
        name=raw["name"],
        location=raw["in"],
        required=bool(raw.get("required", False)),
        kind=kind,
        dated=dated,
        deep=raw.get("style") == "deepObject",
        check=check,
        any_text=kind == "string" and not dated and takes_any_text(check.schema),
    )


_INTEGER = re.compile(r"[+-]?\d+")


def normalise_instant(text: str) -> str:
    match = _COMPACT_OFFSET.match(text)
    if match:
        return f"{match[1]}{match[2]}:{match[3]}"
    if _NAIVE.match(text):
        return text + "Z"
    return text


def coerce(spec: ParamSpec, text: str) -> Any:
    """Turn the raw text into the schema's type; leave it as text when it does not fit,
    so the schema check names the parameter and the expected type."""
    try:
        if spec.kind == "integer" and _INTEGER.fullmatch(text.strip()):
            return int(text)
        if spec.kind == "number":
            return float(text)
    except ValueError:
        return text
    if spec.kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if spec.dated:
        return normalise_instant(text)
    return text


def _deep_object(name: str, query: Mapping[str, str]) -> Json:
    """filters[a][b]=x -> {"a": {"b": "x"}}; the values stay text."""
    result: Json = {}
    prefix = name + "["
    for key, value in query.items():
        if not key.startswith(prefix):
            continue
        parts = re.findall(r"\[([^\]]*)\]", key[len(name) :])
        node = result
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            node = child if isinstance(child, dict) else node
        if parts:
            node[parts[-1]] = value
    return result


def _array(name: str, query: Mapping[str, str]) -> list[str] | None:
    """A list of text values: repeated keys (`ids=a&ids=b`, also `ids[]=`), or one value
    holding a list (`['a', 'b']`, as the official Python SDK writes it) or `a,b`."""
    getall = getattr(query, "getall", None)
    raw: list[str] = []
    for key in (name, f"{name}[]"):
        if getall is not None:
            raw.extend(getall(key, []))
        elif key in query:
            raw.append(query[key])
    if not raw:
        return None
    if len(raw) == 1:
        text = raw[0].strip()
        if text.startswith("[") and text.endswith("]"):
            return re.findall(r"""['"]([^'"]*)['"]""", text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return raw


def read_params(
    specs: tuple[ParamSpec, ...],
    query: Mapping[str, str],
    path: Mapping[str, str],
    validate: bool,
    headers: Mapping[str, str] | None = None,
) -> tuple[Json, Problem | None]:
    """Values by parameter name, and the first problem found (None when all are valid)."""
    values: Json = {}
    sources = {"query": query, "path": path, "header": headers or {}}
    for spec in specs:
        source = sources.get(spec.location)
        if source is None:
            continue
        if spec.deep:
            nested = _deep_object(spec.name, source)
            if nested:
                values[spec.name] = nested  # free-form: SDKs send loosely typed filters
            continue
        if spec.kind == "array" and spec.location == "query":
            items = _array(spec.name, source)
            if items is not None:
                values[spec.name] = items
            continue
        text = source.get(spec.name)  # every source's values are text
        if text is None:
            if spec.required and validate:
                return values, Problem((spec.name,), "is required")
            continue
        value = coerce(spec, text)
        if validate and not spec.any_text:
            problem = spec.check.problem(value)
            if problem is not None:
                return values, Problem((spec.name, *problem.path), problem.message)
        values[spec.name] = value
    return values, None
