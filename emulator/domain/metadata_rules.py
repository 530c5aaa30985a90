"""One metadata definition of a metadata schema, and what a value must be to satisfy it.

A definition has the vendor's fields: a `type` (string, number, object, date, datetime,
geopoint, boolean, image_url), whether it is `optional`, an `array` or `deleted`, and the limits
the dashboard can set (`eq`, `ne`, `lt`, `lte`, `gt`, `gte`, `min_length`, `max_length`,
`exact_length`). Problems are worded as the vendor words them in its
`metadata_validation_failed` errors: `<key>: must be ... (actual value is '...')`.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import orjson

from emulator.jobs.clock import parse_instant

Json = dict[str, Any]
TYPES = ("string", "number", "object", "date", "datetime", "geopoint", "boolean", "image_url")
MAX_CELL_DEPTH = 64  # as deep as a request body may nest
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_BOUNDS: tuple[tuple[str, str, Callable[[Any, Any], bool]], ...] = (
    ("lt", "less than", operator.lt), ("lte", "less than or equal to", operator.le),
    ("gt", "greater than", operator.gt), ("gte", "greater than or equal to", operator.ge),
)  # fmt: skip


def _is_date(value: object) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parse_instant(value)
    except ValueError:
        return False
    return True


def _is_image_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    path = parts.path.lower()
    return parts.scheme in ("http", "https") and bool(parts.netloc) and path.endswith(
        (".jpg", ".jpeg", ".png")
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# type -> (what a value must be, the test)
_KINDS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "string": ("a string", lambda v: isinstance(v, str)),
    "number": ("a number", _is_number),
    "boolean": ("a boolean", lambda v: isinstance(v, bool)),
    "object": ("an object", lambda v: isinstance(v, dict)),
    "geopoint": ("a geopoint object", lambda v: isinstance(v, dict)),
    "date": ("a date in YYYY-MM-DD format", _is_date),
    "datetime": ("a date and time in ISO 8601 format", _is_datetime),
    "image_url": ("a URL pointing to JPG/JPEG or PNG resource", _is_image_url),
}


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_list_of(kinds: tuple[type, ...]) -> Callable[[object], bool]:
    return lambda value: isinstance(value, list) and all(
        isinstance(item, kinds) and not isinstance(item, bool) for item in value
    )


# What each field of a stored definition must hold (besides null).
_FIELD_TESTS: dict[str, Callable[[object], bool]] = {
    "optional": lambda v: isinstance(v, bool), "array": lambda v: isinstance(v, bool),
    "deleted": lambda v: isinstance(v, bool), "eq": _is_list_of((int, float, str)),
    "ne": _is_list_of((int, float)), "lt": _is_number, "lte": _is_number, "gt": _is_number,
    "gte": _is_number, "min_length": _is_count, "max_length": _is_count,
    "exact_length": _is_count,
}  # fmt: skip


def shown(value: object) -> str:
    """A value as an error quotes it: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _listed(values: tuple[Any, ...]) -> str:
    return ",".join(shown(v) for v in values)


@dataclass(frozen=True)
class Definition:
    type: str
    optional: bool = True
    array: bool = False
    deleted: bool = False
    eq: tuple[Any, ...] | None = None
    ne: tuple[Any, ...] | None = None
    lt: float | None = None
    lte: float | None = None
    gt: float | None = None
    gte: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    exact_length: int | None = None

    @classmethod
    def parse(cls, body: Json) -> Definition:
        """A definition from its seeded form. Seeds are checked against the seed schema first;
        a snapshot's are checked here, so that no stored definition can fail a later check."""
        if body.get("type") not in TYPES:
            raise ValueError(f"type must be one of {', '.join(TYPES)}")
        fields = {k: v for k, v in body.items() if k in cls.__dataclass_fields__}
        for name, value in fields.items():
            test = _FIELD_TESTS.get(name)
            if value is not None and test is not None and not test(value):
                raise ValueError(f"metadata definition field {name} has a wrong type")
        for name in ("eq", "ne"):
            if fields.get(name) is not None:
                fields[name] = tuple(fields[name])
        return cls(**fields)

    def problems(self, value: object) -> list[str]:
        """What is wrong with `value` for this definition (nothing for null: no value)."""
        if value is None:
            return []
        if not self.array:
            return self._scalar(value)
        if not isinstance(value, list):
            return ["must be an array, and every element: " + ", ".join(self._requirements())]
        for item in value:
            found = self._scalar(item)
            if found:
                return ["must be an array, and every element: " + ", ".join(found)]
        return []

    def _requirements(self) -> list[str]:
        """Everything a value must be, as the vendor lists it for a value that is no array."""
        said = [f"must be {_KINDS[self.type][0]}"]
        if self.eq is not None:
            said.append(f"must be equal to one of {_listed(self.eq)}")
        if self.ne is not None:
            said.append(f"must not be equal to any of {_listed(self.ne)}")
        said.extend(f"must be {words} {shown(getattr(self, name))}"
                    for name, words, _ in _BOUNDS if getattr(self, name) is not None)  # fmt: skip
        return said

    def _scalar(self, value: object) -> list[str]:
        what, test = _KINDS[self.type]
        if not test(value):
            return [f"must be {what}"]
        found: list[str] = []
        if self.eq is not None and value not in self.eq:
            found.append(f"must be equal to one of {_listed(self.eq)}")
        if self.ne is not None and value in self.ne:
            found.append(f"must not be equal to any of {_listed(self.ne)}")
        if isinstance(value, str):
            found.extend(self._length(value))
        if _is_number(value):
            found.extend(
                f"must be {words} {shown(bound)}"
                for name, words, holds in _BOUNDS
                if (bound := getattr(self, name)) is not None and not holds(value, bound)
            )
        return found

    def _length(self, text: str) -> list[str]:
        found = []
        if self.exact_length is not None and len(text) != self.exact_length:
            found.append(f"must be exactly {self.exact_length} characters long")
        if self.min_length is not None and len(text) < self.min_length:
            found.append(f"must be at least {self.min_length} characters long")
        if self.max_length is not None and len(text) > self.max_length:
            found.append(f"must be at most {self.max_length} characters long")
        return found

    def from_text(self, text: str) -> object:
        """A CSV cell as this definition's type (arrays: comma-separated elements). Text that
        is not of the type stays text, so that checking it names the problem."""
        if self.array:
            parts = [part.strip() for part in text.split(",")]
            return [self._scalar_from_text(part) for part in parts if part]
        return self._scalar_from_text(text)

    def _scalar_from_text(self, text: str) -> object:
        if self.type == "number" and len(text) <= 40 and _NUMBER.match(text):
            number = int(text) if _INTEGER.match(text) else float(text)
            return number if math.isfinite(number) else text
        if self.type == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if self.type in ("object", "geopoint") and text.startswith("{"):
            return _object_from_text(text)
        return text


def _object_from_text(text: str) -> object:
    """A cell holding a JSON object, read as strictly as a request body (no NaN, at most
    MAX_CELL_DEPTH levels deep); anything else stays text."""
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
    level, depth = [parsed], 0
    while level:
        depth += 1
        if depth > MAX_CELL_DEPTH:
            return text
        level = [child for node in level if isinstance(node, dict | list)
                 for child in (node.values() if isinstance(node, dict) else node)]  # fmt: skip
    return parsed if isinstance(parsed, dict) else text
