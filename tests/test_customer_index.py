"""The indexed customer listing answers exactly what filtering and sorting every customer
answers: the same items in the same order, the same total and has_more, for every order,
filter, cursor and page, over a history of creates, updates, deletions and erasures with equal
and out-of-order instants."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from operator import attrgetter, neg
from typing import Any

import pytest

from emulator.domain.activity import ActivityLog
from emulator.domain.customer_entry import Entry
from emulator.domain.customer_index import CustomerIndex, KeyedList
from emulator.domain.customer_list import CustomerQuery, Page, matches, sort_key
from emulator.domain.customers import Customers
from emulator.jobs.clock import Clock
from emulator.jobs.ids import IdGenerator

START = datetime(2026, 1, 1, tzinfo=UTC)
ORDERS = [None, "created_at", "-created_at", "updated_at", "-updated_at", "source_id",
          "-source_id"]  # fmt: skip
CITIES = ["Paris", "Rome", "Oslo", None]


def reference(entries: Iterable[Entry], q: CustomerQuery) -> Page:
    """The listing as it was before the indexes: filter everyone, sort, slice."""
    selected = [entry for entry in entries if matches(entry, q)]
    selected.sort(key=sort_key(q.field), reverse=not q.ascending)
    start = (q.page - 1) * q.limit
    window = selected[start : start + q.limit]
    return Page(list(window), len(selected), start + q.limit < len(selected))


def body(rng: random.Random, n: int) -> dict[str, Any]:
    made: dict[str, Any] = {"name": rng.choice(["Ann", "Bob", f"N{n}"])}
    if rng.random() < 0.7:
        made["source_id"] = rng.choice([f"s{n}", f"s{rng.randint(0, 40)}", ""])
    if rng.random() < 0.6:
        made["email"] = rng.choice(["a@x.io", "b@x.io", f"{n}@x.io"])
    city = rng.choice(CITIES)
    if city is not None:
        made["address"] = {"city": city}
    return made


def history(seed: int, steps: int = 400) -> tuple[Customers, Clock, list[str]]:
    rng = random.Random(seed)
    ids, clock = IdGenerator(seed), Clock("manual", 1.0, START)
    customers = Customers(ids, clock, ActivityLog(ids, "t"))
    known: list[str] = []
    for n in range(steps):
        roll = rng.random()
        if roll < 0.3:
            clock.advance(rng.choice([0.0005, 0.001, 1, 60]))
        if roll < 0.05:  # work done for the past is stamped then (job items)
            with clock.pinned(clock.now() - timedelta(seconds=rng.randint(1, 600))):
                known.append(customers.create(body(rng, n))["id"])
            continue
        if roll < 0.55 or not known:
            known.append(customers.create(body(rng, n))["id"])
        elif roll < 0.8:
            key = rng.choice(known)
            if customers.find(key) is not None:
                customers.update(key, {k: v for k, v in body(rng, n).items()
                                       if k != "source_id"})  # fmt: skip
        elif roll < 0.92:
            key = rng.choice(known)
            if customers.find(key) is not None:
                customers.delete(key)
        else:
            key = rng.choice(known)
            if customers.by_id(key) is not None:
                customers.delete_permanently(key)
    return customers, clock, known


def instants(customers: Customers) -> list[datetime]:
    found = {e.created for e in customers.every_entry()}
    found |= {e.updated for e in customers.every_entry() if e.updated is not None}
    return sorted(found)


def queries(customers: Customers, known: list[str], rng: random.Random) -> list[CustomerQuery]:
    moments = instants(customers)
    made = []
    for _ in range(300):
        fields: dict[str, Any] = {
            "order": rng.choice(ORDERS), "limit": rng.choice([1, 3, 10, 100]),
            "page": rng.choice([1, 1, 2, 5]),
        }  # fmt: skip
        for name in ("starting_after", "created_before", "created_after", "updated_before",
                     "updated_after"):  # fmt: skip
            if rng.random() < 0.2:
                fields[name] = rng.choice(moments) + timedelta(microseconds=rng.choice([-1, 0, 1]))
        if rng.random() < 0.15:
            fields["email"] = rng.choice(["a@x.io", "b@x.io", "nobody@x.io"])
        if rng.random() < 0.15:
            fields["name"] = rng.choice(["Ann", "Bob", "N3"])
        if rng.random() < 0.15:
            fields["city"] = rng.choice(["Paris", "Rome", "Lima"])
        if rng.random() < 0.1:
            fields["members"] = set(rng.sample(known, min(len(known), 30)))
        made.append(CustomerQuery(**fields))
    return made


@pytest.mark.parametrize("steps", [40, 400])  # orders made at the first list, or past 64
@pytest.mark.parametrize("seed", range(6))
def test_indexed_listing_equals_filtering_everyone(seed: int, steps: int) -> None:
    customers, _, known = history(seed, steps)
    rng = random.Random(seed)
    for query in queries(customers, known, rng):
        got = customers.query(query)
        expected = reference(customers.entries(), query)
        assert [c["id"] for c in got.items] == [c["id"] for c in expected.items], query
        assert (got.total, got.has_more) == (expected.total, expected.has_more), query
        assert got.items == expected.items


def test_paging_with_starting_after_visits_every_customer_once() -> None:
    """(Customers created at one instant are skipped by a cursor: it compares instants.)"""
    ids, clock = IdGenerator(9), Clock("manual", 1.0, START)
    customers = Customers(ids, clock, ActivityLog(ids, "t"))
    for n in range(300):
        clock.advance(0.001)
        customers.create({"source_id": f"p{n}"})
    seen: list[str] = []
    cursor = None
    while True:
        page = customers.query(CustomerQuery(limit=7, starting_after=cursor))
        seen += [c["id"] for c in page.items]
        if not page.has_more:
            break
        last = page.items[-1]["id"]
        cursor = customers.entry(last).created
    assert seen == [c["id"] for c in reference(customers.entries(), CustomerQuery(limit=100_000))
                    .items]  # fmt: skip


def test_orders_made_at_the_first_list_follow_later_writes() -> None:
    customers, clock, _ = history(4, steps=20)
    first = customers.query(CustomerQuery(order="source_id", limit=100))
    assert first.items == reference(customers.entries(), CustomerQuery(order="source_id",
                                                                       limit=100)).items
    for n in range(100):  # past EAGER, and updates, after the orders exist
        clock.advance(1)
        made = customers.create({"source_id": f"late{n}", "name": "Late"})
        if n % 3 == 0:
            customers.update(made["id"], {"name": "Later"})
    for order in ORDERS:
        query = CustomerQuery(order=order, limit=100, page=2)
        assert customers.query(query) == reference(customers.entries(), query)


def test_a_filter_index_built_late_follows_later_writes() -> None:
    customers, _, _ = history(3, steps=60)
    assert customers.query(CustomerQuery(city="Lima")).total == 0  # builds the city lookup
    made = customers.create({"source_id": "lima-1", "address": {"city": "Lima"}})
    assert [c["id"] for c in customers.query(CustomerQuery(city="Lima")).items] == [made["id"]]
    customers.update(made["id"], {"address": {"city": "Quito"}})
    assert customers.query(CustomerQuery(city="Lima")).total == 0
    assert customers.query(CustomerQuery(city="Quito")).total == 1
    customers.delete(made["id"])
    assert customers.query(CustomerQuery(city="Quito")).total == 0


@pytest.mark.parametrize(("before", "added"), [(0, 500), (70, 400), (300, 20), (5000, 1300)])
def test_many_values_added_at_once_sit_as_update_puts_them(before: int, added: int) -> None:
    """KeyedList.add_many (each key read once, or given) holds what SortedKeyList.update
    would, in the same order, with its bookkeeping sound: sorted and unsorted input, ties,
    lists past one sublist's load, and few values into a big list (placed one by one)."""
    rng = random.Random(before + added)
    old = [rng.randrange(400) for _ in range(before)]
    new = [rng.randrange(400) for _ in range(added)]
    for values in (new, sorted(new)):
        bulk, one_by_one = KeyedList(old, key=neg), KeyedList(old, key=neg)
        bulk.add_many(list(values), [neg(value) for value in values] if before else None)
        one_by_one.update(values)
        bulk._check()
        assert list(bulk) == list(one_by_one) == sorted([*old, *values], reverse=True)
        assert [bulk.bisect_key_left(-n) for n in (0, 200, 399)] == [
            one_by_one.bisect_key_left(-n) for n in (0, 200, 399)
        ]


class _Tie:
    """A value whose key may tie with others': equal keys, told apart by identity."""

    def __init__(self, key: int) -> None:
        self.key = key


FEW_INTO_MANY = [(20_000, 512, 50), (3000, 700, 10**6), (2100, 500, 3), (9, 2, 4), (8000, 1999, 1)]


@pytest.mark.parametrize(("before", "added", "keys"), FEW_INTO_MANY)
def test_few_values_into_a_big_list_go_where_add_puts_them_ties_included(
    before: int, added: int, keys: int
) -> None:
    """Placed one by one (each key read once): the same values in the same order, equal keys
    included (after the ones there, in the order given), and the same sublists, split where
    they fill, as adding them one at a time; the positional index sound."""
    rng = random.Random(before)
    old = [_Tie(rng.randrange(keys)) for _ in range(before)]
    new = [_Tie(rng.randrange(keys + 5)) for _ in range(added)]  # some after every key
    by_key: Callable[[_Tie], int] = attrgetter("key")
    bulk, one_by_one = KeyedList(old, key=by_key), KeyedList(old, key=by_key)
    for value in new:
        one_by_one.add(value)
    bulk.add_many(list(new), [value.key for value in new])
    bulk._check()
    assert [id(v) for v in bulk] == [id(v) for v in one_by_one]
    assert list(map(len, bulk._lists)) == list(map(len, one_by_one._lists))  # the same splits
    if keys == 1:  # every new value after the old ones: the last sublist was split
        assert len(bulk._lists) > before // bulk._load
    assert bulk.index(new[-1]) == one_by_one.index(new[-1])


@pytest.mark.parametrize(("before", "added", "room"), [(1, 3000, 0), (700, 5, 0), (1500, 999, 3)])
def test_values_after_the_end_are_appended_as_update_would_place_them(
    before: int, added: int, room: int
) -> None:
    """Keys in order, none before the last one's (customers created now): add_many appends them
    (the last sublist filled, new ones made) and holds what update would, ties included."""
    old = sorted(random.Random(before).randrange(100) for _ in range(before))
    start = old[-1] - room  # `room` values tie with the last one: they go after it
    new = sorted(start + n // 3 for n in range(added))
    new = [value for value in new if value >= old[-1]]
    bulk, one_by_one = KeyedList(old, key=int), KeyedList(old, key=int)
    bulk.add_many(list(new))
    one_by_one.update(new)
    bulk._check()
    assert list(bulk) == list(one_by_one) == sorted([*old, *new])
    assert bulk.index(new[-1]) == one_by_one.index(new[-1])  # the positional index is sound
    assert bulk[len(old)] is one_by_one[len(old)]


def test_customers_wait_to_be_ordered_a_batch_at_a_time() -> None:
    """An import adds customers without ordering each one, but never lets more than a batch
    wait: ordering them all at its end stopped the event loop for every tenant."""
    ids = IdGenerator(3)
    customers = Customers(ids, Clock("manual"), ActivityLog(ids, "t"))
    count = CustomerIndex.EAGER + 3 * CustomerIndex.BATCH + 7
    made = [customers.create({"source_id": f"s{n:05d}"})["id"] for n in range(count)]
    orders = customers._order._orders
    assert orders is not None
    assert len(orders.pending) == (count - CustomerIndex.EAGER - 1) % CustomerIndex.BATCH
    assert len(orders.created) == count - len(orders.pending)
    page = customers.query(CustomerQuery(limit=100, order="-created_at"))
    assert [item["id"] for item in page.items] == made[::-1][:100]
