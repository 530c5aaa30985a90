"""Every typed key that hangs state off the aiohttp application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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
# What the validation pipeline concluded about a request: passed, request_rejected,
# contract_violation or skipped; and what it read of the body, for the journal.
VALIDATION = web.RequestKey("validation", str)
OPERATION = web.RequestKey("operation", str)
HANDLER_KIND = web.RequestKey("handler_kind", str)  # stateful, or example (from the spec)
BODY_SEEN: web.RequestKey[str | bytes] = web.RequestKey("body_seen")
TENANT = web.RequestKey("tenant", str)  # who the credentials named
FAULT = web.RequestKey("fault", str)  # fault:<kind> when an injected fault shaped the answer
GONE = web.RequestKey("gone", bool)  # the connection closed before an answer could be sent
SPEC = web.AppKey("spec", Spec)
SEEDS = web.AppKey("seeds", SeedSchemas)  # what /_emulator/seed and fixtures may hold
TENANTS = web.AppKey("tenants", Tenants)
STATE_FILE = web.AppKey("state_file", StateFile)  # only with --state-file
REQUEST_IDS = web.AppKey("request_ids", IdGenerator)
# operationId -> "stateful" or "example": how each operation of the spec is answered
COVERAGE: web.AppKey[dict[str, str]] = web.AppKey("coverage")
