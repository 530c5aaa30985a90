"""Snapshots: export, restore exactly (jobs mid-flight included), and the state file written
at shutdown and read at start."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
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
    assert {job["status"] for job in jobs["jobs"]} == {"DONE", "IN_PROGRESS", "ENQUEUED"}

    restored = await make_client(job_timing=TIMING)
    response = await restored.put("/_emulator/state", json=exported)
    assert await response.json() == {"restored": ["app-1", "app-2"]}
    assert await state(restored) == exported

    # Both go on identically: same finishing times, results and new ids.
    for client in (original, restored):
        await client.post(f"/_emulator/async-actions/{jobs['parked'][0]}", json={"hold": False},
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
    broken["tenants"]["new"] = {"clock": {}}
    response = await client.put("/_emulator/state", json=broken)
    assert response.status == 400 and "malformed snapshot" in (await response.json())["details"]
    for body in ({"tenants": {}}, [1, 2]):
        assert (await client.put("/_emulator/state", json=body)).status == 400
    assert await state(client) == good


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start(state_file: Path, port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--port", str(port), "--state-file", str(state_file),
        "--seed", "3", cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
    assert b"ready on" in line
    return process


async def stop(process: asyncio.subprocess.Process, signum: int) -> None:
    process.send_signal(signum)
    await asyncio.wait_for(process.wait(), timeout=30)
    assert process.returncode == 0
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            await stream.read()


async def test_shutdown_writes_the_state_file_and_start_reads_it(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()  # the emulator creates no folders
    state_file = tmp_path / "state" / "emulator.json"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = await start(state_file, port)
    try:
        async with (
            aiohttp.ClientSession(base, headers=AUTH) as session,
            session.post("/v1/customers", json={"source_id": "kept"}) as response,
        ):
            created = await response.json()
    finally:
        await stop(process, signal.SIGTERM)
    saved = json.loads(state_file.read_text())
    assert saved["tenants"]["app-1"]["customers"]["live"][0]["data"]["id"] == created["id"]
    assert [p.name for p in state_file.parent.iterdir()] == ["emulator.json"]  # no temp left

    process = await start(state_file, port)
    try:
        async with aiohttp.ClientSession(base, headers=AUTH) as session:
            async with session.get("/v1/customers/kept") as response:
                assert response.status == 200
                assert (await response.json())["created_at"] == created["created_at"]
            async with session.post("/v1/customers", json={"source_id": "more"}) as response:
                assert response.status == 200
    finally:
        await stop(process, signal.SIGINT)
    saved = json.loads(state_file.read_text())
    assert len(saved["tenants"]["app-1"]["customers"]["live"]) == 2
    assert os.stat(state_file).st_size > 0
