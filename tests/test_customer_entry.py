"""The public object of a stored customer (whole) is made from a template per shape of its own
fields; it must say exactly what the plain rule says, key order included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from emulator.domain.customer_entry import DERIVED, KEY_ORDER, ZEROED, whole
from emulator.jobs.clock import iso

DEFAULTS = {"address": None, **ZEROED, "object": "customer"}


def plain(
    customer_id: str, own: dict[str, Any], created: datetime, updated: datetime | None,
    assets: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    """The rule, key by key: the vendor's order; the customer's own value, else the default,
    else the entry's instants and links; own keys outside that order last; id always the
    entry's."""
    data: dict[str, Any] = {"id": customer_id}
    for key in KEY_ORDER:
        if key in own and key != "id":
            data[key] = own[key]
        elif key in DEFAULTS:
            data[key] = DEFAULTS[key]
        elif key == "created_at":
            data[key] = iso(created)
        elif key == "updated_at" and updated is not None:
            data[key] = iso(updated)
        elif key == "assets" and assets is not None:
            data[key] = assets
    for key, value in own.items():
        if key not in data and key not in DERIVED:
            data[key] = value
    return data


def test_whole_follows_the_plain_rule_for_every_shape() -> None:
    rng = random.Random(11)
    pool = [*KEY_ORDER, "extra", "zzz", "another"]
    shapes = set()
    for _ in range(20_000):  # more shapes than the template cache holds, so it evicts too
        keys = rng.sample(pool, rng.randint(0, 9))
        own = {key: rng.choice([None, 1, "x", {"a": 1}, []]) for key in keys}
        created = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 10**8))
        updated = rng.choice([None, created + timedelta(days=1, milliseconds=7)])
        assets = rng.choice([None, {"cockpit_url": "https://example.test/c"}])
        expected = plain("cust_1", own, created, updated, assets)
        assert list(whole("cust_1", own, created, updated, assets).items()) == list(
            expected.items()
        ), own
        shapes.add(tuple(keys))
    assert len(shapes) > 1024


def test_a_template_is_never_changed_by_what_is_made_from_it() -> None:
    own = {"source_id": "a", "metadata": {"k": 1}}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first = whole("cust_1", own, now, None)
    first["name"] = "changed"
    first["summary"] = "changed"
    second = whole("cust_2", own, now, None)
    assert "name" not in second
    assert second["summary"] == ZEROED["summary"]
    assert second["id"] == "cust_2" and second["created_at"] == "2026-01-01T00:00:00.000Z"
