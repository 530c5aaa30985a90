"""A tenant's metadata schemas (seeded through fixtures or POST /_emulator/seed), one per
related object, and the check every metadata write goes through.

Without a schema for a resource its metadata is free-form, as before. With one:
- a key the schema defines (and has not deleted) must hold a value of its type and limits;
- a key it does not define is refused when the schema sets `allow_defined_only`, kept otherwise;
- a key it defines with `optional: false` must be present.
Refusals are the vendor's `metadata_validation_failed` error; a bulk job lists them per item.
The emulator checks the `customer` schema (customer writes, imports and bulk jobs) and the
`voucher` schema (voucher CSV imports into campaigns that use it); other related objects may be
seeded and are kept, but nothing of theirs is written through this API subset.
"""

from __future__ import annotations

from typing import Any

from emulator.domain.errors import InvalidInput
from emulator.domain.metadata_rules import Definition, shown
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]
KEY = "metadata_validation_failed"


class MetadataInvalid(InvalidInput):
    """Metadata that breaks its resource's metadata schema (the vendor's 400)."""

    def __init__(self, details: str) -> None:
        super().__init__(details, key=KEY)


class MetadataSchemas:
    def __init__(self, ids: IdGenerator) -> None:
        self._ids = ids
        self._schemas: dict[str, Json] = {}  # related object -> the schema object, as shown
        self._definitions: dict[str, dict[str, Definition]] = {}

    def __bool__(self) -> bool:
        return bool(self._schemas)

    def define(self, body: Json, now: str) -> Json:
        """Store a seeded schema (a later one for the same related object replaces it)."""
        related = str(body["related_object"])
        definitions = {str(k): Definition.parse(v) for k, v in body["properties"].items()}
        earlier = self._schemas.get(related)
        schema = {
            "id": body.get("id") or (earlier["id"] if earlier else self._ids.metadata_schema()),
            "related_object": related, "properties": body["properties"],
            "allow_defined_only": bool(body.get("allow_defined_only", False)),
            "created_at": earlier["created_at"] if earlier else now,
            "updated_at": now if earlier else None, "object": "metadata_schema",
        }  # fmt: skip
        self._schemas[related] = schema
        self._definitions[related] = definitions
        return schema

    def all(self) -> list[Json]:
        return list(self._schemas.values())

    def load(self, schemas: list[Json]) -> None:
        for schema in schemas:
            related = str(schema["related_object"])
            self._definitions[related] = {
                str(k): Definition.parse(v) for k, v in schema["properties"].items()
            }
            self._schemas[related] = dict(schema)

    def _defined(self, related: str, key: str) -> Definition | None:
        definition = self._definitions.get(related, {}).get(key)
        return None if definition is None or definition.deleted else definition

    def problems(self, related: str, metadata: Json | None) -> list[str]:
        """Why `metadata` breaks the related object's schema (empty: it does not)."""
        schema = self._schemas.get(related)
        if schema is None:
            return []
        values = metadata or {}
        found = []
        for key, value in values.items():
            definition = self._defined(related, key)
            if definition is None:
                if schema["allow_defined_only"]:
                    found.append(f"{key}: is not defined in the {related} metadata schema")
                continue
            wrong = definition.problems(value)
            if wrong:
                found.append(f"{key}: {', '.join(wrong)} (actual value is '{shown(value)}')")
        for key in self._definitions[related]:
            definition = self._defined(related, key)
            if definition and not definition.optional and values.get(key) is None:
                found.append(f"{key}: is required")
        return found

    def check(self, related: str, metadata: Json | None) -> None:
        found = self.problems(related, metadata)
        if found:
            raise MetadataInvalid("; ".join(found))

    def check_write(self, related: str, metadata: Json | None, sent: bool, creates: bool) -> None:
        """A write is checked when it sends metadata or creates the resource (which must then
        hold the required keys); one that leaves an existing resource's metadata alone is not,
        so a schema seeded later never blocks unrelated changes."""
        if sent or creates:
            self.check(related, metadata)

    def from_cells(self, related: str, cells: Json) -> Json:
        """CSV cells (text) as metadata values: a defined key takes its definition's type."""
        converted = {}
        for key, text in cells.items():
            definition = self._defined(related, key)
            converted[key] = text if definition is None else definition.from_text(text)
        return converted
