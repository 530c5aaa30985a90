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

from emulator.domain.store import Tenant, Tenants


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
    this runs on every request, and a generator-based manager costs several microseconds.

    `current` names the tenant registered now: a seed, a restore or a reset replaces the
    tenant object while requests wait for its lock, and a request that then took the old one
    would write where nobody reads (answered 200, and lost). Once it holds the lock it checks,
    and moves to the registered tenant when the one it waited for was replaced."""

    __slots__ = ("_current", "_slice", "_tenant")

    def __init__(self, current: Callable[[], Tenant], slice_seconds: float) -> None:
        self._current = current
        self._tenant = current()
        self._slice = slice_seconds

    async def __aenter__(self) -> Tenant:
        while True:
            tenant = self._tenant
            await tenant.lock.acquire()
            try:
                now = self._current()
                if now is tenant:
                    if tenant.jobs.busy():  # (most requests: nothing queued, no call)
                        await settled(tenant, self._slice)
                    return tenant
            except BaseException:
                tenant.lock.release()
                raise
            tenant.lock.release()  # replaced while this request waited: the new one
            self._tenant = now

    async def __aexit__(self, *exc: object) -> None:
        self._tenant.lock.release()


def registered(tenants: Tenants, found: Tenant) -> Callable[[], Tenant]:
    """`current` for a reader: the tenant registered under `found`'s id now, or `found` itself
    when it is gone (evicted: what it held is still what it held)."""
    return lambda: tenants.find(found.app_id) or found


class holding:
    """Every given tenant's lock, taken in order (by tenant id, so two holders never wait on
    each other), for replacing or dropping them: no request is inside one meanwhile."""

    def __init__(self, tenants: list[Tenant]) -> None:
        self._tenants = sorted(tenants, key=lambda tenant: tenant.app_id)
        self._held: list[Tenant] = []

    async def __aenter__(self) -> None:
        try:
            for tenant in self._tenants:
                await tenant.lock.acquire()
                self._held.append(tenant)
        except BaseException:
            self._release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        while self._held:
            self._held.pop().lock.release()
