"""Snapshots over HTTP: export, restore exactly (jobs mid-flight included), all or nothing.
The state file has its own tests (test_state_file.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, OTHER, REPO, Client, advance, call, csv_form, run_until_idle

from emulator.settings import JobTiming

DEMO = REPO / "fixtures" / "demo.yaml"
TIMING = JobTiming(queue_delay=1.0, item_seconds=0.01, portion_size=100)


async def state(client: Client, **params: str) -> dict[str, Any]:
    response = await client.get("/_emulator/state", params=params)
    assert response.status == 200
    return dict(await response.json())


async def busy_tenant(client: Client) -> None:
    """Customers, activity, vouchers, and async actions in every state."""
    await call(client, "POST", "/v1/customers", json={"source_id": "s1", "name": "One"})
    await call(client, "PUT", "/v1/customers/s1", json={"metadata": {"k": "v"}})
    await call(client, "POST", "/v1/customers", json={"source_id": "gone"})
    await call(client, "DELETE", "/v1/customers/gone")
    await call(
        client,
        "POST",
        "/v1/campaigns",
        json={"name": "C", "voucher": {"type": "GIFT_VOUCHER", "gift": {"amount": 500}}},
    )
    await client.post("/v1/campaigns/C/importCSV", data=csv_form("Code\nG1\nG2\n"), headers=AUTH)
    await run_until_idle(client)
    await call(client, "POST", "/v1/publications",
               json={"voucher": "G1", "customer": {"source_id": "s1"}})  # fmt: skip
    await call(client, "POST", "/v1/campaigns", json={
        "name": "Gen", "category": "Seasonal", "vouchers_count": 40,
        "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 5}},
    })  # fmt: skip
    rows = "Source_id,Name\n" + "".join(f"big{n},B\n" for n in range(250))
    await client.post("/v1/customers/importCSV", data=csv_form(rows), headers=AUTH)
    response = await client.post(
        "/v1/customers/bulk/async", json=[{"source_id": "held"}], headers=AUTH
    )
    held = (await response.json())["async_action_id"]
    await client.post(f"/_emulator/async-actions/{held}", json={"hold": True}, headers=AUTH)
    await client.post(
        "/_emulator/async-actions/rules", json={"type": "*", "fail": "later", "count": 1},
        headers=AUTH,
    )  # fmt: skip
    await advance(client, 2.5)  # the big import is mid-way: portion 2 under way
    await call(client, "POST", "/v1/customers/metadata/async",
               json={"source_ids": ["s1"], "metadata": {"x": 1}})  # fmt: skip
    await call(client, "POST", "/v1/customers", json={"source_id": "other"}, headers=OTHER)


async def test_round_trip_restores_exactly(make_client: ClientFactory) -> None:
    original = await make_client(job_timing=TIMING, fixtures=(DEMO,))
    await busy_tenant(original)
    exported = await state(original)
    assert set(exported["tenants"]) == {"app-1", "app-2"}
    jobs = exported["tenants"]["app-1"]["jobs"]
    assert {job["status"] for job in jobs.values()} == {"DONE", "IN_PROGRESS", "ENQUEUED"}
    parked = exported["tenants"]["app-1"]["meta"]["queue"]["parked"]

    restored = await make_client(job_timing=TIMING)
    response = await restored.put("/_emulator/state", json=exported)
    assert await response.json() == {"restored": ["app-1", "app-2"]}
    assert await state(restored) == exported

    # Both go on identically: same finishing times, results and new ids.
    for client in (original, restored):
        await client.post(f"/_emulator/async-actions/{parked[0]}", json={"hold": False},
                          headers=AUTH)  # fmt: skip
        await run_until_idle(client)
        await call(client, "POST", "/v1/customers", json={"source_id": "after"})
    assert await state(restored) == await state(original)
    _, listing = await call(restored, "GET", "/v1/customers", params={"limit": 1})
    assert listing["total"] == 2 + 1 + 250 + 1 + 1  # fixtures, s1, import, held bulk, after


async def test_one_tenant_only(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    await call(client, "POST", "/v1/customers", json={"source_id": "b"}, headers=OTHER)
    exported = await state(client, tenant="app-2")
    assert list(exported["tenants"]) == ["app-2"]
    await call(client, "DELETE", "/v1/customers/b", headers=OTHER)
    await call(client, "DELETE", "/v1/customers/a")
    await client.put("/_emulator/state", json=exported)
    assert (await call(client, "GET", "/v1/customers/b", headers=OTHER))[0] == 200
    assert (await call(client, "GET", "/v1/customers/a"))[0] == 404  # other tenants untouched


async def test_a_broken_snapshot_changes_nothing(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "keep"})
    good = await state(client)
    broken = json.loads(json.dumps(good))
    broken["tenants"]["new"] = {"meta": {"clock": {}}}
    response = await client.put("/_emulator/state", json=broken)
    assert response.status == 400 and "malformed snapshot" in (await response.json())["details"]
    for body in ({"tenants": {}}, [1, 2]):
        assert (await client.put("/_emulator/state", json=body)).status == 400
    assert await state(client) == good


async def test_a_snapshot_naming_one_customer_under_two_keys_is_refused(client: Client) -> None:
    """Past 64 customers the listing orders are built while restoring: a customer named twice
    was listed twice, and once more after its deletion (found in review)."""
    for n in range(70):
        await call(client, "POST", "/v1/customers", json={"source_id": f"s{n}"})
    good = await state(client)
    doubled = json.loads(json.dumps(good))
    customers = doubled["tenants"][AUTH["X-App-Id"]]["customers"]
    key, record = max(customers.items(), key=lambda item: item[1]["seq"])
    customers[key + "-copy"] = record
    response = await client.put("/_emulator/state", json=doubled)
    assert response.status == 400
    assert f"the customer record '{key}-copy' holds customer '{key}'" in (
        await response.json()
    )["details"]
    assert await state(client) == good
    status, listed = await call(client, "GET", "/v1/customers", params={"limit": "100"})
    ids = [customer["id"] for customer in listed["customers"]]
    assert status == 200 and len(ids) == len(set(ids)) == listed["total"] == 70


async def test_a_snapshot_naming_what_does_not_exist_is_refused(client: Client) -> None:
    """A membership or a category value of an unknown segment, a malformed preview or one that
    would update an unknown customer was restored with 200, and the tenant then answered 500
    on its segments, its dashboard list or a confirm (found in review)."""
    lists, control = "/_emulator/customer-lists", {**AUTH, "X-Emulator-Client": "tests"}
    form = csv_form("identifier,tier\nann,A\n", "l.csv")
    listing = await (await client.post(lists, data=form, headers=control)).json()
    response = await client.post(f"{lists}/{listing['id']}/confirm", json={}, headers=AUTH)
    assert response.status == 200
    form = csv_form("identifier,name\nann,Ann again\n", "m.csv")
    response = await client.post(lists, data=form, headers=control)
    assert (await response.json())["status"] == "READY"  # would update ann
    good = await state(client)
    ann = next(iter(good["tenants"][AUTH["X-App-Id"]]["customers"]))

    def members(tenant: dict[str, Any]) -> None:
        tenant["meta"]["members"]["seg_missing"] = [ann]

    def categories(tenant: dict[str, Any]) -> None:
        tenant["meta"]["categories"]["values"] = {"tier": {"B": "seg_missing"}}

    def shape(tenant: dict[str, Any]) -> None:
        first(tenant)["preview"] = {}

    def points(tenant: dict[str, Any]) -> None:
        first(tenant)["preview"]["new_customers"] = [{"identifier": "x", "loyalty_points": "9"}]

    def unknown(tenant: dict[str, Any]) -> None:
        last = list(tenant["customer_lists"].values())[-1]
        last["preview"]["existing_customers"][0]["id"] = "cust_nobody"

    def first(tenant: dict[str, Any]) -> Any:
        return next(iter(tenant["customer_lists"].values()))

    for edit in (members, categories, shape, points, unknown):
        broken = json.loads(json.dumps(good))
        edit(broken["tenants"][AUTH["X-App-Id"]])
        response = await client.put("/_emulator/state", json=broken)
        assert response.status == 400, edit.__name__
        assert "malformed snapshot" in (await response.json())["details"]
        assert await state(client) == good


async def test_a_snapshot_whose_customer_breaks_the_contract_is_refused(client: Client) -> None:
    """A customer edited by hand (metadata not an object) was restored with 200, and every
    list of its tenant then answered 500 (found walking the README)."""
    await call(client, "POST", "/v1/customers", json={"source_id": "a", "email": "a@x.io"})
    good = await state(client)
    broken = json.loads(json.dumps(good))
    [record] = broken["tenants"][AUTH["X-App-Id"]]["customers"].values()
    record["data"]["metadata"] = "notanobject"
    response = await client.put("/_emulator/state", json=broken)
    assert response.status == 400
    details = (await response.json())["details"]
    assert f"customer {record['data']['id']}: Property .metadata must be object" in details
    assert await state(client) == good
    assert (await call(client, "GET", "/v1/customers"))[0] == 200


@pytest.mark.parametrize("name", ["", " padded", "a\u0001b"])
async def test_a_snapshot_tenant_no_client_could_name_is_refused(client: Client, name: str) -> None:
    document = {"version": 2, "tenants": {name: {}}}
    response = await client.put("/_emulator/state", json=document)
    assert response.status == 400
    assert "is no X-App-Id a client could send" in (await response.json())["details"]


async def test_a_malformed_snapshot_names_the_record_and_the_field(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    broken = await state(client)
    [(key, record)] = broken["tenants"][AUTH["X-App-Id"]]["customers"].items()
    del record["data"]
    response = await client.put("/_emulator/state", json=broken)
    assert response.status == 400
    details = (await response.json())["details"]
    assert f"malformed snapshot (customer record '{key}': 'data' is missing)" in details


async def test_an_import_restored_from_a_snapshot_reads_its_cells_by_column_name(
    make_client: ClientFactory,
) -> None:
    """A snapshot is JSON: the cells of a pending import's rows are an object, whose key order a
    tool that re-writes the document (sorted keys, for a stable diff) may change. Each cell must
    still go to the field its column names."""
    original = await make_client(job_timing=TIMING)
    await client_import(original)
    exported = await state(original)
    [work] = exported["tenants"]["app-1"]["work"].values()
    for row in work["table"]["rows"]:
        row[1] = dict(sorted(row[1].items()))  # Email, Name, Source_id, Tier: not the header's
    exported = json.loads(json.dumps(exported, sort_keys=True))

    restored = await make_client(job_timing=TIMING)
    assert (await restored.put("/_emulator/state", json=exported)).status == 200
    await run_until_idle(restored)
    status, shown = await call(restored, "GET", "/v1/customers/s1")
    assert status == 200
    seen = (shown["source_id"], shown["name"], shown["email"], shown["metadata"])
    assert seen == ("s1", "One", "one@example.com", {"Tier": "gold"})


async def client_import(client: Client) -> None:
    rows = "Source_id,Name,Email,Tier\ns1,One,one@example.com,gold\n"
    response = await client.post("/v1/customers/importCSV", data=csv_form(rows), headers=AUTH)
    assert response.status == 202
