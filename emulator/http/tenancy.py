"""Serving one tenant: one request at a time, its due async-action work replayed first.

The replay runs in slices of about `slice_seconds` (Settings; 5 ms by default), with the event
loop free in between, so a 100,000-row import makes its own tenant's requests wait while
everyone else is served. Each slice stops between two items; what the items do does not depend
on where a slice ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from emulator.domain.store import Tenant


def time_is_up(seconds: float) -> Callable[[], bool]:
    deadline = time.perf_counter() + seconds
    return lambda: time.perf_counter() > deadline


async def settled(tenant: Tenant, slice_seconds: float) -> None:
    """Replay the tenant's due work, a slice at a time."""
    if not tenant.jobs.busy():
        return  # nothing queued: no deadline to set (most requests)
    while not tenant.jobs.settle(time_is_up(slice_seconds)):
        await asyncio.sleep(0)


class serving:
    """The tenant to itself, its due work done. A class rather than an asynccontextmanager:
    this runs on every request, and a generator-based manager costs several microseconds."""

    __slots__ = ("_slice", "_tenant")

    def __init__(self, tenant: Tenant, slice_seconds: float) -> None:
        self._tenant = tenant
        self._slice = slice_seconds

    async def __aenter__(self) -> Tenant:
        await self._tenant.lock.acquire()
        try:
            await settled(self._tenant, self._slice)
        except BaseException:
            self._tenant.lock.release()
            raise
        return self._tenant

    async def __aexit__(self, *exc: object) -> None:
        self._tenant.lock.release()
