"""Snapshots over HTTP: GET streams them, a tenant at a time, and PUT restores them.

While a tenant is being written out its own requests wait (so its snapshot is of one moment);
every other tenant is served between the slices.
"""

from __future__ import annotations

import asyncio
import time

import orjson
from aiohttp import web

from emulator.contract.schema import SchemaCheck
from emulator.contract.spec import Spec
from emulator.control import snapshot
from emulator.control.routes import read_json
from emulator.control.snapshot import GROUPS, Builder, SnapshotError
from emulator.control.statefile import SLICE_SECONDS, mark_all
from emulator.domain.store import Tenant, Tenants
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError
from emulator.http.keys import SETTINGS, SPEC, TENANTS
from emulator.http.tenancy import holding, registered, serving

CHUNK_BYTES = 1 << 18


async def restore(
    tenants: Tenants, document: object, customer: SchemaCheck | None = None
) -> list[str]:
    """Rebuild every tenant in the document before replacing any: all or nothing. With
    `customer` (the contract's customer), every customer must keep it: a snapshot edited by
    hand could hold one that every later read of its tenant would answer with a 500."""
    states = snapshot.check_document(document)
    rebuilt = []
    for app_id, grouped in states.items():
        builder = Builder(tenants.bare(app_id))
        snapshot.fill(builder, grouped)
        tenant = await asyncio.to_thread(builder.build)
        if customer is not None:
            await asyncio.to_thread(_check_customers, tenant, customer)
        rebuilt.append(tenant)
    replaced = [found for found in map(tenants.find, states) if found is not None]
    async with holding(replaced):  # no request is inside a tenant while it is replaced
        for tenant in rebuilt:
            mark_all(tenant, snapshot.records(tenant))
            tenants.put(tenant)
    return sorted(states)


def _check_customers(tenant: Tenant, check: SchemaCheck) -> None:
    for entry in tenant.customers.every_entry():
        problem = check.problem(entry.data)
        if problem is not None:
            raise SnapshotError(
                f"tenant {tenant.app_id}: customer {entry.id}: {problem.describe('Customer')}"
            )


def customer_check(spec: Spec) -> SchemaCheck | None:
    """The contract's check of one customer (get-customer's answer)."""
    operation = spec.operations.get("get-customer")
    response = None if operation is None else operation.response(200)
    return None if response is None else next(iter(response.checks.values()), None)


async def get_state(request: web.Request) -> web.StreamResponse:
    tenants, slice_seconds = request.app[TENANTS], request.app[SETTINGS].slice_seconds
    name = request.query.get("tenant")
    chosen = tenants.existing() if name is None else [tenants.find(name)]
    if name is not None and chosen[0] is None:
        raise ApiError(404, "not_found", f"Cannot find tenant with id {name}", name, "tenant")
    response = web.StreamResponse(headers={"Content-Type": "application/json; charset=utf-8"})
    await response.prepare(request)
    await response.write(b'{"version":%d,"tenants":{' % snapshot.VERSION)
    for index, found in enumerate(chosen):
        assert found is not None
        async with serving(registered(tenants, found), slice_seconds) as tenant:
            await response.write((b"," if index else b"") + orjson.dumps(tenant.app_id) + b":")
            await _write_tenant(response, tenant)
    await response.write(b"}}")
    await response.write_eof()
    return response


async def _write_tenant(response: web.StreamResponse, tenant: Tenant) -> None:
    out, group = bytearray(b"{"), None
    deadline = time.perf_counter() + SLICE_SECONDS  # serialising: the state file's slices
    for kind, key, value in snapshot.records(tenant):
        if kind == "meta":
            out += b'"meta":' + orjson.dumps(value)
            continue
        if GROUPS[kind] != group:
            out += (b"}" if group else b"") + b',"%s":{' % GROUPS[kind].encode()
            group = GROUPS[kind]
        elif out[-1:] != b"{":
            out += b","
        out += orjson.dumps(key) + b":" + orjson.dumps(snapshot.made(value))
        if len(out) > CHUNK_BYTES or time.perf_counter() > deadline:
            await response.write(bytes(out))
            out.clear()
            await asyncio.sleep(0)
            deadline = time.perf_counter() + SLICE_SECONDS
    out += b"}}" if group else b"}"  # groups without records are left out
    await response.write(bytes(out))


async def put_state(request: web.Request) -> web.Response:
    document = await read_json(request)
    try:
        restored = await restore(
            request.app[TENANTS], document, customer_check(request.app[SPEC])
        )
    except SnapshotError as error:
        raise ApiError(400, "invalid_payload", f"Cannot restore: {error}") from None
    return json_response(200, {"restored": restored})


def add_state_routes(app: web.Application) -> None:
    app.router.add_get("/_emulator/state", get_state)
    app.router.add_put("/_emulator/state", put_state)
