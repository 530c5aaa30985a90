"""Fitting an instance to a schema: the smallest changes that make a broken example valid."""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from emulator.contract.instance import MAX_DEPTH, MISSING, Validity, sized

if TYPE_CHECKING:
    from emulator.contract.examples import Generator

Json = dict[str, Any]
_TYPE_OF = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}  # fmt: skip


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
        resized = sized(value, schema)
        if resized != value:
            self.changes["string resized"] += 1
        return resized


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

