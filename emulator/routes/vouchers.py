"""Vouchers: get one by code (or id), and list them with the vendor's filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.domain.errors import InvalidInput
from emulator.domain.store import Tenant
from emulator.domain.voucher_list import VoucherQuery
from emulator.domain.voucher_list import list_vouchers as run_query
from emulator.domain.voucher_model import Links, voucher_view
from emulator.jobs.clock import parse_instant
from emulator.routes.calls import Call, Handler, Reply, ok

Json = dict[str, Any]


def links(call: Call) -> Links:
    return Links(call.base_url, call.tenant.app_id)


def categories_of(tenant: Tenant, voucher: Json) -> list[Json]:
    return tenant.campaigns.categories_of(voucher)


def get_voucher(call: Call) -> Reply:
    tenant = call.tenant
    voucher = tenant.campaigns.voucher(call.param("code"))
    campaign = tenant.campaigns.get(voucher["campaign_id"])
    rules = campaign.get("validation_rules_assignments") or {
        "object": "list", "data_ref": "data", "data": [], "total": 0,
    }  # fmt: skip
    extra = {"categories": categories_of(tenant, voucher), "validation_rules_assignments": rules}
    return ok(voucher_view(voucher, links(call), extra))


def bounds(call: Call, name: str) -> tuple[datetime | None, datetime | None]:
    """`created_at[after]` / `created_at[before]` (a deepObject) as instants."""
    raw = call.param(name) or {}
    found: list[datetime | None] = []
    for edge in ("after", "before"):
        text = raw.get(edge) if isinstance(raw, dict) else None
        try:
            found.append(None if text is None else parse_instant(str(text)))
        except ValueError:
            raise InvalidInput(
                f"Property .{name}.{edge} cannot be recognized as a ISO-8601 compliant date",
                key="invalid_query_params",
            ) from None
    return found[0], found[1]


def campaign_ids(call: Call) -> set[str] | None:
    """`campaign` (a name or id) and `campaign_id` narrow the list to those campaigns."""
    keys = [key for key in (call.param("campaign"), call.param("campaign_id")) if key]
    if not keys:
        return None
    known = {c["id"]: c for c in call.tenant.campaigns.all()}
    by_name = {c["name"]: c["id"] for c in known.values()}
    return {key if key in known else by_name.get(key, key) for key in keys}


def holder(call: Call, name: str) -> str | None:
    key = call.param(name)
    if key is None:
        return None
    entry = call.tenant.customers.find(key)
    return key if entry is None else entry.id


def list_vouchers(call: Call) -> Reply:
    tenant = call.tenant
    query = VoucherQuery(
        limit=call.param("limit", 10), page=call.param("page", 1),
        order=call.param("order") or "-created_at", campaign_ids=campaign_ids(call),
        holder_id=holder(call, "customer"), category=call.param("category"),
        code=call.param("code"), ids=call.param("ids"),
        created=bounds(call, "created_at"), updated=bounds(call, "updated_at"),
        filters=call.param("filters") or {},
    )  # fmt: skip
    page, total = run_query(tenant.campaigns.all_vouchers(), query, tenant.clock.now())
    shown = [voucher_view(v, links(call), {"categories": categories_of(tenant, v)}) for v in page]
    return ok({"object": "list", "data_ref": "vouchers", "vouchers": shown, "total": total})


HANDLERS: dict[str, Handler] = {
    "get-voucher": get_voucher,
    "list-vouchers": list_vouchers,
}
