"""Async actions: list (newest first, no result) and get one (with its result)."""

from __future__ import annotations

from emulator.jobs.clock import parse_instant
from emulator.routes.calls import Call, Handler, Reply, ok


def list_async_actions(call: Call) -> Reply:
    tenant = call.tenant
    end_date = call.param("end_date")
    jobs = tenant.jobs.newest_first(None if end_date is None else parse_instant(end_date))
    limit = call.param("limit", 10)
    now = tenant.clock.now()
    return ok({
        "object": "list",
        "data_ref": "async_actions",
        "async_actions": [job.view(now, with_result=False) for job in jobs[:limit]],
        "has_more": len(jobs) > limit,
    })  # fmt: skip


def get_async_action(call: Call) -> Reply:
    tenant = call.tenant
    job = tenant.jobs.get(call.param("asyncActionId"))
    return ok(job.view(tenant.clock.now(), with_result=True))


HANDLERS: dict[str, Handler] = {
    "list-async-actions": list_async_actions,
    "get-async-action": get_async_action,
}
