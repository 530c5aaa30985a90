"""Control routes for time and async actions: the clock, run-until-idle, faults and timings.

The tenant is chosen by X-App-Id, as on the API.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.control.routes import read_json, tenant_of
from emulator.domain.store import Tenant
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError
from emulator.http.keys import TENANTS
from emulator.jobs.clock import ClockError, iso, parse_instant
from emulator.jobs.model import FaultRule, RowFault
from emulator.settings import JobTiming

Json = dict[str, Any]


def _bad(details: str) -> ApiError:
    return ApiError(400, "invalid_payload", details)


async def _json(request: web.Request) -> Json:
    body = await read_json(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise _bad("Request body must be object")
    return body


def _tenant(request: web.Request) -> Tenant:
    tenant = request.app[TENANTS].get(tenant_of(request))
    tenant.jobs.settle()
    return tenant


def _clock_view(tenant: Tenant) -> Json:
    clock = tenant.clock
    return {"mode": clock.mode, "scale": clock.scale, "now": iso(clock.now())}


async def get_clock(request: web.Request) -> web.Response:
    return json_response(200, _clock_view(_tenant(request)))


async def set_clock(request: web.Request) -> web.Response:
    tenant = _tenant(request)
    body = await _json(request)
    known = {"mode", "scale", "set", "advance_seconds"}
    if not body or set(body) - known:
        raise _bad(f"Send one or more of {sorted(known)}")
    try:
        if "mode" in body or "scale" in body:
            tenant.clock.switch(str(body.get("mode", tenant.clock.mode)), body.get("scale"))
        if "set" in body:
            tenant.clock.set(parse_instant(str(body["set"])))
        if "advance_seconds" in body:
            tenant.clock.advance(float(body["advance_seconds"]))
    except (ClockError, ValueError, TypeError) as error:
        raise _bad(str(error)) from None
    tenant.jobs.settle()
    return json_response(200, _clock_view(tenant))


async def run_until_idle(request: web.Request) -> web.Response:
    tenant = _tenant(request)
    finished = tenant.jobs.run_until_idle()
    now = tenant.clock.now()
    return json_response(200, {
        "now": iso(now),
        "finished": [job.view(now, with_result=True) for job in finished],
        "held": [job.id for job in tenant.jobs.newest_first() if job.hold and not job.finished],
    })  # fmt: skip


def _rows(spec: object) -> RowFault:
    if not isinstance(spec, dict):
        raise _bad("fail_rows must be an object: {source_ids|codes|rows, reason}")
    try:
        return RowFault.parse(spec)
    except (TypeError, ValueError) as error:
        raise _bad(f"fail_rows: {error}") from None


async def control_async_action(request: web.Request) -> web.Response:
    tenant = _tenant(request)
    body = await _json(request)
    job_id = request.match_info["asyncActionId"]
    jobs = tenant.jobs
    if not body or set(body) - {"fail", "hold", "fail_rows"}:
        raise _bad('Send {"fail": "<reason>"}, {"hold": true|false} or {"fail_rows": {...}}')
    if "fail_rows" in body:
        jobs.fail_rows(job_id, _rows(body["fail_rows"]))
    if "hold" in body:
        jobs.hold(job_id, bool(body["hold"]))
    if "fail" in body:
        jobs.fail(job_id, str(body["fail"]))
    job = jobs.get(job_id)
    return json_response(200, job.view(tenant.clock.now(), with_result=True))


async def list_rules(request: web.Request) -> web.Response:
    return json_response(200, {"rules": [rule.view() for rule in _tenant(request).jobs.rules]})


async def add_rule(request: web.Request) -> web.Response:
    tenant = _tenant(request)
    body = await _json(request)
    known = {"type", "fail", "hold", "fail_rows", "count", "queue_delay"}
    if "type" not in body or set(body) - known:
        raise _bad('Send {"type": "<job type or *>", "fail"?, "hold"?, "fail_rows"?, "count"?, '
                   '"queue_delay"?}')  # fmt: skip
    count = body.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise _bad("count must be a positive integer")
    delay = body.get("queue_delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float)
                              or not 0 <= delay <= 86400):  # fmt: skip
        raise _bad("queue_delay must be a number of seconds from 0 to 86400")
    rule = FaultRule(
        type=str(body["type"]),
        fail=None if body.get("fail") is None else str(body["fail"]),
        hold=bool(body.get("hold", False)),
        rows=None if body.get("fail_rows") is None else _rows(body["fail_rows"]),
        remaining=count,
        queue_delay=None if delay is None else float(delay),
    )
    tenant.jobs.rules.append(rule)
    return json_response(200, {"rules": [r.view() for r in tenant.jobs.rules]})


async def clear_rules(request: web.Request) -> web.Response:
    _tenant(request).jobs.rules.clear()
    return json_response(200, {"rules": []})


async def set_timing(request: web.Request) -> web.Response:
    tenant = _tenant(request)
    body = await _json(request)
    job_type = body.pop("type", None)
    if not isinstance(job_type, str) or set(body) - {"queue_delay", "item_seconds", "portion_size"}:
        raise _bad('Send {"type": "<job type>", "queue_delay"?, "item_seconds"?, "portion_size"?}')
    current = tenant.jobs.timing(job_type)
    try:
        tenant.timings[job_type] = JobTiming(
            queue_delay=float(body.get("queue_delay", current.queue_delay)),
            item_seconds=float(body.get("item_seconds", current.item_seconds)),
            portion_size=int(body.get("portion_size", current.portion_size)),
        )
    except (TypeError, ValueError) as error:
        raise _bad(str(error)) from None
    timing = tenant.timings[job_type]
    return json_response(200, {"type": job_type, **timing.__dict__})


async def report(request: web.Request) -> web.Response:
    tenant = request.app[TENANTS].get(request.match_info["tenant"])
    tenant.jobs.settle()
    job = tenant.jobs.get(request.match_info["asyncActionId"])
    lines = getattr(job.work, "report_csv", None)
    if lines is None or not job.finished:
        raise ApiError(404, "not_found", f"No report for async_action {job.id}",
                       job.id, "async_action", message="Resource not found")  # fmt: skip
    return web.Response(text=lines(), content_type="text/csv")


def add_job_control_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/_emulator/clock", get_clock)
    router.add_post("/_emulator/clock", set_clock)
    router.add_post("/_emulator/async-actions/run-until-idle", run_until_idle)
    router.add_get("/_emulator/async-actions/rules", list_rules)
    router.add_post("/_emulator/async-actions/rules", add_rule)
    router.add_delete("/_emulator/async-actions/rules", clear_rules)
    router.add_post("/_emulator/async-actions/timings", set_timing)
    router.add_post("/_emulator/async-actions/{asyncActionId}", control_async_action)
    router.add_get("/_emulator/reports/{tenant}/{asyncActionId}", report)
