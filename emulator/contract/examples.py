"""Instances made from a schema alone: answers for responses without an example, values for
required fields an example lacks. `fitting.py` fits a broken example to its schema.

Both work on resolved schemas (no $ref), tolerate recursion (a depth bound), and are
deterministic: the same schema always gives the same instance.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.contract.fitting import Fitter
from emulator.contract.instance import MAX_DEPTH, MISSING, Placeholder, Validity, sized

Json = dict[str, Any]
OPTIONAL_DEPTH = 6  # below this depth, only required properties are generated
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
            return sized(text, schema)
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
