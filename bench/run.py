"""`make bench`: every goal of issue 11 with its figure and ratio, a scaling table at 1,000,
10,000 and 100,000 customers, the side-by-side comparison with Prism 5.16 (fetched from npm into
bench/.prism when npm and ../shared are there), the dependency measurements, then the
durability and full-spec start-up figures (BENCH_EXTRA=0 leaves those out).

Every server is a real `python -m emulator` process; load comes from wrk (or bench/loadgen.py)
in a process of its own, with 16 connections. Figures are noisy on a shared machine: the load
average is printed before and after.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
import bykey
import deps
import prism
import scale
import throughput
from common import AUTH, CONNECTIONS, REPO, SECONDS, Emulator, generator_name, load_average

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(","))
CONTROL = {**AUTH, "X-Emulator-Client": "bench", "Content-Type": "application/json"}


def compile_bytecode() -> None:
    """Write the package's .pyc files first, as pip does when it installs the wheel. Where
    PYTHONDONTWRITEBYTECODE is set (this project's machines and Docker image set it) a checkout
    never keeps them, and every start would compile about 100 modules from source: 0.1 to 0.3 s
    more, which is Python's cost on that one setup rather than the emulator's start-up."""
    for folder in ("emulator", "openapi"):
        compileall.compile_dir(REPO / folder, quiet=1)


async def start_and_reset() -> dict[str, float]:
    compile_bytecode()
    starts, idle = [], []
    for _ in range(5):
        server = Emulator()
        starts.append(await server.start())
        await asyncio.sleep(0.3)
        idle.append(server.memory_mb())
        await server.stop()
    resets = []
    async with Emulator() as server, aiohttp.ClientSession(server.url) as session:
        seed = {"customers": [{"source_id": f"r{n}", "name": "R"} for n in range(100)]}
        for _ in range(30):
            async with session.post("/_emulator/seed", json=seed, headers=CONTROL) as reply:
                assert reply.status == 200, await reply.text()
            began = time.perf_counter()
            async with session.post("/_emulator/reset", headers=CONTROL) as reply:
                await reply.read()
            resets.append((time.perf_counter() - began) * 1000)
    return {"start_s": statistics.median(starts), "idle_mb": statistics.median(idle),
            "reset_ms": statistics.median(resets)}  # fmt: skip


def fixture_ms() -> float:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "fixture_cost.py")], cwd=REPO,
                          capture_output=True, text=True, check=True)  # fmt: skip
    found = re.search(r"median ([0-9.]+) ms", done.stdout)
    assert found, done.stdout
    return float(found[1])


def row(goal: str, figure: str, target: str, met: bool | None, ratio: str = "") -> None:
    mark = "" if met is None else ("yes" if met else "NO")
    print(f"| {goal} | {figure} | {target} | {ratio} | {mark} |")


def goals(r: dict[str, Any]) -> None:
    on, off, cpu = r["on"], r["off"], r["cpu"]
    print("\n| goal | figure | target | ratio | met |\n|---|---|---|---|---|")
    for case in throughput.CASES:
        if r["prism"] is not None:
            theirs = r["prism"][case].rps
            row(f"{case}: validated vs Prism", f"{on[case].rps:,.0f} vs {theirs:,.0f} req/s",
                ">= 3x", on[case].rps >= 3 * theirs, f"{on[case].rps / theirs:.2f}x")  # fmt: skip
        share = on[case].rps / off[case].rps
        row(f"{case}: validated vs validation off", f"{on[case].rps:,.0f} vs "
            f"{off[case].rps:,.0f} req/s", ">= 75%", share >= 0.75, f"{share:.0%}")  # fmt: skip
        row(f"{case}: p99 validated", f"{on[case].p99_ms:.1f} ms (p50 {on[case].p50_ms:.1f}; "
            f"{cpu[case]:.0f} us server CPU a request)", "<= 15 ms", on[case].p99_ms <= 15)
    big, small = r["sizes"][-1], r["sizes"][0]
    query, worst = big.worst_list
    row(f"list page at {big.rows:,} (limit=100, every order and filter)",
        f"worst {worst:.2f} ms ({query})", "<= 5 ms", worst <= 5)  # fmt: skip
    pages = r["paging"]
    if pages:
        row(f"paging all {pages['seen']:,.0f} with starting_after", f"{pages['seconds']:.2f} s, "
            f"{pages['pages']:,.0f} pages; first / last tenth {pages['first_ms']:.2f} / "
            f"{pages['last_ms']:.2f} ms a page", "<= 10 s, linear", pages["seconds"] <= 10,
            f"{pages['last_ms'] / pages['first_ms']:.2f}x")  # fmt: skip
    if r["by_key"]:  # pairs taking turns; the ratio is the median of the pairs' ratios
        slowest = max(compared.ratio for compared in r["by_key"].values())
        row(f"get/update/delete by id or source_id, {big.rows:,} vs {small.rows:,} side by "
            f"side ({bykey.PAIRS} pairs each; ms at {big.rows:,} vs {small.rows:,}, median "
            "ratio and quartiles)", "; ".join(bykey.line(*item) for item in r["by_key"].items()),
            "constant", slowest <= 2, f"<= {slowest:.2f}x")  # fmt: skip
    per = big.bytes_per_customer
    row(f"memory per customer at {big.rows:,} (RSS)", f"{per:,.0f} bytes", "<= 1,536 bytes",
        per <= 1536, f"{per / 1536:.2f}x")  # fmt: skip
    row(f"{big.rows:,}-row import: peak above idle", f"{big.peak_above_idle_mb:.0f} MB",
        "<= 150 MB", big.peak_above_idle_mb <= 150)  # fmt: skip
    row(f"{big.rows:,}-row import: CPU", f"{big.import_cpu:.2f} s ({big.import_wall:.2f} s wall)",
        "<= 2 s", big.import_cpu <= 2)  # fmt: skip
    s = r["start"]
    row("idle RSS", f"{s['idle_mb']:.0f} MB", "<= 60 MB", s["idle_mb"] <= 60)
    ratio = f"{r['prism_start'] / s['start_s']:.1f}x faster than Prism" if r["prism_start"] else ""
    row("start to ready (median of 5)", f"{s['start_s']:.2f} s", "<= 0.5 s", s["start_s"] <= 0.5,
        ratio)  # fmt: skip
    row("reset of a 100-customer tenant (HTTP round trip, median)", f"{s['reset_ms']:.2f} ms",
        "<= 5 ms", s["reset_ms"] <= 5)  # fmt: skip
    row("pytest fixture per test (median)", f"{r['fixture_ms']:.2f} ms", "<= 2 ms",
        r["fixture_ms"] <= 2)  # fmt: skip


def scaling(sizes: list[scale.Size]) -> None:
    print("\n| customers | import rows/s | import CPU | import peak above idle | memory per "
          "customer | list page (limit=100): median / worst | snapshot |")
    print("|---|---|---|---|---|---|---|")
    for s in sizes:
        query, worst = s.worst_list
        print(f"| {s.rows:,} | {s.rows / s.import_wall:,.0f} | {s.import_cpu:.2f} s | "
              f"{s.peak_above_idle_mb:.0f} MB | {s.bytes_per_customer:,.0f} B | "
              f"{statistics.median(s.list_ms.values()):.2f} / {worst:.2f} ms ({query}) | "
              f"{s.snapshot_s * 1000:.0f} ms |")


def side_by_side(r: dict[str, Any]) -> None:
    print(f"\n{CONNECTIONS} connections, load from {generator_name()}; servers side by side, "
          f"taking turns: {throughput.ROUNDS} rounds of {SECONDS:g} s a case each after 1 s of "
          "warm-up (mean req/s and p50, worst p99)")
    print("| case | validated req/s (p50 / p99 ms) | validation off | Prism 5.16 | "
          "validated / Prism |\n|---|---|---|---|---|")
    for case in throughput.CASES:
        on, off = r["on"][case], r["off"][case]
        theirs = r["prism"][case] if r["prism"] else None
        print(f"| {case} | {on.rps:,.0f} ({on.p50_ms:.1f} / {on.p99_ms:.1f}) | {off.rps:,.0f} "
              f"({off.p50_ms:.1f} / {off.p99_ms:.1f}) | "
              + (f"{theirs.rps:,.0f} ({theirs.p50_ms:.1f} / {theirs.p99_ms:.1f}) | "
                 f"{on.rps / theirs.rps:.2f}x |" if theirs else "- | - |"))  # fmt: skip
    if r["prism"] is None:
        print(f"Prism: skipped ({r['prism_why']})")


def dependencies(r: dict[str, Any]) -> None:
    print("\n| dependency | measured | |\n|---|---|---|")
    for work, libs in r["validation"].items():
        print(f"| validating a {work} (us a check) | "
              + ", ".join(f"{lib} {us:,.1f}" for lib, us in libs.items()) + " | |")
    j = r["json"]
    print(f"| writing / reading a 100-customer page (MB/s) | orjson {j['orjson dumps']:,.0f} / "
          f"{j['orjson loads']:,.0f}, json {j['json dumps']:,.0f} / {j['json loads']:,.0f} | |")
    if r["loops"]:
        print("| event loop (req/s, mean of 2 alternated runs) | " + ", ".join(
            f"{loop}: GET {v['GET']:,.0f} POST {v['POST']:,.0f}" for loop, v in r["loops"].items()
        ) + " | |")  # fmt: skip


async def main() -> None:
    print(f"make bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load average {load_average()}")
    r: dict[str, Any] = {}
    r["prism_why"] = prism.why_not()
    try:
        measured = await throughput.side_by_side(with_prism=r["prism_why"] is None)
    except prism.PrismError as error:
        r["prism_why"] = f"Prism {prism.VERSION} did not start: {error}"
        measured = await throughput.side_by_side(with_prism=False)
    r["on"], r["off"] = measured.loads["on"], measured.loads["off"]
    r["prism"], r["prism_start"] = measured.loads.get("prism"), measured.prism_start
    r["cpu"] = measured.cpu
    r["sizes"], r["by_key"] = await scale.measure(SIZES)
    r["paging"] = await scale.paging(SIZES[-1])
    r["start"] = await start_and_reset()
    r["fixture_ms"] = fixture_ms()
    r["validation"], r["json"] = deps.validation(), deps.serialising()
    r["loops"] = await deps.loops()
    goals(r)
    scaling(r["sizes"])
    side_by_side(r)
    dependencies(r)
    print(f"\nload average at the end: {load_average()}")
    if os.environ.get("BENCH_EXTRA", "1") != "0":
        for script in ("full_spec_startup.py", "durability.py"):
            done = subprocess.run([sys.executable, str(REPO / "bench" / script)], cwd=REPO,
                                  capture_output=True, text=True)  # fmt: skip
            print("\n" + done.stdout.strip())


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    asyncio.run(main())
