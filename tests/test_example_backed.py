"""Operations without state, answered from the spec's examples (as Prism does), and the
repairs a vendor document gets at load. A small hand-written vendor-style document
(`small_vendor_spec.py`) keeps these independent of ../shared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ClientFactory
from helpers import AUTH, REPO, Client
from small_vendor_spec import DOCUMENT

from emulator.contract.spec import load_spec

MANAGEMENT = {"X-Management-Id": "m-1", "X-Management-Token": "secret"}


@pytest.fixture
def small_spec_path(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(DOCUMENT), encoding="utf-8")
    return path


@pytest.fixture
async def small(make_client: ClientFactory, small_spec_path: Path) -> Client:
    return await make_client(spec_path=small_spec_path)


async def get(client: Client, path: str, **headers: str) -> tuple[int, Any]:
    response = await client.get(path, headers={**AUTH, **headers})
    text = await response.text()
    return response.status, json.loads(text) if text and "json" in response.content_type else text


def test_json_and_yaml_forms_load_alike(tmp_path: Path, small_spec_path: Path) -> None:
    as_json = tmp_path / "small.json"
    as_json.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    from_yaml, from_json = load_spec(small_spec_path), load_spec(as_json)
    assert set(from_yaml.operations) == set(from_json.operations)
    repairs = [sorted(map(repr, spec.report.repairs)) for spec in (from_yaml, from_json)]
    assert repairs[0] == repairs[1]


def test_each_defect_is_repaired_and_reported_once(small_spec_path: Path) -> None:
    report = load_spec(small_spec_path).report
    kinds = report.counts()
    assert kinds == {
        "server": 1, "one-of": 1, "nullable": 1, "date-param": 1, "response": 9,
        "request": 1, "route": 2, "example": 1,
    }  # fmt: skip
    assert report.of_kind("one-of")[0].where == "Export"
    assert report.of_kind("request")[0].what == "(body): sku no longer required"
    assert report.of_kind("example")[0].where == "create-product 200 'Created'"
    assert report.of_kind("example")[0].what == "1 type coerced"  # price "100" -> 100
    text = report.text(limit=1)
    assert text.startswith("spec repairs: 17 repairs (server 1, one-of 1,")
    assert "... and 8 more" in text  # responses: one shown, eight more


def test_the_projects_own_contract_needs_no_repair() -> None:
    assert load_spec(REPO / "openapi" / "customers.yaml").report.repairs == []


async def test_answers_the_first_example_with_the_path_id_echoed(small: Client) -> None:
    status, body = await get(small, "/v1/products/prod_77")
    assert status == 200
    assert body == {"id": "prod_77", "name": "Phone", "object": "product"}


async def test_prefer_chooses_another_example_or_status(small: Client) -> None:
    status, body = await get(small, "/v1/products/prod_77", Prefer="example=Tablet")
    assert (status, body["name"], body["id"]) == (200, "Tablet", "prod_77")
    status, body = await get(small, "/v1/products/prod_77", Prefer="code=404")
    assert status == 404 and body["key"] == "not_found" and body["resource_type"] == "product"
    status, body = await get(small, "/v1/products/prod_77", Prefer="example=Not Found")
    assert status == 404 and body["details"] == "Cannot find product with id prod_77"
    assert body["resource_id"] == "prod_77"  # the example's prod_9, echoed from the path
    # A declared status without an example: the vendor's error shape for that status.
    status, body = await get(small, "/v1/products/prod_77", Prefer="code=401")
    assert status == 401 and (body["code"], body["key"]) == (401, "unauthorized")


async def test_an_undeclared_prefer_choice_is_a_clear_400(small: Client) -> None:
    status, body = await get(small, "/v1/products/prod_77", Prefer="code=418")
    assert status == 400 and body["key"] == "invalid_prefer_header"
    assert body["details"].endswith("it declares: 200, 404, 400, 401")
    status, body = await get(small, "/v1/products/prod_77", Prefer="code=200, example=Nope")
    assert status == 400 and "it declares: Phone, Tablet" in body["details"]


async def test_no_content_and_text_answers(small: Client) -> None:
    response = await small.delete("/v1/products/prod_77", headers=AUTH)
    assert response.status == 204 and await response.read() == b""
    status, body = await get(small, "/v1/exports/exp_5?token=t")  # the download twin
    assert (status, body) == (200, "Code\nA\n")
    status, body = await get(small, "/v1/exports/exp_5")
    assert status == 200 and body == {"id": "exp_5"}  # made from the schema, id echoed


async def test_requests_are_validated_against_the_repaired_spec(small: Client) -> None:
    status, _ = await get(small, "/v1/products?created_after=2024-01-01")  # a date-only value
    assert status == 200
    status, body = await get(small, "/v1/products?limit=1000")
    assert status == 400 and body["details"] == "Property .limit must be <= 100"
    created = await small.post("/v1/products", json={"name": "Phone"}, headers=AUTH)
    assert created.status == 200  # the vendor's own example, without the "required" sku
    assert (await created.json())["price"] == 100  # the example's "100", fitted
    refused = await small.post("/v1/products", json={"name": 5}, headers=AUTH)
    assert refused.status == 400
    assert (await refused.json())["details"] == "Property .name must be string"


async def test_kept_resources_must_exist_and_are_echoed_by_id(small: Client) -> None:
    status, body = await get(small, "/v1/campaigns/Spring/summary")
    assert status == 404 and body["resource_type"] == "campaign"
    seeded = await small.post("/_emulator/seed", headers=AUTH, json={"campaigns": [
        {"name": "Spring", "voucher": {"type": "DISCOUNT_VOUCHER",
                                       "discount": {"type": "AMOUNT", "amount_off": 5}}},
    ]})  # fmt: skip
    assert seeded.status == 200
    _, campaign = await get(small, "/v1/campaigns/Spring")  # the operation with state
    status, body = await get(small, "/v1/campaigns/Spring/summary")
    assert status == 200 and body == {"campaign_id": campaign["id"], "total": 3}
    status, _ = await get(small, "/v1/campaigns/Autumn/summary", Prefer="code=200")
    assert status == 200  # asked for explicitly


async def test_credentials_follow_the_operations_security(small: Client) -> None:
    status, body = await get(small, "/management/v1/projects")
    assert status == 401
    assert body["details"] == "Missing X-Management-Id and X-Management-Token headers"
    response = await small.get("/management/v1/projects", headers=MANAGEMENT)
    node = await response.json()
    assert response.status == 200 and node["name"] == "string"  # made from a recursive schema


async def test_the_journal_marks_stateful_and_example_answers(small: Client) -> None:
    await get(small, "/v1/campaigns/nope")
    await get(small, "/v1/products/prod_1")
    await small.get("/management/v1/projects", headers=MANAGEMENT)
    entries = (await (await small.get("/_emulator/requests")).json())["requests"]
    assert [(e["operation"], e["handler"], e["tenant"]) for e in entries] == [
        ("list-projects", "example", "m-1"),
        ("get-product", "example", AUTH["X-App-Id"]),
        ("get-campaign", "stateful", AUTH["X-App-Id"]),
    ]


async def test_operations_with_state_ignore_prefer(small: Client) -> None:
    status, body = await get(small, "/v1/campaigns/nope", Prefer="code=200")
    assert status == 404 and body["resource_type"] == "campaign"
