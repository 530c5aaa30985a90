"""Listing vouchers (`GET /v1/vouchers`): the vendor's filters, orders and page arithmetic.

Newest first by default. Every voucher of the project is listed: imported, generated and
published ones alike.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.domain.filters import DATE, TEXT, Getter, compile_filters
from emulator.jobs.clock import parse_instant

Json = dict[str, Any]
_FIELDS = ("id", "code", "campaign", "campaign_id", "category", "category_id", "type",
           "holder_id", "active", "is_referral_code")  # fmt: skip


def _getter(name: str) -> Getter:
    def read(voucher: Json) -> Any:
        value = voucher.get(name)
        return str(value).lower() if isinstance(value, bool) else value  # true / false

    return read


FILTER_FIELDS: dict[str, tuple[str, Getter]] = {
    **{name: (TEXT, _getter(name)) for name in _FIELDS},
    "created_at": (DATE, _getter("created_at")),
    "updated_at": (DATE, _getter("updated_at")),
}


@dataclass(frozen=True)
class VoucherQuery:
    limit: int = 10
    page: int = 1
    order: str = "-created_at"
    campaign_ids: Collection[str] | None = None  # from `campaign` (a name) and `campaign_id`
    holder_id: str | None = None  # from `customer`, resolved to the customer's id
    category: str | None = None
    code: str | None = None
    ids: Collection[str] | None = None
    created: tuple[datetime | None, datetime | None] = (None, None)  # after, before
    updated: tuple[datetime | None, datetime | None] = (None, None)
    filters: Json = field(default_factory=dict)


def _within(text: str | None, bounds: tuple[datetime | None, datetime | None]) -> bool:
    after, before = bounds
    if after is None and before is None:
        return True
    if text is None:
        return False
    instant = parse_instant(text)
    return (after is None or instant > after) and (before is None or instant < before)


def _matches(voucher: Json, q: VoucherQuery) -> bool:
    checks = (
        q.campaign_ids is None or voucher.get("campaign_id") in q.campaign_ids,
        q.holder_id is None or voucher.get("holder_id") == q.holder_id,
        q.category is None or q.category in (voucher.get("category"), voucher.get("category_id")),
        q.code is None or voucher["code"] == q.code,
        q.ids is None or voucher["id"] in q.ids,
        _within(voucher.get("created_at"), q.created),
        _within(voucher.get("updated_at"), q.updated),
    )
    return all(checks)


def _sort_key(name: str) -> Callable[[tuple[int, Json]], Any]:
    if name == "code":
        return lambda pair: (pair[1]["code"], pair[0])
    return lambda pair: (parse_instant(pair[1].get(name) or pair[1]["created_at"]), pair[0])


def list_vouchers(
    vouchers: Iterable[Json], q: VoucherQuery, now: datetime
) -> tuple[list[Json], int]:
    """The page asked for and the number of vouchers that match."""
    wanted = compile_filters(q.filters, FILTER_FIELDS, now)
    chosen = [(seq, v) for seq, v in enumerate(vouchers) if _matches(v, q) and wanted(v)]
    chosen.sort(key=_sort_key(q.order.lstrip("-")), reverse=q.order.startswith("-"))
    start = (q.page - 1) * q.limit
    return [voucher for _, voucher in chosen[start : start + q.limit]], len(chosen)
