"""Which records of a tenant changed since they were last saved.

Domain collections mark what they write; the state file's writer takes the marks and saves
exactly those records. Records are named by kind and key: ("customer", id), ("event", seq),
("campaign", id), ("voucher", "campaign_id/code"), ("job", id), ("work", id). The tenant's small
shared state (clock, ids, queue, segments, counters) is saved with any change.
"""

from __future__ import annotations

Key = tuple[str, str]
_NEVER: frozenset[Key] = frozenset()  # what an untracked tenant holds (no set of its own)


class Tally:
    """How many marks all tenants hold together (so a save can start early when many wait)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class Changes:
    """A set of changed record keys; a no-op unless the state is being saved (a tally)."""

    __slots__ = ("_keys", "_tally")

    def __init__(self, tally: Tally | None = None) -> None:
        self._tally = tally
        # An untracked tenant shares one empty frozenset instead of a set of its own.
        self._keys: set[Key] = set() if tally is not None else _NEVER  # type: ignore[assignment]

    @property
    def enabled(self) -> bool:
        return self._tally is not None

    def mark(self, kind: str, key: str = "") -> None:
        if self._tally is not None and (kind, key) not in self._keys:
            self._keys.add((kind, key))
            self._tally.count += 1

    def touch(self) -> None:
        """Something outside the records changed (clock, rules, segments): save the tenant."""
        self.mark("meta")

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def take(self) -> set[Key]:
        if self._tally is None:
            return set()
        keys, self._keys = self._keys, set()
        self._tally.count -= len(keys)
        return keys

    def give_back(self, keys: set[Key]) -> None:
        """Keys whose save failed: they are tried again with the next save."""
        for kind, key in keys:
            self.mark(kind, key)
