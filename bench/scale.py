"""Cost against size, on a real emulator process per size (1,000, 10,000, 100,000 customers in
one tenant, imported from a CSV): import CPU, wall time and peak memory; memory per customer;
the server time of a list page for every order and filter, with and without `starting_after`
(read from the journal, which times each request inside the server); a snapshot of the tenant;
and, at the largest size, paging through every customer with `starting_after`. Get, update and
delete by id and by source_id are timed at the smallest and the largest size side by side (see
bench/bykey.py): the smallest size's emulator stays up until the largest one is measured.

The clock is manual and each CSV row takes 1 ms of it.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from bykey import Compared, Side, side_by_side
from common import CONTROL, Client, Emulator

FLAGS = ("--clock", "manual", "--job-queue-delay", "0", "--job-item-seconds", "0.001")
ORDERS = ("-created_at", "created_at", "-updated_at", "updated_at", "source_id", "-source_id")
REPEAT = 15  # requests a list page's figure is the median of


def csv_rows(rows: int) -> bytes:
    lines = ["Source_id,Name,Email,Address_City,Tier"]
    lines += [f"c{n}@example.com,Customer {n},c{n}@example.com,City {n % 50},t{n % 3}"
              for n in range(rows)]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Size:
    rows: int
    import_cpu: float = 0.0
    import_wall: float = 0.0
    idle_mb: float = 0.0
    peak_above_idle_mb: float = 0.0
    bytes_per_customer: float = 0.0
    list_ms: dict[str, float] = field(default_factory=dict)  # query -> median server ms
    snapshot_s: float = 0.0
    paging: dict[str, float] = field(default_factory=dict)

    @property
    def worst_list(self) -> tuple[str, float]:
        return max(self.list_ms.items(), key=lambda item: item[1])


async def server_ms(client: Client, method: str, path: str, times: int = REPEAT,
                    **kwargs: Any) -> float:  # fmt: skip
    """The median time the server took over `times` requests (from its journal)."""
    await client.clear_journal()
    for _ in range(times):
        await client.json(method, path, **kwargs)
    entries = await client.journal(times)
    assert len(entries) == times, (path, len(entries))
    return float(statistics.median(entry["duration_ms"] for entry in entries))


async def import_customers(client: Client, emulator: Emulator, size: Size) -> None:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(csv_rows(size.rows)), filename="c.csv",
                   content_type="text/csv")  # fmt: skip
    cpu, wall = emulator.cpu_seconds(), time.perf_counter()
    job = await client.json("POST", "/v1/customers/importCSV", data=form)
    await client.json("POST", "/_emulator/clock", headers=CONTROL,
                      json={"advance_seconds": size.rows * 0.001 + 1})  # fmt: skip
    while (await client.json("GET", f"/v1/async-actions/{job['async_action_id']}"))[
        "status"
    ] not in ("DONE", "FAILED"):
        pass
    size.import_cpu = emulator.cpu_seconds() - cpu
    size.import_wall = time.perf_counter() - wall


async def _lists(client: Client, size: Size) -> None:
    middle = await client.json("GET", "/v1/customers/c" + str(size.rows // 2) + "@example.com")
    cursor = middle["created_at"]
    for order in ORDERS:
        page = f"/v1/customers?limit=100&order={order}"
        size.list_ms[order] = await server_ms(client, "GET", page)
        size.list_ms[f"{order} starting_after"] = await server_ms(
            client, "GET", f"/v1/customers?limit=100&order={order}&starting_after={cursor}"
        )
    filters = {
        "email": "email=c7@example.com", "name": "name=Customer%207", "city": "city=City%203",
        "created_at[after]": f"created_at[after]={cursor}",
        "created_at[before]": f"created_at[before]={cursor}&order=source_id",
        "updated_at[after]": "updated_at[after]=2000-01-01",
    }  # fmt: skip
    for name, query in filters.items():
        size.list_ms[name] = await server_ms(client, "GET", f"/v1/customers?limit=100&{query}")


async def _paging(client: Client, size: Size) -> None:
    """Every customer, 100 at a time, newest first, each page after the last one's created_at."""
    seen, cursor, times = 0, "", []
    began = time.perf_counter()
    while True:
        query = "/v1/customers?limit=100" + (f"&starting_after={cursor}" if cursor else "")
        started = time.perf_counter()
        page = await client.json("GET", query)
        times.append(time.perf_counter() - started)
        seen += len(page["customers"])
        if not page["has_more"]:
            break
        cursor = page["customers"][-1]["created_at"]
    tenth = max(1, len(times) // 10)
    size.paging = {
        "seconds": time.perf_counter() - began, "pages": len(times), "seen": seen,
        "first_ms": statistics.mean(times[:tenth]) * 1000,
        "last_ms": statistics.mean(times[-tenth:]) * 1000,
    }  # fmt: skip


async def paging(rows: int) -> dict[str, float]:
    """Paging through `rows` customers with starting_after. Each row is its own portion here,
    so every customer has its own created_at (a portion's rows share its completion instant,
    and a cursor skips customers created at its own instant, as the vendor's does)."""
    size = Size(rows)
    async with (
        Emulator(*FLAGS, "--job-portion-size", "1") as emulator,
        aiohttp.ClientSession() as session,
    ):
        client = Client(session, emulator.url)
        await import_customers(client, emulator, size)
        await _paging(client, size)
    return size.paging


async def _measure(client: Client, emulator: Emulator, rows: int) -> Size:
    size = Size(rows)
    await client.json("GET", "/v1/customers?limit=1")  # the tenant exists
    await asyncio.sleep(0.5)
    size.idle_mb = emulator.memory_mb()
    await import_customers(client, emulator, size)
    size.peak_above_idle_mb = emulator.memory_mb("VmHWM") - size.idle_mb
    await asyncio.sleep(5.5)  # the server's full collection runs after 5 s without requests
    size.bytes_per_customer = (emulator.memory_mb() - size.idle_mb) * 2**20 / rows
    for n in range(0, rows, max(1, rows // 100)):  # some updated customers to filter on
        await client.json("PUT", f"/v1/customers/c{n}@example.com", json={"phone": "1"})
    await _lists(client, size)
    began = time.perf_counter()
    async with client.session.get(f"{emulator.url}/_emulator/state?tenant=bench",
                                  headers=CONTROL) as reply:  # fmt: skip
        await reply.read()
    size.snapshot_s = time.perf_counter() - began
    return size


async def measure(sizes: Sequence[int]) -> tuple[list[Size], dict[str, Compared]]:
    """Each size on an emulator of its own, one after the other; then, while the first size's
    and the last size's emulators both run, get/update/delete by key at both side by side
    (nothing when there is one size)."""
    async with aiohttp.ClientSession() as session, Emulator(*FLAGS) as first:
        small = Client(session, first.url)
        measured, by_key = [await _measure(small, first, sizes[0])], {}
        for position, rows in enumerate(sizes[1:], start=2):
            async with Emulator(*FLAGS) as emulator:
                client = Client(session, emulator.url)
                measured.append(await _measure(client, emulator, rows))
                if position == len(sizes):
                    by_key = await side_by_side(Side(small, sizes[0]), Side(client, rows))
    return measured, by_key
