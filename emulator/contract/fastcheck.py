"""A fast yes/no check for the schema keywords OpenAPI 3.0 documents use.

jsonschema walks every keyword through generic machinery; for the emulator's hot path
(validating each response) that costs more than the request itself. This module compiles a
schema into plain Python closures that only answer "valid?". It gives up (returns None) on any
keyword it does not implement, and `SchemaCheck` always asks jsonschema for the explanation of
a failure, so jsonschema stays the authority: this is a fast path, not a second validator.
Semantics follow openapi-schema-validator's OAS30Validator (tests compare the two).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from functools import cache
from typing import Any

Predicate = Callable[[Any], bool]
_HANDLED = frozenset({
    "type", "nullable", "properties", "additionalProperties", "required", "enum", "format",
    "items", "allOf", "anyOf", "oneOf", "minimum", "maximum", "minItems", "maxItems",
    "minLength", "maxLength", "pattern", "minProperties", "maxProperties",
})  # fmt: skip


@cache
def _asserting() -> frozenset[str]:
    """Keywords the reference validator implements; any other keyword (title, example, x-...,
    and unknown words such as the vendor's `optional`) has no effect on validity there, nor
    here. (Imported on first use: this module is only the fallback of rscheck.py.)"""
    from openapi_schema_validator import OAS30Validator

    ignored = {"discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example",
               "deprecated"}  # fmt: skip
    # exclusiveMinimum / exclusiveMaximum are read by the minimum / maximum keywords
    return (frozenset(OAS30Validator.VALIDATORS) - ignored) | {"exclusiveMinimum",
                                                               "exclusiveMaximum"}  # fmt: skip


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_TYPES: dict[str, Predicate] = {
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


class Unsupported(Exception):
    pass


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def _enum(values: list[Any]) -> Predicate:
    if not all(_scalar(v) for v in values):
        raise Unsupported("enum")
    # jsonschema tells booleans from numbers: True is not 1.
    keyed = {(type(v) is bool, v) for v in values}
    return lambda instance: _scalar(instance) and (type(instance) is bool, instance) in keyed


def _length(kind: type[Any], bound: int, longest: bool) -> Predicate:
    # jsonschema counts characters (code points) for strings and items for arrays.
    if longest:
        return lambda v: not isinstance(v, kind) or len(v) <= bound
    return lambda v: not isinstance(v, kind) or len(v) >= bound


class Compiler:
    """Compiles each distinct (sub)schema once; a schema that contains itself (a recursive
    reference inlined as a cycle) calls its own predicate through a late-bound cell."""

    def __init__(self) -> None:
        self._done: dict[int, Predicate] = {}
        self._busy: dict[int, list[Predicate]] = {}
        self._order: list[Any] = []  # the schemas of _done, oldest first (kept alive: the
        # cache is keyed by id, which must not be reused while the compiler lives)

    def compile(self, schema: Any) -> Predicate:
        key = id(schema)
        if key in self._done:
            return self._done[key]
        if key in self._busy:
            pending = self._busy[key]
            return lambda v: pending[0](v)
        cell: list[Predicate] = []
        self._busy[key] = cell
        mark = len(self._order)
        try:
            predicate = self._build(schema)
        except Exception:
            # What was compiled beneath may call this schema's (now never filled) cell.
            for added in self._order[mark:]:
                del self._done[id(added)]
            del self._order[mark:]
            raise
        finally:
            del self._busy[key]
        cell.append(predicate)
        self._done[key] = predicate
        self._order.append(schema)
        return predicate

    def _build(self, schema: Any) -> Predicate:
        if not isinstance(schema, dict):
            raise Unsupported("schema")
        unknown = (set(schema) & _asserting()) - _HANDLED
        if unknown:
            raise Unsupported(str(unknown))
        checks = _scalar_checks(schema) + self._nested_checks(schema)
        if not checks:
            return lambda v: True
        if len(checks) == 1:
            return checks[0]
        every = tuple(checks)
        return lambda v: all(check(v) for check in every)

    def _nested_checks(self, schema: dict[str, Any]) -> list[Predicate]:
        checks: list[Predicate] = []
        if "properties" in schema or "additionalProperties" in schema:
            checks.append(self._object(schema))
        if "items" in schema:
            item = self.compile(schema["items"])
            checks.append(lambda v: not isinstance(v, list) or all(item(x) for x in v))
        if "allOf" in schema:
            parts = tuple(self.compile(sub) for sub in schema["allOf"])
            checks.append(lambda v: all(part(v) for part in parts))
        if "anyOf" in schema:
            options = tuple(self.compile(sub) for sub in schema["anyOf"])
            checks.append(lambda v: any(option(v) for option in options))
        if "oneOf" in schema:
            branches = tuple(self.compile(sub) for sub in schema["oneOf"])
            checks.append(lambda v: sum(1 for branch in branches if branch(v)) == 1)
        return checks

    def _object(self, schema: dict[str, Any]) -> Predicate:
        props = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        if extra is True:
            others: Predicate | None = None
        elif extra is False:
            others = lambda v: False  # noqa: E731
        else:
            others = self.compile(extra)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name, item in value.items():
                known = props.get(name)
                if known is not None:
                    if not known(item):
                        return False
                elif others is not None and not others(item):
                    return False
            return True

        return check


def _scalar_checks(schema: dict[str, Any]) -> list[Predicate]:
    checks: list[Predicate] = []
    if "type" in schema:
        is_type = _TYPES[schema["type"]]
        if schema.get("nullable") is True:
            checks.append(lambda v: v is None or is_type(v))
        else:
            checks.append(is_type)
    if "enum" in schema:
        checks.append(_enum(schema["enum"]))
    if "format" in schema:
        from openapi_schema_validator import oas30_format_checker

        fmt = schema["format"]
        checks.append(lambda v: oas30_format_checker.conforms(v, fmt))
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    if "minimum" in schema:
        low = schema["minimum"]
        checks.append(lambda v: not _is_number(v) or v >= low)
    if "maximum" in schema:
        high = schema["maximum"]
        checks.append(lambda v: not _is_number(v) or v <= high)
    for keyword, kind, longest in (
        ("minItems", list, False), ("maxItems", list, True),
        ("minLength", str, False), ("maxLength", str, True),
        ("minProperties", dict, False), ("maxProperties", dict, True),
    ):  # fmt: skip
        if keyword in schema:
            checks.append(_length(kind, schema[keyword], longest))
    if "required" in schema:
        required = tuple(schema["required"])
        checks.append(lambda v: not isinstance(v, dict) or all(k in v for k in required))
    return checks


def compile_predicate(schema: dict[str, Any], compiler: Compiler | None = None) -> Predicate | None:
    """A fast validity check for `schema`, or None when it uses a keyword not handled here."""
    try:
        return (compiler or Compiler()).compile(schema)
    except (Unsupported, re.error, KeyError, TypeError):
        return None
