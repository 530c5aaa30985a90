"""jsonschema-rs, given the OAS 3.0 rewrite, agrees with jsonschema (OAS30Validator) on every
schema of the contract and of the vendor's full document, over generated valid instances and
many mutations of them; what the rewrite cannot express falls back, never disagrees."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from test_fastcheck import SCHEMAS, assert_agrees, mutate

from emulator.contract.examples import Generator
from emulator.contract.instance import Validity
from emulator.contract.rscheck import compile_rs
from emulator.contract.schema import SchemaCheck
from emulator.contract.spec import Spec


def test_every_contract_schema_compiles() -> None:
    missing = [name for name, schema in SCHEMAS if compile_rs(schema) is None]
    assert missing == []


@pytest.mark.parametrize(("name", "schema"), SCHEMAS, ids=[name for name, _ in SCHEMAS])
def test_agrees_with_jsonschema(name: str, schema: dict[str, Any]) -> None:
    fast = compile_rs(schema)
    assert fast is not None
    assert_agrees(fast, schema, "rs " + name)


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"type": "integer"}, [1, -3, 2**63], [True, 1.0, 1.5, "1", None]),
        ({"type": "number"}, [1, 1.5], [True, "1", None]),
        ({"type": "string", "nullable": True}, ["a", None], [1]),
        # nullable widens the type only: enum still applies to null (OAS 3.0.3)
        ({"type": "string", "nullable": True, "enum": ["a"]}, ["a"], [None, "b"]),
        ({"nullable": True, "enum": ["a"]}, ["a"], [None]),
        ({"enum": ["a", 1, None]}, ["a", 1, None], [True, "b", 1.5]),
        ({"type": "string", "format": "date-time"},
         ["2026-01-15T09:30:00Z", "2026-01-15T09:30:00.123+02:00"],
         ["2026-01-15", "2026-01-15 09:30", 5]),
        ({"type": "string", "format": "date"}, ["2026-01-15"], ["2026-13-45", "15.01.2026"]),
        ({"format": "date-time"}, [5, None, "2026-01-15T09:30:00Z"], ["yesterday"]),
        ({"type": "string", "format": "hostname"}, ["not a host name!"], [1]),  # not an OAS format
        ({"type": "string", "format": "binary"}, ["c.csv", ""], [1]),  # a file part, by name
        ({"type": "string", "format": "password"}, ["x"], [None]),
        ({"type": "number", "minimum": 0, "exclusiveMinimum": True}, [0.5], [0, -1]),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1.5], [1, "x"]),
        ({"additionalProperties": False, "properties": {"a": {}}}, [{"a": 1}], [{"b": 1}]),
        ({"type": "string", "optional": True, "x-note": 1}, ["a"], [1]),
    ],
)  # fmt: skip
def test_edge_cases(schema: dict[str, Any], good: list[Any], bad: list[Any]) -> None:
    fast = compile_rs(schema)
    assert fast is not None
    reference = OAS30Validator(schema, format_checker=oas30_format_checker)
    for value in good:
        assert fast(value) and reference.is_valid(value), value
    for value in bad:
        assert not fast(value) and not reference.is_valid(value), value


def date_times(rng: random.Random) -> list[str]:
    """Edge cases of RFC 3339 as rfc3339-validator reads them, every leap-year rule over
    2,500 years, and random edits of a valid instant."""
    made = [
        "2024-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
        "0000-01-01T00:00:00Z", "2026-01-01t00:00:00z", "2026-01-01T00:00:00Z\n",
        "2026-01-01T00:00:00Z\n\n", "2026-01-01T23:59:60Z", "2026-01-01T24:00:00Z",
        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00.Z", "2026-04-31T00:00:00Z",
        "2026-01-01T00:00:00.123456789-03:30", "\uff12026-01-01T00:00:00Z", "2026-01-01T00:00Z",
    ]  # fmt: skip
    made += [f"{year:04d}-02-29T12:00:00Z" for year in range(2500)]
    for _ in range(20_000):
        chars = list("2026-01-01T00:00:00.5+01:00")
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars))
            edit, char = rng.random(), rng.choice("0123456789-:.TtZz+ \n")
            if edit < 0.6:
                chars[at] = char
            elif edit < 0.8:
                del chars[at]
            else:
                chars.insert(at, char)
        made.append("".join(chars))
    return made


def test_date_time_is_checked_in_rust_exactly_as_the_oas_format_checker_does() -> None:
    schema = {"type": "string", "format": "date-time"}
    fast = compile_rs(schema)
    assert fast is not None
    reference = OAS30Validator(schema, format_checker=oas30_format_checker)
    cases = date_times(random.Random(3))
    disagreements = [case for case in cases if fast(case) != reference.is_valid(case)]
    assert disagreements == []
    assert 0 < sum(map(fast, cases)) < len(cases)


def test_what_the_rewrite_cannot_express_falls_back() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"}}}
    node["properties"]["children"] = {"type": "array", "items": node}  # a cycle
    assert compile_rs(node) is None
    assert compile_rs({"type": "integer", "format": "int32"}) is None
    assert compile_rs({"properties": {"a": {"$ref": "#/components/schemas/A"}}}) is None
    check = SchemaCheck(node)  # the hand-written predicates take it
    assert check.compiled
    assert check.problem({"name": "a", "children": [{"name": 1}]}) is not None


def test_an_instance_that_is_not_json_data_is_asked_of_jsonschema() -> None:
    check = SchemaCheck({"type": "object", "properties": {"at": {"type": "string"}}})
    assert check.problem({"at": datetime(2026, 1, 1, tzinfo=UTC)}) is not None
    assert check.is_valid({"other": datetime(2026, 1, 1, tzinfo=UTC)})


def test_agrees_with_jsonschema_on_the_vendors_full_document(vendor_full_spec: Spec) -> None:
    """Every parameter, body and response schema of the vendor's document (as repaired): the
    served examples, an instance made from the schema, and mutations of both."""
    checks = {
        id(check): check
        for op in vendor_full_spec
        for check in [*op.body_checks.values(), *(p.check for p in op.params),
                      *(c for r in op.responses.values() for c in r.checks.values())]
    }  # fmt: skip
    made = Generator(Validity())
    rng = random.Random(13)
    compared = fell_back = 0
    for check in checks.values():
        fast = compile_rs(check.schema)
        if fast is None:
            fell_back += 1
            continue
        reference = OAS30Validator(check.schema, format_checker=oas30_format_checker)
        examples = [e for op in vendor_full_spec for r in op.responses.values()
                    if check in r.checks.values() for e in r.examples.values()][:2]  # fmt: skip
        for instance in [*examples, made(check.schema)]:
            for candidate in [instance, mutate(instance, rng), mutate(instance, rng)]:
                try:
                    verdict = fast(candidate)
                except ValueError:  # not JSON data (a generator placeholder): SchemaCheck
                    continue  # asks jsonschema then, see the test above
                assert verdict == reference.is_valid(candidate), candidate
                compared += 1
    assert compared > 1500, compared
    assert fell_back < len(checks) // 20, (fell_back, len(checks))  # nearly all are covered


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"type": "number", "multipleOf": 0.1}, 0.3, False),  # float division, as jsonschema
        ({"type": "string", "pattern": "^\\s*$"}, "\ufeff", False),  # Python's \s
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc\n", True),  # Python's $
        ({"type": "string", "pattern": "^\\d+$"}, "\u0663", True),  # Unicode \d
        ({"type": "string", "pattern": "^\\w+$"}, "\u00e9", True),  # Unicode \w
    ],
)
def test_keywords_rust_reads_otherwise_are_left_to_python(
    schema: dict[str, Any], value: Any, valid: bool
) -> None:
    """jsonschema-rs reads patterns as ECMA regular expressions with ASCII classes and
    multipleOf exactly; such schemas keep the hand-written predicates (found in review)."""
    assert OAS30Validator(schema, format_checker=oas30_format_checker).is_valid(value) is valid
    assert compile_rs(schema) is None
    check = SchemaCheck(schema)
    assert check.is_valid(value) is valid
    assert (check.problem(value) is None) is valid


def test_a_file_part_is_checked_without_importing_openapi_schema_validator() -> None:
    """The contract's import form (a file part, `format: binary`) is checked in Rust alone:
    openapi-schema-validator (0.15 s to import) is not loaded by the first upload."""
    code = (
        "import sys\n"
        "from emulator.contract.schema import SchemaCheck\n"
        "check = SchemaCheck({'type': 'object', 'required': ['file'], 'properties': "
        "{'file': {'type': 'string', 'format': 'binary'}}})\n"
        "assert check.problem({'file': 'c.csv'}) is None\n"
        "print('openapi_schema_validator' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert ran.stdout.strip() == "False"
