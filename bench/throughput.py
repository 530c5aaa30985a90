"""Throughput and latency of GET, POST and LIST (limit=10), 16 connections from a load generator
in another process: the emulator with validation on and off, and Prism side by side."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from common import AUTH, Emulator, Load, generate
from prism import Prism

CASES = ("GET", "POST", "LIST")


async def _first_customer(url: str) -> str:
    body = {"source_id": "bench@example.com", "name": "Bench", "address": {"city": "Paris"}}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/v1/customers", json=body, headers=AUTH) as reply,
    ):
        found: dict[str, Any] = await reply.json()
    return str(found["id"])


async def emulator(*flags: str) -> tuple[dict[str, Load], dict[str, float]]:
    """Loads per case, and the server's CPU microseconds per request per case."""
    async with Emulator(*flags) as server:
        customer_id = await _first_customer(server.url)
        cpu: dict[str, float] = {}
        loads: dict[str, Load] = {}
        for case in CASES:
            await _warm(server.url, customer_id, case)
            before = server.cpu_seconds()
            loads.update(await _cases_one(server.url, customer_id, case))
            cpu[case] = (server.cpu_seconds() - before) / max(1, loads[case].requests) * 1e6
        return loads, cpu


def _target(url: str, customer_id: str, case: str) -> tuple[str, str]:
    return {
        "GET": (f"{url}/v1/customers/{customer_id}", "get"),
        "POST": (f"{url}/v1/customers", "post"),
        "LIST": (f"{url}/v1/customers?limit=10", "get"),  # after POST: a tenant of thousands
    }[case]


async def _warm(url: str, customer_id: str, case: str) -> None:
    await asyncio.to_thread(generate, *_target(url, customer_id, case), 1.0)


async def _cases_one(url: str, customer_id: str, case: str) -> dict[str, Load]:
    return {case: await asyncio.to_thread(generate, *_target(url, customer_id, case))}


async def prism() -> tuple[dict[str, Load], float]:
    """Prism's loads per case (its examples answer; any id does), and its start-up seconds."""
    async with Prism() as server:
        loads: dict[str, Load] = {}
        for case in CASES:
            await _warm(server.url, "cust_any", case)
            loads.update(await _cases_one(server.url, "cust_any", case))
        return loads, server.ready_seconds
