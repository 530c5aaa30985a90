"""Customers: upsert, lookup by id or source_id, partial update, soft and permanent deletion."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from emulator.domain.activity import ActivityLog
from emulator.domain.changes import Changes
from emulator.domain.customer_entry import (
    CREATED,
    UPDATED,
    WRITABLE,
    ZEROED,
    Entry,
    instant,
    own_part,
    whole,
)
from emulator.domain.customer_index import CustomerIndex
from emulator.domain.customer_list import CustomerQuery, Page, list_customers
from emulator.domain.errors import InvalidInput, NotFound
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]
__all__ = ["WRITABLE", "Customers", "Entry"]


_OWN = ("source_id", *WRITABLE)  # a new customer's own fields, in this order


def blank_parts() -> Json:
    """The zeroed sub-objects every new customer starts with (one set, shared by all)."""
    return ZEROED


class Customers:
    def __init__(
        self,
        ids: IdGenerator,
        clock: Clock,
        activity: ActivityLog,
        changes: Changes | None = None,
    ) -> None:
        self._ids = ids
        self._clock = clock
        self._activity = activity
        self._changes = changes if changes is not None else Changes()
        self._live: dict[str, Entry] = {}
        self._order = CustomerIndex(self._live)  # the live customers in listing orders
        self._by_source: dict[str, str] = {}
        self._deleted: dict[str, Entry] = {}
        self._seq = 0
        self.revision = 0  # counts every write, so a reader can tell whether anything changed

    # -- lookups -------------------------------------------------------------------------
    def find(self, key: str) -> Entry | None:
        entry = self._live.get(key)
        if entry is None and key in self._by_source:
            entry = self._live[self._by_source[key]]
        return entry

    def is_live(self, customer_id: str) -> bool:
        return customer_id in self._live

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
        return self.write(self.entry(key), body, points).data

    def add(self, body: Json) -> Entry:
        """A new customer (its id and source_id known to be new), without its public object:
        an import adds 100,000 and shows none."""
        return self._insert(body)

    def settle(self) -> None:
        """Put customers added since the last read in listing order now (after an import, so
        that the next list is not the one to pay for it)."""
        self._order.settle()

    def write(self, entry: Entry, body: Json, points: int | None = None) -> Entry:
        """`update` of a live customer, without its public object."""
        changes = {name: body[name] for name in WRITABLE if name in body}
        if points is not None:
            changes["loyalty"] = _with_points(entry.own.get("loyalty") or ZEROED["loyalty"], points)
        now = self._clock.now()
        self.revision += 1
        old = entry.own
        self._order.before_write(entry)
        entry.own = {**old, **changes}
        entry.updated = now
        self._order.after_write(entry)
        self._activity.replaced(entry, old)
        self._activity.record(entry, UPDATED, now, changes)
        self._changes.mark("customer", entry.id)
        return entry

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
        customer_id = entry.id
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
            return self.update(entry.id, body)
        if body.get("id") in self._deleted:  # one id, two customers: refused
            raise InvalidInput(
                f"customer {body['id']} was deleted; delete it permanently first, or seed "
                "another id"
            )
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

    def dump(self, entry: Entry) -> CustomerRecord:
        """The customer as it is now, as a record to be made later (cheap to take: what it
        refers to is replaced, never changed in place)."""
        return CustomerRecord(
            entry.id, entry.own, entry.seq, entry.created, entry.updated, entry.deleted,
            entry.base,
        )  # fmt: skip

    def revive(self, record: Json) -> Entry:
        """A dumped customer, in either form (see CustomerRecord), not yet put back (`put`)."""
        if "own" in record:
            customer_id, own = str(record["id"]), own_part(record["own"])
        else:
            data = record["data"]
            customer_id, own = str(data["id"]), own_part(data, set(record["blank"]))
        updated = record["updated"]
        return Entry(
            customer_id, own, int(record["seq"]), instant(record["created"]),
            instant(updated) if updated else None, base=record["base"],
            deleted=bool(record["deleted"]),
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
        own = {name: body[name] for name in _OWN if name in body}
        if own.get("source_id", "") is None:
            del own["source_id"]
        if points is not None:
            own["loyalty"] = _with_points(ZEROED["loyalty"], points)
        entry = Entry(customer_id or self._ids.customer(), own, self._next_seq(), now)
        self._index(entry)
        self._activity.record(entry, CREATED, now, own)
        self._changes.mark("customer", entry.id)
        return entry

    def _index(self, entry: Entry) -> None:
        customer_id = entry.id
        self._live[customer_id] = entry
        self._order.add(entry)
        source_id = entry.own.get("source_id")
        if source_id:
            self._by_source[source_id] = customer_id

    def _forget(self, entry: Entry) -> None:
        if self._live.pop(entry.id, None) is not None:
            self._order.remove(entry)
        source_id = entry.own.get("source_id")
        if source_id and self._by_source.get(source_id) == entry.id:
            del self._by_source[source_id]

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq


class CustomerRecord(NamedTuple):
    """A customer as saved, in two forms. Called, it is the snapshot document's record: the
    public object (`data`, the zeroed sub-objects it still shares with every new customer
    written as null and named in `blank`), readable and editable. `compact()` is the state
    file's: the customer's own fields only, half the bytes and no object to put together
    (saving 100,000 customers took twice as long with the public objects)."""

    id: str
    own: Json
    seq: int
    created: datetime
    updated: datetime | None
    deleted: bool
    base: Json | None

    def __call__(self) -> Json:
        data = whole(self.id, self.own, self.created, self.updated)
        shared = [name for name in ZEROED if name not in self.own]
        for name in shared:
            data[name] = None
        return {
            "data": data, "blank": shared, "seq": self.seq, "created": self.created,
            "updated": self.updated, "deleted": self.deleted, "base": self.base,
        }  # fmt: skip

    def compact(self) -> Json:
        return {
            "id": self.id, "own": self.own, "seq": self.seq, "created": self.created,
            "updated": self.updated, "deleted": self.deleted, "base": self.base,
        }  # fmt: skip


def _with_points(loyalty: Json, points: int) -> Json:
    """A new loyalty object: the stored one may be shared and is never changed in place."""
    return {**loyalty, "points": points}
