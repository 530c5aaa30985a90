"""A response that breaks the contract is an emulator bug: it must fail loudly, never pass."""

from __future__ import annotations

import logging

import pytest
from conftest import ClientFactory
from helpers import Client, advance, call, tenant_of


async def break_a_customer(client: Client) -> str:
    """Simulate an emulator bug: corrupt a stored customer behind the API's back."""
    _, created = await call(client, "POST", "/v1/customers", json={"source_id": "victim"})
    tenant_of(client).customers.entry("victim").own["email"] = 12345  # the contract says string
    return str(created["id"])


async def test_a_broken_response_becomes_a_500_contract_violation(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    customer_id = await break_a_customer(client)
    with caplog.at_level(logging.ERROR, logger="emulator.contract"):
        status, body = await call(client, "GET", f"/v1/customers/{customer_id}")
    assert status == 500
    assert body["code"] == 500 and body["key"] == "emulator_contract_violation"
    assert body["details"] == "get-customer 200: Property .email must be string"
    assert any("get-customer answered 200" in r.getMessage() for r in caplog.records)


async def test_a_broken_item_inside_a_list_is_caught_too(client: Client) -> None:
    await break_a_customer(client)
    status, body = await call(client, "GET", "/v1/customers")
    assert status == 500
    assert body["details"] == "list-customers 200: Property .customers.0.email must be string"


async def test_undeclared_status_is_a_violation(client: Client) -> None:
    # get-campaign declares no 409; a conflict raised there would be an emulator bug.
    from emulator.domain.errors import Conflict

    def conflicting(key: str) -> None:
        raise Conflict("campaign", key, "boom")

    tenant_of(client).campaigns.get = conflicting  # type: ignore[method-assign]
    status, body = await call(client, "GET", "/v1/campaigns/anything")
    assert status == 500
    assert body["details"] == "get-campaign 409: status 409 is not declared for this operation"


async def test_response_validation_can_be_switched_off(make_client: ClientFactory) -> None:
    client = await make_client(validate_responses=False)
    customer_id = await break_a_customer(client)
    status, body = await call(client, "GET", f"/v1/customers/{customer_id}")
    assert status == 200 and body["email"] == 12345


async def test_request_validation_can_be_switched_off(make_client: ClientFactory) -> None:
    client = await make_client(validate_requests=False, validate_responses=False)
    status, body = await call(client, "POST", "/v1/customers", json={"name": 7})
    assert status == 200 and body["name"] == 7
    status, _ = await call(client, "GET", "/v1/customers", params={"limit": 500})
    assert status == 200


async def test_an_order_outside_the_enum_sorts_alike_on_every_path(
    make_client: ClientFactory,
) -> None:
    """With request validation off, `order=name` reaches the listing: it sorts by source_id
    whether or not a filter takes the indexed path (found in review)."""
    client = await make_client(validate_requests=False)
    for n in range(12):
        await call(client, "POST", "/v1/customers", json={"source_id": f"s{(n * 7) % 12:02d}"})
        await advance(client, 1)
    params = {"order": "name", "limit": "5"}
    _, plain = await call(client, "GET", "/v1/customers", params=params)
    ranged_params = {**params, "created_at[after]": "2000-01-01T00:00:00Z"}
    _, ranged = await call(client, "GET", "/v1/customers", params=ranged_params)
    expected = ["s00", "s01", "s02", "s03", "s04"]
    assert [c["source_id"] for c in plain["customers"]] == expected
    assert [c["source_id"] for c in ranged["customers"]] == expected
