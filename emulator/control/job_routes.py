"""Control routes for time and async actions: the clock, run-until-idle, faults and timings.

The tenant is chosen by X-App-Id, as on the API. Reading (GET) never creates a tenant. Every
body is checked like an API body: a wrong type, a number that is not finite or out of range, an
instant outside what a clock can show is a 400 naming the field, and nothing changes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from emulator.control.routes import own_tenant, read_json, tenant_of
from emulator.domain.store import Tenant
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError
from emulator.http.keys import SETTINGS, TENANTS
from emulator.http.tenancy import registered, serving, settled, time_is_up
from emulator.jobs.clock import ClockError, iso, parse_instant
from emulator.jobs.model import JOB_TYPES, FaultRule, RowFault
from emulator.settings import JobTiming

Json = dict[str, Any]
MAX_COUNT = 1_000_000_000
MAX_REASON = 1000


def _slice(request: web.Request) -> float:
    return request.app[SETTINGS].slice_seconds


def _bad(details: str) -> ApiError:
    return ApiError(400, "invalid_payload", details)


async def _json(request: web.Request) -> Json:
    body = await read_json(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise _bad("Request body must be object")
    return body


def _clock_view(tenant: Tenant) -> Json:
    clock = tenant.clock
    return {"mode": clock.mode, "scale": clock.scale, "now": iso(clock.now())}


async def get_clock(request: web.Request) -> web.Response:
    tenants = request.app[TENANTS]
    name = tenant_of(request)
    found = tenants.find(name)
    if found is None:  # not created by reading: how its clock would start
        return json_response(200, _clock_view(tenants.bare(name)))
    async with serving(registered(tenants, found), _slice(request)) as tenant:
        return json_response(200, _clock_view(tenant))


def _move_clock(tenant: Tenant, body: Json) -> None:
    clock = tenant.clock
    if "set" in body and not isinstance(body["set"], str):
        raise ClockError("set must be an ISO 8601 date-time string")
    target = parse_instant(body["set"]) if "set" in body else None
    if "mode" in body or "scale" in body:
        clock.switch(body.get("mode", clock.mode), body.get("scale"))
    if target is not None:
        clock.set(target)
    if "advance_seconds" in body:
        clock.advance(body["advance_seconds"])


async def set_clock(request: web.Request) -> web.Response:
    body = await _json(request)
    known = {"mode", "scale", "set", "advance_seconds"}
    if not body or set(body) - known:
        raise _bad(f"Send one or more of {sorted(known)}")
    async with own_tenant(request) as tenant:
        saved = tenant.clock.export()
        try:
            _move_clock(tenant, body)
        except (ClockError, ValueError, TypeError, OverflowError) as error:
            tenant.clock.load(saved)  # all or nothing
            raise _bad(str(error)) from None
        tenant.changes.touch()
        await settled(tenant, _slice(request))
        return json_response(200, _clock_view(tenant))


async def run_until_idle(request: web.Request) -> web.Response:
    async with own_tenant(request) as tenant:
        pending = tenant.jobs.unfinished()
        while not tenant.jobs.run_until_idle(time_is_up(_slice(request))):
            await asyncio.sleep(0)
        now = tenant.clock.now()
        return json_response(200, {
            "now": iso(now),
            "finished": [job.view(now, with_result=True) for job in pending if job.finished],
            "held": [job.id for job in tenant.jobs.newest_first()
                     if job.hold and not job.finished],
        })  # fmt: skip


def _rows(spec: object) -> RowFault:
    if not isinstance(spec, dict):
        raise _bad("fail_rows must be an object: {source_ids|codes|rows, reason}")
    try:
        return RowFault.parse(spec)
    except (TypeError, ValueError) as error:
        raise _bad(f"fail_rows: {error}") from None


def _reason(body: Json, name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_REASON:
        raise _bad(f"{name} must be a reason: text of 1 to {MAX_REASON} characters")
    return value


def _flag(body: Json, name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise _bad(f"{name} must be true or false")
    return value


async def control_async_action(request: web.Request) -> web.Response:
    body = await _json(request)
    job_id = request.match_info["asyncActionId"]
    if not body or set(body) - {"fail", "hold", "fail_rows"}:
        raise _bad('Send {"fail": "<reason>"}, {"hold": true|false} or {"fail_rows": {...}}')
    reason, hold = _reason(body, "fail"), _flag(body, "hold")
    rows = _rows(body["fail_rows"]) if "fail_rows" in body else None
    async with own_tenant(request) as tenant:
        jobs = tenant.jobs
        if rows is not None:
            jobs.fail_rows(job_id, rows)
        if hold is not None:
            jobs.hold(job_id, hold)
        if reason is not None:
            jobs.fail(job_id, reason)
        await settled(tenant, _slice(request))
        job = jobs.get(job_id)
        return json_response(200, job.view(tenant.clock.now(), with_result=True))


async def list_rules(request: web.Request) -> web.Response:
    tenant = request.app[TENANTS].find(tenant_of(request))
    rules = [] if tenant is None else [rule.view() for rule in tenant.jobs.rules]
    return json_response(200, {"rules": rules})


async def add_rule(request: web.Request) -> web.Response:
    body = await _json(request)
    known = {"type", "fail", "hold", "fail_rows", "count", "queue_delay"}
    if set(body) - known:
        raise _bad('Send {"type": "<job type or *>", "fail"?, "hold"?, "fail_rows"?, "count"?, '
                   '"queue_delay"?}')  # fmt: skip
    if body.get("type") not in (*JOB_TYPES, "*"):  # a rule for no type would never match
        raise _bad(f'type must be "*" or one of {", ".join(JOB_TYPES)}')
    count = body.get("count")
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT
    ):
        raise _bad(f"count must be a whole number from 1 to {MAX_COUNT:,}")
    delay = body.get("queue_delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float)
                              or not 0 <= delay <= 86400):  # fmt: skip
        raise _bad("queue_delay must be a number of seconds from 0 to 86400")
    rule = FaultRule(
        type=body["type"],
        fail=_reason(body, "fail"),
        hold=bool(_flag(body, "hold")),
        rows=None if body.get("fail_rows") is None else _rows(body["fail_rows"]),
        remaining=count,
        queue_delay=None if delay is None else float(delay),
    )
    async with own_tenant(request) as tenant:
        tenant.jobs.rules.append(rule)
        tenant.changes.touch()
        return json_response(200, {"rules": [r.view() for r in tenant.jobs.rules]})


async def clear_rules(request: web.Request) -> web.Response:
    async with own_tenant(request) as tenant:
        tenant.jobs.rules.clear()
        tenant.changes.touch()
    return json_response(200, {"rules": []})


def _timing(body: Json, current: JobTiming) -> JobTiming:
    try:
        return JobTiming(
            queue_delay=body.get("queue_delay", current.queue_delay),
            item_seconds=body.get("item_seconds", current.item_seconds),
            portion_size=body.get("portion_size", current.portion_size),
        )
    except (TypeError, ValueError) as error:
        raise _bad(str(error)) from None


async def set_timing(request: web.Request) -> web.Response:
    body = await _json(request)
    job_type = body.pop("type", None)
    if not isinstance(job_type, str) or set(body) - {"queue_delay", "item_seconds", "portion_size"}:
        raise _bad('Send {"type": "<job type>", "queue_delay"?, "item_seconds"?, "portion_size"?}')
    # Checked before the tenant is taken (a 400 makes no tenant, nor evicts one for it): the
    # values first, each on its own, then the type.
    _timing(body, JobTiming())
    if job_type not in JOB_TYPES:
        raise _bad(f"type must be one of {', '.join(JOB_TYPES)}")
    async with own_tenant(request) as tenant:
        timing = _timing(body, tenant.jobs.timing(job_type))
        tenant.timings[job_type] = timing
        tenant.changes.touch()
        return json_response(200, {"type": job_type, **timing.__dict__})


async def report(request: web.Request) -> web.Response:
    found = request.app[TENANTS].find(request.match_info["tenant"])
    job_id = request.match_info["asyncActionId"]
    if found is None:
        raise ApiError(404, "not_found", f"Cannot find async_action with id {job_id}",
                       job_id, "async_action", message="Resource not found")  # fmt: skip
    async with serving(registered(request.app[TENANTS], found), _slice(request)) as tenant:
        job = tenant.jobs.get(job_id)
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
