"""`make bench`, durability and isolation at 100,000 customers, against real emulator processes:

- the state file: write-behind save and full rewrite throughput (MB/s), stop time on SIGTERM,
  restart time and RSS against the live process's RSS;
- fairness: another tenant's GET latency (p50/p99/max) and the health check's, while one
  tenant's 100,000-row import is worked;
- memory: after 50,000 writes to one customer, and for 20,000 tenants.

Run alone: `python bench/durability.py [rows]`.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from common import Emulator  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
A = {"X-App-Id": "importer", "X-App-Token": "t", "X-Emulator-Client": "bench"}
B = {"X-App-Id": "bystander", "X-App-Token": "t", "X-Emulator-Client": "bench"}
ZERO = ("--job-queue-delay", "0", "--job-item-seconds", "0")


def csv_rows(rows: int) -> bytes:
    lines = ["Source_id,Name,Email,Address_City,Tier"]
    lines += [f"c{n}@example.com,Customer {n},c{n}@example.com,City {n % 50},t{n % 3}"
              for n in range(rows)]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


async def start_import(session: aiohttp.ClientSession, url: str, rows: int) -> str:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(csv_rows(rows)), filename="c.csv", content_type="text/csv")
    async with session.post(f"{url}/v1/customers/importCSV", data=form, headers=A) as response:
        assert response.status == 202, await response.text()
        return str((await response.json())["async_action_id"])


async def until_done(session: aiohttp.ClientSession, url: str, action_id: str) -> None:
    while True:
        async with session.get(f"{url}/v1/async-actions/{action_id}", headers=A) as response:
            if (await response.json())["status"] in ("DONE", "FAILED"):
                return


async def until_saved(session: aiohttp.ClientSession, url: str) -> dict[str, object]:
    while True:
        async with session.get(f"{url}/_emulator/health") as response:
            status = dict((await response.json())["state_file"])
        if not status["pending"]:
            return status
        await asyncio.sleep(0.05)


async def durability(folder: Path) -> None:
    path = folder / "state.jsonl"
    emulator = Emulator("--state-file", str(path), *ZERO)
    await emulator.start(timeout=300)
    async with aiohttp.ClientSession() as session:
        action_id = await start_import(session, emulator.url, ROWS)
        await until_done(session, emulator.url, action_id)
        began = time.perf_counter()
        await until_saved(session, emulator.url)
        caught_up = time.perf_counter() - began
    live = emulator.memory_mb()
    size = path.stat().st_size / 1e6
    stop = await emulator.stop_timed()
    restarted = Emulator("--state-file", str(path), *ZERO)
    restart = await restarted.start(timeout=300)
    restart_rss, restart_peak = restarted.memory_mb(), restarted.memory_mb("VmHWM")
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{restarted.url}/v1/customers?limit=1", headers=A) as response,
    ):
        total = (await response.json())["total"]
    await restarted.stop()
    assert total == ROWS, total
    print(f"state file at {ROWS:,} customers: {size:.0f} MB on disk; the write-behind caught up "
          f"{caught_up:.2f} s after the import finished")  # fmt: skip
    print(f"  stop (SIGTERM to exit): {stop:.2f} s; restart (spawn to ready): {restart:.2f} s")
    print(f"  RSS live {live:.0f} MB, after restart {restart_rss:.0f} MB (peak {restart_peak:.0f}"
          f" MB): {restart_rss / live:.2f}x live")  # fmt: skip


async def save_throughput(folder: Path) -> None:
    """In-process: how fast the state file writes, as a share of the loop's time."""
    from datetime import UTC, datetime

    from aiohttp.test_utils import TestClient, TestServer

    from emulator import Settings, create_app
    from emulator.http.keys import STATE_FILE
    from emulator.settings import ZERO_DELAYS

    path = folder / "throughput.jsonl"
    settings = Settings(
        seed=1, clock_mode="manual", job_timing=ZERO_DELAYS, state_file=path,
        clock_start=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    app = create_app(settings)
    async with TestClient(TestServer(app)) as client:
        form = aiohttp.FormData()
        form.add_field("file", io.BytesIO(csv_rows(ROWS)), filename="c.csv")
        response = await client.post("/v1/customers/importCSV", data=form, headers=A)
        action_id = (await response.json())["async_action_id"]
        await client.get(f"/v1/async-actions/{action_id}", headers=A)
        state_file = app[STATE_FILE]
        await state_file.save()
        began = time.perf_counter()
        await state_file.rewrite()
        rewrite = time.perf_counter() - began
        size = path.stat().st_size
    print(f"  save of the whole state (a rewrite: serialised in slices, written, fsync'd, "
          f"renamed): {size / 1e6:.0f} MB in {rewrite:.2f} s = {size / 1e6 / rewrite:.0f} MB/s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


async def fairness() -> None:
    emulator = Emulator(*ZERO)
    await emulator.start(timeout=300)
    gets: list[float] = []
    health: list[float] = []
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emulator.url}/v1/customers", json={"source_id": "b"},
                                headers=B) as response:  # fmt: skip
            assert response.status == 200
        done = asyncio.Event()

        async def measure(url: str, headers: dict[str, str], into: list[float]) -> None:
            while not done.is_set():
                began = time.perf_counter()
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    assert response.status == 200
                into.append(time.perf_counter() - began)
                await asyncio.sleep(0.005)

        watchers = [
            asyncio.create_task(measure(f"{emulator.url}/v1/customers/b", B, gets)),
            asyncio.create_task(measure(f"{emulator.url}/_emulator/health", {}, health)),
        ]
        began = time.perf_counter()
        action_id = await start_import(session, emulator.url, ROWS)
        await until_done(session, emulator.url, action_id)
        took = time.perf_counter() - began
        done.set()
        await asyncio.gather(*watchers)
    await emulator.stop()
    print(f"another tenant during a {ROWS:,}-row import ({took:.1f} s, upload to DONE): "
          f"{len(gets)} GETs p50 {percentile(gets, 0.5):.1f} ms, p99 "
          f"{percentile(gets, 0.99):.1f} ms, max {max(gets) * 1000:.1f} ms; health p99 "
          f"{percentile(health, 0.99):.1f} ms, max {max(health) * 1000:.1f} ms")  # fmt: skip


async def hammer(count: int, send: Callable[[aiohttp.ClientSession, int], Awaitable[None]]) -> None:
    numbers = iter(range(count))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=16)) as session:

        async def worker() -> None:
            for n in numbers:
                await send(session, n)

        await asyncio.gather(*(worker() for _ in range(16)))


async def memory_for_writes(writes: int = 50_000) -> None:
    emulator = Emulator()
    await emulator.start(timeout=300)
    url = f"{emulator.url}/v1/customers"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"source_id": "hot", "name": "Hot"}, headers=A) as response,
    ):
        assert response.status == 200
    idle = emulator.memory_mb()

    async def update(session: aiohttp.ClientSession, n: int) -> None:
        body = {"name": f"Hot {n}", "metadata": {"n": n, "note": f"write {n}"}}
        async with session.put(f"{url}/hot", json=body, headers=A) as response:
            assert response.status == 200

    await hammer(writes, update)
    after = emulator.memory_mb()
    await emulator.stop()
    print(f"memory after {writes:,} writes to one customer (all kept in its activity): "
          f"+{after - idle:.1f} MB ({(after - idle) * 1024 * 1024 / writes:.0f} bytes a write)")


async def memory_for_tenants(tenants: int = 20_000) -> None:
    for cap in (tenants, 10_000):
        emulator = Emulator("--max-tenants", str(cap))
        await emulator.start(timeout=300)
        idle = emulator.memory_mb()

        async def create(session: aiohttp.ClientSession, n: int, url: str = emulator.url) -> None:
            headers = {"X-App-Id": f"tenant-{n}", "X-App-Token": "t"}
            async with session.post(f"{url}/v1/customers", json={"source_id": "x"},
                                    headers=headers) as response:  # fmt: skip
                assert response.status == 200

        await hammer(tenants, create)
        after = emulator.memory_mb()
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{emulator.url}/_emulator/health") as response,
        ):
            health = await response.json()
        await emulator.stop()
        print(f"{tenants:,} tenants with one customer each, --max-tenants {cap:,}: "
              f"+{after - idle:.0f} MB ({(after - idle) * 1024 / tenants:.1f} KB a tenant), "
              f"{health['tenants']:,} kept, {health['evicted_tenants']:,} evicted")  # fmt: skip


async def main() -> None:
    parts = sys.argv[2:] or ["durability", "fairness", "writes", "tenants"]
    if "durability" in parts:
        with tempfile.TemporaryDirectory() as folder:
            await durability(Path(folder))
            await save_throughput(Path(folder))
    if "fairness" in parts:
        await fairness()
    if "writes" in parts:
        await memory_for_writes()
    if "tenants" in parts:
        await memory_for_tenants()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main())
