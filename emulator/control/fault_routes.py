"""Control routes for HTTP faults: list, add, remove.

A fault posted here applies to the caller's tenant (X-App-Id) unless it names another tenant
or says `tenant: "*"` for every tenant; a fault that names none, posted without X-App-Id, is
refused rather than silently applied to everybody.
"""

from __future__ import annotations

from aiohttp import web

from emulator.control.faults import EVERY_TENANT, FaultError
from emulator.control.routes import read_json, tenant_of
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError
from emulator.http.keys import FAULTS


async def list_faults(request: web.Request) -> web.Response:
    """Every fault; `?tenant=` keeps the ones that reach that tenant (its own and "*" ones)."""
    faults = request.app[FAULTS].faults
    tenant = request.query.get("tenant")
    if tenant is not None and tenant != EVERY_TENANT:
        faults = [fault for fault in faults if fault.tenant in (None, tenant)]
    return json_response(200, {"faults": [fault.view() for fault in faults]})


def _scoped(request: web.Request, spec: object) -> object:
    """The spec with its tenant: the one it names, else the caller's."""
    if not isinstance(spec, dict) or "tenant" in spec:
        return spec
    caller = request.headers.get("X-App-Id", "").strip()
    if not caller:
        raise ApiError(
            400, "missing_tenant",
            'Send X-App-Id to scope the fault to that tenant, or give it tenant: "*" to apply '
            "it to every tenant",
            message="Bad request",
        )  # fmt: skip
    return {**spec, "tenant": caller}


async def add_faults(request: web.Request) -> web.Response:
    """One fault object, or {"faults": [...]} for several; all or nothing."""
    body = await read_json(request)
    batch = isinstance(body, dict) and "faults" in body
    specs = body["faults"] if isinstance(body, dict) and batch else [body]
    if not isinstance(specs, list):
        raise ApiError(400, "invalid_payload", "faults must be a list of fault objects")
    specs = [_scoped(request, spec) for spec in specs]
    book = request.app[FAULTS]
    kept = list(book.faults)
    added = []
    for index, spec in enumerate(specs):
        try:
            added.append(book.add(spec))
        except FaultError as error:
            book.faults = kept
            where = f"faults[{index}]: " if batch else ""
            raise ApiError(400, "invalid_payload", f"{where}{error}") from None
    return json_response(200, {"faults": [fault.view() for fault in added]})


async def clear_faults(request: web.Request) -> web.Response:
    """The caller's own faults (X-App-Id); `?all=true` clears every fault, "*" ones included."""
    book = request.app[FAULTS]
    before = len(book.faults)
    if request.query.get("all", "").lower() == "true":
        book.faults.clear()
    else:
        app_id = tenant_of(request)
        book.faults = [fault for fault in book.faults if fault.tenant != app_id]
    return json_response(200, {"removed": before - len(book.faults)})


async def remove_fault(request: web.Request) -> web.Response:
    fault_id = request.match_info["faultId"]
    if not request.app[FAULTS].remove(fault_id):
        raise ApiError(404, "not_found", f"Cannot find fault with id {fault_id}", fault_id, "fault")
    return json_response(200, {"removed": 1})


def add_fault_routes(app: web.Application) -> None:
    app.router.add_get("/_emulator/faults", list_faults)
    app.router.add_post("/_emulator/faults", add_faults)
    app.router.add_delete("/_emulator/faults", clear_faults)
    app.router.add_delete("/_emulator/faults/{faultId}", remove_fault)
