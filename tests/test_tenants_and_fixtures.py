"""Per-tenant isolation, reset, fixtures and deterministic ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, CONTROL, OTHER, REPO, Client, call, settings_for

from emulator import create_app
from emulator.control.fixtures import FixtureError

DEMO = REPO / "fixtures" / "demo.yaml"


async def test_tenants_do_not_see_each_other(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "shared-key", "name": "one"})
    status, _ = await call(client, "GET", "/v1/customers/shared-key", headers=OTHER)
    assert status == 404
    _, mine = await call(
        client, "POST", "/v1/customers", json={"source_id": "shared-key"}, headers=OTHER
    )
    _, theirs = await call(client, "GET", "/v1/customers/shared-key")
    assert mine["id"] != theirs["id"] and theirs["name"] == "one"
    _, listing = await call(client, "GET", "/v1/customers", headers=OTHER)
    assert listing["total"] == 1


async def test_reset_clears_only_the_callers_tenant(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    await call(client, "POST", "/v1/customers", json={"source_id": "b"}, headers=OTHER)
    response = await client.post("/_emulator/reset", headers={**AUTH, **CONTROL})
    assert response.status == 200 and (await response.json())["reset"] == ["app-1"]
    assert (await call(client, "GET", "/v1/customers/a"))[0] == 404
    assert (await call(client, "GET", "/v1/customers/b", headers=OTHER))[0] == 200


async def test_reset_all(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    await call(client, "POST", "/v1/customers", json={"source_id": "b"}, headers=OTHER)
    response = await client.post("/_emulator/reset", params={"all": "true"}, headers=CONTROL)
    assert sorted((await response.json())["reset"]) == ["app-1", "app-2"]
    assert (await call(client, "GET", "/v1/customers/a"))[0] == 404
    assert (await call(client, "GET", "/v1/customers/b", headers=OTHER))[0] == 404


async def test_reset_without_a_tenant_is_a_clear_400(client: Client) -> None:
    response = await client.post("/_emulator/reset", headers=CONTROL)
    body = await response.json()
    assert response.status == 400 and "X-App-Id" in body["details"]


async def test_health_reports_operations_and_validators(client: Client) -> None:
    response = await client.get("/_emulator/health")
    body = await response.json()
    assert response.status == 200 and body["status"] == "ok"
    assert body["operations"] == 22 and body["validators"] > 22


async def test_fixtures_seed_every_tenant_and_come_back_after_reset(
    make_client: ClientFactory,
) -> None:
    client = await make_client(fixtures=(DEMO,))
    for headers in (AUTH, OTHER):
        status, alice = await call(
            client, "GET", "/v1/customers/alice.morgan@example.com", headers=headers
        )
        assert status == 200 and alice["metadata"] == {"tier": "gold"}
    _, segments = await call(client, "GET", "/v1/customers/alice.morgan@example.com/segments")
    assert segments["data"] == [
        {"id": "seg_gold_customers", "name": "Gold customers", "object": "segment"}
    ]
    _, members = await call(
        client, "GET", "/v1/customers", params={"segment_id": "seg_gold_customers"}
    )
    assert [c["source_id"] for c in members["customers"]] == ["alice.morgan@example.com"]
    status, campaign = await call(client, "GET", "/v1/campaigns/Summer Sale")
    assert status == 200 and campaign["campaign_type"] == "DISCOUNT_COUPONS"
    await call(client, "DELETE", "/v1/customers/alice.morgan@example.com")
    await client.post("/_emulator/reset", headers={**AUTH, **CONTROL})
    status, _ = await call(client, "GET", "/v1/customers/alice.morgan@example.com")
    assert status == 200


async def test_fixture_for_a_named_tenant_only(make_client: ClientFactory, tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("tenant: app-2\ncustomers:\n  - {source_id: only-app-2, id: cust_fixed}\n")
    client = await make_client(fixtures=(path,))
    assert (await call(client, "GET", "/v1/customers/only-app-2"))[0] == 404
    status, body = await call(client, "GET", "/v1/customers/only-app-2", headers=OTHER)
    assert status == 200 and body["id"] == "cust_fixed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just a list", "must be a mapping"),
        ("customerz: []", "unknown keys"),
        ("segments:\n  - {name: no id}", r"segments\[0\] must have required property 'id'"),
        (
            "segments:\n  - {id: s, name: n, customers: [ghost]}",
            r"segments\[0\]: Cannot find customer",
        ),
    ],
)
def test_broken_fixtures_fail_at_start_up(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(FixtureError, match=message):
        create_app(settings_for(fixtures=(path,)))


async def created_ids(make_client: ClientFactory, **settings: Any) -> list[str]:
    client = await make_client(**settings)
    result = []
    for n in range(3):
        _, body = await call(client, "POST", "/v1/customers", json={"source_id": f"s{n}"})
        result.append(body["id"])
    return result


async def test_same_seed_same_ids(make_client: ClientFactory) -> None:
    first = await created_ids(make_client, seed=42)
    second = await created_ids(make_client, seed=42)
    third = await created_ids(make_client, seed=43)
    assert first == second
    assert first != third
