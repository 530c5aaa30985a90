"""What the instance makers share: "no value", a depth bound, a validity check per schema."""

from __future__ import annotations

from typing import Any

from emulator.contract.fastcheck import Compiler
from emulator.contract.schema import SchemaCheck

Json = dict[str, Any]
MISSING: Any = object()  # "no value": the property is better left out
MAX_DEPTH = 24  # recursive schemas stop here


class Validity:
    """valid(schema, value) for any (sub)schema, through one SchemaCheck per schema; common
    parts compile once. These checks run a few times each, at load: compiling is what costs,
    so the hand-written predicates go before jsonschema-rs here."""

    def __init__(self) -> None:
        self._compiler = Compiler()
        self._checks: dict[int, SchemaCheck] = {}  # a check keeps its schema, so ids stay

    def __call__(self, schema: Any, value: Any) -> bool:
        check = self._checks.get(id(schema))
        if check is None:
            check = self._checks[id(schema)] = SchemaCheck(schema, self._compiler, rust_first=False)
        return check.is_valid(value)


class Placeholder(str):
    """The value of a required property that no schema describes; any real value wins."""

    __slots__ = ()


def sized(text: str, schema: Json) -> str:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    text = text + "x" * max(0, low - len(text))
    return text[:high] if high is not None else text
