"""The yes/no schema check, compiled by jsonschema-rs (Rust).

OpenAPI 3.0 schemas are JSON Schema draft 4 plus a few words; they are rewritten for
jsonschema-rs's draft-4 validator:

- `nullable: true` next to a `type` becomes `type: [type, "null"]` (OAS 3.0.3: nullable only
  widens the type assertion of its own schema object; `enum` and the rest still apply to null);
- every `format` the schema uses is checked by the same function openapi-schema-validator's
  OAS 3.0 format checker uses (custom formats), so "date-time" means the same on both sides
  (except the formats any string meets, which need no check);
- a schema the rewrite cannot express gives None, and the caller keeps the hand-written
  predicates (fastcheck.py): a recursive schema (inlined as a cycle), the number formats int32
  and int64 (checked on numbers, where jsonschema-rs checks formats on strings only), and
  `pattern`, `patternProperties` and `multipleOf`, which mean something else in Rust.

jsonschema (openapi-schema-validator's OAS30Validator) stays the authority on wording:
`SchemaCheck` asks it why whenever this check says no, and a differential test keeps the two in
agreement on every schema of the contract and of the vendor's document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema_rs

Predicate = Callable[[Any], bool]
# "date-time" exactly as the OAS 3.0 format checker decides it (jsonschema's is_datetime:
# rfc3339-validator on the upper-cased text: ASCII digits, no leap second, no year 0, the days
# of each month, leap years; Python's `$` also matches before a final newline), as a pattern
# jsonschema-rs checks in Rust: a format function is a call back into Python, 2-3 us each,
# and a page of customers carries one or two per customer.
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_LEAP = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DATE = (
    f"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    f"|{_LEAP}-02-29)"
)
_HOUR, _MINUTE = "(?:[01][0-9]|2[0-3])", "[0-5][0-9]"
DATE_TIME = (
    f"^{_DATE}[Tt]{_HOUR}:{_MINUTE}:{_MINUTE}(?:\\.[0-9]+)?"
    f"(?:[Zz]|[+-]{_HOUR}:{_MINUTE})\\n?$"
)
_NUMBER_FORMATS = frozenset({"int32", "int64"})
# Formats every string meets under the OAS 3.0 format checker (its "binary" takes any text or
# bytes: a file part stands for itself by its name; "password" is a hint to UIs), left out
# rather than called back: the first call imported openapi-schema-validator, 0.15 s of CPU in
# the first CSV upload a process served.
_ANY_STRING = frozenset({"binary", "password"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMA_MAPS = frozenset({"properties", "definitions"})
# Keywords whose meaning differs in Rust: jsonschema reads patterns as Python regular
# expressions (`$` before a final newline, Unicode `\d`, `\w` and `\s`) and tests multipleOf by
# float division (0.3 is no multiple of 0.1); the hand-written predicates do as it does.
_PYTHON_ONLY = frozenset({"pattern", "patternProperties", "multipleOf"})
_SCHEMA_VALUES = frozenset({"items", "additionalProperties", "not", "additionalItems"})


class Unsupported(Exception):
    pass


def _format_check(name: str) -> Callable[[str], bool]:
    def conforms(value: str) -> bool:
        from openapi_schema_validator import oas30_format_checker  # imported on first use

        return bool(oas30_format_checker.conforms(value, name))

    return conforms


class _Rewrite:
    """An OAS 3.0 schema as a draft-4 schema, and the formats it names."""

    def __init__(self) -> None:
        self.formats: set[str] = set()
        self._path: set[int] = set()

    def schema(self, node: Any) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise Unsupported("a schema that is not an object")
        if id(node) in self._path:
            raise Unsupported("a recursive schema")
        self._path.add(id(node))
        try:
            return self._object(node)
        finally:
            self._path.discard(id(node))

    def _object(self, node: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "nullable" or key == "$ref":
                continue
            if key in _PYTHON_ONLY:
                raise Unsupported(key)
            if key in _SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.schema(item) for item in value]
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: self.schema(item) for name, item in value.items()}
            elif key in _SCHEMA_VALUES and isinstance(value, dict | bool):
                out[key] = self.schema(value)
            else:
                out[key] = value
        if "$ref" in node:
            raise Unsupported("an unresolved $ref")
        kind = node.get("type")
        if node.get("nullable") is True and isinstance(kind, str):
            out["type"] = [kind, "null"]
        fmt = node.get("format")
        if fmt == "date-time":
            del out["format"]
            out["allOf"] = [*out.get("allOf", []), {"pattern": DATE_TIME}]
        elif fmt in _ANY_STRING:
            del out["format"]
        elif isinstance(fmt, str):
            if fmt in _NUMBER_FORMATS:
                raise Unsupported(f"format {fmt}")
            self.formats.add(fmt)
        return out


def compile_rs(schema: Any) -> Predicate | None:
    """jsonschema-rs's `is_valid` for this OAS 3.0 schema, or None when it cannot say the same
    as OAS30Validator (see the module's docstring)."""
    rewrite = _Rewrite()
    try:
        draft4 = rewrite.schema(schema)
        validator = jsonschema_rs.Draft4Validator(
            draft4,
            formats={name: _format_check(name) for name in rewrite.formats},
            validate_formats=True,
        )
    except (Unsupported, ValueError, TypeError, RecursionError, jsonschema_rs.ValidationError):
        return None
    # Called as is (a wrapper would double its cost); an instance it cannot read (not JSON
    # data) raises ValueError or TypeError, and SchemaCheck asks jsonschema instead.
    return validator.is_valid
