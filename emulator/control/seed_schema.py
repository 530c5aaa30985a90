"""What seed data may hold: the contract's own customer, campaign and segment schemas, closed to
fields the contract does not list, and the vendor's metadata-schema object. A fixture or a seed
body is checked like a request, so it can never store something that every later read would
refuse as a contract violation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from emulator.contract.schema import SchemaCheck
from emulator.contract.spec import Spec
from emulator.domain.metadata_rules import TYPES

Json = dict[str, Any]
Path = tuple[str | int, ...]
JSON = "application/json"


def _branches(schema: object) -> Iterator[Json]:
    """The schema and every allOf / anyOf / oneOf branch inside it (each once: a document with
    recursive references resolves into cycles)."""
    stack, seen = [schema], set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict) and id(node) not in seen:
            seen.add(id(node))
            yield node
            for key in ("allOf", "anyOf", "oneOf"):
                stack.extend(node.get(key) or [])


def _fields(schemas: list[Json]) -> set[str] | None:
    """The property names the schemas list, or None when they leave the object open."""
    names: set[str] = set()
    listed = False
    for branch in (b for schema in schemas for b in _branches(schema)):
        if branch.get("additionalProperties") not in (None, False):
            return None
        if isinstance(branch.get("properties"), dict):
            listed = True
            names.update(branch["properties"])
    return names if listed else None


def _children(schemas: list[Json], key: str | None) -> list[Json]:
    """Sub-schemas for one property (or for array items when key is None)."""
    found = []
    for branch in (b for schema in schemas for b in _branches(schema)):
        child = branch.get("items") if key is None else (branch.get("properties") or {}).get(key)
        if isinstance(child, dict):
            found.append(child)
    return found


def unknown_field(schemas: list[Json], value: object, path: Path = ()) -> tuple[Path, list[str]]:
    """The first field the schemas do not list (its path and the names they do list), or
    ((), []) when every field is known. Free-form objects such as metadata stay open."""
    if isinstance(value, dict):
        names = _fields(schemas)
        for key, item in value.items():
            if names is not None and key not in names:
                return (*path, key), sorted(names)
            found = unknown_field(_children(schemas, key), item, (*path, key))
            if found[0]:
                return found
    elif isinstance(value, list):
        items = _children(schemas, None)
        for index, item in enumerate(value):
            found = unknown_field(items, item, (*path, index))
            if found[0]:
                return found
    return (), []


_LENGTH = {"type": "integer", "minimum": 0}
_BOUND = {"type": "number"}
# A metadata schema as the vendor's objects show it (MetadataSchema and its definitions), with
# `optional` (default true) and `array` (default false) optional; definitions are closed so that
# a misspelt limit is refused rather than ignored.
METADATA_SCHEMA: Json = {
    "type": "object", "required": ["related_object", "properties"],
    "properties": {
        "id": {"type": "string", "pattern": "^ms_"},
        "related_object": {"type": "string", "minLength": 1},
        "allow_defined_only": {"type": "boolean"},
        "properties": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["type"], "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": list(TYPES)},
                "optional": {"type": "boolean"}, "array": {"type": "boolean"},
                "deleted": {"type": "boolean"},
                "object_type": {"type": "string", "nullable": True},
                "eq": {"type": "array", "items": {"anyOf": [{"type": "number"},
                                                            {"type": "string"}]}},
                "ne": {"type": "array", "items": {"type": "number"}},
                "lt": _BOUND, "lte": _BOUND, "gt": _BOUND, "gte": _BOUND,
                "min_length": _LENGTH, "max_length": _LENGTH, "exact_length": _LENGTH,
            },
        }},
    },
}  # fmt: skip


def where(path: Path) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


@dataclass(frozen=True)
class Kind:
    name: str
    schema: Json

    @cached_property
    def check(self) -> SchemaCheck:
        return SchemaCheck(self.schema)

    def problem(self, item: object) -> tuple[Path, str] | None:
        """Why an item cannot be seeded (where, what), or None."""
        found = self.check.problem(item)
        if found is not None:
            return found.path, found.message
        path, known = unknown_field([self.schema], item)
        if path:
            return path, f"is not a {self.name} field the contract knows ({', '.join(known)})"
        return None


class SeedSchemas:
    """One Kind per fixture collection, taken from the contract's operations."""

    def __init__(self, spec: Spec) -> None:
        self._spec = spec

    def _request(self, operation_id: str) -> Json:
        operation = self._spec.operations.get(operation_id)
        check = operation.body_checks.get(JSON) if operation else None
        return check.schema if check else {"type": "object"}

    def _items(self, operation_id: str) -> Json:
        operation = self._spec.operations.get(operation_id)
        response = operation.response(200) if operation else None
        check = response.checks.get(JSON) if response else None
        page = check.schema if check else {}
        items = _children(_children([page], "data"), None)
        return items[0] if items else {"type": "object"}

    @cached_property
    def kinds(self) -> dict[str, Kind]:
        segment = self._items("list-customer-segments").get("properties", {})
        redeemables = {"type": "array", "items": self._items("list-customer-redeemables")}
        customer = {"allOf": [
            self._request("create-customer"),
            {"type": "object", "properties": {"redeemables": redeemables}},
        ]}  # fmt: skip
        return {
            "customers": Kind("customer", customer),
            "campaigns": Kind("campaign", self._request("create-campaign")),
            "segments": Kind("segment", {
                "type": "object", "required": ["id", "name"],
                "properties": {
                    "id": segment.get("id", {"type": "string"}),
                    "name": segment.get("name", {"type": "string"}),
                    "customers": {"type": "array", "items": {"type": "string"}},
                },
            }),
            "metadata_schemas": Kind("metadata schema", METADATA_SCHEMA),
        }  # fmt: skip

    def problem(self, collection: str, index: int, item: object) -> str | None:
        """`customers[2].email must be string`, or None when the item may be seeded."""
        found = self.kinds[collection].problem(item)
        if found is None:
            return None
        path, message = found
        return f"{collection}[{index}]{where(path)} {message}"
