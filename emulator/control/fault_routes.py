"""Control routes for HTTP faults: list, add, remove."""

from __future__ import annotations

from aiohttp import web

from emulator.control.faults import FaultError
from emulator.control.routes import read_json
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError
from emulator.http.keys import FAULTS


async def list_faults(request: web.Request) -> web.Response:
    return json_response(200, {"faults": [f.view() for f in request.app[FAULTS].faults]})


async def add_faults(request: web.Request) -> web.Response:
    """One fault object, or {"faults": [...]} for several; all or nothing."""
    body = await read_json(request)
    specs = body["faults"] if isinstance(body, dict) and "faults" in body else [body]
    book = request.app[FAULTS]
    kept = list(book.faults)
    try:
        added = [book.add(spec) for spec in specs]
    except FaultError as error:
        book.faults = kept
        raise ApiError(400, "invalid_payload", str(error)) from None
    return json_response(200, {"faults": [fault.view() for fault in added]})


async def clear_faults(request: web.Request) -> web.Response:
    book = request.app[FAULTS]
    removed = len(book.faults)
    book.faults.clear()
    return json_response(200, {"removed": removed})


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
