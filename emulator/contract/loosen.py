"""Request schemas that reject the vendor's own documented requests, loosened just enough.

The vendor documents each request with examples. When its schema rejects one of them
(an order item without `object`, a customer given by id where an object is declared, a gift
card created without `balance`), the schema is stricter than the API, and the emulator follows
the API: the one rule that rejects the example is relaxed, in that operation's request only
(shared components are copied on write, so responses keep the strict rule).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

Json = dict[str, Any]
MAX_STEPS = 12
_KIND = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
         dict: "object"}  # fmt: skip


def _errors(schema: Json, instance: Any) -> list[ValidationError]:
    from openapi_schema_validator import OAS30Validator, oas30_format_checker  # see schema.py

    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    return list(validator.iter_errors(instance))


def _copy_path(root: Json, path: Sequence[Any]) -> tuple[Json, Any]:
    """Copy every node from the root down to `path` (copy on write); return the new root
    and the (copied) node at `path`."""
    new_root = copy.copy(root)
    node: Any = new_root
    for key in path:
        child = copy.copy(node[key])
        node[key] = child
        node = child
    return new_root, node


def _relax(owner: Json, error: ValidationError) -> str | None:
    keyword, value = error.validator, error.instance
    if keyword == "required":
        names = [n for n in owner["required"] if not isinstance(value, dict) or n not in value]
        owner["required"] = [n for n in owner["required"] if n not in names]
        if not owner["required"]:
            del owner["required"]
        return f"{', '.join(names)} no longer required"
    if keyword == "type" and value is None:
        owner["nullable"] = True
        return "null accepted"
    if keyword == "type":
        kind = _KIND.get(type(value), "string")
        original = {k: v for k, v in owner.items() if k not in ("description", "title")}
        owner.clear()
        owner["anyOf"] = [original, {"type": kind}]
        return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} accepted too"
    if keyword == "format" and owner.get("format") == "date-time":
        del owner["format"]
        owner["anyOf"] = [{"format": "date-time"}, {"format": "date"}]
        return "a date accepted beside a date-time"
    if keyword == "enum":
        owner["enum"] = [*owner["enum"], value]
        return f"{value!r} accepted"
    if keyword in owner and keyword not in ("anyOf", "oneOf", "allOf", "properties", "items"):
        del owner[keyword]
        return f"{keyword} dropped"
    return None


def _where(error: ValidationError) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


Change = tuple[str, str]  # (where in the instance, what was relaxed)


def _fix(root: Json, error: ValidationError, changes: list[Change]) -> Json | None:
    """`root` with the rule behind `error` relaxed, or None when it cannot be."""
    path = list(error.absolute_schema_path)
    if not path:
        return None
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Relax the branch that needs the fewest changes to take the instance.
        best: tuple[int, Json, list[Change]] | None = None
        for index, branch in enumerate(error.validator_value):
            loosened, branch_changes = _loosen(branch, error.instance)
            if not _errors(loosened, error.instance) and (
                best is None or len(branch_changes) < len(best[2])
            ):
                best = (index, loosened, branch_changes)
        if best is None:
            return None
        new_root, branches = _copy_path(root, path)
        branches[best[0]] = best[1]
        changes += [(_where(error) + where, what) for where, what in best[2]]
        return new_root
    new_root, owner = _copy_path(root, path[:-1])
    relaxed = _relax(owner, error)
    if relaxed is None:
        return None
    changes.append((_where(error), relaxed))
    return new_root


def _loosen(schema: Json, example: Any) -> tuple[Json, list[Change]]:
    changes: list[Change] = []
    for _ in range(MAX_STEPS):
        errors = _errors(schema, example)
        if not errors:
            break
        fixed = _fix(schema, errors[0], changes)
        if fixed is None:
            break
        schema = fixed
    return schema, changes


def loosen(schema: Json, example: Any) -> tuple[Json, list[str]]:
    """A schema that accepts `example` (the same object when it already does), and what
    was relaxed, or the changes made so far when one failure cannot be relaxed."""
    schema, changes = _loosen(schema, example)
    described = [f"{where or '(body)'}: {what}" for where, what in changes]
    return schema, list(dict.fromkeys(described))
