"""The vendor's advanced list filters: `filters[field][conditions][$op]=value`, joined by
`filters[junction]=and|or` (default `and`).

Text fields take $in, $not_in, $is, $is_not, $has_value, $is_unknown, $starts_with, $ends_with,
$contains and $not_contain; date-time fields take $after, $before, $has_value, $is_unknown and
$more_than / $less_than (an age in days, counted back from the tenant's clock). A field or
condition the listing does not know is a 400 naming it, never silently ignored.

The official Python SDK writes every field of its filter model, the ones it was not given as
the text `None` (`filters[created_at]=None`, `...[conditions][$not_in]=None`): those stand for
"not given" and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from emulator.domain.errors import InvalidInput
from emulator.jobs.clock import parse_instant

Json = dict[str, Any]
Getter = Callable[[Json], Any]
Predicate = Callable[[Json], bool]
TEXT, DATE = "text", "date"
_TEXT_OPS = frozenset({"$in", "$not_in", "$is", "$is_not", "$has_value", "$is_unknown",
                       "$starts_with", "$ends_with", "$contains", "$not_contain"})  # fmt: skip
_DATE_OPS = frozenset({"$after", "$before", "$has_value", "$is_unknown", "$more_than",
                       "$less_than"})  # fmt: skip
UNSET = "None"  # the Python SDK's rendering of a filter field it was not given


def _bad(details: str) -> InvalidInput:
    return InvalidInput(details, key="invalid_query_params")


def as_list(value: object) -> list[str]:
    """A list condition as clients send it: repeated or indexed keys (`[$in][0]=a`), a JSON or
    Python-style list in one value (`['a', 'b']`, what the Python SDK writes), or `a,b`."""
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return [str(value[key]) for key in sorted(value, key=lambda k: (len(k), k))]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        return [item for item in re.findall(r"""['"]([^'"]*)['"]""", text)]
    return [part.strip() for part in text.split(",") if part.strip()]


def _text_test(op: str, value: object) -> Callable[[Any], bool]:
    if op in ("$in", "$not_in"):
        wanted = set(as_list(value))
        return (lambda v: str(v) in wanted) if op == "$in" else (lambda v: str(v) not in wanted)
    text = str(value)
    tests: dict[str, Callable[[Any], bool]] = {
        "$is": lambda v: v is not None and str(v) == text,
        "$is_not": lambda v: v is None or str(v) != text,
        "$starts_with": lambda v: v is not None and str(v).startswith(text),
        "$ends_with": lambda v: v is not None and str(v).endswith(text),
        "$contains": lambda v: v is not None and text in str(v),
        "$not_contain": lambda v: v is None or text not in str(v),
    }
    return tests[op]


def _date_test(op: str, value: object, now: datetime) -> Callable[[Any], bool]:
    if op in ("$more_than", "$less_than"):
        try:
            cut = now - timedelta(days=float(str(value)))
        except ValueError:
            raise _bad(f"Filter condition {op} must be a number of days") from None
        if op == "$more_than":
            return lambda v: v is not None and parse_instant(str(v)) < cut
        return lambda v: v is not None and parse_instant(str(v)) > cut
    try:
        instant = parse_instant(str(value))
    except ValueError:
        raise _bad(
            f"Filter condition {op} cannot be recognized as a ISO-8601 compliant date"
        ) from None
    if op == "$after":
        return lambda v: v is not None and parse_instant(str(v)) > instant
    return lambda v: v is not None and parse_instant(str(v)) < instant


def _condition(field: str, kind: str, op: str, value: object, now: datetime) -> Callable[..., bool]:
    allowed = _TEXT_OPS if kind == TEXT else _DATE_OPS
    if op not in allowed:
        raise _bad(f"Filter {field} does not support the condition {op}")
    if op in ("$has_value", "$is_unknown"):
        return (lambda v: v is not None) if op == "$has_value" else (lambda v: v is None)
    return _text_test(op, value) if kind == TEXT else _date_test(op, value, now)


def _bind(test: Callable[[Any], bool], getter: Getter) -> Predicate:
    return lambda item: bool(test(getter(item)))


def compile_filters(
    raw: object, fields: Mapping[str, tuple[str, Getter]], now: datetime
) -> Predicate:
    """One predicate for the whole `filters` object; `fields` maps a filter name to its kind
    and to how an item's value is read."""
    if not raw:
        return lambda item: True
    if not isinstance(raw, dict):
        raise _bad("filters must be an object: filters[field][conditions][$op]=value")
    given_junction = raw.get("junction", UNSET)
    junction = "and" if given_junction == UNSET else str(given_junction).lower()
    if junction not in ("and", "or"):
        raise _bad("filters[junction] must be one of and, or")
    tests: list[Predicate] = []
    for name, spec in raw.items():
        if name == "junction" or spec == UNSET:
            continue
        if name not in fields:
            raise _bad(f"Unknown filter {name}; use one of {', '.join(sorted(fields))}")
        conditions = spec.get("conditions") if isinstance(spec, dict) else None
        if not isinstance(conditions, dict) or not conditions:
            raise _bad(f"filters[{name}] needs [conditions][$op]=value")
        given = {op: value for op, value in conditions.items() if value != UNSET}
        kind, getter = fields[name]
        for op, value in given.items():
            test = _condition(name, kind, op, value, now)
            tests.append(_bind(test, getter))
    combine = all if junction == "and" else any
    return lambda item: combine(test(item) for test in tests)
