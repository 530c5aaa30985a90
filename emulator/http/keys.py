"""Every typed key that hangs state off the aiohttp application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from emulator.contract.spec import Spec
from emulator.control.faults import FaultBook
from emulator.control.journal import Journal
from emulator.control.seed_schema import SeedSchemas
from emulator.control.statefile import StateFile
from emulator.domain.store import Tenants
from emulator.jobs.clock import Clock
from emulator.jobs.ids import IdGenerator
from emulator.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
JOURNAL = web.AppKey("journal", Journal)
FAULTS = web.AppKey("faults", FaultBook)
Sleep = Callable[[float], Awaitable[None]]
SLEEP: web.AppKey[Sleep] = web.AppKey("sleep")  # how injected latency waits (tests replace it)
WALL = web.AppKey("wall", Clock)  # real time, for the journal and rate limits of unknown tenants


@dataclass(slots=True)
class Facts:
    """What the layers learn about one request, for the journal and the access log: one
    object under one request key (read and written on every request: attributes cost less than
    a request key each)."""

    tenant: str | None = None  # who the credentials named
    operation: str | None = None
    handler_kind: str | None = None  # stateful, or example (answered from the spec's examples)
    # What the validation pipeline concluded: passed, request_rejected, contract_violation or
    # skipped.
    validation: str | None = None
    body_seen: str | bytes | None = None  # what was read of the body, as the journal keeps it
    fault: str | None = None  # fault:<kind> when an injected fault shaped the answer
    gone: bool = False  # the connection closed before an answer could be sent


FACTS = web.RequestKey("facts", Facts)


def facts(request: web.Request) -> Facts:
    """The request's Facts (made by the first layer that asks)."""
    try:
        return request[FACTS]
    except KeyError:
        found = request[FACTS] = Facts()
        return found


SPEC = web.AppKey("spec", Spec)
SEEDS = web.AppKey("seeds", SeedSchemas)  # what /_emulator/seed and fixtures may hold
TENANTS = web.AppKey("tenants", Tenants)
STATE_FILE = web.AppKey("state_file", StateFile)  # only with --state-file
REQUEST_IDS = web.AppKey("request_ids", IdGenerator)
# operationId -> "stateful" or "example": how each operation of the spec is answered
COVERAGE: web.AppKey[dict[str, str]] = web.AppKey("coverage")
