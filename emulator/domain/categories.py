"""Customer segment categories, as the customer-list upload creates them.

A column of a customer list other than identifier, email, name and loyalty_points is a
category (e.g. `customer segment test`) and each value in it (`New`, `Existing`) is a real
segment of the tenant: `GET /v1/customers/{id}/segments` lists it and `segment_id` filters by
it. A customer holds at most one value per category, so a new value moves them from one
segment to the other, never into both. Category names match case-insensitively (the first
spelling is kept); values match exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.domain.csvio import normalise
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]


class SegmentCategories:
    def __init__(
        self, segments: dict[str, Json], members: dict[str, set[str]], ids: IdGenerator
    ) -> None:
        self._segments = segments  # the tenant's own segment and membership maps
        self._members = members
        self._ids = ids
        self.values: dict[str, dict[str, str]] = {}  # category -> value -> segment id
        self.revision = 0  # grows with every membership change (previews compare it)

    def find(self, name: str) -> str | None:
        """The category's stored spelling, or None when it does not exist yet."""
        key = normalise(name)
        return next((known for known in self.values if normalise(known) == key), None)

    def value_of(self, category: str, customer_id: str) -> str | None:
        known = self.find(category)
        if known is None:
            return None
        for value, segment_id in self.values[known].items():
            if customer_id in self._members.get(segment_id, ()):
                return value
        return None

    def assign(self, customer_id: str, category: str, value: str) -> bool:
        """Put the customer in the category's segment for `value` (and out of its other
        segments); False when they were already there."""
        name = self.find(category) or category
        values = self.values.setdefault(name, {})
        if self.value_of(name, customer_id) == value:
            return False
        for segment_id in values.values():
            self._members.get(segment_id, set()).discard(customer_id)
        segment_id = values.get(value) or self._create(name, value)
        self._members.setdefault(segment_id, set()).add(customer_id)
        self.revision += 1
        return True

    def touch(self) -> None:
        """Segments changed by other means (fixtures, seeding)."""
        self.revision += 1

    def labels(self) -> dict[str, tuple[str, str]]:
        """segment id -> (category, value), for showing a segment as what it stands for."""
        return {
            segment_id: (category, value)
            for category, values in self.values.items()
            for value, segment_id in values.items()
        }

    def view(self, live: Callable[[str], bool]) -> list[Json]:
        """Each category's values, counting the live members only (a deleted customer keeps
        its memberships, for its segments if it is restored, but is no longer counted)."""
        return [
            {"name": category, "values": [
                {"value": value, "segment_id": segment_id,
                 "customers": sum(map(live, self._members.get(segment_id, ())))}
                for value, segment_id in values.items()
            ]}
            for category, values in self.values.items()
        ]  # fmt: skip

    def segment_ids(self) -> list[str]:
        return [segment_id for values in self.values.values() for segment_id in values.values()]

    def export(self) -> Json:
        return {"values": self.values, "revision": self.revision}

    def load(self, state: Json) -> None:
        self.values = {str(c): {str(v): str(s) for v, s in vs.items()}
                       for c, vs in state["values"].items()}  # fmt: skip
        self.revision = int(state["revision"])

    def _create(self, category: str, value: str) -> str:
        segment_id = self._ids.segment()
        self._segments[segment_id] = {
            "id": segment_id, "name": f"{category}: {value}", "object": "segment",
        }  # fmt: skip
        self._members[segment_id] = set()
        self.values[category][value] = segment_id
        return segment_id
