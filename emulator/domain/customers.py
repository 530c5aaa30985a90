"""Customers: upsert, lookup by id or source_id, partial update, soft and permanent deletion."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.domain.activity import ActivityLog
from emulator.domain.errors import NotFound
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]

# Fields a client may set (CustomerBase); every other request field is ignored.
WRITABLE = ("name", "description", "email", "phone", "birthday", "birthdate", "address", "metadata")
# The vendor's key order in a customer object.
KEY_ORDER = (
    "id", "source_id", "name", "description", "email", "phone", "birthday", "birthdate",
    "address", "summary", "loyalty", "referrals", "metadata", "system_metadata",
    "created_at", "updated_at", "assets", "object",
)  # fmt: skip


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


@dataclass
class Entry:
    """One stored customer: its public object plus what ordering and filtering need."""

    data: Json
    seq: int
    created: datetime
    updated: datetime | None = None
    events: list[str] = field(default_factory=list)

    @property
    def touched(self) -> datetime:
        return self.updated or self.created


class Customers:
    def __init__(self, ids: IdGenerator, clock: Clock, activity: ActivityLog) -> None:
        self._ids = ids
        self._clock = clock
        self._activity = activity
        self._live: dict[str, Entry] = {}
        self._by_source: dict[str, str] = {}
        self._deleted: dict[str, Entry] = {}
        self._seq = 0
        self.revision = 0  # counts every write, so a reader can tell whether anything changed
        # The zeroed sub-objects every new customer starts with, shared between customers:
        # writes replace top-level values and never mutate a stored nested object in place,
        # which is also what makes the activity log's shallow snapshots true snapshots.
        self._blank: Json = {
            "summary": _new_summary(),
            "loyalty": {"points": 0, "referred_customers": 0, "campaigns": {}},
            "referrals": {"total": 0, "campaigns": []},
            "system_metadata": {},
        }

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
        entry = self.entry(key)
        changes = {name: body[name] for name in WRITABLE if name in body}
        if points is not None:
            changes["loyalty"] = _with_points(entry.data["loyalty"], points)
        now = self._clock.now()
        self.revision += 1
        entry.data.update(changes)
        entry.updated = now
        entry.data["updated_at"] = iso(now)
        entry.data = _ordered(entry.data)
        self._activity.record(entry, "customer.updated", now)
        return entry.data

    def delete(self, key: str) -> None:
        entry = self.entry(key)
        self.revision += 1
        self._forget(entry)
        self._deleted[entry.data["id"]] = entry
        self._activity.record(entry, "customer.deleted", self._clock.now())

    def delete_permanently(self, key: str) -> Json:
        entry = self.entry_any(key)
        customer_id = entry.data["id"]
        self.revision += 1
        if customer_id in self._live:
            self._forget(entry)
        self._deleted.pop(customer_id, None)
        self._activity.erase(entry)
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

    # -- snapshots ------------------------------------------------------------------------
    def export(self) -> Json:
        def dump(entry: Entry) -> Json:
            return {
                "data": entry.data, "seq": entry.seq, "created": entry.created.isoformat(),
                "updated": entry.updated.isoformat() if entry.updated else None,
                "events": entry.events,
            }  # fmt: skip

        return {
            "seq": self._seq,
            "revision": self.revision,
            "live": [dump(entry) for entry in self._live.values()],
            "deleted": [dump(entry) for entry in self._deleted.values()],
        }

    def load(self, state: Json) -> None:
        def entry(item: Json) -> Entry:
            updated = item["updated"]
            return Entry(
                item["data"], item["seq"], datetime.fromisoformat(item["created"]),
                datetime.fromisoformat(updated) if updated else None, list(item["events"]),
            )  # fmt: skip

        self._seq = state["seq"]
        self.revision = int(state.get("revision", 0))
        for item in state["live"]:
            self._index(entry(item))
        for item in state["deleted"]:
            restored = entry(item)
            self._deleted[restored.data["id"]] = restored

    # -- internals -----------------------------------------------------------------------
    def _insert(
        self, body: Json, customer_id: str | None = None, points: int | None = None
    ) -> Entry:
        now = self._clock.now()
        self.revision += 1
        data: Json = {"id": customer_id or self._ids.customer(), "address": None}
        if body.get("source_id") is not None:
            data["source_id"] = body["source_id"]
        data.update({name: body[name] for name in WRITABLE if name in body})
        data.update(self._blank)
        if points is not None:
            data["loyalty"] = _with_points(data["loyalty"], points)
        data.update(created_at=iso(now), object="customer")
        entry = Entry(_ordered(data), self._next_seq(), now)
        self._index(entry)
        self._activity.record(entry, "customer.created", now)
        return entry

    def _index(self, entry: Entry) -> None:
        customer_id = entry.data["id"]
        self._live[customer_id] = entry
        source_id = entry.data.get("source_id")
        if source_id:
            self._by_source[source_id] = customer_id

    def _forget(self, entry: Entry) -> None:
        self._live.pop(entry.data["id"], None)
        source_id = entry.data.get("source_id")
        if source_id and self._by_source.get(source_id) == entry.data["id"]:
            del self._by_source[source_id]

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq


def with_assets(data: Json, assets: Json) -> Json:
    """A copy of a stored customer with its `assets` links, in the vendor's key order."""
    return _ordered({**data, "assets": assets})


def _with_points(loyalty: Json, points: int) -> Json:
    """A new loyalty object: the stored one may be shared and is never changed in place."""
    return {**loyalty, "points": points}


def _ordered(data: Json) -> Json:
    known = {key: data[key] for key in KEY_ORDER if key in data}
    extra = {key: value for key, value in data.items() if key not in known}
    return {**known, **extra}
