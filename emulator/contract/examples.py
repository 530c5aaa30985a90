"""Instances of a schema: made from the schema alone, or fitted to it from a broken example.

Both work on resolved schemas (no $ref), tolerate recursion (a depth bound), and are
deterministic: the same schema always gives the same instance.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from emulator.contract.fastcheck import Compiler, Unsupported

Json = dict[str, Any]
MISSING: Any = object()  # "no value": the property is better left out
OPTIONAL_DEPTH = 6  # below this depth, only required properties are generated
MAX_DEPTH = 24
_STRINGS = {
    "date-time": "2024-01-01T00:00:00.000Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
}
_TYPE_OF = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}  # fmt: skip


class Validity:
    """valid(schema, value) for any (sub)schema; each schema is compiled once."""

    def __init__(self) -> None:
        self._compiler = Compiler()
        self._slow: dict[int, Any] = {}

    def __call__(self, schema: Any, value: Any) -> bool:
        try:
            return self._compiler.compile(schema)(value)
        except (Unsupported, re.error, KeyError, TypeError):
            validator = self._slow.get(id(schema))
            if validator is None:
                validator = OAS30Validator(schema, format_checker=oas30_format_checker)
                self._slow[id(schema)] = validator
            return bool(validator.is_valid(value))


class Placeholder(str):
    """The value of a required property that no schema describes; any real value wins."""

    __slots__ = ()


def _merge(into: Any, extra: Any) -> Any:
    if isinstance(into, dict) and isinstance(extra, dict):
        merged = dict(into)
        for key, value in extra.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    if extra is MISSING or (isinstance(extra, Placeholder) and into is not MISSING):
        return into
    return extra


class Generator:
    def __init__(self, valid: Validity) -> None:
        self._valid = valid

    def __call__(self, schema: Any, depth: int = 0) -> Any:
        value = self._make(schema, depth)
        if isinstance(value, dict | list) and depth < MAX_DEPTH and not self._valid(schema, value):
            # Parts made apart (allOf members, a branch and its siblings) can disagree.
            value = Fitter(self._valid, self).fit(schema, value, depth + 1)
        return value

    def _make(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return MISSING
        for keyword in ("example", "default"):
            if keyword in schema and self._valid(schema, schema[keyword]):
                return copy.deepcopy(schema[keyword])
        if "enum" in schema:
            return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
        if "allOf" in schema:
            value: Any = MISSING
            for part in schema["allOf"]:
                value = _merge(value, self(part, depth + 1))
            return _merge(value, self._plain(schema, depth))
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                return self._branch(schema, schema[keyword], depth)
        return self._plain(schema, depth)

    def _branch(self, schema: Json, branches: list[Any], depth: int) -> Any:
        first = MISSING
        for branch in branches:
            value = _merge(self(branch, depth + 1), self._plain(schema, depth))
            if self._valid(schema, value):
                return value
            first = value if first is MISSING else first
        return first

    def _plain(self, schema: Json, depth: int) -> Any:
        kind = schema.get("type")
        if kind is None and "properties" in schema:
            kind = "object"
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            item = self(schema.get("items", {}), depth + 1)
            count = max(1, schema.get("minItems", 1)) if item is not MISSING else 0
            return [copy.deepcopy(item) for _ in range(count)]
        if kind in ("integer", "number"):
            low, high = schema.get("minimum"), schema.get("maximum")
            number: float = low if low is not None else min(0, high) if high is not None else 0
            return int(number) if kind == "integer" else number
        if kind == "boolean":
            return False
        if kind == "string":
            text = _STRINGS.get(schema.get("format", ""), "string")
            return _sized(text, schema)
        return None if schema.get("nullable") else MISSING

    def _object(self, schema: Json, depth: int) -> Any:
        required = schema.get("required", [])
        result: Json = {}
        for name, sub in schema.get("properties", {}).items():
            if name not in required and depth >= OPTIONAL_DEPTH:
                continue
            value = self(sub, depth + 1)
            if value is not MISSING:
                result[name] = value
        for name in required:
            if name not in result:
                result[name] = self.required(schema.get("properties", {}).get(name), depth + 1)
        return result

    def required(self, schema: Any, depth: int = 0) -> Any:
        """A value for a required property, even one the schema never describes."""
        value = self(schema if isinstance(schema, dict) else {}, depth)
        return Placeholder("string") if value is MISSING else value


def _sized(text: str, schema: Json) -> str:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    text = text + "x" * max(0, low - len(text))
    return text[:high] if high is not None else text


class Fitter:
    """Changes an instance as little as it can until it satisfies the schema, and counts
    what it changed (dropped nulls, filled required properties, coerced values, ...)."""

    def __init__(self, valid: Validity, generate: Generator) -> None:
        self._valid = valid
        self._generate = generate
        self.changes: Counter[str] = Counter()

    def fit(self, schema: Any, value: Any, depth: int = 0) -> Any:
        if not isinstance(schema, dict) or self._valid(schema, value) or depth > MAX_DEPTH:
            return value
        if "allOf" in schema:
            for part in schema["allOf"]:
                value = self.fit(part, value, depth + 1)
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema and value is not MISSING:
                value = self._best_branch(schema[keyword], value, depth)
        if value is MISSING or self._valid(schema, value):
            return value
        return self._fit_plain(schema, value, depth)

    def _best_branch(self, branches: list[Any], value: Any, depth: int) -> Any:
        best: tuple[int, Any, Counter[str]] | None = None
        for branch in branches:
            trial = Fitter(self._valid, self._generate)
            fitted = trial.fit(branch, copy.deepcopy(value), depth + 1)
            cost = sum(trial.changes.values())
            if fitted is MISSING or not self._valid(branch, fitted):
                continue
            if best is None or cost < best[0]:
                best = (cost, fitted, trial.changes)
                if cost == 0:
                    break
        if best is None:
            return value
        self.changes.update(best[2])
        return best[1]

    def _fit_plain(self, schema: Json, value: Any, depth: int) -> Any:
        kind = schema.get("type")
        if value is None and not schema.get("nullable"):
            self.changes["null dropped"] += 1
            return MISSING
        if kind is not None and not _is_kind(value, kind):
            return self._coerce(schema, value, kind, depth)
        if "enum" in schema and value not in schema["enum"]:
            self.changes["enum value replaced"] += 1
            return _closest(value, schema["enum"])
        if isinstance(value, dict):
            value = self._fit_object(schema, value, depth)
        elif isinstance(value, list):
            value = self._fit_array(schema, value, depth)
        elif isinstance(value, str):
            value = self._fit_string(schema, value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = _clamp(schema, value)
        if self._valid(schema, value):
            return value
        self.changes["value regenerated"] += 1
        return self._generate(schema, depth + 1)

    def _coerce(self, schema: Json, value: Any, kind: str, depth: int) -> Any:
        coerced = _convert(value, kind)
        if coerced is not MISSING and self._valid(schema, coerced):
            self.changes["type coerced"] += 1
            return coerced
        self.changes["value regenerated"] += 1
        return self._generate(schema, depth + 1)

    def _fit_object(self, schema: Json, value: Json, depth: int) -> Json:
        props = schema.get("properties", {})
        required = schema.get("required", [])
        fitted: Json = {}
        for name, item in value.items():
            sub = props.get(name)
            if sub is None:
                extra = schema.get("additionalProperties", True)
                if extra is False:
                    self.changes["unknown property dropped"] += 1
                    continue
                sub = extra if isinstance(extra, dict) else None
            new = item if sub is None else self.fit(sub, item, depth + 1)
            if new is not MISSING:
                fitted[name] = new
        for name in required:
            if name not in fitted:
                self.changes["required property filled"] += 1
                fitted[name] = self._generate.required(props.get(name), depth + 1)
        return fitted

    def _fit_array(self, schema: Json, value: list[Any], depth: int) -> list[Any]:
        items = schema.get("items", {})
        fitted = [self.fit(items, item, depth + 1) for item in value]
        kept = [item for item in fitted if item is not MISSING]
        if len(kept) < len(fitted):
            self.changes["null item dropped"] += len(fitted) - len(kept)
        high = schema.get("maxItems")
        if high is not None and len(kept) > high:
            self.changes["items dropped"] += len(kept) - high
            kept = kept[:high]
        while len(kept) < schema.get("minItems", 0):
            self.changes["item added"] += 1
            kept.append(self._generate(items, depth + 1))
        return kept

    def _fit_string(self, schema: Json, value: str) -> str:
        fmt = schema.get("format")
        if fmt == "date-time" and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            self.changes["date made date-time"] += 1
            return value + "T00:00:00.000Z"
        if fmt == "date" and re.match(r"\d{4}-\d\d-\d\dT", value):
            self.changes["date-time made date"] += 1
            return value[:10]
        sized = _sized(value, schema)
        if sized != value:
            self.changes["string resized"] += 1
        return sized


def _is_kind(value: Any, kind: str) -> bool:
    found = _TYPE_OF.get(type(value))
    return found == kind or (kind == "number" and found == "integer")


def _convert(value: Any, kind: str) -> Any:
    try:
        if kind == "integer" and isinstance(value, str | float):
            return int(float(value)) if float(value).is_integer() else MISSING
        if kind == "number" and isinstance(value, str):
            return float(value)
        if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if kind == "string" and isinstance(value, list) and len(value) == 1:
            return value[0] if isinstance(value[0], str) else MISSING
        if kind == "array":
            return [value]
        if kind == "boolean" and value in ("true", "false"):
            return value == "true"
    except (ValueError, OverflowError):
        return MISSING
    return MISSING


def _closest(value: Any, allowed: list[Any]) -> Any:
    if isinstance(value, str):
        for option in allowed:
            if isinstance(option, str) and option.lower() == value.lower():
                return option
    return next((v for v in allowed if v is not None), allowed[0])


def _clamp(schema: Json, value: float) -> float:
    if "minimum" in schema and value < schema["minimum"]:
        return type(value)(schema["minimum"])
    if "maximum" in schema and value > schema["maximum"]:
        return type(value)(schema["maximum"])
    return value


def describe(changes: Counter[str]) -> str:
    return ", ".join(f"{count} {what}" for what, count in sorted(changes.items()))

