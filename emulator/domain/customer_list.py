"""Listing customers: the vendor's filters, orders, `starting_after` cursor and page arithmetic,
answered from the tenant's CustomerIndex.

A query picks the smallest set of candidates its filters name (a range of creation or update
instants, the customers with an email, name or city, a segment's members; else everyone) and:

- when that set is a range of an index and nothing else filters, counts it by bisection and
  takes the page by position (or walks the order's index, skipping what the range leaves out,
  when that is cheaper than sorting the range);
- otherwise checks every candidate against every filter, then sorts the matches.

So a page costs in proportion to the page, or to the smallest set the filters select.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from emulator.domain.customer_entry import Entry
from emulator.domain.customer_index import CustomerIndex, bound_key

Json = dict[str, Any]
_EARLIEST, _LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CustomerQuery:
    limit: int = 10
    page: int = 1
    order: str | None = None
    starting_after: datetime | None = None
    email: str | None = None
    city: str | None = None
    name: str | None = None
    members: Collection[str] | None = None  # ids of the segment given as segment_id
    created_before: datetime | None = None
    created_after: datetime | None = None
    updated_before: datetime | None = None
    updated_after: datetime | None = None
    # Worked out at once (below): exclusive bounds on created, the test of every filter,
    # and what `ascending`, `field` and `filtered` tell (read several times a list).
    created_range: tuple[datetime | None, datetime | None] = field(init=False, compare=False)
    test: Callable[[Entry], bool] = field(init=False, compare=False, repr=False)
    _shape: tuple[bool, str, bool] = field(init=False, compare=False, repr=False)

    @property
    def ascending(self) -> bool:
        return self._shape[0]

    @property
    def field(self) -> str:
        """created_at, updated_at or source_id: with request validation off an order outside
        the contract's enum reaches here, and it sorts by source_id on every path."""
        return self._shape[1]

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the list (a filter or the cursor)."""
        return self._shape[2]

    def __post_init__(self) -> None:
        # Worked out once per query (a page may test thousands of candidates); set through
        # object.__setattr__ as the dataclass is frozen (cached_property takes a lock per read).
        order = self.order or "-created_at"
        ascending, named = not order.startswith("-"), order.lstrip("-")
        by = named if named in ("created_at", "updated_at") else "source_id"
        low, high = self._created_range(ascending and by != "source_id")
        narrowing = (self.email, self.city, self.name, self.members, low, high,
                     self.updated_before, self.updated_after)  # fmt: skip
        filtered = any(value is not None for value in narrowing)
        object.__setattr__(self, "_shape", (ascending, by, filtered))
        object.__setattr__(self, "created_range", (low, high))
        object.__setattr__(self, "test", _test(self))

    def _created_range(self, forward: bool) -> tuple[datetime | None, datetime | None]:
        """Exclusive bounds on created: the filters and the cursor together. The cursor yields
        newer records with an ascending created_at/updated_at order (`forward`), otherwise
        older ones."""
        low, high = self.created_after, self.created_before
        cursor = self.starting_after
        if cursor is not None:
            if forward:
                low = cursor if low is None else max(low, cursor)
            else:
                high = cursor if high is None else min(high, cursor)
        return low, high


@dataclass(frozen=True)
class Page:
    entries: list[Entry]  # the page's customers, in order
    total: int
    has_more: bool

    @property
    def items(self) -> list[Json]:
        """The customers' public objects."""
        return [entry.data for entry in self.entries]


def sort_key(field: str) -> Callable[[Entry], Any]:
    if field == "created_at":
        return lambda e: (e.created, e.seq)
    if field == "updated_at":
        return lambda e: (e.touched, e.seq)
    return lambda e: (e.own.get("source_id") or "", e.seq)


def matches(entry: Entry, q: CustomerQuery) -> bool:
    """Every filter of the query, the cursor included."""
    return q.test(entry)


def _test(q: CustomerQuery) -> Callable[[Entry], bool]:
    """One check per filter the query uses (a page may check thousands of candidates)."""
    tests: list[Callable[[Entry], bool]] = []
    for name, wanted in (("email", q.email), ("name", q.name)):
        if wanted is not None:
            tests.append(lambda e, n=name, w=wanted: e.own.get(n) == w)  # type: ignore[misc]
    if q.city is not None:
        city = q.city
        tests.append(lambda e: (e.own.get("address") or {}).get("city") == city)
    if q.members is not None:
        members = q.members
        tests.append(lambda e: e.id in members)
    low, high = q.created_range
    if low is not None:
        tests.append(lambda e: e.created > low)
    if high is not None:
        tests.append(lambda e: e.created < high)
    before, after = q.updated_before, q.updated_after
    if before is not None:
        tests.append(lambda e: e.updated is not None and e.updated < before)
    if after is not None:
        tests.append(lambda e: e.updated is not None and e.updated > after)
    if len(tests) == 1:
        return tests[0]
    return lambda entry: all(test(entry) for test in tests)


@dataclass
class _Range:
    """Positions [start, stop) of a sorted index."""

    index: Any  # SortedKeyList of entries
    start: int
    stop: int
    low: datetime | None = None  # the exclusive bounds it was cut by, for created ranges
    high: datetime | None = None

    def __len__(self) -> int:
        return max(0, self.stop - self.start)

    def window(self, skip: int, count: int, ascending: bool) -> list[Entry]:
        if ascending:
            first = self.start + skip
            return list(self.index.islice(first, min(first + count, self.stop)))
        last = self.stop - skip
        return list(self.index.islice(max(self.start, last - count), max(self.start, last),
                                      reverse=True))  # fmt: skip

    def __iter__(self) -> Iterator[Entry]:
        return self.iterate(True)

    def iterate(self, ascending: bool) -> Iterator[Entry]:
        return iter(self.index.islice(self.start, self.stop, reverse=not ascending))

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The created instants the range lies strictly between."""
        return self.low or _EARLIEST, self.high or _LATEST


def _span(index: Any, low: datetime | None, high: datetime | None) -> _Range:
    start = 0 if low is None else index.bisect_key_right(bound_key(low, after=True))
    stop = len(index) if high is None else index.bisect_key_left(bound_key(high, after=False))
    return _Range(index, start, stop, low, high)


def _ordered(index: CustomerIndex, field: str, ascending: bool) -> Iterable[Entry]:
    if field == "source_id":
        return index.by_source(reverse=not ascending)
    chosen: Iterable[Entry] = index.created if field == "created_at" else index.touched
    return chosen if ascending else reversed(chosen)  # type: ignore[call-overload]


def list_customers(index: CustomerIndex, q: CustomerQuery, live: Mapping[str, Entry]) -> Page:
    """Newest first by default."""
    skip, count = (q.page - 1) * q.limit, q.limit
    if not q.filtered:
        order = q.field
        if order == "source_id":
            window = list(islice(index.by_source(reverse=not q.ascending), skip, skip + count))
        else:
            everyone = index.created if order == "created_at" else index.touched
            window = _Range(everyone, 0, len(everyone)).window(skip, count, q.ascending)
        return _page(window, len(index), skip, q)
    candidates, exact, alone = _candidates(index, q, live)
    if exact is None:
        # A set that is the only filter holds exactly its matches (the members' generator
        # yields live customers only).
        chosen = list(candidates) if alone else [entry for entry in candidates if q.test(entry)]
        chosen.sort(key=sort_key(q.field), reverse=not q.ascending)
        return _page(chosen[skip : skip + count], len(chosen), skip, q)
    total = len(exact)
    own = {"created_at": index.created, "updated_at": index.updated}.get(q.field)
    if exact.index is own:
        return _page(exact.window(skip, count, q.ascending), total, skip, q)
    if q.field == "updated_at" and exact.index is index.created:
        merged = _touched_within(index, exact, q.ascending)
        return _page(list(islice(merged, skip, skip + count)), total, skip, q)
    if (skip + count) * len(index) < total * total:  # walking the order beats sorting the range
        walked = filter(q.test, _ordered(index, q.field, q.ascending))
        return _page(list(islice(walked, skip, skip + count)), total, skip, q)
    ordered = sorted(exact, key=sort_key(q.field), reverse=not q.ascending)
    return _page(ordered[skip : skip + count], total, skip, q)


def _touched_within(index: CustomerIndex, span: _Range, ascending: bool) -> Iterator[Entry]:
    """A range of creation instants in updated_at order: the customers never updated are in
    it in creation order (their updated_at order is their created_at order), the others in
    the order of their updates; the two streams are merged. Walking the touched index instead
    would cross every customer created after the range first, as the orders go together."""
    low, high = span.bounds
    fresh = (entry for entry in span.iterate(ascending) if entry.updated is None)
    ordered = index.updated if ascending else reversed(index.updated)
    written = (entry for entry in ordered if low < entry.created < high)
    return heapq.merge(fresh, written, key=lambda e: (e.touched, e.seq), reverse=not ascending)


def _page(window: list[Entry], total: int, skip: int, q: CustomerQuery) -> Page:
    return Page(window, total, skip + q.limit < total)


def _candidates(
    index: CustomerIndex, q: CustomerQuery, live: Mapping[str, Entry]
) -> tuple[Iterable[Entry], _Range | None, bool]:
    """The smallest candidate set; the same as a range when nothing else filters it; whether
    nothing else filters it."""
    low, high = q.created_range
    sets: list[tuple[int, Iterable[Entry]]] = []
    if low is not None or high is not None:
        created = _span(index.created, low, high)
        sets.append((len(created), created))
    if q.updated_after is not None or q.updated_before is not None:
        updated = _span(index.updated, q.updated_after, q.updated_before)
        sets.append((len(updated), updated))
    for name, value in (("email", q.email), ("name", q.name), ("city", q.city)):
        if value is not None:
            found = index.lookup(name, value)
            sets.append((len(found), found))
    if q.members is not None:
        members = q.members
        sets.append((len(members), (live[m] for m in members if m in live)))
    smallest = min(sets, key=lambda pair: pair[0])[1]
    alone = len(sets) == 1
    if alone and isinstance(smallest, _Range):
        return smallest, smallest, alone
    return smallest, None, alone
