"""Customers: every operation of the customers tag except the asynchronous ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from emulator.domain.activity import ActivityQuery
from emulator.domain.customer_list import CustomerQuery
from emulator.domain.redeemables import RedeemableQuery, holding_view, list_redeemables
from emulator.jobs.clock import parse_instant
from emulator.routes.calls import Call, Handler, Reply, ok
from emulator.routes.vouchers import links

Json = dict[str, Any]


def _instant(call: Call, name: str) -> datetime | None:
    value = call.param(name)
    return None if value is None else parse_instant(value)


# Query parameters as CustomerQuery's fields: instants parsed, the rest as validated.
_INSTANTS = {
    "starting_after": "starting_after",
    "created_at[before]": "created_before", "created_at[after]": "created_after",
    "updated_at[before]": "updated_before", "updated_at[after]": "updated_after",
}  # fmt: skip
_FIELDS = frozenset({"limit", "page", "order", "email", "city", "name", *_INSTANTS})


@lru_cache(maxsize=256)
def _query(sent: tuple[tuple[str, Any], ...]) -> CustomerQuery:
    """The query these parameters ask for (a frozen value: clients repeat their lists, and
    a query's set-up is a third of a small page's cost)."""
    fields: Json = {_INSTANTS.get(name, name): parse_instant(value) if name in _INSTANTS
                    else value for name, value in sent}  # fmt: skip
    return CustomerQuery(**fields)


def list_customers(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    sent = tuple(item for item in params.items() if item[0] in _FIELDS)
    try:
        query = _query(sent)
    except TypeError:  # a value that cannot be a key (another spec's list, say): made afresh
        query = _query.__wrapped__(sent)
    segment_id = params.get("segment_id")
    if segment_id is not None:  # its members are the tenant's, as they are now
        query = replace(query, members=tenant.members.get(segment_id, set()))
    page = tenant.customers.query(query)
    body = {"object": "list", "data_ref": "customers", "customers": page.entries,
            "total": page.total, "has_more": page.has_more}  # fmt: skip
    return Reply(200, body, views="customers")


def create_customer(call: Call) -> Reply:
    tenant, body = call.tenant, call.body or {}
    source_id = body.get("source_id")
    # an `id` updates that customer (or is a 404); a known source_id updates, as create upserts
    creates = not body.get("id") and (
        not source_id or tenant.customers.by_source_id(str(source_id)) is None
    )
    tenant.metadata_schemas.check_write("customer", body.get("metadata"), "metadata" in body,
                                        creates)  # fmt: skip
    return ok(tenant.customers.create(body))


def get_customer(call: Call) -> Reply:
    """As the vendor's example shows, a single customer read carries `assets`: links to the
    customer's cockpit, served by the emulator under /_emulator/cockpits."""
    entry = call.tenant.customers.entry(call.param("customerId"))
    cockpit = f"{call.base_url}/_emulator/cockpits/{quote(call.tenant.app_id, safe='')}"
    cockpit += f"/{entry.id}"
    assets = {"cockpit_url": cockpit, "cockpit_preference_center_url": f"{cockpit}/preferences"}
    return ok(entry.with_assets(assets))


def update_customer(call: Call) -> Reply:
    tenant, body = call.tenant, call.body or {}
    tenant.customers.entry(call.param("customerId"))  # an unknown customer is a 404 first
    tenant.metadata_schemas.check_write("customer", body.get("metadata"), "metadata" in body,
                                        creates=False)  # fmt: skip
    return ok(tenant.customers.update(call.param("customerId"), body))


def delete_customer(call: Call) -> Reply:
    call.tenant.customers.delete(call.param("customerId"))
    return Reply(204)


def customer_permanently_deletion(call: Call) -> Reply:
    return ok(call.tenant.erase_customer(call.param("customerId")))


def _activity_query(call: Call) -> ActivityQuery:
    order = call.param("order") or "-created_at"
    return ActivityQuery(
        limit=call.param("limit", 10),
        order="-created_at" if order.startswith("-") else "created_at",
        starting_after_id=call.param("starting_after_id"),
        starting_after=_instant(call, "starting_after"),
        start_date=_instant(call, "start_date"),
        end_date=_instant(call, "end_date"),
        category=call.param("category"),
        type=call.param("type"),
        campaign_id=call.param("campaign_id"),
        campaign_type=call.param("campaign_type"),
    )


def list_customer_activity(call: Call) -> Reply:
    tenant = call.tenant
    entry = tenant.customers.entry_any(call.param("customerId"))
    page = tenant.activity.list(entry, _activity_query(call))
    body: Json = {
        "object": "list",
        "data_ref": "data",
        "data": page.items,
        "has_more": page.has_more,
    }
    if page.more_starting_after is not None:
        body["more_starting_after"] = page.more_starting_after
    return ok(body)


def list_customer_activities(call: Call) -> Reply:
    tenant = call.tenant
    entry = tenant.customers.entry_any(call.param("customerId"))
    page = tenant.activity.list(entry, _activity_query(call))
    return ok({"object": "list", "data_ref": "data", "data": page.items, "total": page.total})


def list_customer_segments(call: Call) -> Reply:
    """The customer's segments. For an id or source_id the tenant does not store, the vendor
    answers with the segments such a customer would qualify for, not a 404: see
    `Tenant.segments_of` for why that is none here."""
    tenant = call.tenant
    entry = tenant.customers.find(call.param("customerId"))
    segments = tenant.segments_of(None if entry is None else entry.id)
    return ok({"object": "list", "data_ref": "data", "data": segments, "total": len(segments)})


def list_customer_redeemables(call: Call) -> Reply:
    """What was published to the customer, as the vouchers are now, and what fixtures seeded."""
    tenant = call.tenant
    customer = tenant.customers.get(call.param("customerId"))
    now = tenant.clock.now()
    held = [
        holding_view(holding, tenant.campaigns, links(call), now)
        for holding in tenant.publications.holders.get(customer["id"], [])
    ]
    query = RedeemableQuery(
        limit=call.param("limit", 10), order=call.param("order") or "id",
        starting_after_id=call.param("starting_after_id"), filters=call.param("filters") or {},
    )  # fmt: skip
    page = list_redeemables([*held, *tenant.redeemables.get(customer["id"], [])], query, now)
    body: Json = {
        "object": "list", "data_ref": "data", "data": page.items, "total": page.total,
        "has_more": page.has_more,
    }  # fmt: skip
    if page.more_starting_after is not None:
        body["more_starting_after"] = page.more_starting_after
    return ok(body)


HANDLERS: dict[str, Handler] = {
    "list-customers": list_customers,
    "create-customer": create_customer,
    "get-customer": get_customer,
    "update-customer": update_customer,
    "delete-customer": delete_customer,
    "customer-permanently-deletion": customer_permanently_deletion,
    "list-customer-activity": list_customer_activity,
    "list-customer-activities": list_customer_activities,
    "list-customer-segments": list_customer_segments,
    "list-customer-redeemables": list_customer_redeemables,
}
