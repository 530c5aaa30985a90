"""Compiled JSON-schema checks (OpenAPI 3.0 dialect) and the vendor-style wording of their failures.

The vendor's API validates with ajv and reports the first failure as
`Property .path.0.name must be ...`; the wording below follows that style.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.contract.fastcheck import Compiler, Predicate, compile_predicate
from emulator.contract.rscheck import compile_rs

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_DATE_FORMATS = frozenset({"date", "date-time"})
_BOUNDS = {
    "minimum": "must be >= {}",
    "maximum": "must be <= {}",
    "exclusiveMinimum": "must be > {}",
    "exclusiveMaximum": "must be < {}",
    "minLength": "must NOT have fewer than {} characters",
    "maxLength": "must NOT have more than {} characters",
    "minItems": "must NOT have fewer than {} items",
    "maxItems": "must NOT have more than {} items",
    "multipleOf": "must be multiple of {}",
}


@dataclass(frozen=True)
class Problem:
    """One reason an instance breaks its schema: where, and what is wrong there."""

    path: tuple[str | int, ...]
    message: str

    def describe(self, whole: str = "Request body") -> str:
        """`whole` names the instance itself when the problem is at its root."""
        where = "".join(f".{part}" for part in self.path)
        return f"Property {where} {self.message}" if where else f"{whole} {self.message}"


_UNSET: Any = object()


class SchemaCheck:
    """One schema, compiled on first use (a vendor document has hundreds of operations, and a
    run touches few); `problem()` returns None for a valid instance.

    The yes/no answer comes from jsonschema-rs (rscheck.py), else from the hand-written
    predicates (fastcheck.py, for what the rewrite cannot express), else from jsonschema; the
    wording of a failure always comes from jsonschema."""

    __slots__ = ("_compiler", "_fast", "_rust_first", "_validator", "schema")

    def __init__(
        self, schema: dict[str, Any], compiler: Compiler | None = None, rust_first: bool = True
    ) -> None:
        """`rust_first=False` suits a schema checked a few times only (the load-time example
        repairs): jsonschema-rs answers 10-20x faster but compiles about 1 ms slower, so there
        the shared hand-written compiler goes first (1,507 compiles took 1.8 s of a vendor
        document's load)."""
        self.schema = schema
        self._compiler = compiler  # shared, so common subschemas compile once
        self._rust_first = rust_first
        self._fast: Predicate | None = _UNSET
        self._validator: Any = None

    @property
    def compiled(self) -> bool:
        return self._predicate() is not None

    def _predicate(self) -> Predicate | None:
        if self._fast is _UNSET:
            if self._rust_first:
                fast = compile_rs(self.schema) or compile_predicate(self.schema, self._compiler)
            else:
                fast = compile_predicate(self.schema, self._compiler) or compile_rs(self.schema)
            self._fast = fast
        return self._fast

    def is_valid(self, instance: Any) -> bool:
        fast = self._predicate()
        if fast is not None:
            try:
                return fast(instance)
            except (ValueError, TypeError):
                pass  # not JSON data (jsonschema-rs reads JSON only): ask jsonschema
        return bool(self._reference().is_valid(instance))

    def _reference(self) -> Any:
        if self._validator is None:
            # Imported when first needed (a failure to word): openapi-schema-validator and
            # jsonschema cost about 10 MB and 0.1 s to import, and most runs never need them.
            from openapi_schema_validator import OAS30Validator, oas30_format_checker

            self._validator = OAS30Validator(self.schema, format_checker=oas30_format_checker)
        return self._validator

    def problem(self, instance: Any) -> Problem | None:
        if self.is_valid(instance):
            return None
        from jsonschema.exceptions import best_match

        error = best_match(self._reference().iter_errors(instance))
        return None if error is None else _describe(error)


def _leaf(error: ValidationError) -> ValidationError:
    """Pick the most telling failure inside anyOf / oneOf alternatives."""
    from jsonschema.exceptions import best_match

    while error.context:
        if all(_is_date_error(sub) for sub in error.context):
            return error.context[0]
        deeper = best_match(error.context)
        if deeper is None:
            break
        error = deeper
    return error


def _is_date_error(error: ValidationError) -> bool:
    return error.validator == "format" and error.validator_value in _DATE_FORMATS


def _describe(error: ValidationError) -> Problem:
    leaf = _leaf(error)
    path = tuple(leaf.absolute_path)
    kind, value = leaf.validator, leaf.validator_value
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        return Problem(path, f"must be {','.join(map(str, names))}")
    if kind == "required":
        missing = next((name for name in value if name not in leaf.instance), value[0])
        return Problem(path, f"must have required property '{missing}'")
    if kind == "enum":
        return Problem(path, f"must be equal to one of the allowed values [ {_join(value)} ]")
    if kind == "format":
        if value in _DATE_FORMATS:
            return Problem(path, "cannot be recognized as a ISO-8601 compliant date")
        return Problem(path, f'must match format "{value}"')
    if kind == "additionalProperties" and isinstance(leaf.instance, dict):
        known = leaf.schema.get("properties", {})
        extra = next((name for name in leaf.instance if name not in known), "")
        return Problem(path, f"must NOT have additional properties ('{extra}')")
    template = _BOUNDS.get(str(kind))
    if template is not None:
        return Problem(path, template.format(value))
    if kind == "pattern":
        return Problem(path, f'must match pattern "{value}"')
    return Problem(path, leaf.message)


def _join(values: Iterable[Any]) -> str:
    return ", ".join("null" if v is None else str(v) for v in values)
