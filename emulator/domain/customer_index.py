"""A tenant's live customers, kept in order for listing, so that a page costs in proportion to
the page (and to the smallest set its filters select), never to the whole tenant.

- `created`: by (created, seq); `touched`: by (updated or created, seq), for the updated_at
  order; `updated`: only customers ever updated, by (updated, seq), for the updated_at filters;
  `sourced`: customers with a source_id, by source_id; `unsourced`: the others, by seq (a dict:
  seq order is insertion order). Instants are keyed as integers (microseconds and seq in one
  int), which costs less memory than a tuple and never ties.
- email, name and city lookups (value -> customers) are built by the first query that filters
  on them and kept up to date from then on: a tenant that never filters pays nothing for them.

Nothing here changes a customer: `Customers` calls `add` and `remove` around every write.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from sortedcontainers import SortedKeyList

from emulator.domain.customer_entry import Entry

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_SEQ_ROOM = 1 << 40  # seqs are below this, so (microseconds, seq) packs into one int
# value -> the one customer with it, or those with it by seq (removal in constant time)
Lookup = dict[Any, "Entry | dict[int, Entry]"]
LOOKUPS: dict[str, Callable[[Entry], Any]] = {
    "email": lambda entry: entry.own.get("email"),
    "name": lambda entry: entry.own.get("name"),
    "city": lambda entry: (entry.own.get("address") or {}).get("city"),
}


def instant_key(moment: datetime, seq: int) -> int:
    return _instant(moment) + seq


@lru_cache(maxsize=256)
def _instant(moment: datetime) -> int:
    """The key of `moment` with seq 0 (an import's customers share a few instants: each
    portion's rows are stamped with its completion time)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return ((moment - _EPOCH) // _MICROSECOND) * _SEQ_ROOM


def bound_key(moment: datetime, after: bool) -> int:
    """The key just past every customer at `moment` (after) or just before them (not after):
    exclusive bounds on instants, whatever the seq."""
    return instant_key(moment, _SEQ_ROOM - 1 if after else 0)


def _created(entry: Entry) -> int:
    return _instant(entry.created) + entry.seq


def _touched(entry: Entry) -> int:
    return _instant(entry.updated or entry.created) + entry.seq


def _updated(entry: Entry) -> int:
    assert entry.updated is not None
    return _instant(entry.updated) + entry.seq


def _source(entry: Entry) -> str:
    return str(entry.own.get("source_id") or "")


class KeyedList(SortedKeyList):  # type: ignore[misc]  # sortedcontainers is untyped
    """A SortedKeyList that takes customers created now in one go: values whose keys are in
    order and none before the last one's are appended (`update` bisects and inserts each)."""

    def add_many(self, values: list[Any], keys: list[Any] | None = None) -> None:
        """`update(values)`; `keys`: the values' keys, when the caller has them already."""
        if not values:
            return
        if keys is None:
            keys = list(map(self._key, values))
        if self._maxes and keys[0] >= self._maxes[-1] and _ascending(keys):
            self._append(values, keys)  # all after the end (customers created now, in order)
        elif len(values) * 4 < self._len:  # (update re-sorts everything otherwise)
            self._insert(values, keys)
        else:
            self.update(values)

    def _append(self, values: list[Any], keys: list[Any]) -> None:
        """Values whose keys are in order and none before the last one's: the last sublist is
        filled up to the load, the rest go in new sublists (what `add` one by one would hold,
        without a bisection and an insertion each)."""
        load, lists, keyed, maxes = self._load, self._lists, self._keys, self._maxes
        room = max(0, load - len(lists[-1]))
        if room:
            lists[-1].extend(values[:room])
            keyed[-1].extend(keys[:room])
            maxes[-1] = keyed[-1][-1]
        for at in range(room, len(values), load):
            lists.append(values[at : at + load])
            keyed.append(keys[at : at + load])
            maxes.append(keyed[-1][-1])
        self._len += len(values)
        del self._index[:]  # the positional index is rebuilt when next needed


    def _insert(self, values: list[Any], keys: list[Any]) -> None:
        """Each value at its key's place, after any equal keys: where `add` one by one puts it
        (update of a few values into a big list does that, reading each key twice more and
        with a method call and a bookkeeping step each: three times the CPU)."""
        lists, keyed, maxes, most = self._lists, self._keys, self._maxes, 2 * self._load
        del self._index[:]  # the positional index is rebuilt when next needed
        for value, key in zip(values, keys, strict=True):
            pos = bisect_right(maxes, key)
            if pos == len(maxes):  # after every key: at the end of the last sublist
                pos -= 1
                lists[pos].append(value)
                keyed[pos].append(key)
                maxes[pos] = key
            else:
                at = bisect_right(keyed[pos], key)
                lists[pos].insert(at, value)
                keyed[pos].insert(at, key)
            if len(keyed[pos]) > most:
                self._expand(pos)  # split in two
        self._len += len(values)


def _ascending(keys: list[Any]) -> bool:
    return all(a <= b for a, b in pairwise(keys))


class _Orders:
    """The sorted lists (about 1.5 KB even empty). Customers added wait in `pending` and are
    put in them at the next read or other change, or once CustomerIndex.BATCH wait (`settle`),
    several at once: those created now are appended to the created and touched orders rather
    than placed one by one."""

    __slots__ = ("created", "pending", "sourced", "touched", "unsourced", "updated")

    def __init__(self, entries: Collection[Entry]) -> None:
        self.created = KeyedList(entries, key=_created)
        self.touched = KeyedList(entries, key=_touched)
        self.updated = KeyedList((e for e in entries if e.updated is not None), key=_updated)
        self.sourced = KeyedList((e for e in entries if _source(e)), key=_source)
        others = sorted((e for e in entries if not _source(e)), key=lambda e: e.seq)
        self.unsourced: dict[int, Entry] = {entry.seq: entry for entry in others}
        self.pending: list[Entry] = []  # added, not yet in the lists (in the order added)

    def settle(self) -> _Orders:
        pending = self.pending
        if pending:
            self.pending = []
            created = list(map(_created, pending))
            self.created.add_many(pending, created)
            fresh = all(entry.updated is None for entry in pending)  # touched when created
            self.touched.add_many(pending, created if fresh else None)
            self.updated.add_many([entry for entry in pending if entry.updated is not None])
            sources = [_source(entry) for entry in pending]
            pairs = list(zip(pending, sources, strict=True))
            self.sourced.add_many([entry for entry, source in pairs if source],
                                  [source for source in sources if source])  # fmt: skip
            for entry, source in pairs:
                if not source:
                    self.unsourced[entry.seq] = entry
        return self

    def remove(self, entry: Entry) -> None:
        self.created.discard(entry)
        self.touched.discard(entry)
        if entry.updated is not None:
            self.updated.discard(entry)
        if _source(entry):
            self.sourced.discard(entry)
        else:
            self.unsourced.pop(entry.seq, None)


class CustomerIndex:
    """Over `live` (the tenant's live customers by id). The orders are made when a tenant first
    lists its customers, or once it holds more than EAGER of them (made then, not at the first
    list of a big tenant): most tenants of a test suite hold a few customers and never list
    them, and would pay 1.5 KB each for them."""

    EAGER = 64
    # Customers added wait in `pending` at most this many at a time: settling them is work on
    # the event loop that no slice bounds (sorting 100,000 at an import's end stopped every
    # other tenant for 200 ms), so it is done a batch at a time, each well under a millisecond
    # or two.
    BATCH = 512

    def __init__(self, live: Mapping[str, Entry]) -> None:
        self._live = live
        self._orders: _Orders | None = None
        self._lookups: dict[str, Lookup] = {}

    @property
    def orders(self) -> _Orders:
        return (self._orders or self._build()).settle()

    def _build(self) -> _Orders:
        self._orders = _Orders(list(self._live.values()))
        return self._orders

    def _settled(self) -> _Orders | None:
        return None if self._orders is None else self._orders.settle()

    def settle(self) -> None:
        """Put the customers added since the last read in order now (see _Orders)."""
        self._settled()

    @property
    def created(self) -> Any:
        return self.orders.created

    @property
    def touched(self) -> Any:
        return self.orders.touched

    @property
    def updated(self) -> Any:
        return self.orders.updated

    def __len__(self) -> int:
        return len(self._live)

    def add(self, entry: Entry) -> None:
        """Call once the entry is among the live ones."""
        if self._orders is not None:
            pending = self._orders.pending
            pending.append(entry)
            if len(pending) >= self.BATCH:
                self._orders.settle()
        elif len(self._live) > self.EAGER:
            self._build()
        for name, table in self._lookups.items():
            _put(table, LOOKUPS[name](entry), entry)

    def remove(self, entry: Entry) -> None:
        """Call before the entry changes: its keys are read from it as it is."""
        orders = self._settled()
        if orders is not None:
            orders.remove(entry)
        for name, table in self._lookups.items():
            _take(table, LOOKUPS[name](entry), entry)

    def before_write(self, entry: Entry) -> None:
        """An update is about to change the entry's fields and its updated instant."""
        orders = self._settled()
        if orders is not None:
            orders.touched.discard(entry)
            if entry.updated is not None:
                orders.updated.discard(entry)
        for name, table in self._lookups.items():
            _take(table, LOOKUPS[name](entry), entry)

    def after_write(self, entry: Entry) -> None:
        orders = self._settled()
        if orders is not None:
            orders.touched.add(entry)
            if entry.updated is not None:
                orders.updated.add(entry)
        for name, table in self._lookups.items():
            _put(table, LOOKUPS[name](entry), entry)

    def lookup(self, name: str, value: Any) -> list[Entry]:
        """The live customers whose `name` field (email, name, city) equals `value`."""
        table = self._lookups.get(name)
        if table is None:
            table = self._lookups[name] = {}
            read = LOOKUPS[name]
            for entry in self._live.values():
                _put(table, read(entry), entry)
        found = table.get(value) if _hashable(value) else None
        if found is None:
            return []
        return list(found.values()) if isinstance(found, dict) else [found]

    def by_source(self, reverse: bool) -> Iterator[Entry]:
        """Every live customer in source_id order: those without one first (by seq)."""
        orders = self.orders
        if reverse:
            yield from reversed(orders.sourced)
            yield from reversed(orders.unsourced.values())
        else:
            yield from orders.unsourced.values()
            yield from orders.sourced


def _hashable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _put(table: Lookup, value: Any, entry: Entry) -> None:
    if value is None or not _hashable(value):
        return  # a filter value is text: it never equals null or a container
    found = table.get(value)
    if found is None:
        table[value] = entry
    elif isinstance(found, dict):
        found[entry.seq] = entry
    else:
        table[value] = {found.seq: found, entry.seq: entry}


def _take(table: Lookup, value: Any, entry: Entry) -> None:
    if value is None or not _hashable(value):
        return
    found = table.get(value)
    if found is entry:
        del table[value]
    elif isinstance(found, dict):
        found.pop(entry.seq, None)
        if len(found) == 1:
            table[value] = next(iter(found.values()))
