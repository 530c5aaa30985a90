"""Import a 100,000-row customers CSV with zero delays; print wall time, CPU time and peak RSS.

Run in its own process (bench/run.py does) so the RSS figure is this import's alone.
"""

from __future__ import annotations

import asyncio
import io
import resource
import sys
import time
from datetime import UTC, datetime

from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from emulator import Settings, create_app
from emulator.settings import ZERO_DELAYS

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
AUTH = {"X-App-Id": "bench", "X-App-Token": "bench"}


def make_csv(rows: int) -> bytes:
    lines = ["Source_id,Name,Email,Address_City,Tier"]
    lines += [f"c{n}@example.com,Customer {n},c{n}@example.com,City {n % 50},t{n % 3}"
              for n in range(rows)]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


async def main() -> None:
    settings = Settings(
        seed=1, clock_mode="manual", clock_start=datetime(2026, 1, 1, tzinfo=UTC),
        job_timing=ZERO_DELAYS,
    )  # fmt: skip
    data = make_csv(ROWS)
    async with TestClient(TestServer(create_app(settings))) as client:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall, cpu = time.perf_counter(), time.process_time()
        form = FormData()
        form.add_field("file", io.BytesIO(data), filename="customers.csv", content_type="text/csv")
        response = await client.post("/v1/customers/importCSV", data=form, headers=AUTH)
        assert response.status == 202, await response.text()
        action_id = (await response.json())["async_action_id"]
        response = await client.get(f"/v1/async-actions/{action_id}", headers=AUTH)
        result = (await response.json())["result"]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        listing = await (await client.get("/v1/customers?limit=1", headers=AUTH)).json()
    assert result["done_count"] == ROWS and listing["total"] == ROWS, (result, listing["total"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{ROWS:,}-row customers CSV ({len(data) / 1e6:.1f} MB), zero delays: "
          f"wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {peak / 1024:.0f} MB "
          f"({(peak - rss_before) / 1024:.0f} MB above the idle emulator), "
          f"{ROWS / wall:,.0f} rows/s; message: {result['message']!r}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
