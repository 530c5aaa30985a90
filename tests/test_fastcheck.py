"""The fast validity check agrees with jsonschema (OAS30Validator) on every schema of the
contract, over generated valid instances and many mutations of them."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import pytest
from helpers import REPO
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from emulator.contract.examples import Generator
from emulator.contract.fastcheck import compile_predicate
from emulator.contract.instance import Validity
from emulator.contract.spec import Spec, load_spec

SAMPLES = {"date-time": "2026-01-15T09:30:00.000Z", "date": "2026-01-15", "time": "10:00:00Z"}
WRONG = [None, True, 0, 7, -1, 1.5, "", "x", "2026-13-45", [], [1], {}, {"k": "v"}]


def make(schema: dict[str, Any], rng: random.Random, depth: int = 0) -> Any:
    """A plausible instance of `schema` (usually valid, sometimes not: that is fine too)."""
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = make(part, rng, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if "anyOf" in schema:
        return make(rng.choice(schema["anyOf"]), rng, depth + 1)
    if "enum" in schema:
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: make(sub, rng, depth + 1)
            for name, sub in schema.get("properties", {}).items()
            if depth < 6 and (name in schema.get("required", []) or rng.random() < 0.6)
        }
    if kind == "array":
        return [make(schema.get("items", {}), rng, depth + 1) for _ in range(rng.randint(0, 2))]
    if kind == "integer":
        return rng.randint(schema.get("minimum", 0), schema.get("maximum", 100))
    if kind == "number":
        return rng.choice([0, 2.5, 10])
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "string":
        return SAMPLES.get(schema.get("format", ""), "text")
    return None


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutate(value: Any, rng: random.Random) -> Any:
    value = copy.deepcopy(value)
    where = rng.choice(paths(value))
    if not where:
        return rng.choice(WRONG)
    parent = value
    for step in where[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and rng.random() < 0.3:
        del parent[where[-1]]  # drop a (maybe required) property
    else:
        parent[where[-1]] = rng.choice(WRONG)
    return value


def contract_schemas() -> list[tuple[str, dict[str, Any]]]:
    spec = load_spec(REPO / "openapi" / "customers.yaml")
    found: dict[int, tuple[str, dict[str, Any]]] = {}
    for op in spec:
        for param in op.params:
            found[id(param.check)] = (f"{op.operation_id} {param.name}", param.check.schema)
        for media, check in op.body_checks.items():
            found[id(check)] = (f"{op.operation_id} body {media}", check.schema)
        for status, response in op.responses.items():
            for check in response.checks.values():
                found[id(check)] = (f"{op.operation_id} {status}", check.schema)
    return sorted(found.values(), key=lambda item: item[0])


SCHEMAS = contract_schemas()


def test_every_contract_schema_compiles() -> None:
    compiled = [name for name, schema in SCHEMAS if compile_predicate(schema) is not None]
    assert len(compiled) == len(SCHEMAS), set(n for n, _ in SCHEMAS) - set(compiled)


@pytest.mark.parametrize(("name", "schema"), SCHEMAS, ids=[name for name, _ in SCHEMAS])
def test_agrees_with_jsonschema(name: str, schema: dict[str, Any]) -> None:
    fast = compile_predicate(schema)
    assert fast is not None
    assert_agrees(fast, schema, name)


def assert_agrees(fast: Callable[[Any], bool], schema: dict[str, Any], seed: str) -> None:
    """`fast` answers as jsonschema does on 40 generated instances and 10 mutations of each."""
    reference = OAS30Validator(schema, format_checker=oas30_format_checker)
    rng = random.Random(seed)
    verdicts = set()
    for _ in range(40):
        instance = make(schema, rng)
        for candidate in [instance] + [mutate(instance, rng) for _ in range(10)]:
            expected = reference.is_valid(candidate)
            assert fast(candidate) == expected, (seed, candidate)
            verdicts.add(expected)
    assert verdicts == {True, False}  # both sides of the line were exercised


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"type": "integer"}, [1, -3], [True, 1.0, "1", None]),
        ({"type": "string", "nullable": True}, ["a", None], [1]),
        ({"enum": ["a", 1]}, ["a", 1], [True, "b", None]),
        ({"type": "string", "format": "date-time"}, ["2026-01-15T09:30:00Z"], ["2026-01-15"]),
        ({"additionalProperties": {"type": "integer"}}, [{"a": 1}], [{"a": "x"}]),
        ({"type": "array", "maxItems": 1}, [[], [1]], [[1, 2]]),
    ],
)
def test_edge_cases(schema: dict[str, Any], good: list[Any], bad: list[Any]) -> None:
    fast = compile_predicate(schema)
    assert fast is not None
    assert all(fast(value) for value in good)
    assert not any(fast(value) for value in bad)


def test_unknown_keywords_fall_back() -> None:
    assert compile_predicate({"type": "array", "uniqueItems": True}) is None
    assert compile_predicate({"not": {"type": "string"}}) is None
    assert compile_predicate({"type": "number", "minimum": 0, "exclusiveMinimum": True}) is None


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"pattern": "^[0-9]+$"}, ["12", 5], ["1a", ""]),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1.5], [1, "x"]),
        ({"type": "object", "maxProperties": 1}, [{}, {"a": 1}], [{"a": 1, "b": 2}]),
        # Words the reference validator ignores are ignored here too.
        ({"type": "string", "optional": True, "x-note": 1}, ["a"], [1]),
    ],
)
def test_keywords_of_the_vendor_document(
    schema: dict[str, Any], good: list[Any], bad: list[Any]
) -> None:
    fast = compile_predicate(schema)
    assert fast is not None
    reference = OAS30Validator(schema, format_checker=oas30_format_checker)
    assert all(fast(value) and reference.is_valid(value) for value in good)
    assert not any(fast(value) or reference.is_valid(value) for value in bad)


def test_a_recursive_schema_compiles_to_a_recursive_check() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"}}}
    node["properties"]["children"] = {"type": "array", "items": node}  # a cycle
    fast = compile_predicate(node)
    assert fast is not None
    assert fast({"name": "a", "children": [{"name": "b", "children": []}]})
    assert not fast({"name": "a", "children": [{"name": "b", "children": [{"name": 1}]}]})


def test_agrees_with_jsonschema_on_the_vendors_full_document(vendor_full_spec: Spec) -> None:
    """Every response and body schema of the vendor's document (as repaired): the served
    examples, an instance made from the schema, and mutations of both."""
    checks = {
        id(check): check
        for op in vendor_full_spec
        for check in [*op.body_checks.values(),
                      *(c for r in op.responses.values() for c in r.checks.values())]
    }  # fmt: skip
    made = Generator(Validity())
    rng = random.Random(12)
    compared = 0
    for check in checks.values():
        fast = compile_predicate(check.schema)
        assert fast is not None
        reference = OAS30Validator(check.schema, format_checker=oas30_format_checker)
        examples = [e for op in vendor_full_spec for r in op.responses.values()
                    if check in r.checks.values() for e in r.examples.values()][:2]  # fmt: skip
        for instance in [*examples, made(check.schema)]:
            for candidate in [instance, mutate(instance, rng), mutate(instance, rng)]:
                assert fast(candidate) == reference.is_valid(candidate), candidate
                compared += 1
    assert compared > 1000
