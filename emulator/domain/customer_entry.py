"""One stored customer: its public object, what ordering and filtering need, and its history.

The history is compact: each event keeps only what changed (the fields an update sent; the
whole object for a creation, shared with the live customer until it is next written), and a
customer's object at any event is rebuilt by folding the changes onto `base`, which holds what
evicted events had changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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


def fold(state: Json, event: Event) -> Json:
    """The customer's object after `event`, given the object before it (a new dict)."""
    after = {**state, **event.changes} if event.changes else dict(state)
    if event.type == UPDATED:
        after["updated_at"] = iso(event.when)
    return after


@dataclass(slots=True, eq=False)  # compared by identity (the indexes find them so)
class Entry:
    data: Json
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
    def id(self) -> str:
        return str(self.data["id"])
