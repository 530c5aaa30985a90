"""Carrying out injected HTTP faults on API requests: delay, drop, or answer in vendor shape."""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web
from aiohttp.typedefs import Handler

from emulator.control.faults import FaultBook, Plan
from emulator.http.endpoint import json_response
from emulator.http.errors import STATUS_KEYS, ApiError, PayloadTooLarge
from emulator.http.keys import REQUEST_IDS, SETTINGS, SLEEP, WALL, facts

RATE_LIMITED = "Too many requests hit the API too quickly."


def _answer(request: web.Request, plan: Plan) -> web.Response:
    status = plan.status or 500
    if plan.body is not None:
        return json_response(status, plan.body)
    if status == 429:
        # Retry-After only when a token will really be back by then: the official SDKs obey it
        # (urllib3 retries a 429 that carries one), and a forced 429 has no bucket to wait for.
        known = plan.retry_after is not None
        headers = {"Retry-After": str(plan.retry_after)} if known else None
        return json_response(429, {"code": 429, "message": RATE_LIMITED}, headers)
    if status == 413:
        return json_response(413, PayloadTooLarge(request.app[SETTINGS].max_body_bytes).body())
    error = ApiError(
        status, STATUS_KEYS.get(status, "error"), "Injected by the emulator's fault settings",
        message=HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error",
    )  # fmt: skip
    return json_response(status, error.body(request.app[REQUEST_IDS].request()))


async def faulted(request: web.Request, handler: Handler, book: FaultBook) -> web.StreamResponse:
    """An API request while faults are set: the matching fault carried out, else `handler`."""
    tenant = request.headers.get("X-App-Id") or None
    plan = book.plan(request.method, request.path, tenant, request.app[WALL].now())
    if plan is None:
        return await handler(request)
    if plan.kinds:
        facts(request).fault = "fault:" + "+".join(plan.kinds)
    if plan.delay_seconds > 0:
        await request.app[SLEEP](plan.delay_seconds)
    if plan.drop:
        facts(request).gone = True
        transport = request.transport
        request.protocol.force_close()
        if transport is not None:
            transport.abort()
        return web.Response(status=204)  # never sent: the connection is gone
    if plan.status is not None:
        return _answer(request, plan)
    return await handler(request)
