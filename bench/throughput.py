"""Throughput and latency of GET, POST and LIST (limit=10), 16 connections from a load generator
in another process: the emulator with validation on and off, and Prism, side by side.

All servers run at once (an idle one costs nothing) and take turns: for each case, each server
is loaded ROUNDS times in alternation, so drift on a shared machine (CPU frequency, neighbours)
falls on all of them alike rather than on whichever ran first: five rounds of 2 s by default
(two rounds of 5 s let one slow patch of a few seconds move a ratio by 10-15%). Figures are the
mean req/s, the mean p50 and the worst p99 of the rounds."""

from __future__ import annotations

import asyncio
import os
import statistics
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import aiohttp
from common import AUTH, Emulator, Load, generate
from prism import Prism

CASES = ("GET", "POST", "LIST")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
OFF = ("--no-validate-requests", "--no-validate-responses")


@dataclass
class Measured:
    """Per server name ("on", "off", "prism"): loads per case; the emulators' server CPU
    microseconds a request per case; Prism's start-up seconds (0 without Prism)."""

    loads: dict[str, dict[str, Load]]
    cpu: dict[str, float]
    prism_start: float


async def _first_customer(url: str) -> str:
    body = {"source_id": "bench@example.com", "name": "Bench", "address": {"city": "Paris"}}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/v1/customers", json=body, headers=AUTH) as reply,
    ):
        found: dict[str, Any] = await reply.json()
    return str(found["id"])


def _target(url: str, customer_id: str, case: str) -> tuple[str, str]:
    return {
        "GET": (f"{url}/v1/customers/{customer_id}", "get"),
        "POST": (f"{url}/v1/customers", "post"),
        "LIST": (f"{url}/v1/customers?limit=10", "get"),  # after POST: a tenant of thousands
    }[case]


def _combined(loads: list[Load]) -> Load:
    return Load(
        rps=statistics.mean(load.rps for load in loads),
        p50_ms=statistics.mean(load.p50_ms for load in loads),
        p99_ms=max(load.p99_ms for load in loads),
        requests=sum(load.requests for load in loads),
        failed=sum(load.failed for load in loads),
    )


async def side_by_side(with_prism: bool) -> Measured:
    async with AsyncExitStack() as stack:
        on = await stack.enter_async_context(Emulator())
        off = await stack.enter_async_context(Emulator(*OFF))
        servers: dict[str, tuple[str, str]] = {
            "on": (on.url, await _first_customer(on.url)),
            "off": (off.url, await _first_customer(off.url)),
        }
        prism_start = 0.0
        if with_prism:
            prism = await stack.enter_async_context(Prism())
            servers["prism"] = (prism.url, "cust_any")  # its examples answer any id
            prism_start = prism.ready_seconds
        loads: dict[str, dict[str, Load]] = {name: {} for name in servers}
        cpu: dict[str, float] = {}
        for case in CASES:
            for url, customer_id in servers.values():  # warm-up, 1 s each
                await asyncio.to_thread(generate, *_target(url, customer_id, case), 1.0)
            before = on.cpu_seconds()
            rounds: dict[str, list[Load]] = {name: [] for name in servers}
            for _ in range(ROUNDS):
                for name, (url, customer_id) in servers.items():
                    target = _target(url, customer_id, case)
                    rounds[name].append(await asyncio.to_thread(generate, *target))
            for name, measured in rounds.items():
                loads[name][case] = _combined(measured)
            cpu[case] = (on.cpu_seconds() - before) / max(1, loads["on"][case].requests) * 1e6
        return Measured(loads, cpu, prism_start)
