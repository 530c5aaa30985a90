"""Snapshots over HTTP, and the state file read at start and written at shutdown."""

from __future__ import annotations

import logging

from aiohttp import web

from emulator.control import snapshot
from emulator.control.routes import read_json
from emulator.control.snapshot import SnapshotError
from emulator.domain.store import Tenants
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError
from emulator.http.keys import SETTINGS, TENANTS

log = logging.getLogger("emulator")


def restore(tenants: Tenants, document: object) -> list[str]:
    """Rebuild every tenant in the document before replacing any: all or nothing."""
    states = snapshot.check_document(document)
    rebuilt = []
    for app_id, state in states.items():
        tenant = tenants.bare(app_id)
        snapshot.load_tenant(tenant, state)
        rebuilt.append(tenant)
    for tenant in rebuilt:
        tenants.put(tenant)
    return sorted(states)


async def get_state(request: web.Request) -> web.Response:
    tenants = request.app[TENANTS]
    name = request.query.get("tenant")
    chosen = tenants.existing() if name is None else [tenants.get(name)]
    return json_response(200, snapshot.document(chosen))


async def put_state(request: web.Request) -> web.Response:
    document = await read_json(request)
    try:
        restored = restore(request.app[TENANTS], document)
    except SnapshotError as error:
        raise ApiError(400, "invalid_payload", f"Cannot restore: {error}") from None
    return json_response(200, {"restored": restored})


async def _save_on_cleanup(app: web.Application) -> None:
    path = app[SETTINGS].state_file
    if path is not None:
        snapshot.write_file(path, snapshot.document(app[TENANTS].existing()))
        log.info("state written to %s", path)


def add_state_routes(app: web.Application) -> None:
    app.router.add_get("/_emulator/state", get_state)
    app.router.add_put("/_emulator/state", put_state)
    path = app[SETTINGS].state_file
    if path is not None:
        snapshot.check_target(path)
        if path.exists():
            try:
                restore(app[TENANTS], snapshot.read_file(path))
            except SnapshotError as error:
                raise SnapshotError(f"state file {path}: {error}") from None
        app.on_cleanup.append(_save_on_cleanup)
