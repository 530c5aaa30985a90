"""A customer's own activity: the created / updated / deleted events of its record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator.jobs.clock import iso
from emulator.jobs.ids import IdGenerator

if TYPE_CHECKING:
    from emulator.domain.customers import Entry

Json = dict[str, Any]
ACTION_EVENTS = frozenset({"customer.created", "customer.updated", "customer.deleted"})


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
    def __init__(self, ids: IdGenerator, app_id: str) -> None:
        self._ids = ids
        self._app_id = app_id
        self._events: dict[str, tuple[datetime, Json]] = {}

    def record(self, entry: Entry, event_type: str, when: datetime) -> None:
        event_id = self._ids.event()
        self._events[event_id] = (
            when,
            {
                "id": event_id,
                "type": event_type,
                "data": {
                    # A shallow copy is a true snapshot: customer writes replace top-level
                    # values and never mutate a stored nested object in place.
                    "data": {"customer": dict(entry.data)},
                    "event_source": {
                        "channel": "API",
                        "api_key": {"name": "emulator", "app_id": self._app_id},
                    },
                },
                "created_at": iso(when),
                "group_id": self._ids.request(),
            },
        )
        entry.events.append(event_id)

    def erase(self, entry: Entry) -> int:
        for event_id in entry.events:
            self._events.pop(event_id, None)
        erased = len(entry.events)
        entry.events.clear()
        return erased

    def export(self) -> Json:
        return {
            event_id: [when.isoformat(), event] for event_id, (when, event) in self._events.items()
        }

    def load(self, state: Json) -> None:
        self._events = {
            event_id: (datetime.fromisoformat(when), event)
            for event_id, (when, event) in state.items()
        }

    def list(self, entry: Entry, q: ActivityQuery) -> ActivityPage:
        chosen = [self._events[event_id] for event_id in entry.events]
        chosen = [(when, event) for when, event in chosen if _matches(when, event, q)]
        descending = q.order.startswith("-")
        if descending:
            chosen.reverse()  # events are kept in the order they happened
        if q.starting_after is not None:
            cursor = q.starting_after
            chosen = [(w, e) for w, e in chosen if (w < cursor if descending else w > cursor)]
        ids = [event["id"] for _, event in chosen]
        start = 0
        if q.starting_after_id is not None and q.starting_after_id in ids:
            start = ids.index(q.starting_after_id) + 1
        window = [event for _, event in chosen[start : start + q.limit]]
        has_more = start + q.limit < len(chosen)
        more = window[-1]["id"] if has_more and window else None
        return ActivityPage(window, has_more, more, len(chosen))


def _matches(when: datetime, event: Json, q: ActivityQuery) -> bool:
    if q.campaign_id is not None or q.campaign_type is not None:
        return False  # a customer's own record events belong to no campaign
    checks = (
        q.start_date is None or when >= q.start_date,
        q.end_date is None or when <= q.end_date,
        q.type is None or event["type"] == q.type,
        q.category is None or (q.category == "ACTION") == (event["type"] in ACTION_EVENTS),
    )
    return all(checks)
