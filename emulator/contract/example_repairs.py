"""The vendor's examples, checked against their own (repaired) schemas at load.

A response example that breaks its schema is fitted to it (nulls in non-nullable fields
dropped, missing required fields filled, strings coerced to numbers, ...); one that cannot be
fitted is replaced by an instance made from the schema. A request example that its schema
rejects shows a schema stricter than the API: that operation's request schema is loosened
(`loosen.py`). Each change is reported once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator.contract.document import Resolver
from emulator.contract.examples import Generator
from emulator.contract.fitting import Fitter, describe
from emulator.contract.instance import MISSING, Validity
from emulator.contract.loosen import loosen
from emulator.contract.repairs import operations
from emulator.contract.report import SpecReport

Json = dict[str, Any]


def _examples(content: Json, resolver: Resolver) -> Iterator[tuple[str, Json, str]]:
    """(name, holder, key): holder[key] is the example value, so it can be replaced."""
    if "example" in content:
        yield "example", content, "example"
    for name, entry in (content.get("examples") or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("$ref"), str):
            entry = resolver.target(entry["$ref"])
        if isinstance(entry, dict) and "value" in entry:
            yield str(name), entry, "value"


class ExampleRepairs:
    def __init__(self, resolver: Resolver, report: SpecReport) -> None:
        self._resolver = resolver
        self._report = report
        self._valid = Validity()
        self._generate = Generator(self._valid)
        self._done: set[int] = set()  # example holders already checked (shared components)

    def run(self, document: Json) -> None:
        for _method, _path, op, _item in operations(document):
            label = str(op.get("operationId") or f"{_method.upper()} {_path}")
            body = op.get("requestBody") or {}
            for media, content in (body.get("content") or {}).items():
                if media == "application/json" and isinstance(content, dict):
                    self._request(content, f"{label} request")
            for status, response in (op.get("responses") or {}).items():
                if not isinstance(response, dict):
                    continue
                for content in (response.get("content") or {}).values():
                    if isinstance(content, dict) and "schema" in content:
                        self._content(content, f"{label} {status}")

    def _content(self, content: Json, where: str) -> None:
        schema = self._resolver.resolve(content["schema"])
        for name, holder, key in _examples(content, self._resolver):
            if id(holder) in self._done:
                continue
            self._done.add(id(holder))
            value = holder[key]
            if self._valid(schema, value):
                continue
            holder[key] = self._repaired(schema, value, f"{where} '{name}'")

    def _repaired(self, schema: Any, value: Any, where: str) -> Any:
        fitter = Fitter(self._valid, self._generate)
        fitted = fitter.fit(schema, value)
        if fitted is not MISSING and self._valid(schema, fitted):
            self._report.add("example", where, describe(fitter.changes))
            return fitted
        made = self._generate(schema)
        if made is not MISSING and self._valid(schema, made):
            self._report.add("example-replaced", where, "made from the schema")
            return made
        self._report.add("example-replaced", where, "no valid instance found: left as is")
        return value

    def _request(self, content: Json, where: str) -> None:
        if "schema" not in content:
            return
        schema = self._resolver.resolve(content["schema"])
        for name, holder, key in _examples(content, self._resolver):
            if self._valid(schema, holder[key]):
                continue
            schema, changes = loosen(schema, holder[key])
            content["schema"] = schema  # resolved already; this operation's own copy
            if self._valid(schema, holder[key]):
                self._report.add("request", f"{where} '{name}'", "; ".join(changes))
            else:
                self._report.add("request", f"{where} '{name}'", "still rejected: left as is")
