"""Bounded resources: activity kept compactly (only what changed) under a per-tenant cap that
drops the oldest events while later ones still show the customer as it was, and a tenant cap
that evicts the least recently used idle tenant, never one with work in flight."""

from __future__ import annotations

from typing import Any

from conftest import ClientFactory
from helpers import AUTH, CONTROL, Client, call, csv_form, run_until_idle, tenant_of


async def activity(client: Client, key: str, **params: str) -> list[dict[str, Any]]:
    status, body = await call(client, "GET", f"/v1/customers/{key}/activity",
                              params={"limit": "100", **params})  # fmt: skip
    assert status == 200
    return list(body["data"])


async def write_history(client: Client) -> str:
    _, created = await call(client, "POST", "/v1/customers", json={"source_id": "c", "name": "v0"})
    for n in range(1, 12):
        await call(client, "PUT", "/v1/customers/c",
                   json={"name": f"v{n}", "metadata": {"n": n}})  # fmt: skip
    await call(client, "DELETE", "/v1/customers/c")
    return str(created["id"])


async def test_each_event_keeps_only_what_changed(client: Client) -> None:
    entry = tenant_of(client).customers.by_id(await write_history(client))
    assert entry is not None
    created, *updates, deleted = entry.events
    assert created.changes is not None and created.changes["name"] == "v0"
    assert [sorted(e.changes or {}) for e in updates] == [["metadata", "name"]] * 11
    assert deleted.changes is None


async def test_the_cap_drops_the_oldest_and_later_events_stay_exact(
    make_client: ClientFactory,
) -> None:
    capped, full = await make_client(activity_limit=5), await make_client()
    ids = [await write_history(client) for client in (capped, full)]
    kept, everything = await activity(capped, ids[0]), await activity(full, ids[1])
    assert len(everything) == 13 and len(kept) == 5
    assert kept == everything[:5]  # newest first: the same five, each as it was
    names = [event["data"]["data"]["customer"]["name"] for event in kept]
    assert names == ["v11", "v11", "v10", "v9", "v8"]
    assert kept[-1]["data"]["data"]["customer"]["metadata"] == {"n": 8}
    other = {"X-App-Id": "other", "X-App-Token": "t"}
    await call(capped, "POST", "/v1/customers", json={"source_id": "o"}, headers=other)
    assert len(tenant_of(capped, "other").activity) == 1  # the cap is per tenant


async def test_erasing_a_customer_frees_its_events(make_client: ClientFactory) -> None:
    client = await make_client(activity_limit=3)
    for n in range(5):
        await call(client, "POST", "/v1/customers", json={"source_id": f"s{n}"})
        await call(client, "POST", f"/v1/customers/s{n}/permanent-deletion")
    await call(client, "POST", "/v1/customers", json={"source_id": "last"})
    await call(client, "PUT", "/v1/customers/last", json={"name": "L"})
    assert len(tenant_of(client).activity) == 2
    assert len(await activity(client, "last")) == 2


async def test_the_tenant_cap_evicts_the_least_recently_used_idle_tenant(
    make_client: ClientFactory,
) -> None:
    client = await make_client(max_tenants=3)

    def who(name: str) -> dict[str, str]:
        return {"X-App-Id": name, "X-App-Token": "t"}

    for name in ("a", "b", "c"):
        await call(client, "POST", "/v1/customers", json={"source_id": name}, headers=who(name))
    await call(client, "GET", "/v1/customers/a", headers=who("a"))  # a is used again: b is oldest
    assert (await call(client, "POST", "/v1/customers", json={"source_id": "d"},
                       headers=who("d")))[0] == 200  # fmt: skip
    health = await (await client.get("/_emulator/health")).json()
    assert health["tenants"] == 3 and health["evicted_tenants"] == 1
    assert (await call(client, "GET", "/v1/customers/a", headers=who("a")))[0] == 200
    assert (await call(client, "GET", "/v1/customers/b", headers=who("b")))[0] == 404  # evicted


async def test_a_tenant_with_work_in_flight_is_never_evicted(make_client: ClientFactory) -> None:
    client = await make_client(max_tenants=2)
    for name in ("busy-1", "busy-2"):
        headers = {"X-App-Id": name, "X-App-Token": "t"}
        response = await client.post("/v1/customers/importCSV",
                                      data=csv_form("Source_id\nx\n"), headers=headers)  # fmt: skip
        assert response.status == 202
        action_id = (await response.json())["async_action_id"]
        response = await client.post(f"/_emulator/async-actions/{action_id}",
                                     json={"hold": True}, headers=headers)  # fmt: skip
        assert response.status == 200
    status, body = await call(client, "GET", "/v1/customers",
                              headers={"X-App-Id": "newcomer", "X-App-Token": "t"})  # fmt: skip
    assert status == 503 and body["key"] == "tenant_limit_reached"
    assert "--max-tenants" in body["details"]
    response = await client.post("/_emulator/reset", headers={**CONTROL, "X-App-Id": "busy-1"})
    assert response.status == 200
    assert (await call(client, "GET", "/v1/customers",
                       headers={"X-App-Id": "newcomer", "X-App-Token": "t"}))[0] == 200  # fmt: skip
    busy = {**AUTH, "X-App-Id": "busy-2"}
    _, listing = await call(client, "GET", "/v1/async-actions", headers=busy)
    assert listing["async_actions"][0]["status"] in ("ENQUEUED", "IN_PROGRESS")  # kept, held


class _Watched(list[Any]):
    """A customer's event list that counts the walks over it."""

    walks = 0

    def __iter__(self) -> Any:
        self.walks += 1
        return super().__iter__()


async def test_an_update_never_walks_the_customers_history(client: Client) -> None:
    """One customer updated over and over (a CSV or bulk update repeating one source_id) must
    cost each update the same: walking the history made 40,000 updates of one customer take 34 s
    of the tenant's time, and a 10 MB CSV of one source_id held the tenant for minutes."""
    await call(client, "POST", "/v1/customers", json={"source_id": "hot", "name": "v0"})
    entry = tenant_of(client).customers.find("hot")
    assert entry is not None
    for n in range(1, 4):
        await call(client, "PUT", "/v1/customers/hot", json={"name": f"v{n}"})
    watched = _Watched(entry.events)
    entry.events = watched
    rows = "Source_id,Name\n" + "".join(f"hot,w{n}\n" for n in range(50))
    response = await client.post("/v1/customers/importCSV", data=csv_form(rows), headers=AUTH)
    assert response.status == 202
    await call(client, "POST", "/_emulator/async-actions/run-until-idle", headers=CONTROL)
    await call(client, "PUT", "/v1/customers/hot", json={"name": "last"})
    assert watched.walks == 0
    assert len(entry.events) == 55
    history = await activity(client, "hot")
    assert history[0]["data"]["data"]["customer"]["name"] == "last"
    assert history[-1]["data"]["data"]["customer"]["name"] == "v0"  # the creation, as it was


async def test_a_finished_import_keeps_nothing_per_row(client: Client) -> None:
    """Its string pools (up to 1,000 values a column) outlived it (found in review)."""
    rows = "source_id,address_city,metadata_tier\n" + "".join(
        f"c{n},City{n % 900},T{n % 500}\n" for n in range(2000)
    )
    response = await client.post("/v1/customers/importCSV", data=csv_form(rows), headers=AUTH)
    assert response.status == 202
    await run_until_idle(client)
    [job] = [job for job in tenant_of(client).jobs.jobs() if job.finished]
    work: Any = job.work
    assert work._objects == ({}, {}) and work._columns == [] and work._rows == []
    status, customer = await call(client, "GET", "/v1/customers/c1999")
    assert status == 200 and customer["address"]["city"] == "City199"
