"""Which records of a tenant changed since they were last saved.

Domain collections mark what they write; the state file's writer takes the marks and saves
exactly those records. Records are named by kind and key: ("customer", id), ("event", seq),
("campaign", id), ("voucher", "campaign_id/code"), ("job", id), ("work", id). The tenant's small
shared state (clock, ids, queue, segments, counters) is saved with any change.
"""

from __future__ import annotations

Key = tuple[str, str]


class Changes:
    """A set of changed record keys; a no-op unless the state is being saved."""

    __slots__ = ("_keys", "enabled")

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self._keys: set[Key] = set()

    def mark(self, kind: str, key: str = "") -> None:
        if self.enabled:
            self._keys.add((kind, key))

    def touch(self) -> None:
        """Something outside the records changed (clock, rules, segments): save the tenant."""
        if self.enabled:
            self._keys.add(("meta", ""))

    def __bool__(self) -> bool:
        return bool(self._keys)

    def take(self) -> set[Key]:
        keys, self._keys = self._keys, set()
        return keys

    def give_back(self, keys: set[Key]) -> None:
        """Keys whose save failed: they are tried again with the next save."""
        if self.enabled:
            self._keys |= keys
