"""Start-up on the vendor's full published document (../shared/reference, 3.9 MB, 258
operations): the time to load and repair it in-process, and the time from launching
`python -m emulator --spec ...` until its first example-backed answer. Median of a few runs."""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
FULL = REPO.parent / "shared" / "reference" / "voucherify-full.openapi.json"
RUNS = 5


def load_seconds() -> float:
    """A fresh interpreter per run, so nothing is cached; imports are not counted."""
    code = (
        "import time\nfrom pathlib import Path\nfrom emulator.contract.spec import load_spec\n"
        f"t = time.perf_counter(); load_spec(Path({str(FULL)!r}))\n"
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, check=True)
    return float(done.stdout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def ready_seconds() -> tuple[float, float]:
    """(until the ready line, until a first answer from an example-backed operation)."""
    port = free_port()
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--spec", str(FULL), "--port", str(port),
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), timeout=60)
        ready = time.perf_counter() - began
        headers = {"X-App-Id": "bench", "X-App-Token": "t"}
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/v1/products/prod_1"
            async with session.get(url, headers=headers) as response:
                assert response.status == 200, await response.text()
        return ready, time.perf_counter() - began
    finally:
        process.terminate()
        await process.wait()


async def main() -> None:
    if not FULL.exists():
        print("full-spec start-up: skipped (../shared/reference is absent)")
        return
    loads = [load_seconds() for _ in range(RUNS)]
    readies = [await ready_seconds() for _ in range(RUNS)]
    print(
        f"vendor's full document ({FULL.stat().st_size / 1e6:.1f} MB): load and repair "
        f"{statistics.median(loads):.2f} s, process ready "
        f"{statistics.median(r for r, _ in readies):.2f} s, first example-backed answer "
        f"{statistics.median(a for _, a in readies):.2f} s (median of {RUNS}; budgets 2 s / 2.5 s)"
    )


if __name__ == "__main__":
    asyncio.run(main())
