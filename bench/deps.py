"""The dependencies chosen by measurement, measured: each candidate on the same work.

- validation: one customer response and a 10-customer page, checked by jsonschema-rs (what the
  emulator uses), the hand-written predicates it replaced (fastcheck.py), fastjsonschema,
  jsonschema (OAS30Validator.is_valid) and openapi-core's validate_response;
- JSON: writing and reading a 100-customer page with orjson and with the standard library;
- the event loop: GET and POST throughput of the command-line server on uvloop and on asyncio
  (`--event-loop`), when uvloop is installed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import orjson
from common import REPO, Emulator, generate

CUSTOMER: dict[str, Any] = {
    "id": "cust_CSnYd37MXmrbS19XCrghjBsv", "source_id": "a@b.c", "name": "A",
    "address": {"city": "Paris"}, "summary": {
        "redemptions": {k: 0 for k in ("total_redeemed", "total_failed", "total_succeeded",
                        "total_rolled_back", "total_rollback_failed",
                        "total_rollback_succeeded")}
        | {"gift": {"redeemed_amount": 0, "amount_to_go": 0},
           "loyalty_card": {"redeemed_points": 0, "points_to_go": 0}},
        "orders": {"total_amount": 0, "total_count": 0, "average_amount": 0,
                   "last_order_amount": 0}},
    "loyalty": {"points": 0, "referred_customers": 0, "campaigns": {}},
    "referrals": {"total": 0, "campaigns": []}, "metadata": {"plan": "pro"},
    "system_metadata": {}, "created_at": "2026-01-01T00:00:00.000Z", "object": "customer",
}  # fmt: skip


def per_call_us(check: Callable[[Any], Any], value: Any, seconds: float = 0.3) -> float:
    check(value)
    calls, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        for _ in range(50):
            check(value)
        calls += 50
    return (time.perf_counter() - began) / calls * 1e6


def _validators(schema: dict[str, Any]) -> dict[str, Callable[[Any], Any]]:
    from openapi_schema_validator import OAS30Validator, oas30_format_checker

    from emulator.contract.fastcheck import compile_predicate
    from emulator.contract.rscheck import _Rewrite, compile_rs

    found: dict[str, Callable[[Any], Any]] = {}
    rs, fast = compile_rs(schema), compile_predicate(schema)
    assert rs is not None and fast is not None
    found["jsonschema-rs"], found["fastcheck.py"] = rs, fast
    try:
        import fastjsonschema

        draft4 = {**_Rewrite().schema(schema), "$schema": "http://json-schema.org/draft-04/schema#"}
        loose = {"date": ".*", "time": ".*"}
        found["fastjsonschema"] = fastjsonschema.compile(draft4, formats=loose)
    except ImportError:
        pass
    found["jsonschema"] = OAS30Validator(schema, format_checker=oas30_format_checker).is_valid
    return found


def validation() -> dict[str, dict[str, float]]:
    """Microseconds per check: {"customer" | "page of 10": {library: us}}."""
    from emulator.contract.spec import load_spec

    spec = load_spec(REPO / "openapi" / "customers.yaml")
    one = spec.operations["get-customer"].response(200)
    page = spec.operations["list-customers"].response(200)
    assert one is not None and page is not None
    listing = {"object": "list", "data_ref": "customers", "customers": [CUSTOMER] * 10,
               "total": 10, "has_more": False}  # fmt: skip
    found: dict[str, dict[str, float]] = {}
    for name, response, value in (("customer", one, CUSTOMER), ("page of 10", page, listing)):
        schema = response.checks["application/json"].schema
        found[name] = {lib: per_call_us(check, value) for lib, check in _validators(schema).items()}
    found["customer"]["openapi-core"] = _openapi_core_us(spec.document)
    return found


def _openapi_core_us(document: dict[str, Any]) -> float:
    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    openapi = OpenAPI.from_dict(document)
    request = MockRequest("http://localhost", "get", f"/v1/customers/{CUSTOMER['id']}")
    response = MockResponse(json.dumps(CUSTOMER).encode())
    return per_call_us(lambda _: openapi.validate_response(request, response), None, 1.0)


def serialising() -> dict[str, float]:
    """MB/s writing and reading a 100-customer page."""
    page = {"object": "list", "customers": [CUSTOMER] * 100, "total": 100, "has_more": True}
    text = orjson.dumps(page)
    size = len(text) / 1e6
    return {
        "orjson dumps": size / per_call_us(orjson.dumps, page) * 1e6,
        "json dumps": size / per_call_us(json.dumps, page) * 1e6,
        "orjson loads": size / per_call_us(orjson.loads, text) * 1e6,
        "json loads": size / per_call_us(json.loads, text) * 1e6,
    }


async def loops() -> dict[str, dict[str, float]] | None:
    """req/s of GET and POST on each event loop (None without uvloop)."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return None
    found: dict[str, dict[str, float]] = {}
    for loop in ("asyncio", "uvloop", "asyncio", "uvloop"):  # alternated: the machine drifts
        async with Emulator("--event-loop", loop) as server:
            for kind, url in (("GET", f"{server.url}/v1/customers?limit=1"),
                              ("POST", f"{server.url}/v1/customers")):  # fmt: skip
                load = await asyncio.to_thread(generate, url, kind.lower(), 3.0)
                found.setdefault(loop, {}).setdefault(kind, 0.0)
                found[loop][kind] += load.rps / 2
    return found
