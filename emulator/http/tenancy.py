"""Serving one tenant: one request at a time, its due async-action work replayed first.

The replay runs in slices of about `slice_seconds` (Settings; 5 ms by default), with the event
loop free in between, so a 100,000-row import makes its own tenant's requests wait while
everyone else is served. Each slice stops between two items; what the items do does not depend
on where a slice ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from emulator.domain.store import Tenant


def time_is_up(seconds: float) -> Callable[[], bool]:
    deadline = time.perf_counter() + seconds
    return lambda: time.perf_counter() > deadline


async def settled(tenant: Tenant, slice_seconds: float) -> None:
    """Replay the tenant's due work, a slice at a time."""
    while not tenant.jobs.settle(time_is_up(slice_seconds)):
        await asyncio.sleep(0)


@asynccontextmanager
async def serving(tenant: Tenant, slice_seconds: float) -> AsyncIterator[Tenant]:
    """The tenant to itself, its due work done."""
    async with tenant.lock:
        await settled(tenant, slice_seconds)
        yield tenant
