"""A customer's own activity: the created / updated / deleted events of its record.

Events are stored compactly (see customer_entry) and capped per tenant: past `limit` events the
oldest is dropped, its changes folded into its customer's `base`, so later events still show the
customer as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.domain.changes import Changes
from emulator.domain.customer_entry import UPDATED, Entry, Event, changes_of, fold, ordered
from emulator.jobs.clock import iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]
ACTION_EVENTS = frozenset({"customer.created", "customer.updated", "customer.deleted"})
DEFAULT_LIMIT = 100_000
_new = tuple.__new__


@dataclass(frozen=True)
class ActivityQuery:
    limit: int = 10
    order: str = "-created_at"
    starting_after_id: str | None = None
    starting_after: datetime | None = None  # the deprecated listing's date cursor
    start_date: datetime | None = None
    end_date: datetime | None = None
    category: str | None = None
    type: str | None = None
    campaign_id: str | None = None
    campaign_type: str | None = None


@dataclass(frozen=True)
class ActivityPage:
    items: list[Json]
    has_more: bool
    more_starting_after: str | None
    total: int


class ActivityLog:
    def __init__(
        self,
        ids: IdGenerator,
        app_id: str,
        limit: int = DEFAULT_LIMIT,
        changes: Changes | None = None,
    ) -> None:
        self._ids = ids
        self._app_id = app_id
        self.limit = limit
        self._changes = changes if changes is not None else Changes()
        self.seq = 0  # events ever recorded
        # One reference per retained event, oldest first, from `_head` on (a list rather than
        # a deque: most tenants record little, and an empty deque costs 600 bytes).
        self._order: list[Entry] = []
        self._head = 0
        self._count = 0  # retained events
        self._stale = 0  # references left in _order by erased customers

    def __len__(self) -> int:
        return self._count

    def record(self, entry: Entry, event_type: str, when: datetime, changes: Json | None) -> None:
        self.seq += 1
        # tuple.__new__: an Event without NamedTuple's Python-level __new__ (on every write)
        event = _new(Event, (self.seq, self._ids.event(), event_type, when, self._ids.request(),
                             changes))  # fmt: skip
        entry.events.append(event)
        self._order.append(entry)
        self._count += 1
        self._mark(entry, event)
        while self._count > self.limit:
            self._evict_oldest()

    def replaced(self, entry: Entry, old: Json) -> None:
        """The customer's object was replaced: an event sharing the old one is saved in full.
        Only the creation event shares the live object, and it is the oldest retained one, so
        one look is enough: an update never walks the customer's history (a customer updated
        100,000 times would otherwise cost every further update 100,000 steps)."""
        first = entry.events[0] if entry.events else None
        if first is not None and first.changes is old:
            self._mark(entry, first)

    def _mark(self, entry: Entry, event: Event) -> None:
        if self._changes.enabled:  # (the key is not even written when nothing is saved)
            self._changes.mark("event", f"{entry.id}/{event.seq}")

    def _evict_oldest(self) -> None:
        entry = self._order[self._head]
        self._head += 1
        if self._head > 1024 and self._head * 2 > len(self._order):
            del self._order[: self._head]
            self._head = 0
        if not entry.events:
            self._stale -= 1
            return
        event = entry.events.pop(0)
        entry.base = fold(entry, entry.base or {}, event)
        self._count -= 1
        self._mark(entry, event)
        self._changes.mark("customer", entry.id)

    def erase(self, entry: Entry) -> int:
        erased = len(entry.events)
        for event in entry.events:
            self._mark(entry, event)
        entry.events.clear()
        entry.base = None
        self._count -= erased
        self._stale += erased
        if self._stale > max(1024, self._count):
            self._order = [e for e in self._order[self._head :] if e.events]
            self._head = 0
            self._stale = 0
        return erased

    def restore(self, entries: list[Entry], seq: int) -> None:
        """Rebuild the tenant-wide order from restored customers whose events are in place."""
        self.seq = seq
        pairs = sorted(((event.seq, entry) for entry in entries for event in entry.events),
                       key=lambda pair: pair[0])  # fmt: skip
        self._order = [entry for _, entry in pairs]
        self._head = 0
        self._count = len(self._order)
        self._stale = 0

    def render(self, event: Event, customer: Json) -> Json:
        return {
            "id": event.id,
            "type": event.type,
            "data": {
                "data": {"customer": customer},
                "event_source": {
                    "channel": "API",
                    "api_key": {"name": "emulator", "app_id": self._app_id},
                },
            },
            "created_at": iso(event.when),
            "group_id": event.group_id,
        }

    def list(self, entry: Entry, q: ActivityQuery) -> ActivityPage:
        chosen = [(index, event) for index, event in enumerate(entry.events)
                  if _matches(event, q)]  # fmt: skip
        descending = q.order.startswith("-")
        if descending:
            chosen.reverse()  # events are kept in the order they happened
        if q.starting_after is not None:
            cursor = q.starting_after
            chosen = [(i, e) for i, e in chosen
                      if (e.when < cursor if descending else e.when > cursor)]  # fmt: skip
        ids = [event.id for _, event in chosen]
        start = 0
        if q.starting_after_id is not None and q.starting_after_id in ids:
            start = ids.index(q.starting_after_id) + 1
        window = chosen[start : start + q.limit]
        items = _rendered(self, entry, window)
        has_more = start + q.limit < len(chosen)
        more = items[-1]["id"] if has_more and items else None
        return ActivityPage(items, has_more, more, len(chosen))


def _rendered(log: ActivityLog, entry: Entry, window: list[tuple[int, Event]]) -> list[Json]:
    """The window's events, each with the customer as it was then: one pass folds the
    changes up to the newest of them."""
    if not window:
        return []
    wanted = {index for index, _ in window}
    states: dict[int, Json] = {}
    state = dict(entry.base or {})
    updated: datetime | None = None
    for index, event in enumerate(entry.events[: max(wanted) + 1]):
        changes = changes_of(entry, event)
        if changes:
            state.update(changes)
        if event.type == UPDATED:
            updated = event.when
        if index in wanted:
            snapshot = dict(state)
            if updated is not None:
                snapshot["updated_at"] = iso(updated)
            states[index] = ordered(snapshot)
    return [log.render(event, states[index]) for index, event in window]


def _matches(event: Event, q: ActivityQuery) -> bool:
    if q.campaign_id is not None or q.campaign_type is not None:
        return False  # a customer's own record events belong to no campaign
    checks = (
        q.start_date is None or event.when >= q.start_date,
        q.end_date is None or event.when <= q.end_date,
        q.type is None or event.type == q.type,
        q.category is None or (q.category == "ACTION") == (event.type in ACTION_EVENTS),
    )
    return all(checks)
