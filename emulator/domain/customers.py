"""Customers: upsert, lookup by id or source_id, partial update, soft and permanent deletion."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from emulator.domain.activity import ActivityLog
from emulator.domain.changes import Changes
from emulator.domain.customer_entry import UPDATED, WRITABLE, Entry, instant, ordered
from emulator.domain.customer_index import CustomerIndex
from emulator.domain.customer_list import CustomerQuery, Page, list_customers
from emulator.domain.errors import NotFound
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]
_BEFORE_ADDRESS = ("name", "description", "email", "phone", "birthday", "birthdate")
__all__ = ["WRITABLE", "Customers", "Entry"]


def blank_parts() -> Json:
    """The zeroed sub-objects every new customer starts with. One set is shared by every
    customer of every tenant (see Customers): nothing changes a stored nested object in place."""
    return {
        "summary": _new_summary(),
        "loyalty": {"points": 0, "referred_customers": 0, "campaigns": {}},
        "referrals": {"total": 0, "campaigns": []},
        "system_metadata": {},
    }


def _new_summary() -> Json:
    return {
        "redemptions": {
            "total_redeemed": 0, "total_failed": 0, "total_succeeded": 0,
            "total_rolled_back": 0, "total_rollback_failed": 0, "total_rollback_succeeded": 0,
            "gift": {"redeemed_amount": 0, "amount_to_go": 0},
            "loyalty_card": {"redeemed_points": 0, "points_to_go": 0},
        },
        "orders": {
            "total_amount": 0, "total_count": 0, "average_amount": 0, "last_order_amount": 0,
        },
    }  # fmt: skip


class Customers:
    def __init__(
        self,
        ids: IdGenerator,
        clock: Clock,
        activity: ActivityLog,
        changes: Changes | None = None,
        blank: Json | None = None,
    ) -> None:
        self._ids = ids
        self._clock = clock
        self._activity = activity
        self._changes = changes if changes is not None else Changes()
        self._live: dict[str, Entry] = {}
        self._order = CustomerIndex()  # the live customers in listing orders
        self._by_source: dict[str, str] = {}
        self._deleted: dict[str, Entry] = {}
        self._seq = 0
        self._last_stamp: tuple[datetime | None, str] = (None, "")
        self.revision = 0  # counts every write, so a reader can tell whether anything changed
        # The zeroed sub-objects every new customer starts with, shared between customers:
        # writes replace top-level values and never mutate a stored nested object in place,
        # which is also what lets the activity log share a new customer's object.
        self._blank: Json = blank if blank is not None else blank_parts()

    # -- lookups -------------------------------------------------------------------------
    def find(self, key: str) -> Entry | None:
        entry = self._live.get(key)
        if entry is None and key in self._by_source:
            entry = self._live[self._by_source[key]]
        return entry

    def entry(self, key: str) -> Entry:
        entry = self.find(key)
        if entry is None:
            raise NotFound("customer", key)
        return entry

    def get(self, key: str) -> Json:
        return self.entry(key).data

    def entries(self) -> Iterable[Entry]:
        return self._live.values()

    def query(self, q: CustomerQuery) -> Page:
        return list_customers(self._order, q, self._live)

    def by_source_id(self, source_id: str) -> Entry | None:
        """The live customer with exactly this source_id (never matched against ids)."""
        customer_id = self._by_source.get(source_id)
        return None if customer_id is None else self._live[customer_id]

    def entry_any(self, key: str) -> Entry:
        """A live customer, or a soft-deleted one by id; erasure and activity reach both."""
        entry = self.find(key) or self._deleted.get(key)
        if entry is None:
            raise NotFound("customer", key)
        return entry

    # -- writes --------------------------------------------------------------------------
    def create(self, body: Json) -> Json:
        """Upsert: an existing `id` or `source_id` updates that customer, as the vendor does."""
        if body.get("id"):
            return self.update(body["id"], body)
        source_id = body.get("source_id")
        if source_id and source_id in self._by_source:
            return self.update(source_id, body)
        return self._insert(body).data

    def upsert(
        self, source_id: str, fields: Json, points: int | None = None
    ) -> tuple[Json, bool]:
        """Update the customer with this source_id, or create it; tells whether it existed.
        `points` sets the loyalty points balance (no API body can)."""
        if source_id in self._by_source:
            return self.update(source_id, fields, points), True
        return self._insert({**fields, "source_id": source_id}, points=points).data, False

    def update(self, key: str, body: Json, points: int | None = None) -> Json:
        """Replace the fields sent (a new object: the old one may live on in the history)."""
        entry = self.entry(key)
        changes = {name: body[name] for name in WRITABLE if name in body}
        if points is not None:
            changes["loyalty"] = _with_points(entry.data["loyalty"], points)
        now = self._clock.now()
        self.revision += 1
        old = entry.data
        self._order.before_write(entry)
        entry.data = ordered({**old, **changes, "updated_at": self._stamp(now)})
        entry.updated = now
        self._order.after_write(entry)
        self._activity.replaced(entry, old)
        self._activity.record(entry, UPDATED, now, changes)
        self._changes.mark("customer", entry.id)
        return entry.data

    def delete(self, key: str) -> None:
        entry = self.entry(key)
        self.revision += 1
        self._forget(entry)
        entry.deleted = True
        self._deleted[entry.id] = entry
        self._activity.record(entry, "customer.deleted", self._clock.now(), None)
        self._changes.mark("customer", entry.id)

    def delete_permanently(self, key: str) -> Json:
        entry = self.entry_any(key)
        customer_id = entry.data["id"]
        self.revision += 1
        if customer_id in self._live:
            self._forget(entry)
        self._deleted.pop(customer_id, None)
        self._activity.erase(entry)
        self._changes.mark("customer", customer_id)
        # The counts of the recorded real response for a customer with no orders or custom
        # events: its own record events are not counted, and the customer_events /
        # order_events counters are not sent (DEVIATIONS.md D17).
        return {
            "id": self._ids.deletion(),
            "created_at": iso(self._clock.now()),
            "related_object_id": customer_id,
            "related_object": "customer",
            "status": "DONE",
            "data_json": {
                "events": 0, "daily_events": 0, "segments": 0, "orders": 0, "customer": 1,
            },
            "object": "pernament_deletion",
        }  # fmt: skip

    def seed(self, body: Json) -> Json:
        """Upsert a customer from seed data: an `id` or `source_id` already known updates that
        customer; otherwise it is created, keeping the seed's own id when it has one."""
        entry = (body.get("id") and self.find(body["id"])) or (
            body.get("source_id") and self.find(body["source_id"])
        )  # fmt: skip
        if entry:
            return self.update(entry.data["id"], body)
        return self._insert(body, body.get("id")).data

    # -- snapshots: one record per customer (its events are records of their own) ----------
    @property
    def counter(self) -> int:
        return self._seq

    @counter.setter
    def counter(self, value: int) -> None:
        self._seq = value

    def every_entry(self) -> list[Entry]:
        return [*self._live.values(), *self._deleted.values()]

    def by_id(self, customer_id: str) -> Entry | None:
        """A live or soft-deleted customer by id (None once erased)."""
        return self._live.get(customer_id) or self._deleted.get(customer_id)

    def dump(self, entry: Entry) -> Callable[[], Json]:
        """The customer as it is now, as a record to be made later (cheap to take: what it
        refers to is replaced, never changed in place)."""
        return partial(
            self._record, entry.data, entry.seq, entry.created, entry.updated, entry.deleted,
            entry.base,
        )  # fmt: skip

    def _record(
        self, data: Json, seq: int, created: datetime, updated: datetime | None, deleted: bool,
        base: Json | None,
    ) -> Json:  # fmt: skip
        """The zeroed sub-objects a customer still shares with every new one are written as
        null and named in "blank"."""
        blank = self._blank
        shared = [name for name in blank if data.get(name) is blank[name]]
        if shared:
            data = dict(data)
            for name in shared:
                data[name] = None
        return {
            "data": data, "blank": shared, "seq": seq, "created": created, "updated": updated,
            "deleted": deleted, "base": base,
        }  # fmt: skip

    def revive(self, record: Json) -> Entry:
        """A dumped customer, not yet put back (see `put`)."""
        data = record["data"]
        for name in record["blank"]:
            data[name] = self._blank[name]  # shared again; the key keeps its place
        updated = record["updated"]
        return Entry(
            data, int(record["seq"]), instant(record["created"]),
            instant(updated) if updated else None,
            base=record["base"], deleted=bool(record["deleted"]),
        )  # fmt: skip

    def put(self, entry: Entry) -> None:
        """Put back a revived customer (with its events attached)."""
        if entry.deleted:
            self._deleted[entry.id] = entry
        else:
            self._index(entry)

    # -- internals -----------------------------------------------------------------------
    def _insert(
        self, body: Json, customer_id: str | None = None, points: int | None = None
    ) -> Entry:
        now = self._clock.now()
        self.revision += 1
        entry = Entry(self._new_object(body, customer_id, points, now), self._next_seq(), now)
        self._index(entry)
        self._activity.record(entry, "customer.created", now, entry.data)
        self._changes.mark("customer", entry.id)
        return entry

    def _new_object(
        self, body: Json, customer_id: str | None, points: int | None, now: datetime
    ) -> Json:
        """A new customer's object, built in the vendor's key order (KEY_ORDER) at once."""
        data: Json = {"id": customer_id or self._ids.customer()}
        if body.get("source_id") is not None:
            data["source_id"] = body["source_id"]
        for name in _BEFORE_ADDRESS:
            if name in body:
                data[name] = body[name]
        blank = self._blank
        data["address"] = body.get("address")
        data["summary"] = blank["summary"]
        loyalty = blank["loyalty"]
        data["loyalty"] = loyalty if points is None else _with_points(loyalty, points)
        data["referrals"] = blank["referrals"]
        if "metadata" in body:
            data["metadata"] = body["metadata"]
        data["system_metadata"] = blank["system_metadata"]
        data["created_at"] = self._stamp(now)
        data["object"] = "customer"
        return data

    def _stamp(self, now: datetime) -> str:
        """`now` as the vendor writes instants; one string for writes at one instant (a
        manual clock stamps a whole import with one)."""
        if self._last_stamp[0] != now:
            self._last_stamp = (now, iso(now))
        return self._last_stamp[1]

    def _index(self, entry: Entry) -> None:
        customer_id = entry.data["id"]
        self._live[customer_id] = entry
        self._order.add(entry)
        source_id = entry.data.get("source_id")
        if source_id:
            self._by_source[source_id] = customer_id

    def _forget(self, entry: Entry) -> None:
        if self._live.pop(entry.data["id"], None) is not None:
            self._order.remove(entry)
        source_id = entry.data.get("source_id")
        if source_id and self._by_source.get(source_id) == entry.data["id"]:
            del self._by_source[source_id]

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq


def with_assets(data: Json, assets: Json) -> Json:
    """A copy of a stored customer with its `assets` links, in the vendor's key order."""
    return ordered({**data, "assets": assets})


def _with_points(loyalty: Json, points: int) -> Json:
    """A new loyalty object: the stored one may be shared and is never changed in place."""
    return {**loyalty, "points": points}
