"""One stored customer: its own fields, what ordering and filtering need, and its history.

A customer is stored as `own`: the fields that are its own (source_id, name, email, address,
metadata, ... and a zeroed sub-object once it is no longer zero). Its id, created_at and
updated_at come from the entry, and the zeroed sub-objects every new customer has (summary,
loyalty, referrals, system_metadata) are one object shared by all (ZEROED); the public object
is put together when asked for (`Entry.data`), in the vendor's key order. A customer imported
from a CSV holds a dict of five keys instead of seventeen.

The history is compact: each event keeps only what changed (the fields an update sent; the
whole object for a creation, shared with the live customer until it is next written), and a
customer's object at any event is rebuilt by folding the changes onto `base`, which holds what
evicted events had changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from emulator.jobs.clock import iso

Json = dict[str, Any]

# Fields a client may set (CustomerBase); every other request field is ignored.
WRITABLE = ("name", "description", "email", "phone", "birthday", "birthdate", "address", "metadata")
# The vendor's key order in a customer object.
KEY_ORDER = (
    "id", "source_id", "name", "description", "email", "phone", "birthday", "birthdate",
    "address", "summary", "loyalty", "referrals", "metadata", "system_metadata",
    "created_at", "updated_at", "assets", "object",
)  # fmt: skip
UPDATED = "customer.updated"
CREATED = "customer.created"
# Written by the entry, never stored in `own` (a full object read from an older record may
# carry them: they are dropped there, or win over the entry's in a creation's changes).
DERIVED = frozenset({"id", "created_at", "updated_at", "object"})


def zeroed() -> Json:
    """The zeroed sub-objects every new customer starts with."""
    return {
        "summary": {
            "redemptions": {
                "total_redeemed": 0, "total_failed": 0, "total_succeeded": 0,
                "total_rolled_back": 0, "total_rollback_failed": 0,
                "total_rollback_succeeded": 0,
                "gift": {"redeemed_amount": 0, "amount_to_go": 0},
                "loyalty_card": {"redeemed_points": 0, "points_to_go": 0},
            },
            "orders": {
                "total_amount": 0, "total_count": 0, "average_amount": 0, "last_order_amount": 0,
            },
        },
        "loyalty": {"points": 0, "referred_customers": 0, "campaigns": {}},
        "referrals": {"total": 0, "campaigns": []},
        "system_metadata": {},
    }  # fmt: skip


# One set for every customer of every tenant: nothing changes a stored object in place (a
# write replaces a top-level value), so sharing is safe; treat it as a constant.
ZEROED: Json = zeroed()
_DEFAULTS: Json = {"address": None, **ZEROED, "object": "customer"}


class Event(NamedTuple):
    seq: int  # the tenant's event counter: the order events happened in
    id: str
    type: str
    when: datetime
    group_id: str
    changes: Json | None  # None: nothing changed (a deletion)


def instant(value: str | datetime) -> datetime:
    """A saved instant: records keep datetimes (orjson writes them as ISO 8601) and read back
    text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def ordered(data: Json) -> Json:
    known = {key: data[key] for key in KEY_ORDER if key in data}
    extra = {key: value for key, value in data.items() if key not in known}
    return {**known, **extra}


def whole(
    customer_id: str, own: Json, created: datetime, updated: datetime | None,
    assets: Json | None = None,
) -> Json:  # fmt: skip
    """The public object of a customer, in the vendor's key order (with `assets` links, as a
    single customer read shows them): a copy of the template for the shape of `own`, with
    `own`'s values and the entry's written in."""
    template, fill_created, fill_updated, fill_assets = _template(
        tuple(own), updated is not None, assets is not None
    )
    data = template.copy()
    data.update(own)
    data["id"] = customer_id
    if fill_created:
        data["created_at"] = iso(created)
    if fill_updated:
        data["updated_at"] = iso(updated)  # type: ignore[arg-type]  # fill_updated: not None
    if fill_assets:
        data["assets"] = assets
    return data


@lru_cache(maxsize=1024)
def _template(
    keys: tuple[str, ...], updated: bool, assets: bool
) -> tuple[Json, bool, bool, bool]:
    """For customers whose own fields are `keys`: every key of the public object in the
    vendor's order (keys outside KEY_ORDER last, as ordered() puts them), with the defaults
    filled in (never changed: whole() copies it), and which of created_at, updated_at and
    assets the entry writes (a key of `own` wins over the entry's). A handful of shapes cover
    a tenant: a CSV import's rows share one."""
    own = frozenset(keys)
    data: Json = {"id": None}
    for key in KEY_ORDER:
        if key in own and key != "id":
            data[key] = None  # own's value, written by whole()
        elif key in _DEFAULTS:
            data[key] = _DEFAULTS[key]
        elif key == "created_at" or (key == "updated_at" and updated) or (
            key == "assets" and assets
        ):
            data[key] = None  # the entry's, written by whole()
    for key in keys:
        if key not in data and key not in DERIVED:
            data[key] = None
    return (data, "created_at" not in own, updated and "updated_at" not in own,
            assets and "assets" not in own)  # fmt: skip


def own_part(data: Json, shared: set[str] | frozenset[str] = frozenset()) -> Json:
    """What of a public object is the customer's own (`shared`: sub-objects to leave zeroed)."""
    return {key: value for key, value in data.items()
            if key not in DERIVED and key not in shared}  # fmt: skip


def changes_of(entry: Entry, event: Event) -> Json | None:
    """What `event` set: a creation's changes are the customer's own fields as created."""
    if event.type == CREATED and event.changes is not None:
        return whole(entry.id, event.changes, event.when, None)
    return event.changes


def fold(entry: Entry, state: Json, event: Event) -> Json:
    """The customer's object after `event`, given the object before it (a new dict)."""
    changes = changes_of(entry, event)
    after = {**state, **changes} if changes else dict(state)
    if event.type == UPDATED:
        after["updated_at"] = iso(event.when)
    return after


@dataclass(slots=True, eq=False)  # compared by identity (the indexes find them so)
class Entry:
    id: str
    own: Json  # replaced on every write, never changed in place (history shares it)
    seq: int
    created: datetime
    updated: datetime | None = None
    events: list[Event] = field(default_factory=list)  # retained, oldest first
    base: Json | None = None  # the object before the first retained event (None: empty)
    deleted: bool = False

    @property
    def touched(self) -> datetime:
        return self.updated or self.created

    @property
    def version(self) -> Json:
        """What the public object is made of, told apart by identity: every write replaces
        `own` (never changing it in place) and sets `updated` with it; the id and creation
        instant never change. (Not by equality: a new `own` may equal the old one, as
        {"x": 1} equals {"x": True} and {"a": 1, "b": 2} equals {"b": 2, "a": 1}, and on a
        manual clock `updated` may not move.)"""
        return self.own

    @property
    def data(self) -> Json:
        """The public object (a new dict each time)."""
        return whole(self.id, self.own, self.created, self.updated)

    def with_assets(self, assets: Json) -> Json:
        return whole(self.id, self.own, self.created, self.updated, assets)
