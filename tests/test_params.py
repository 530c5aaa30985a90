"""Parameters read from a request: a value any text satisfies skips its schema check, every
other one is checked."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.contract.params import param_spec, read_params
from emulator.contract.schema import SchemaCheck


def path_param(schema: dict[str, Any]) -> Any:
    return param_spec({"name": "id", "in": "path", "required": True}, SchemaCheck(schema))


def test_a_plain_text_parameter_takes_any_text_unchecked() -> None:
    free = path_param({"type": "string", "description": "Customer `id` or `source_id`."})
    assert free.any_text
    for text in ("cust_1", "a b@example.com", "ü ✓", ""):
        assert read_params((free,), {}, {"id": text}, True) == ({"id": text}, None)


@pytest.mark.parametrize(
    ("schema", "refused"),
    [({"type": "string", "pattern": "^cust_"}, "nope"),
     ({"type": "string", "format": "date-time"}, "yesterday"),
     ({"type": "string", "enum": ["a"]}, "b"),
     ({"type": "string", "maxLength": 3}, "long"),
     ({"type": "integer"}, "x")],
)  # fmt: skip
def test_a_constrained_parameter_is_still_checked(schema: dict[str, Any], refused: str) -> None:
    spec = path_param(schema)
    assert not spec.any_text
    values, problem = read_params((spec,), {}, {"id": refused}, True)
    assert problem is not None and problem.path == ("id",), (values, problem)
