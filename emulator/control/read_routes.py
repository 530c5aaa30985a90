"""Read-only control routes the dashboard shows (and tests can call): tenants, a searchable
customer table with loyalty points and segments, and every async action with its progress.
They are not journaled, so watching the dashboard never crowds a test's requests out."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.control.checks import int_query
from emulator.control.routes import read_tenant
from emulator.domain.customers import Entry
from emulator.domain.store import Tenant
from emulator.http.endpoint import json_response
from emulator.http.keys import TENANTS
from emulator.jobs.clock import iso

Json = dict[str, Any]


async def list_tenants(request: web.Request) -> web.Response:
    tenants = [
        {"app_id": tenant.app_id, "customers": sum(1 for _ in tenant.customers.entries()),
         "async_actions": len(tenant.jobs.newest_first())}
        for tenant in request.app[TENANTS].existing()
    ]  # fmt: skip
    return json_response(200, {"tenants": tenants})


def _matches(entry: Entry, needle: str) -> bool:
    """Searched in the stored fields: the public object is not put together per customer."""
    own = entry.own
    values = (own.get("source_id"), own.get("name"), own.get("email"), entry.id)
    return any(needle in str(value or "").casefold() for value in values)


def _row(tenant: Tenant, entry: Entry, labels: dict[str, tuple[str, str]]) -> Json:
    data = entry.data
    segments = []
    for segment in tenant.segments_of(data["id"]):
        category, value = labels.get(segment["id"], (None, None))
        segments.append({"id": segment["id"], "name": segment["name"],
                         "category": category, "value": value})  # fmt: skip
    return {
        "id": data["id"], "source_id": data.get("source_id"), "name": data.get("name"),
        "email": data.get("email"), "loyalty_points": data["loyalty"]["points"],
        "segments": segments, "created_at": data["created_at"],
    }  # fmt: skip


async def list_customers(request: web.Request) -> web.Response:
    """Newest first; `search` matches identifier, name, email or id (case-insensitively);
    `segment_id` keeps one segment's members; `page` and `limit` (1..100) page through."""
    limit = int_query(request, "limit", 20, 1, 100)
    page = int_query(request, "page", 1, 1, 1_000_000)
    needle = request.query.get("search", "").strip().casefold()
    segment_id = request.query.get("segment_id")
    async with read_tenant(request) as tenant:
        return json_response(200, _customers(tenant, needle, segment_id, page, limit))


def _customers(tenant: Tenant, needle: str, segment_id: str | None, page: int, limit: int) -> Json:
    members = None if segment_id is None else tenant.members.get(segment_id, set())
    chosen = [
        entry for entry in reversed(list(tenant.customers.entries()))
        if (not needle or _matches(entry, needle))
        and (members is None or entry.id in members)
    ]  # fmt: skip
    start = (page - 1) * limit
    labels = tenant.categories.labels()
    rows = [_row(tenant, entry, labels) for entry in chosen[start : start + limit]]
    return {
        "customers": rows, "total": len(chosen), "page": page, "limit": limit,
        "has_more": start + limit < len(chosen),
        "categories": tenant.categories.view(tenant.customers.is_live),
    }  # fmt: skip


async def list_async_actions(request: web.Request) -> web.Response:
    """Every async action of the tenant, newest first, with result, progress and hold."""
    limit = int_query(request, "limit", 50, 1, 1000)
    async with read_tenant(request) as tenant:
        jobs = tenant.jobs.newest_first()
        now = tenant.clock.now()
        actions = [{**job.view(now, with_result=True), "hold": job.hold} for job in jobs[:limit]]
        return json_response(200, {
            "async_actions": actions, "has_more": len(jobs) > limit, "now": iso(now),
        })  # fmt: skip


def add_read_routes(app: web.Application) -> None:
    app.router.add_get("/_emulator/tenants", list_tenants)
    app.router.add_get("/_emulator/customers", list_customers)
    app.router.add_get("/_emulator/async-actions", list_async_actions)
