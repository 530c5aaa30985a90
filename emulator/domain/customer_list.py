"""Listing customers: the vendor's filters, orders, `starting_after` cursor and page arithmetic."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.domain.customers import Entry

Json = dict[str, Any]


@dataclass(frozen=True)
class CustomerQuery:
    limit: int = 10
    page: int = 1
    order: str | None = None
    starting_after: datetime | None = None
    email: str | None = None
    city: str | None = None
    name: str | None = None
    members: Collection[str] | None = None  # ids of the segment given as segment_id
    created_before: datetime | None = None
    created_after: datetime | None = None
    updated_before: datetime | None = None
    updated_after: datetime | None = None


@dataclass(frozen=True)
class Page:
    items: list[Json]
    total: int
    has_more: bool


def _sort_key(field: str) -> Callable[[Entry], Any]:
    if field == "created_at":
        return lambda e: (e.created, e.seq)
    if field == "updated_at":
        return lambda e: (e.touched, e.seq)
    return lambda e: (e.data.get("source_id") or "", e.seq)


def _matches(entry: Entry, q: CustomerQuery) -> bool:
    data = entry.data
    address = data.get("address") or {}
    checks = (
        q.email is None or data.get("email") == q.email,
        q.name is None or data.get("name") == q.name,
        q.city is None or address.get("city") == q.city,
        q.members is None or data["id"] in q.members,
        q.created_before is None or entry.created < q.created_before,
        q.created_after is None or entry.created > q.created_after,
        q.updated_before is None
        or (entry.updated is not None and entry.updated < q.updated_before),
        q.updated_after is None or (entry.updated is not None and entry.updated > q.updated_after),
    )
    return all(checks)


def list_customers(entries: Iterable[Entry], q: CustomerQuery) -> Page:
    """Newest first by default. `starting_after` is a created_at cursor: with an ascending
    created_at/updated_at order it yields newer records, otherwise older ones."""
    selected = [entry for entry in entries if _matches(entry, q)]
    order = q.order or "-created_at"
    ascending = not order.startswith("-")
    if q.starting_after is not None:
        cursor = q.starting_after
        if ascending and order in ("created_at", "updated_at"):
            selected = [e for e in selected if e.created > cursor]
        else:
            selected = [e for e in selected if e.created < cursor]
    selected.sort(key=_sort_key(order.lstrip("-")), reverse=not ascending)
    start = (q.page - 1) * q.limit
    window = selected[start : start + q.limit]
    return Page([e.data for e in window], len(selected), start + q.limit < len(selected))
