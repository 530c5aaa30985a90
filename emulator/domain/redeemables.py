"""A customer's redeemables (`GET /v1/customers/{id}/redeemables`): what was published to them,
computed from the vouchers as they are now, plus what fixtures seeded; paged by id with the
`starting_after_id` cursor and the vendor's filters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.domain.campaigns import Campaigns
from emulator.domain.filters import DATE, TEXT, Getter, compile_filters
from emulator.domain.voucher_model import Links, redeemable_status, voucher_view

Json = dict[str, Any]


def _getter(name: str) -> Getter:
    return lambda item: item.get(name)


FILTER_FIELDS: dict[str, tuple[str, Getter]] = {
    **{name: (TEXT, _getter(name)) for name in (
        "id", "redeemable_id", "redeemable_object", "holder_role", "campaign_id",
        "campaign_type", "voucher_type")},
    "created_at": (DATE, _getter("created_at")),
}  # fmt: skip


@dataclass(frozen=True)
class RedeemableQuery:
    limit: int = 10
    order: str = "id"
    starting_after_id: str | None = None
    filters: Json = field(default_factory=dict)


@dataclass(frozen=True)
class RedeemablePage:
    items: list[Json]
    total: int
    has_more: bool
    more_starting_after: str | None


def holding_view(holding: Json, campaigns: Campaigns, links: Links, now: datetime) -> Json:
    """One published voucher as the customer holds it, with its status at `now`."""
    voucher = campaigns.voucher(holding["code"])
    campaign = campaigns.get(voucher["campaign_id"])
    shown = voucher_view(voucher, links, {"categories": campaigns.categories_of(voucher)})
    return {
        "id": holding["id"], "created_at": holding["created_at"],
        "redeemable_id": voucher["id"], "redeemable_object": "voucher",
        "customer_id": holding["customer_id"], "holder_role": holding["holder_role"],
        "campaign_id": campaign["id"], "campaign_type": campaign["campaign_type"],
        "voucher_type": voucher["type"],
        "redeemable": {"type": "voucher", "voucher": shown,
                       "status": redeemable_status(voucher, now)},
    }  # fmt: skip


def list_redeemables(items: Iterable[Json], q: RedeemableQuery, now: datetime) -> RedeemablePage:
    wanted = compile_filters(q.filters, FILTER_FIELDS, now)
    descending = q.order == "-id"
    chosen = sorted((i for i in items if wanted(i)), key=lambda i: str(i.get("id", "")),
                    reverse=descending)  # fmt: skip
    total, after = len(chosen), q.starting_after_id
    if after is not None:
        chosen = [i for i in chosen if (str(i.get("id", "")) < after if descending
                                        else str(i.get("id", "")) > after)]  # fmt: skip
    window, has_more = chosen[: q.limit], len(chosen) > q.limit
    more = str(window[-1].get("id", "")) if has_more else None
    return RedeemablePage(window, total, has_more, more)
