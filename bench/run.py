"""`make bench`: throughput and latency of the emulator, validation on versus off.

Starts real emulator processes on loopback and drives them from this process with a bounded
number of requests, then compares the per-request cost of our compiled checks with openapi-core.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
AUTH = {"X-App-Id": "bench", "X-App-Token": "bench"}
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "4000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def start_server(*flags: str) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--port", str(port), "--log-level", "WARNING", *flags,
        cwd=REPO, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    await asyncio.wait_for(process.stdout.readline(), timeout=30)
    return process, f"http://127.0.0.1:{port}"


Send = Callable[[aiohttp.ClientSession, int], Awaitable[None]]


async def load(base: str, send: Send) -> dict[str, float]:
    latencies: list[float] = []
    counter = iter(range(REQUESTS))

    async def worker(session: aiohttp.ClientSession) -> None:
        for n in counter:
            start = time.perf_counter()
            await send(session, n)
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(base, connector=connector, headers=AUTH) as session:
        for n in range(200):  # warm-up
            await send(session, -n - 1)
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(CONCURRENCY)))
        wall = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


async def expect(response: aiohttp.ClientResponse, status: int) -> None:
    await response.read()
    if response.status != status:
        raise SystemExit(f"unexpected {response.status} from {response.url}")


async def measure(flags: tuple[str, ...]) -> dict[str, dict[str, float]]:
    process, base = await start_server(*flags)
    try:
        async with (
            aiohttp.ClientSession(base, headers=AUTH) as session,
            session.post(
                "/v1/customers",
                json={
                    "source_id": "bench@example.com",
                    "name": "Bench",
                    "address": {"city": "Paris"},
                },
            ) as response,
        ):
            customer = await response.json()

        async def get(session: aiohttp.ClientSession, n: int) -> None:
            async with session.get(f"/v1/customers/{customer['id']}") as response:
                await expect(response, 200)

        async def post(session: aiohttp.ClientSession, n: int) -> None:
            body = {"source_id": f"c{n}@example.com", "name": "Load", "metadata": {"n": n}}
            async with session.post("/v1/customers", json=body) as response:
                await expect(response, 200)

        return {"GET customer": await load(base, get), "POST customer": await load(base, post)}
    finally:
        process.terminate()
        await process.wait()


def check_costs() -> dict[str, float]:
    """Per-call cost of validating one customer response: our compiled check vs openapi-core."""
    import yaml
    from openapi_core import OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    from emulator.contract.spec import load_spec

    spec_path = REPO / "openapi" / "customers.yaml"
    customer = {
        "id": "cust_CSnYd37MXmrbS19XCrghjBsv", "source_id": "a@b.c", "name": "A",
        "address": {"city": "Paris"}, "summary": {
            "redemptions": {k: 0 for k in ("total_redeemed", "total_failed", "total_succeeded",
                            "total_rolled_back", "total_rollback_failed",
                            "total_rollback_succeeded")}
            | {"gift": {"redeemed_amount": 0, "amount_to_go": 0},
               "loyalty_card": {"redeemed_points": 0, "points_to_go": 0}},
            "orders": {"total_amount": 0, "total_count": 0, "average_amount": 0,
                       "last_order_amount": 0}},
        "loyalty": {"points": 0, "referred_customers": 0, "campaigns": {}},
        "referrals": {"total": 0, "campaigns": []}, "system_metadata": {},
        "created_at": "2026-01-01T00:00:00.000Z", "object": "customer",
    }  # fmt: skip
    check = load_spec(spec_path).operations["get-customer"].response(200)
    assert check is not None
    compiled = check.checks["application/json"]
    assert compiled.problem(customer) is None
    rounds = 300
    began = time.perf_counter()
    for _ in range(rounds):
        compiled.problem(customer)
    ours = (time.perf_counter() - began) / rounds * 1000

    openapi = OpenAPI.from_dict(yaml.safe_load(spec_path.read_text()))
    request = MockRequest("http://localhost", "get", f"/v1/customers/{customer['id']}")
    response = MockResponse(json.dumps(customer).encode())
    openapi.validate_response(request, response)
    began = time.perf_counter()
    for _ in range(rounds // 10):
        openapi.validate_response(request, response)
    theirs = (time.perf_counter() - began) / (rounds // 10) * 1000
    return {"compiled_ms": ours, "openapi_core_ms": theirs}


def table(results: dict[str, dict[str, dict[str, float]]]) -> None:
    print(f"\n{REQUESTS} requests per case, {CONCURRENCY} concurrent, one emulator process\n")
    print(f"{'case':<16}{'validation':<12}{'req/s':>9}{'median ms':>11}{'p99 ms':>9}")
    for mode, cases in results.items():
        for case, figures in cases.items():
            print(
                f"{case:<16}{mode:<12}{figures['rps']:>9.0f}"
                f"{figures['median_ms']:>11.2f}{figures['p99_ms']:>9.2f}"
            )
    for case in results["on"]:
        ratio = results["on"][case]["rps"] / results["off"][case]["rps"]
        print(f"{case}: validated throughput is {ratio:.0%} of unvalidated")


async def main() -> None:
    results = {
        "on": await measure(()),
        "off": await measure(("--no-validate-requests", "--no-validate-responses")),
    }
    table(results)
    for script in ("import_100k.py", "fixture_cost.py", "full_spec_startup.py"):
        run = await asyncio.create_subprocess_exec(
            sys.executable, str(REPO / "bench" / script), cwd=REPO, stdout=asyncio.subprocess.PIPE
        )
        output, _ = await run.communicate()
        print("\n" + output.decode().strip())
    costs = check_costs()
    print(
        f"\nvalidating one customer response: compiled check {costs['compiled_ms']:.3f} ms, "
        f"openapi-core validate_response {costs['openapi_core_ms']:.3f} ms "
        f"({costs['openapi_core_ms'] / costs['compiled_ms']:.0f}x)"
    )


if __name__ == "__main__":
    asyncio.run(main())
