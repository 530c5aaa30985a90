"""GET /v1/customers: filters, orders, page arithmetic and the starting_after cursor."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import Client, call, tenant_of


async def seed(client: Client, count: int, **extra: Any) -> list[dict[str, Any]]:
    """Create customers one minute apart: c0 oldest ... c{count-1} newest."""
    clock = tenant_of(client).clock
    made = []
    for n in range(count):
        body = {
            "source_id": f"c{n}",
            "name": f"Customer {n}",
            "email": f"c{n}@example.com",
            **extra,
        }
        _, customer = await call(client, "POST", "/v1/customers", json=body)
        made.append(customer)
        clock.advance(60)
    return made


def ids(body: dict[str, Any]) -> list[str]:
    return [c["source_id"] for c in body["customers"]]


async def test_default_is_ten_newest_first_with_total_and_has_more(client: Client) -> None:
    await seed(client, 12)
    status, body = await call(client, "GET", "/v1/customers")
    assert status == 200
    assert body["object"] == "list" and body["data_ref"] == "customers"
    assert ids(body) == [f"c{n}" for n in range(11, 1, -1)]
    assert body["total"] == 12 and body["has_more"] is True


async def test_limit_and_page(client: Client) -> None:
    await seed(client, 7)
    _, page2 = await call(client, "GET", "/v1/customers", params={"limit": 3, "page": 2})
    assert ids(page2) == ["c3", "c2", "c1"] and page2["has_more"] is True
    _, page3 = await call(client, "GET", "/v1/customers", params={"limit": 3, "page": 3})
    assert ids(page3) == ["c0"] and page3["has_more"] is False
    _, beyond = await call(client, "GET", "/v1/customers", params={"limit": 3, "page": 9})
    assert beyond["customers"] == [] and beyond["total"] == 7


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("created_at", ["c0", "c1", "c2"]),
        ("-created_at", ["c2", "c1", "c0"]),
        ("source_id", ["c0", "c1", "c2"]),
        ("-source_id", ["c2", "c1", "c0"]),
    ],
)
async def test_orders(client: Client, order: str, expected: list[str]) -> None:
    await seed(client, 3)
    _, body = await call(client, "GET", "/v1/customers", params={"order": order})
    assert ids(body) == expected


async def test_order_by_updated_at_puts_the_last_touched_last(client: Client) -> None:
    await seed(client, 3)
    await call(client, "PUT", "/v1/customers/c0", json={"name": "touched"})
    _, asc = await call(client, "GET", "/v1/customers", params={"order": "updated_at"})
    assert ids(asc) == ["c1", "c2", "c0"]
    _, desc = await call(client, "GET", "/v1/customers", params={"order": "-updated_at"})
    assert ids(desc) == ["c0", "c2", "c1"]


async def test_filters_email_name_city(client: Client) -> None:
    await seed(client, 3)
    await call(client, "PUT", "/v1/customers/c1", json={"address": {"city": "Warsaw"}})
    _, by_email = await call(client, "GET", "/v1/customers", params={"email": "c2@example.com"})
    assert ids(by_email) == ["c2"] and by_email["total"] == 1
    _, by_name = await call(client, "GET", "/v1/customers", params={"name": "Customer 0"})
    assert ids(by_name) == ["c0"]
    _, by_city = await call(client, "GET", "/v1/customers", params={"city": "Warsaw"})
    assert ids(by_city) == ["c1"]


async def test_created_and_updated_windows(client: Client) -> None:
    made = await seed(client, 4)  # 09:30, 09:31, 09:32, 09:33
    params = {
        "created_at[after]": made[0]["created_at"],
        "created_at[before]": made[3]["created_at"],
    }
    _, body = await call(client, "GET", "/v1/customers", params=params)
    assert ids(body) == ["c2", "c1"]
    _, day = await call(client, "GET", "/v1/customers", params={"created_at[before]": "2026-01-15"})
    assert day["total"] == 0  # a bare date is midnight UTC
    await call(client, "PUT", "/v1/customers/c0", json={"name": "x"})
    _, updated = await call(
        client, "GET", "/v1/customers", params={"updated_at[after]": made[3]["created_at"]}
    )
    assert ids(updated) == ["c0"]


async def test_sdk_style_datetimes_are_understood(client: Client) -> None:
    await seed(client, 2)  # 09:30, 09:31
    params = {"created_at[before]": "2026-01-15T09:30:30.000000+0000"}
    status, body = await call(client, "GET", "/v1/customers", params=params)
    assert status == 200 and ids(body) == ["c0"]


async def test_starting_after_walks_older_records_by_default(client: Client) -> None:
    made = await seed(client, 5)
    _, body = await call(
        client, "GET", "/v1/customers", params={"starting_after": made[3]["created_at"], "limit": 2}
    )
    assert ids(body) == ["c2", "c1"] and body["has_more"] is True


async def test_starting_after_with_ascending_order_walks_newer_records(client: Client) -> None:
    made = await seed(client, 5)
    params = {"starting_after": made[1]["created_at"], "order": "created_at"}
    _, body = await call(client, "GET", "/v1/customers", params=params)
    assert ids(body) == ["c2", "c3", "c4"]


async def test_list_hides_deleted_customers(client: Client) -> None:
    await seed(client, 3)
    await call(client, "DELETE", "/v1/customers/c1")
    _, body = await call(client, "GET", "/v1/customers")
    assert ids(body) == ["c2", "c0"] and body["total"] == 2


async def test_unknown_segment_filter_matches_nothing(client: Client) -> None:
    await seed(client, 2)
    _, body = await call(client, "GET", "/v1/customers", params={"segment_id": "seg_nope"})
    assert body["customers"] == [] and body["total"] == 0


async def test_a_repeated_query_answers_each_tenant_and_each_moment_anew(client: Client) -> None:
    """The same query string, asked again (its parsed form is reused), lists the asking
    tenant's customers as they are at that moment, cursor and filters included."""
    other = {"X-App-Id": "app-2", "X-App-Token": "token-2"}
    made = await seed(client, 3)
    query = {"limit": 2, "order": "created_at", "starting_after": made[0]["created_at"]}
    _, first = await call(client, "GET", "/v1/customers", params=query)
    assert ids(first) == ["c1", "c2"] and first["total"] == 2
    plain = {"limit": 2, "order": "created_at"}
    _, mine = await call(client, "GET", "/v1/customers", params=plain)
    assert ids(mine) == ["c0", "c1"]
    _, empty = await call(client, "GET", "/v1/customers", params=plain, headers=other)
    assert empty["customers"] == [] and empty["total"] == 0
    await call(client, "POST", "/v1/customers", json={"source_id": "x"}, headers=other)
    _, theirs = await call(client, "GET", "/v1/customers", params=plain, headers=other)
    assert ids(theirs) == ["x"]
    await call(client, "DELETE", f"/v1/customers/{made[1]['id']}")
    _, again = await call(client, "GET", "/v1/customers", params=query)
    assert ids(again) == ["c2"] and again["total"] == 1
    by_city = {"limit": 2, "city": "Paris"}
    _, nobody = await call(client, "GET", "/v1/customers", params=by_city)
    assert nobody["total"] == 0
    await call(client, "PUT", f"/v1/customers/{made[2]['id']}", json={"address": {"city": "Paris"}})
    _, found = await call(client, "GET", "/v1/customers", params=by_city)
    assert ids(found) == ["c2"]


async def test_a_parameter_value_that_cannot_be_a_cache_key_still_lists(client: Client) -> None:
    """Another spec (VOUCHERIFY_EMULATOR_SPEC) may declare a list parameter as an array: the
    parsed query is then made afresh rather than looked up."""
    from emulator.routes.calls import Call
    from emulator.routes.customers import list_customers

    await seed(client, 2)
    tenant = tenant_of(client)
    reply = list_customers(Call(tenant, {"limit": 5, "email": ["c0@example.com"]}))
    assert reply.status == 200 and reply.body["total"] == 0
    reply = list_customers(Call(tenant, {"limit": 5, "email": "c0@example.com"}))
    assert [entry.own["source_id"] for entry in reply.body["customers"]] == ["c0"]
