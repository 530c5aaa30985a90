"""The emulator started on the vendor's whole published document (../shared/reference, 258
operations; skipped when absent): every operation answers, from its handler when the emulator
keeps its state, else from the vendor's (repaired) examples; every answer passes an
independent validator (openapi-core) against the repaired document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import Client
from openapi_core.testing import MockRequest, MockResponse
from oracle import oracle
from vendor_requests import APP, Builder, Request, seed_world

from emulator.contract.spec import Operation, Spec
from emulator.http.keys import COVERAGE
from emulator.routes.table import HANDLERS

VENDOR = {"X-App-Id": APP["id"], "X-App-Token": APP["token"]}
LAST = {"customer-permanently-deletion": 3, "delete-customer": 4}  # remove customers


def check_with_oracle(spec: Spec, op: Operation, request: Request, answer: Any) -> None:
    status, raw, media = answer
    mock_request = MockRequest("http://localhost", op.method.lower(), request.path,
                               args=request.query)  # fmt: skip
    response = MockResponse(raw, status, content_type=media or "application/json")
    oracle(spec, op).validate_response(mock_request, response)


@pytest.fixture
async def vendor_client(make_client: ClientFactory, vendor_full_spec: Spec) -> Client:
    return await make_client(spec=vendor_full_spec)


def acceptable(op: Operation, answer: tuple[int, bytes, str]) -> bool:
    """A valid request succeeds. An operation with state may still refuse it for what the
    state holds (a 404 or 409: the vendor example names a campaign that does not exist), but
    never as invalid input, and never with a 5xx."""
    status, raw, _media = answer
    if 200 <= status < 300:
        return True
    if op.operation_id not in HANDLERS or status >= 500:
        return False
    return json.loads(raw).get("key") not in ("invalid_payload", "invalid_query_params")


def ordered(spec: Spec) -> list[Operation]:
    def key(op: Operation) -> tuple[int, str]:
        rank = {"GET": 0, "DELETE": 2}.get(op.method, 1)
        return (LAST.get(op.operation_id, rank), op.operation_id)

    return sorted(spec, key=key)


async def test_every_operation_answers_and_its_answer_validates(
    vendor_client: Client, vendor_full_spec: Spec
) -> None:
    spec = vendor_full_spec
    world = await seed_world(vendor_client)
    builder = Builder(spec, world)
    spare = Builder(spec, {**world, "customerId": "world-customer-2"})  # for the deletions
    problems: list[str] = []
    answered: dict[str, int] = {}
    for op in ordered(spec):
        request = (spare if op.operation_id == "delete-customer" else builder).build(op)
        answer = await request.send(vendor_client)
        status = answered[op.operation_id] = answer[0]
        if not acceptable(op, answer):
            problems.append(f"{op.operation_id}: {status} {answer[1][:300]!r}")
            continue
        try:
            check_with_oracle(spec, op, request, answer)
        except Exception as error:  # the oracle's own error types vary
            problems.append(f"{op.operation_id}: openapi-core: {error!r}"[:400])
    assert not problems, "\n".join(problems)
    assert len(answered) == len(spec.operations) == 258

    journal = await vendor_client.get("/_emulator/requests", params={"limit": "1000"})
    entries = (await journal.json())["requests"]
    kinds = {e["operation"]: e["handler"] for e in entries if e["tenant"] == APP["id"]}
    assert set(kinds) == set(spec.operations)  # each request reached its own operation
    assert {op for op, kind in kinds.items() if kind == "stateful"} == set(HANDLERS)


async def test_the_oracle_rejects_a_broken_answer(vendor_full_spec: Spec) -> None:
    op = vendor_full_spec.operations["get-product"]
    request = Request("GET", "/v1/products/prod_1")
    broken = (200, json.dumps({"id": 1, "object": "product"}).encode(), "application/json")
    with pytest.raises(Exception, match="is not of type 'string'"):
        check_with_oracle(vendor_full_spec, op, request, broken)


INVALID = [
    # (method, path, json body or None, query) -> a 400 naming the field
    ("POST", "/v1/validations", {"redeemables": "not-a-list"}, {}, ".redeemables"),
    ("POST", "/v1/redemptions", {}, {}, "redeemables"),
    ("POST", "/v1/vouchers", {"type": 12}, {}, "'code'"),
    ("POST", "/v1/products", {"name": 5}, {}, ".name"),
    ("POST", "/v1/orders", [1, 2], {}, "object"),
    ("GET", "/v1/vouchers", None, {"limit": "1000"}, ".limit"),
    ("GET", "/v1/products", None, {"limit": "many"}, ".limit"),
    ("GET", "/v1/loyalties", None, {"limit": "0"}, ".limit"),
    ("POST", "/v1/events", {"event": 3, "customer": {}}, {}, ".event"),
    ("PUT", "/v1/products/prod_1", {"price": "free"}, {}, ".price"),
]


@pytest.mark.parametrize(("method", "path", "body", "query", "names"), INVALID)
async def test_an_invalid_request_is_a_vendor_shaped_400(
    vendor_client: Client, method: str, path: str, body: Any, query: dict[str, str], names: str
) -> None:
    response = await vendor_client.request(method, path, json=body, params=query, headers=VENDOR)
    error = await response.json()
    assert response.status == 400, error
    assert set(error) == {"code", "key", "message", "details", "request_id"}
    assert error["code"] == 400
    assert error["key"] in ("invalid_payload", "invalid_query_params")
    assert names in error["details"]


async def test_missing_credentials_of_each_kind_are_a_401(vendor_client: Client) -> None:
    for path, wanted in (
        ("/v1/products", "X-App-Id and X-App-Token"),
        ("/management/v1/projects", "X-Management-Id and X-Management-Token"),
        ("/client/v1/promotions/tiers", "X-Client-Application-Id and X-Client-Token"),
    ):
        response = await vendor_client.get(path)
        error = await response.json()
        assert response.status == 401 and error["key"] == "unauthorized"
        assert wanted in error["details"]
    management = await vendor_client.get(
        "/management/v1/projects", headers={"X-Management-Id": "m", "X-Management-Token": "t"}
    )
    assert management.status == 200


async def test_health_and_spec_report_show_coverage_and_repairs(
    vendor_client: Client, vendor_full_spec: Spec
) -> None:
    health = await (await vendor_client.get("/_emulator/health")).json()
    assert health["operations"] == 258
    assert health["stateful"] == len(HANDLERS) and health["example_backed"] == 258 - len(HANDLERS)
    assert health["repairs"] == len(vendor_full_spec.report.repairs) > 0
    report = await (await vendor_client.get("/_emulator/spec-report")).json()
    assert sorted(report["stateful"]) == sorted(HANDLERS)
    assert "get-voucher" in report["example_backed"] or "get-voucher" in report["stateful"]
    assert report["total"] == health["repairs"] == sum(report["by_kind"].values())
    assert {"server", "one-of", "response", "example", "request"} <= set(report["by_kind"])
    assert all(r["kind"] in report["kinds"] for r in report["repairs"])
    assert vendor_client.app[COVERAGE]["get-customer"] == "stateful"  # type: ignore[index]
