"""Control routes outside the vendor API, under /_emulator."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from aiohttp import web

from emulator.contract import strictjson
from emulator.control import snapshot, statefile
from emulator.control.fixtures import COLLECTIONS, FixtureError, parse_fixture
from emulator.domain.store import Tenant
from emulator.http.auth import printable
from emulator.http.body import read_raw
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError, bad_payload, bad_query
from emulator.http.keys import (
    COVERAGE,
    FAULTS,
    JOURNAL,
    SEEDS,
    SETTINGS,
    SPEC,
    STATE_FILE,
    TENANTS,
)
from emulator.http.tenancy import holding, registered, serving


def tenant_of(request: web.Request) -> str:
    """Control routes name their tenant the way the API does: by X-App-Id."""
    app_id = request.headers.get("X-App-Id", "").strip()
    if not app_id:
        raise ApiError(
            400, "missing_tenant", "Send X-App-Id to choose the tenant", message="Bad request"
        )
    if not printable(app_id):
        raise ApiError(400, "invalid_tenant", "X-App-Id must be UTF-8 text without control "
                       "characters", message="Bad request")  # fmt: skip
    return app_id


@asynccontextmanager
async def read_tenant(request: web.Request) -> AsyncIterator[Tenant]:
    """For reading: the caller's tenant, its due work done; one that does not exist yet is
    shown as it would start, and not created."""
    tenants = request.app[TENANTS]
    name = tenant_of(request)
    found = tenants.find(name)
    if found is None:
        yield tenants.bare(name, seeded=True)
        return
    async with serving(registered(tenants, found), request.app[SETTINGS].slice_seconds) as tenant:
        yield tenant


@asynccontextmanager
async def own_tenant(request: web.Request) -> AsyncIterator[Tenant]:
    """The caller's tenant (created on first use), to itself, its due work done."""
    current = partial(request.app[TENANTS].get, tenant_of(request))
    async with serving(current, request.app[SETTINGS].slice_seconds) as tenant:
        yield tenant


async def read_json(request: web.Request) -> object:
    """The JSON body of a control request (None when empty); anything but strict JSON is 400."""
    settings = request.app[SETTINGS]
    raw = await read_raw(request, settings.max_body_bytes, settings.body_timeout)
    if not raw.strip():
        return None
    try:
        return strictjson.loads(raw)
    except strictjson.JsonError as error:
        raise ApiError(400, "invalid_payload", str(error)) from None


def coverage(app: web.Application) -> dict[str, int]:
    kinds = list(app[COVERAGE].values())
    return {"stateful": kinds.count("stateful"), "example_backed": kinds.count("example")}


def summary(app: web.Application) -> str:
    """How the spec is served, for the ready line."""
    spec, counts = app[SPEC], coverage(app)
    text = f"{len(spec.operations)} operations, {spec.check_count} validators"
    if counts["example_backed"]:
        text += f"; {counts['stateful']} stateful, {counts['example_backed']} example-backed"
    if spec.report.repairs:
        text += f"; {len(spec.report.repairs)} spec repairs"
    return text


def loop_name() -> str:
    """uvloop or asyncio: what the running event loop is made of."""
    module = type(asyncio.get_running_loop()).__module__
    return "uvloop" if module.startswith("uvloop") else "asyncio"


async def health(request: web.Request) -> web.Response:
    spec, tenants = request.app[SPEC], request.app[TENANTS]
    body = {
        "status": "ok", "operations": len(spec.operations), **coverage(request.app),
        "repairs": len(spec.report.repairs), "validators": spec.check_count,
        "tenants": len(tenants), "max_tenants": tenants.limit, "evicted_tenants": tenants.evicted,
        "event_loop": loop_name(),
    }  # fmt: skip
    state_file = request.app.get(STATE_FILE)
    if state_file is not None:
        body["state_file"] = state_file.status()
    return json_response(200, body)


async def spec_report(request: web.Request) -> web.Response:
    """What the loader repaired in the document, and how each operation is answered."""
    app = request.app
    by_kind: dict[str, list[str]] = {"stateful": [], "example": []}
    for operation_id, kind in app[COVERAGE].items():
        by_kind[kind].append(operation_id)
    return json_response(200, {
        **app[SPEC].report.view(), "coverage": coverage(app),
        "stateful": sorted(by_kind["stateful"]), "example_backed": sorted(by_kind["example"]),
    })  # fmt: skip


async def reset(request: web.Request) -> web.Response:
    tenants = request.app[TENANTS]
    every = request.query.get("all", "false").lower()
    if every not in ("true", "false"):  # ?all=maybe reset only the caller's tenant
        raise bad_query("all must be true or false")
    if every == "true":
        names = tenants.ids()
        async with holding(tenants.all()):
            tenants.reset_all()
        return json_response(200, {"reset": names})
    app_id = tenant_of(request)
    found = tenants.find(app_id)
    async with holding([] if found is None else [found]):
        tenants.reset(app_id)
    faults = request.app[FAULTS]
    faults.faults = [fault for fault in faults.faults if fault.tenant != app_id]
    return json_response(200, {"reset": [app_id]})


async def seed(request: web.Request) -> web.Response:
    """Apply a seed body ({customers, campaigns, segments, metadata_schemas}, checked like a
    fixture) to the caller's tenant, all or nothing: it is applied to a copy that replaces the
    tenant only when every item went in."""
    tenants = request.app[TENANTS]
    body = await read_json(request)
    if body is None:  # an empty body or null seeded nothing and said 200
        raise bad_payload("Request body must be object")
    try:
        fixture = parse_fixture(body, "seed body", request.app[SEEDS], keys=COLLECTIONS)
    except (FixtureError, ValueError) as error:
        raise ApiError(400, "invalid_payload", str(error)) from None
    async with own_tenant(request) as tenant:
        builder = snapshot.Builder(tenants.bare(tenant.app_id))
        snapshot.fill(builder, copy.deepcopy(snapshot.tenant_document(tenant)))
        try:
            candidate = builder.build()
            candidate.apply(fixture)
        except (FixtureError, ValueError) as error:  # the tenant itself was never touched
            raise ApiError(400, "invalid_payload", str(error)) from None
        statefile.mark_all(candidate, snapshot.records(candidate))
        tenants.put(candidate)
    return json_response(200, {
        "customers": len(fixture.customers), "campaigns": len(fixture.campaigns),
        "segments": len(fixture.segments), "metadata_schemas": len(fixture.metadata_schemas),
    })  # fmt: skip


def add_control_routes(app: web.Application) -> None:
    app.router.add_get("/_emulator/health", health)
    app.router.add_get("/_emulator/spec-report", spec_report)
    app.router.add_post("/_emulator/reset", reset)
    app.router.add_post("/_emulator/seed", seed)
    app.router.add_get("/_emulator/requests", list_requests)
    app.router.add_delete("/_emulator/requests", clear_requests)


async def list_requests(request: web.Request) -> web.Response:
    query = request.query
    limit = query.get("limit")
    # isascii: "²" is a digit to isdigit, and no number to int (it was a 500)
    if limit is not None and not (limit.isascii() and limit.isdigit() and int(limit) > 0):
        raise bad_query("limit must be a positive integer")
    entries = request.app[JOURNAL].query(
        tenant=query.get("tenant"),
        method=query.get("method"),
        path=query.get("path"),
        limit=int(limit) if limit else None,
    )
    return json_response(200, {"requests": [entry.view() for entry in entries]})


async def clear_requests(request: web.Request) -> web.Response:
    cleared = request.app[JOURNAL].clear(request.query.get("tenant"))
    return json_response(200, {"cleared": cleared})
