"""A list answer's check in two parts: the envelope, and each item on its own.

JSON Schema applies an `items` schema to each element of an array independently. So an answer
such as `{"object": "list", "customers": [...], ...}` is valid exactly when the envelope is
valid with its items left unchecked, and each item is valid against the items schema. That lets
the HTTP layer keep an item's verdict (and its serialised text) for as long as the stored object
behind it is unchanged (http/views.py): every answer is still checked whole, in two parts.

The split is made only where that equivalence is plain to see: an object schema whose only
words about its properties are `properties`, `required` and `additionalProperties`, and an array
property with a single `items` schema and no `uniqueItems` (which compares items with each
other). Anything else (`allOf`, `anyOf`, `oneOf`, `not`, `patternProperties`, ...) gives None,
and the answer is checked whole as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from emulator.contract.schema import Problem, SchemaCheck

Json = dict[str, Any]
_NOTES = frozenset({
    "type", "description", "title", "nullable", "default", "example", "readOnly", "writeOnly",
    "deprecated", "externalDocs", "xml",
})  # fmt: skip
_ENVELOPE = _NOTES | {"required", "properties", "additionalProperties", "minProperties",
                      "maxProperties"}  # fmt: skip
_ARRAY = _NOTES | {"items", "minItems", "maxItems"}


@dataclass(frozen=True)
class SplitCheck:
    key: str  # the property holding the items
    envelope: SchemaCheck  # the whole schema with the items schema left out
    item: SchemaCheck  # the items schema
    items: SchemaCheck  # an array of them: several items checked in one call into Rust

    def envelope_problem(self, body: Json, count: int) -> Problem | None:
        """The envelope's problem, its `count` items stood in for by nulls (unchecked)."""
        return self.envelope.problem({**body, self.key: [None] * count})

    def items_problem(self, items: Sequence[Any], places: Sequence[int]) -> Problem | None:
        """The first problem of `items`, which stand at `places` in the answer's list."""
        if self.items.is_valid(items):
            return None
        for place, item in zip(places, items, strict=True):
            problem = self.item.problem(item)
            if problem is not None:
                return Problem((self.key, place, *problem.path), problem.message)
        return None  # not reached: the items check said no


def split_check(schema: Any, key: str) -> SplitCheck | None:
    """The check of `schema` split at its array property `key`, or None where the split would
    not be exact."""
    if not isinstance(schema, dict) or not set(schema) <= _ENVELOPE:
        return None
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return None
    array = properties.get(key)
    if not isinstance(array, dict) or not set(array) <= _ARRAY:
        return None
    items = array.get("items")
    if not isinstance(items, dict):
        return None
    bare = {name: value for name, value in array.items() if name != "items"}
    envelope = {**schema, "properties": {**properties, key: bare}}
    many = {"type": "array", "items": items}
    return SplitCheck(key, SchemaCheck(envelope), SchemaCheck(items), SchemaCheck(many))
