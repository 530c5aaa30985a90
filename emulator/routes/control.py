"""Control routes outside the vendor API, under /_emulator."""

from __future__ import annotations

from aiohttp import web

from emulator.errors import ApiError
from emulator.keys import SPEC, TENANTS
from emulator.validation import json_response


def tenant_of(request: web.Request) -> str:
    """Control routes name their tenant the way the API does: by X-App-Id."""
    app_id = request.headers.get("X-App-Id", "").strip()
    if not app_id:
        raise ApiError(
            400, "missing_tenant", "Send X-App-Id to choose the tenant", message="Bad request"
        )
    return app_id


async def health(request: web.Request) -> web.Response:
    spec = request.app[SPEC]
    return json_response(200, {
        "status": "ok", "operations": len(spec.operations), "validators": spec.check_count,
        "tenants": len(request.app[TENANTS].ids()),
    })  # fmt: skip


async def reset(request: web.Request) -> web.Response:
    tenants = request.app[TENANTS]
    if request.query.get("all", "").lower() == "true":
        names = tenants.ids()
        tenants.reset_all()
        return json_response(200, {"reset": names})
    app_id = tenant_of(request)
    tenants.reset(app_id)
    return json_response(200, {"reset": [app_id]})


def add_control_routes(app: web.Application) -> None:
    app.router.add_get("/_emulator/health", health)
    app.router.add_post("/_emulator/reset", reset)
