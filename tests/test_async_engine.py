"""The async-action queue on a manual clock: transitions, FIFO, round-robin portions,
exactly-once effects under concurrent polling, tenant isolation and run-until-idle."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, OTHER, Client, action, advance, call, csv_form, run_until_idle

from emulator.settings import JobTiming

# 1 s in the queue, 10 ms per row, portions of 100 rows: easy arithmetic.
TIMING = JobTiming(queue_delay=1.0, item_seconds=0.01, portion_size=100)


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    return await make_client(job_timing=TIMING)


def customers_csv(count: int, prefix: str = "c") -> str:
    rows = "".join(f"{prefix}{n},Name {n}\n" for n in range(count))
    return "Source_id,Name\n" + rows


async def import_csv(client: Client, count: int, prefix: str = "c", **kw: Any) -> str:
    response = await client.post(
        "/v1/customers/importCSV",
        data=csv_form(customers_csv(count, prefix)),
        headers={**AUTH, **kw},
    )
    assert response.status == 202
    return str((await response.json())["async_action_id"])


async def test_every_transition_under_the_manual_clock(client: Client) -> None:
    action_id = await import_csv(client, 150)  # two portions: 100 rows (1 s) + 50 rows (0.5 s)
    first = await action(client, action_id)
    assert first["status"] == "ENQUEUED" and first["progress"] == 0
    assert first["operation_status"] == "UNKNOWN" and "result" not in first
    assert first["created_at"] == "2026-01-15T09:30:00.000Z"

    await advance(client, 0.999)
    assert (await action(client, action_id))["status"] == "ENQUEUED"

    await advance(client, 0.001)  # t = 1.0: the queue starts it
    started = await action(client, action_id)
    assert started["status"] == "IN_PROGRESS" and started["progress"] == 0
    assert started["updated_at"] == "2026-01-15T09:30:01.000Z"
    assert (await call(client, "GET", "/v1/customers/c0"))[0] == 404  # nothing applied yet

    await advance(client, 1.0)  # t = 2.0: first portion done
    halfway = await action(client, action_id)
    assert halfway["status"] == "IN_PROGRESS" and halfway["progress"] == 66
    assert halfway["processing_time"] == 1000
    assert (await call(client, "GET", "/v1/customers/c99"))[0] == 200
    assert (await call(client, "GET", "/v1/customers/c100"))[0] == 404

    await advance(client, 0.5)  # t = 2.5: done
    done = await action(client, action_id)
    assert done["status"] == "DONE" and done["progress"] == 100
    assert done["operation_status"] == "SUCCESS"
    assert done["processing_time"] == 1500
    assert done["updated_at"] == "2026-01-15T09:30:02.500Z"
    assert done["result"] == {
        "message": "150 customer(s) imported successfully, 0 failed.",
        "failed": [], "done_count": 150, "failed_count": 0,
    }  # fmt: skip
    _, c149 = await call(client, "GET", "/v1/customers/c149")
    assert c149["created_at"] == "2026-01-15T09:30:02.500Z"  # stamped when its portion completed


async def test_small_jobs_run_one_after_another_in_arrival_order(client: Client) -> None:
    ids = [await import_csv(client, 10, prefix=f"j{n}-") for n in range(3)]  # 0.1 s each

    async def states() -> list[str]:
        return [(await action(client, i))["status"] for i in ids]

    await advance(client, 1.05)
    assert await states() == ["IN_PROGRESS", "ENQUEUED", "ENQUEUED"]
    await advance(client, 0.05)  # t = 1.1
    assert await states() == ["DONE", "IN_PROGRESS", "ENQUEUED"]
    await advance(client, 0.1)  # t = 1.2
    assert await states() == ["DONE", "DONE", "IN_PROGRESS"]
    finished = await run_until_idle(client)
    assert [job["id"] for job in finished["finished"]] == [ids[2]]
    ends = [(await action(client, i))["updated_at"] for i in ids]
    assert ends == sorted(ends) and len(set(ends)) == 3


async def test_a_small_job_overtakes_a_big_one_enqueued_first(client: Client) -> None:
    big = await import_csv(client, 1000, prefix="big")  # 10 portions of 1 s
    small = await import_csv(client, 5, prefix="small")  # 0.05 s
    await advance(client, 2.05)  # big: portion 1 (1..2 s); small runs 2..2.05 s
    assert (await action(client, small))["status"] == "DONE"
    big_state = await action(client, big)
    assert big_state["status"] == "IN_PROGRESS" and big_state["progress"] == 10
    await run_until_idle(client)
    done = await action(client, big)
    assert done["status"] == "DONE" and done["result"]["done_count"] == 1000
    assert done["updated_at"] == "2026-01-15T09:30:11.050Z"


async def test_effects_apply_exactly_once_under_concurrent_polling(client: Client) -> None:
    action_id = await import_csv(client, 250)
    await advance(client, 100)  # far past the end: everything is due at once

    async def poll() -> Any:
        return await action(client, action_id)

    results = await asyncio.gather(*(poll() for _ in range(20)))
    assert {r["status"] for r in results} == {"DONE"}
    assert {r["result"]["done_count"] for r in results} == {250}
    _, listing = await call(client, "GET", "/v1/customers", params={"limit": 1})
    assert listing["total"] == 250
    _, activity = await call(client, "GET", "/v1/customers/c7/activity")
    assert [e["type"] for e in activity["data"]] == ["customer.created"]


async def test_customer_reads_settle_the_queue_without_polling_the_action(client: Client) -> None:
    await import_csv(client, 3)
    await advance(client, 5)
    status, body = await call(client, "GET", "/v1/customers/c2")
    assert status == 200 and body["name"] == "Name 2"


async def test_tenants_have_their_own_clocks_and_queues(client: Client) -> None:
    mine = await import_csv(client, 10)
    theirs = await import_csv(client, 10, **OTHER)
    await advance(client, 5)
    assert (await action(client, mine))["status"] == "DONE"
    assert (await action(client, theirs, headers=OTHER))["status"] == "ENQUEUED"
    status, _ = await call(client, "GET", f"/v1/async-actions/{mine}", headers=OTHER)
    assert status == 404
    response = await client.get("/_emulator/clock", headers=OTHER)
    assert (await response.json())["now"] == "2026-01-15T09:30:00.000Z"


async def test_list_async_actions_newest_first_without_results(client: Client) -> None:
    ids = [await import_csv(client, 1, prefix=f"l{n}-") for n in range(3)]
    await run_until_idle(client)
    status, body = await call(client, "GET", "/v1/async-actions", params={"limit": 2})
    assert status == 200
    assert body["object"] == "list" and body["data_ref"] == "async_actions"
    assert [a["id"] for a in body["async_actions"]] == [ids[2], ids[1]]
    assert body["has_more"] is True
    assert all("result" not in a for a in body["async_actions"])
    assert "total" not in body


async def test_list_async_actions_end_date(client: Client) -> None:
    first = await import_csv(client, 1, prefix="a")
    await advance(client, 60)
    await import_csv(client, 1, prefix="b")
    _, body = await call(
        client, "GET", "/v1/async-actions", params={"end_date": "2026-01-15T09:30:30Z"}
    )
    assert [a["id"] for a in body["async_actions"]] == [first]
    status, bad = await call(client, "GET", "/v1/async-actions", params={"end_date": "soon"})
    assert status == 400
    assert bad["details"] == "Property .end_date cannot be recognized as a ISO-8601 compliant date"


async def test_unknown_async_action_is_a_vendor_404(client: Client) -> None:
    status, body = await call(client, "GET", "/v1/async-actions/aa_0000000000000000ff")
    assert status == 404
    assert body["resource_type"] == "async_action"
    assert body["details"] == "Cannot find async_action with id aa_0000000000000000ff"


async def test_run_until_idle_moves_the_clock_just_far_enough(client: Client) -> None:
    await import_csv(client, 20)
    body = await run_until_idle(client)
    assert body["now"] == "2026-01-15T09:30:01.200Z"
    assert [job["status"] for job in body["finished"]] == ["DONE"]
    assert (await run_until_idle(client))["finished"] == []


async def test_clock_control(client: Client) -> None:
    response = await client.get("/_emulator/clock", headers=AUTH)
    assert await response.json() == {
        "mode": "manual",
        "scale": 1.0,
        "now": "2026-01-15T09:30:00.000Z",
    }
    response = await client.post(
        "/_emulator/clock", json={"set": "2026-02-01T00:00:00Z"}, headers=AUTH
    )
    assert (await response.json())["now"] == "2026-02-01T00:00:00.000Z"
    response = await client.post("/_emulator/clock", json={"set": "2020-01-01"}, headers=AUTH)
    assert response.status == 400 and "back in time" in (await response.json())["details"]
    response = await client.post("/_emulator/clock", json={"advance_seconds": -1}, headers=AUTH)
    assert response.status == 400
    response = await client.post("/_emulator/clock", json={"mode": "warp"}, headers=AUTH)
    assert response.status == 400
    response = await client.post(
        "/_emulator/clock", json={"mode": "scaled", "scale": 60}, headers=AUTH
    )
    body = await response.json()
    assert body["mode"] == "scaled" and body["scale"] == 60
    assert body["now"].startswith("2026-02-01T00:00:0")  # no jump when the mode changes


async def test_timings_can_change_per_type_at_run_time(client: Client) -> None:
    response = await client.post(
        "/_emulator/async-actions/timings",
        json={"type": "CUSTOMERS.IMPORT_CSV", "queue_delay": 0, "item_seconds": 0},
        headers=AUTH,
    )
    assert response.status == 200
    action_id = await import_csv(client, 5)
    assert (await action(client, action_id))["status"] == "DONE"
