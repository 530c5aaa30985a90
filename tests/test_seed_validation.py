"""Seed data is checked like requests: fixture files at start-up and /_emulator/seed bodies
against the contract's customer, campaign and segment schemas, unknown fields refused, a
source_id seen twice upserted, and a seed that fails part-way changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, Client, call, settings_for

from emulator import create_app
from emulator.control.fixtures import FixtureError


def fixture_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "customers:\n  - {source_id: a}\n  - {source_id: b, email: 42}",
            "customers[1].email must be string",
        ),
        (
            "customers:\n  - {source_id: a, emial: a@x.io}",
            "customers[0].emial is not a customer field",
        ),
        (
            "customers:\n  - {source_id: a, address: {citi: Paris}}",
            "customers[0].address.citi is not a customer field",
        ),
        ("customers:\n  - {source_id: a, birthdate: 1990-13-45}", "not valid YAML"),
        (
            "customers:\n  - {source_id: a, birthdate: 'soon'}",
            "customers[0].birthdate cannot be recognized",
        ),
        (
            "customers:\n  - {source_id: a, redeemables: [{id: r1}]}",
            "customers[0].redeemables[0] must have required property",
        ),
        (
            "campaigns:\n  - {name: X, vouchers_count: many}",
            "campaigns[0].vouchers_count must be integer",
        ),
        ("campaigns:\n  - {name: X, colour: red}", "campaigns[0].colour is not a campaign field"),
        (
            "segments:\n  - {id: s, name: S, colour: red}",
            "segments[0].colour is not a segment field",
        ),
        ("segments:\n  - {id: s, name: 5}", "segments[0].name must be string"),
        ("customers: {source_id: a}", "customers must be a list"),
        ("tenant: ''\ncustomers: []", "tenant must be"),
    ],
)
def test_a_broken_fixture_fails_at_start_up_naming_file_and_field(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = fixture_file(tmp_path, text)
    with pytest.raises(FixtureError) as raised:
        create_app(settings_for(fixtures=(path,)))
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)


async def test_what_a_fixture_may_hold_is_served_as_written(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    path = fixture_file(tmp_path, (
        "customers:\n"
        "  - source_id: ann\n"
        "    birthdate: 1990-01-02\n"  # YAML reads a date; the author meant the text
        "    metadata: {anything: [1, {goes: here}]}\n"  # metadata is free-form
        "    address: null\n"
    ))  # fmt: skip
    client = await make_client(fixtures=(path,))
    status, ann = await call(client, "GET", "/v1/customers/ann")
    assert status == 200
    assert ann["birthdate"] == "1990-01-02" and ann["metadata"] == {
        "anything": [1, {"goes": "here"}]
    }


async def seed(client: Client, body: Any) -> tuple[int, Any]:
    response = await client.post("/_emulator/seed", json=body, headers=AUTH)
    return response.status, await response.json()


async def state(client: Client) -> Any:
    response = await client.get("/_emulator/state", params={"tenant": AUTH["X-App-Id"]})
    return await response.json()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"customers": [{"source_id": "a"}, {"source_id": "b", "email": 42}]},
            "seed body: customers[1].email must be string",
        ),
        (
            {"customers": [{"source_id": "a", "emial": "a@x.io"}]},
            "seed body: customers[0].emial is not a customer field",
        ),
        (
            {"campaigns": [{"name": "X", "auto_join": "yes"}]},
            "seed body: campaigns[0].auto_join must be boolean",
        ),
        ({"segments": [{"id": "s"}]}, "seed body: segments[0] must have required property 'name'"),
        ({"tenant": "other", "customers": []}, "seed body: unknown keys ['tenant']"),
        ([{"source_id": "a"}], "seed body: must be a mapping"),
    ],
)
async def test_a_bad_seed_is_a_400_naming_the_field_and_stores_nothing(
    client: Client, body: Any, problem: str
) -> None:
    await seed(client, {"customers": [{"source_id": "kept", "name": "Kept"}]})
    before = await state(client)
    status, answer = await seed(client, body)
    assert status == 400 and answer["key"] == "invalid_payload"
    assert answer["details"].startswith(problem)
    assert await state(client) == before


async def test_a_source_id_seen_twice_upserts(client: Client) -> None:
    status, counts = await seed(client, {"customers": [
        {"source_id": "ann", "name": "Ann", "metadata": {"plan": "free"}},
        {"source_id": "ann", "email": "ann@example.com"},
    ]})  # fmt: skip
    assert status == 200 and counts["customers"] == 2
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 1
    ann = listing["customers"][0]
    assert (ann["name"], ann["email"], ann["metadata"]) == (
        "Ann",
        "ann@example.com",
        {"plan": "free"},
    )
    await seed(client, {"customers": [{"source_id": "ann", "name": "Ann B."}]})
    _, again = await call(client, "GET", "/v1/customers/ann")
    assert again["id"] == ann["id"] and again["name"] == "Ann B."


async def test_a_seed_that_fails_half_way_leaves_the_tenant_unchanged(client: Client) -> None:
    await seed(client, {
        "customers": [{"source_id": "old", "name": "Original"}],
        "campaigns": [{"name": "Summer"}],
    })  # fmt: skip
    before = await state(client)
    status, answer = await seed(client, {
        "customers": [{"source_id": "old", "name": "Changed"}, {"source_id": "new"}],
        "campaigns": [{"name": "Winter"}],
        "segments": [{"id": "seg", "name": "S", "customers": ["new", "ghost"]}],
    })  # fmt: skip
    assert status == 400
    assert answer["details"] == "seed body: segments[0]: Cannot find customer with id ghost"
    assert await state(client) == before
    _, old = await call(client, "GET", "/v1/customers/old")
    assert old["name"] == "Original" and "updated_at" not in old
    assert (await call(client, "GET", "/v1/customers/new"))[0] == 404
    assert (await call(client, "GET", "/v1/campaigns/Winter"))[0] == 404
    status, answer = await seed(client, {"campaigns": [{"name": "Autumn"}, {"name": "Summer"}]})
    assert status == 400 and "campaigns[1]" in answer["details"]
    assert (await call(client, "GET", "/v1/campaigns/Autumn"))[0] == 404


async def test_seeding_the_id_of_a_deleted_customer_is_refused(client: Client) -> None:
    """It made a second customer with one id: a snapshot then held two records under one key
    (found in review)."""
    status, created = await call(client, "POST", "/v1/customers", json={"source_id": "gone"})
    assert status == 200
    assert (await call(client, "DELETE", f"/v1/customers/{created['id']}"))[0] == 204
    before = await state(client)
    status, body = await seed(client, {"customers": [{"id": created["id"], "name": "Back"}]})
    assert status == 400
    assert f"customer {created['id']} was deleted" in body["details"]
    assert await state(client) == before
