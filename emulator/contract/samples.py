"""The body an operation answers with when it has no state behind it: the vendor's example
for the status (repaired at load), or an instance made from the schema, made once."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator.contract.examples import Generator
from emulator.contract.instance import MISSING, Validity

if TYPE_CHECKING:
    from emulator.contract.spec import Response


class UnknownExample(KeyError):
    pass


class Samples:
    def __init__(self) -> None:
        self._valid = Validity()
        self._generate = Generator(self._valid)
        self._made: dict[int, Any] = {}  # id(check schema) -> instance made from it
        self._pinned: list[Any] = []  # the schemas of _made, kept alive for their ids

    def body(self, response: Response, name: str | None = None) -> Any:
        """A fresh copy of the named example, else the first one, else one made from the
        schema; None when the response has no body."""
        if name is not None:
            if name not in response.examples:
                raise UnknownExample(name)
            return copy.deepcopy(response.examples[name])
        if response.examples:
            return copy.deepcopy(next(iter(response.examples.values())))
        check = response.checks.get(response.media)
        if check is None:
            return None
        key = id(check.schema)
        if key not in self._made:
            made = self._generate(check.schema)
            self._made[key] = {} if made is MISSING else made  # {}: any JSON will do
            self._pinned.append(check.schema)
        return copy.deepcopy(self._made[key])
