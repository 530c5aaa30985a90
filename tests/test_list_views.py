"""A list answer is checked in two parts (its envelope, and each item once per version of the
stored object behind it): the parts agree with jsonschema's check of the whole answer, and an
item's kept text follows every change of its object."""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest
from conftest import ClientFactory
from helpers import Client, call, tenant_of
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from test_fastcheck import SCHEMAS, make, mutate

from emulator.contract.split import SplitCheck, split_check
from emulator.http.views import ViewCache

Json = dict[str, Any]


def array_keys(schema: Json) -> list[str]:
    properties = schema.get("properties") or {}
    return [key for key, sub in properties.items() if isinstance(sub, dict) and "items" in sub]


SPLITS = [
    (f"{name} at {key}", schema, split)
    for name, schema in SCHEMAS
    for key in array_keys(schema)
    if (split := split_check(schema, key)) is not None
]


def split_verdict(split: SplitCheck, instance: Json) -> bool:
    items = instance[split.key]
    if split.envelope_problem(instance, len(items)) is not None:
        return False
    return split.items_problem(items, range(len(items))) is None


def test_the_customer_list_answer_splits() -> None:
    assert any(name.startswith("list-customers 200 at customers") for name, _, _ in SPLITS)


@pytest.mark.parametrize(("name", "schema", "split"), SPLITS, ids=[n for n, _, _ in SPLITS])
def test_the_two_parts_agree_with_jsonschema_on_the_whole(
    name: str, schema: Json, split: SplitCheck
) -> None:
    """On generated answers and mutations of them (an item's field broken or dropped, the
    envelope's, the list itself), wherever the items are still a list."""
    reference = OAS30Validator(schema, format_checker=oas30_format_checker)
    rng = random.Random(name)
    verdicts = set()
    for _ in range(60):
        answer = make(schema, rng)
        answer[split.key] = [make(schema["properties"][split.key]["items"], rng)
                             for _ in range(rng.randint(1, 4))]  # fmt: skip
        for candidate in [answer] + [mutate(answer, rng) for _ in range(12)]:
            if not isinstance(candidate, dict) or not isinstance(candidate.get(split.key), list):
                continue
            expected = reference.is_valid(candidate)
            assert split_verdict(split, candidate) == expected, (name, candidate)
            verdicts.add(expected)
    assert verdicts == {True, False}


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"x": {"type": "array", "items": {}}}, "allOf": [{}]},
        {"properties": {"x": {"type": "array", "items": {}}}, "patternProperties": {"^x": {}}},
        {"properties": {"x": {"type": "array", "items": {}, "uniqueItems": True}}},
        {"properties": {"x": {"type": "array", "items": [{}, {}]}}},
        {"properties": {"x": {"anyOf": [{"type": "array", "items": {}}]}}},
        {"properties": {"y": {"type": "array", "items": {}}}},
    ],
)
def test_no_split_where_it_would_not_be_exact(schema: Json) -> None:
    assert split_check(schema, "x") is None


class Stored:
    """A stored object as the cache sees it; counts how often its public object is built."""

    def __init__(self, name: str) -> None:
        self.own: Json = {"name": name}
        self.builds = 0

    @property
    def version(self) -> object:
        return self.own

    @property
    def data(self) -> Json:
        self.builds += 1
        return dict(self.own)


def test_a_new_object_equal_to_the_old_is_built_again() -> None:
    """Versions are told apart by identity: {"name": 1} equals {"name": True} (and key order
    does not count in an equality), yet each writes differently."""
    cache, one = ViewCache(), Stored("x")
    one.own = {"name": 1, "k": 2}
    assert orjson.loads(orjson.dumps(cache.fragments([one], None)[0])) == [{"name": 1, "k": 2}]
    one.own = {"k": 2, "name": True}
    made = orjson.dumps(cache.fragments([one], None)[0])
    assert made == b'[{"k":2,"name":true}]' and one.builds == 2


def names(fragments: list[orjson.Fragment]) -> list[str]:
    return [item["name"] for item in orjson.loads(orjson.dumps(fragments))]


def test_an_unchanged_object_is_built_once_and_a_written_one_again() -> None:
    cache, ann, bob = ViewCache(), Stored("Ann"), Stored("Bob")
    first, _ = cache.fragments([ann, bob], None)
    again, _ = cache.fragments([bob, ann], None)
    assert names(first) == ["Ann", "Bob"] and names(again) == ["Bob", "Ann"]
    assert (ann.builds, bob.builds) == (1, 1)
    ann.own = {"name": "Anna"}  # a write replaces the object's own fields
    assert names(cache.fragments([ann, bob], None)[0]) == ["Anna", "Bob"]
    assert (ann.builds, bob.builds) == (2, 1)


def test_the_cache_keeps_the_newest_views_only() -> None:
    cache = ViewCache(size=3)
    stored = [Stored(f"n{i}") for i in range(5)]
    cache.fragments(stored, None)
    assert len(cache) == 3
    cache.fragments(stored[2:], None)  # the three newest are kept
    assert [s.builds for s in stored] == [1, 1, 1, 1, 1]
    cache.fragments(stored[:1], None)  # the oldest was dropped
    assert stored[0].builds == 2


def test_an_item_that_breaks_the_contract_is_named_and_not_kept() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"}}}}}}  # fmt: skip
    split = split_check(schema, "x")
    assert split is not None
    cache, good, bad = ViewCache(), Stored("Ann"), Stored("Bob")
    bad.own = {"name": 7}
    _, problem = cache.fragments([good, bad], split)
    assert problem is not None and problem.describe() == "Property .x.1.name must be string"
    assert len(cache) == 0  # nothing of a broken answer is kept
    bad.own = {"name": "Bob"}
    made, problem = cache.fragments([good, bad], split)
    assert problem is None and names(made) == ["Ann", "Bob"] and len(cache) == 2


async def test_a_listed_customer_shows_each_write(client: Client) -> None:
    _, made = await call(client, "POST", "/v1/customers", json={"source_id": "a", "name": "Ann"})
    _, listed = await call(client, "GET", "/v1/customers")
    assert [c["name"] for c in listed["customers"]] == ["Ann"]
    await call(client, "PUT", f"/v1/customers/{made['id']}", json={"name": "Anna"})
    _, listed = await call(client, "GET", "/v1/customers")
    assert [c["name"] for c in listed["customers"]] == ["Anna"]
    assert "updated_at" in listed["customers"][0]
    _, got = await call(client, "GET", f"/v1/customers/{made['id']}")
    assert listed["customers"][0] == {k: v for k, v in got.items() if k != "assets"}


@pytest.mark.parametrize(
    ("before", "after"),
    [({"x": 1}, {"x": True}), ({"a": 1, "b": 2}, {"b": 2, "a": 1.0})],
)
async def test_a_write_equal_to_what_was_listed_still_shows(
    client: Client, before: Json, after: Json
) -> None:
    """On the manual clock `updated_at` need not move between two writes, and the new fields
    compare equal to the old: the list still shows what was written, as a read does."""
    _, made = await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    path = f"/v1/customers/{made['id']}"
    await call(client, "PUT", path, json={"metadata": before})
    await call(client, "GET", "/v1/customers")
    await call(client, "PUT", path, json={"metadata": after})
    _, got = await call(client, "GET", path)
    _, listed = await call(client, "GET", "/v1/customers")
    shown = listed["customers"][0]["metadata"]
    assert orjson.dumps(shown) == orjson.dumps(got["metadata"]) == orjson.dumps(after)


async def test_a_customer_broken_after_it_was_listed_is_caught_at_its_next_write(
    client: Client,
) -> None:
    """A stored object is never changed in place; a write replaces it. So a corrupted value
    that a write brings in is checked when the customer is next listed."""
    await call(client, "POST", "/v1/customers", json={"source_id": "v"})
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    entry = tenant_of(client).customers.entry("v")
    entry.own = {**entry.own, "email": 12345}  # what a buggy write would store
    status, body = await call(client, "GET", "/v1/customers")
    assert status == 500
    assert body["details"] == "list-customers 200: Property .customers.0.email must be string"


async def test_unchecked_answers_still_list_each_write(make_client: ClientFactory) -> None:
    client = await make_client(validate_responses=False)
    _, made = await call(client, "POST", "/v1/customers", json={"source_id": "a", "name": "A"})
    await call(client, "GET", "/v1/customers")
    await call(client, "PUT", f"/v1/customers/{made['id']}", json={"name": "B"})
    _, listed = await call(client, "GET", "/v1/customers")
    assert [c["name"] for c in listed["customers"]] == ["B"]
