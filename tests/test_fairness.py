"""Fairness: one tenant's async-action work runs in slices between other requests, a manual
clock stays exactly deterministic however the work is sliced, and a big snapshot streams while
others are served. (How short the slices are is measured by `make bench`, not asserted here.)"""

from __future__ import annotations

import asyncio
from typing import Any

from conftest import ClientFactory
from helpers import AUTH, OTHER, Client, advance, call, csv_form, run_until_idle, tenant_of

from emulator.settings import ZERO_DELAYS, JobTiming


def rows(count: int) -> str:
    return "Source_id,Name\n" + "".join(f"c{n},Name {n}\n" for n in range(count))


async def start_import(client: Client, count: int) -> str:
    response = await client.post("/v1/customers/importCSV", data=csv_form(rows(count)),
                                 headers=AUTH)  # fmt: skip
    assert response.status == 202
    return str((await response.json())["async_action_id"])


async def test_other_tenants_are_served_while_an_import_is_worked(
    make_client: ClientFactory,
) -> None:
    client = await make_client(job_timing=ZERO_DELAYS, slice_seconds=0)  # a slice per item
    await call(client, "POST", "/v1/customers", json={"source_id": "b"}, headers=OTHER)
    action_id = await start_import(client, 3000)
    poll = asyncio.create_task(call(client, "GET", f"/v1/async-actions/{action_id}"))
    job = tenant_of(client).jobs.get(action_id)
    while job.cursor == 0:  # the poll has started the work
        await asyncio.sleep(0)
    status, _ = await call(client, "GET", "/v1/customers/b", headers=OTHER)
    assert status == 200
    assert 0 < job.cursor < 3000 and job.status == "IN_PROGRESS"  # answered mid-way
    health = await client.get("/_emulator/health")
    assert health.status == 200 and job.cursor < 3000
    status, body = await poll
    assert status == 200 and body["status"] == "DONE" and body["result"]["done_count"] == 3000


async def test_the_importing_tenant_waits_for_its_own_work(make_client: ClientFactory) -> None:
    client = await make_client(job_timing=ZERO_DELAYS, slice_seconds=0)
    action_id = await start_import(client, 500)
    first = asyncio.create_task(call(client, "GET", f"/v1/async-actions/{action_id}"))
    second = asyncio.create_task(call(client, "GET", "/v1/customers?limit=1"))
    (_, job), (_, listing) = await asyncio.gather(first, second)
    assert job["status"] == "DONE" and listing["total"] == 500  # never a half-applied portion


async def everything(client: Client) -> Any:
    """Customers, bulk and metadata updates and a voucher import, mid-way and then done."""
    await call(client, "POST", "/v1/campaigns", json={"name": "C"})
    await client.post("/v1/campaigns/C/importCSV", headers=AUTH,
                      data=csv_form("Code\n" + "".join(f"K{n}\n" for n in range(300))))  # fmt: skip
    await start_import(client, 700)
    await call(client, "POST", "/v1/customers/bulk/async",
               json=[{"source_id": f"c{n}", "name": "bulk"} for n in range(0, 700, 3)])  # fmt: skip
    some = [f"c{n}" for n in range(350)]
    await call(client, "POST", "/v1/customers/metadata/async",
               json={"source_ids": some, "metadata": {"m": 1}})  # fmt: skip
    await advance(client, 2.35)
    await call(client, "GET", "/v1/customers?limit=1")
    middle = await (await client.get("/_emulator/state")).json()
    await run_until_idle(client)
    return middle, await (await client.get("/_emulator/state")).json()


async def test_a_manual_clock_gives_the_same_state_however_work_is_sliced(
    make_client: ClientFactory,
) -> None:
    timing = JobTiming(queue_delay=0.5, item_seconds=0.002, portion_size=100)
    url = "http://emulator.test"  # report links name it, whatever port each client has
    one_item, default = (await make_client(job_timing=timing, slice_seconds=0, public_url=url),
                         await make_client(job_timing=timing, public_url=url))  # fmt: skip
    sliced, whole = await everything(one_item), await everything(default)
    assert sliced == whole
    middle, end = sliced
    jobs = middle["tenants"]["app-1"]["jobs"].values()
    assert {job["status"] for job in jobs} == {"DONE", "IN_PROGRESS"}  # caught mid-way
    assert {job["status"] for job in end["tenants"]["app-1"]["jobs"].values()} == {"DONE"}


async def test_a_big_snapshot_streams_while_others_are_served(make_client: ClientFactory) -> None:
    client = await make_client(job_timing=ZERO_DELAYS)
    await start_import(client, 20_000)
    await run_until_idle(client)

    async def read_snapshot() -> Any:
        return await (await client.get("/_emulator/state")).json()

    snapshot = asyncio.create_task(read_snapshot())
    health = await client.get("/_emulator/health")
    assert health.status == 200
    assert not snapshot.done()  # the health check was answered while the snapshot streamed
    document = await snapshot
    assert len(document["tenants"]["app-1"]["customers"]) == 20_000



async def _queued_behind(client: Client, replace: Any) -> tuple[int, Any]:
    """Hold the tenant (as a replay in slices or a streamed snapshot does across awaits),
    queue `replace` and then a create behind it, let them go: what the create answers."""
    tenant = tenant_of(client)
    await tenant.lock.acquire()
    waiters = lambda: len(tenant.lock._waiters or ())  # type: ignore[attr-defined]  # noqa: E731

    async def until(count: int) -> None:
        while waiters() < count:
            await asyncio.sleep(0.001)

    replacing = asyncio.create_task(replace())
    await asyncio.wait_for(until(1), 10)
    creating = asyncio.create_task(
        call(client, "POST", "/v1/customers", json={"source_id": "created"})
    )
    await asyncio.wait_for(until(2), 10)
    tenant.lock.release()
    assert (await replacing).status == 200
    return await creating


async def test_a_write_queued_behind_a_seed_or_a_restore_is_kept(client: Client) -> None:
    """A seed, a restore or a reset replaces the tenant object; a request that waited for the
    old one wrote where nobody reads: 200, and lost (found in review)."""
    control = {**AUTH, "X-Emulator-Client": "tests"}
    await call(client, "POST", "/v1/customers", json={"source_id": "there"})
    snapshot = await (await client.get("/_emulator/state")).json()

    def seed() -> Any:
        return client.post("/_emulator/seed", json={"customers": [{"source_id": "s"}]},
                           headers=control)  # fmt: skip

    def restore() -> Any:
        return client.put("/_emulator/state", json=snapshot, headers=control)

    def reset() -> Any:
        return client.post("/_emulator/reset", headers=control)

    for replace in (seed, restore, reset):
        status, created = await _queued_behind(client, replace)
        assert status == 200
        status, found = await call(client, "GET", "/v1/customers/created")
        assert (status, found["id"]) == (200, created["id"]), replace.__name__
        await call(client, "DELETE", f"/v1/customers/{created['id']}/permanent-deletion")
