"""Control routes outside the vendor API, under /_emulator."""

from __future__ import annotations

import copy
import json

from aiohttp import web

from emulator.control import snapshot
from emulator.control.fixtures import COLLECTIONS, FixtureError, parse_fixture
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError
from emulator.http.keys import COVERAGE, FAULTS, JOURNAL, SEEDS, SPEC, TENANTS


def tenant_of(request: web.Request) -> str:
    """Control routes name their tenant the way the API does: by X-App-Id."""
    app_id = request.headers.get("X-App-Id", "").strip()
    if not app_id:
        raise ApiError(
            400, "missing_tenant", "Send X-App-Id to choose the tenant", message="Bad request"
        )
    return app_id


async def read_json(request: web.Request) -> object:
    """The JSON body of a control request (None when empty); invalid JSON is a 400."""
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ApiError(400, "invalid_payload", f"Invalid JSON: {error}") from None


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


async def health(request: web.Request) -> web.Response:
    spec = request.app[SPEC]
    return json_response(200, {
        "status": "ok", "operations": len(spec.operations), **coverage(request.app),
        "repairs": len(spec.report.repairs), "validators": spec.check_count,
        "tenants": len(request.app[TENANTS].ids()),
    })  # fmt: skip


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
    if request.query.get("all", "").lower() == "true":
        names = tenants.ids()
        tenants.reset_all()
        return json_response(200, {"reset": names})
    app_id = tenant_of(request)
    tenants.reset(app_id)
    faults = request.app[FAULTS]
    faults.faults = [fault for fault in faults.faults if fault.tenant != app_id]
    return json_response(200, {"reset": [app_id]})


async def seed(request: web.Request) -> web.Response:
    """Apply a seed body ({customers, campaigns, segments}, checked against the contract) to
    the caller's tenant, all or nothing: it is applied to a copy that replaces the tenant only
    when every item went in."""
    tenants = request.app[TENANTS]
    app_id = tenant_of(request)
    body = await read_json(request)
    try:
        fixture = parse_fixture(body, "seed body", request.app[SEEDS], keys=COLLECTIONS)
        candidate = tenants.bare(app_id)
        current = snapshot.export_tenant(tenants.get(app_id))
        snapshot.load_tenant(candidate, copy.deepcopy(current))
        candidate.apply(fixture)
    except (FixtureError, ValueError) as error:  # the tenant itself was never touched
        raise ApiError(400, "invalid_payload", str(error)) from None
    tenants.put(candidate)
    return json_response(200, {
        "customers": len(fixture.customers), "campaigns": len(fixture.campaigns),
        "segments": len(fixture.segments),
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
    if limit is not None and not limit.isdigit():
        raise ApiError(400, "invalid_query_params", "limit must be a positive integer",
                       message="Invalid query params")  # fmt: skip
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
