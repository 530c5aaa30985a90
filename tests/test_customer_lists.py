"""The customer-list upload through HTTP: preview (changes nothing), confirm once, stale previews
refused, segment categories as real segments, and every troubleshooting error by row and column."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import AUTH, CONTROL, OTHER, Client, call, csv_form

LIST = "/_emulator/customer-lists"
SEGMENT_LIST = (
    "identifier,email,name,loyalty_points,customer segment test\n"
    "ann,ann@example.com,Ann,10,New\n"
    "bob,bob@example.com,Bob,,New\n"
)


async def upload(
    client: Client, content: bytes | str, headers: dict[str, str] = AUTH
) -> tuple[int, Any]:
    response = await client.post(
        LIST, data=csv_form(content, "list.csv"), headers={**headers, **CONTROL}
    )
    return response.status, await response.json()


async def preview(client: Client, content: bytes | str) -> Any:
    status, body = await upload(client, content)
    assert status == 201, body
    return body


async def confirm(client: Client, list_id: str, update_existing: bool | None = None) -> Any:
    body = {} if update_existing is None else {"update_existing": update_existing}
    response = await client.post(f"{LIST}/{list_id}/confirm", json=body, headers=AUTH)
    return response.status, await response.json()


async def total(client: Client, **query: str) -> int:
    status, body = await call(client, "GET", "/v1/customers", params=query)
    assert status == 200, body
    return int(body["total"])


async def segments(client: Client, customer: str) -> list[str]:
    status, body = await call(client, "GET", f"/v1/customers/{customer}/segments")
    assert status == 200, body
    return [segment["name"] for segment in body["data"]]


async def test_preview_changes_nothing_and_confirm_creates(client: Client) -> None:
    listing = await preview(client, SEGMENT_LIST)
    assert listing["status"] == "READY"
    assert listing["file"] == {"name": "list.csv", "size": len(SEGMENT_LIST)}
    assert listing["new_customers"][0] == {
        "row": 1, "identifier": "ann", "name": "Ann", "email": "ann@example.com",
        "loyalty_points": 10, "segments": {"customer segment test": "New"},
    }  # fmt: skip
    assert listing["categories"] == [
        {"name": "customer segment test", "existing": False, "values": ["New"]}
    ]
    assert listing["summary"] == {"rows": 2, "new": 2, "existing": 0, "unchanged": 0,
                                  "errors": 0, "rows_with_errors": 0}  # fmt: skip
    assert await total(client) == 0  # the preview changed nothing

    status, done = await confirm(client, listing["id"])
    assert status == 200, done
    assert done["status"] == "CONFIRMED"
    assert done["result"]["created"] == 2
    assert done["result"]["message"] == (
        "2 customer(s) created, 0 updated, 0 unchanged, 0 not updated.")
    status, ann = await call(client, "GET", "/v1/customers/ann")
    assert status == 200
    assert (ann["source_id"], ann["email"], ann["name"]) == ("ann", "ann@example.com", "Ann")
    assert ann["loyalty"]["points"] == 10
    assert ann.get("metadata", {}) == {}  # identifier is the source_id, not metadata
    assert await segments(client, "ann") == ["customer segment test: New"]
    status, again = await call(client, "GET", f"{LIST}/{listing['id']}")
    assert again["status"] == "CONFIRMED" and again["result"] == done["result"]


async def test_an_identifier_alone_is_enough_and_the_api_can_change_what_was_uploaded(
    client: Client,
) -> None:
    listing = await preview(client, "identifier\nonly-id\n")
    assert listing["status"] == "READY" and listing["categories"] == []
    assert (await confirm(client, listing["id"]))[0] == 200
    status, changed = await call(client, "PUT", "/v1/customers/only-id",
                                 json={"name": "Named later", "metadata": {"via": "api"}})
    assert status == 200 and changed["name"] == "Named later"
    status, _ = await call(client, "DELETE", "/v1/customers/only-id")
    assert status == 204 and (await call(client, "GET", "/v1/customers/only-id"))[0] == 404


async def test_headers_match_case_insensitively(client: Client) -> None:
    listing = await preview(client, "IDENTIFIER,Email,NAME,Loyalty_Points\nx1,x@example.com,X,7\n")
    assert listing["categories"] == []
    await confirm(client, listing["id"])
    _, customer = await call(client, "GET", "/v1/customers/x1")
    assert (customer["email"], customer["name"], customer["loyalty"]["points"]) == (
        "x@example.com", "X", 7)  # fmt: skip


async def test_existing_customers_show_changes_and_update_only_when_asked(client: Client) -> None:
    await confirm(client, (await preview(client, SEGMENT_LIST))["id"])
    changed = (
        "identifier,email,name,loyalty_points,customer segment test\n"
        "ann,ann@example.com,Ann,25,Existing\n"
        "bob,bob@example.com,Bob,,New\n"
        "cid,cid@example.com,Cid,3,New\n"
    )
    listing = await preview(client, changed)
    existing = {item["identifier"]: item for item in listing["existing_customers"]}
    assert existing["ann"]["changes"] == [
        {"field": "loyalty_points", "from": 10, "to": 25},
        {"category": "customer segment test", "from": "New", "to": "Existing"},
    ]
    assert existing["bob"]["changes"] == []
    assert [item["identifier"] for item in listing["new_customers"]] == ["cid"]
    assert listing["summary"]["unchanged"] == 1

    _, done = await confirm(client, listing["id"], update_existing=False)
    assert done["result"] | {"message": ""} == {"message": "", "update_existing": False,
        "created": 1, "updated": 0, "unchanged": 1, "skipped": 1}  # fmt: skip
    assert await segments(client, "ann") == ["customer segment test: New"]
    _, ann = await call(client, "GET", "/v1/customers/ann")
    assert ann["loyalty"]["points"] == 10


async def test_update_customers_moves_a_segment_never_into_both(client: Client) -> None:
    await confirm(client, (await preview(client, SEGMENT_LIST))["id"])
    status, ann_segments = await call(client, "GET", "/v1/customers/ann/segments")
    new_id = ann_segments["data"][0]["id"]
    assert new_id.startswith("seg_")
    assert await total(client, segment_id=new_id) == 2

    listing = await preview(client, "identifier,Customer Segment Test\nann,Existing\n")
    assert listing["categories"] == [
        {"name": "Customer Segment Test", "existing": True, "values": ["Existing"]}
    ]
    status, done = await confirm(client, listing["id"], update_existing=True)
    assert status == 200 and done["result"]["updated"] == 1
    assert await segments(client, "ann") == ["customer segment test: Existing"]
    status, body = await call(client, "GET", "/v1/customers/ann/segments")
    existing_id = body["data"][0]["id"]
    assert await total(client, segment_id=new_id) == 1  # bob only
    assert await total(client, segment_id=existing_id) == 1  # ann only
    status, page = await call(client, "GET", "/v1/customers", params={"segment_id": existing_id})
    assert [c["source_id"] for c in page["customers"]] == ["ann"]


async def test_empty_category_cell_leaves_the_value(client: Client) -> None:
    await confirm(client, (await preview(client, SEGMENT_LIST))["id"])
    listing = await preview(client, "identifier,name,customer segment test\nann,Annie,\n")
    assert listing["existing_customers"][0]["changes"] == [
        {"field": "name", "from": "Ann", "to": "Annie"}
    ]
    await confirm(client, listing["id"], update_existing=True)
    assert await segments(client, "ann") == ["customer segment test: New"]


async def test_a_preview_is_confirmed_once(client: Client) -> None:
    listing = await preview(client, SEGMENT_LIST)
    assert (await confirm(client, listing["id"]))[0] == 200
    status, body = await confirm(client, listing["id"])
    assert status == 409
    assert body["key"] == "customer_list_confirmed"
    assert body["resource_type"] == "customer_list" and body["resource_id"] == listing["id"]
    assert "already confirmed" in body["details"]
    assert await total(client) == 2


@pytest.mark.parametrize("change", ["customer", "segment", "delete"])
async def test_a_stale_preview_is_refused_and_applies_nothing(client: Client, change: str) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "zed"})
    listing = await preview(client, SEGMENT_LIST)
    if change == "customer":
        await call(client, "POST", "/v1/customers", json={"source_id": "someone-else"})
    elif change == "segment":
        moved = await preview(client, "identifier,tier\nzed,gold\n")
        assert (await confirm(client, moved["id"], update_existing=True))[0] == 200
    else:
        await call(client, "DELETE", "/v1/customers/zed")
    status, got = await call(client, "GET", f"{LIST}/{listing['id']}")
    assert got["status"] == "STALE"
    status, body = await confirm(client, listing["id"], update_existing=True)
    assert status == 409 and body["key"] == "stale_customer_list"
    assert "changed after it was previewed" in body["details"]
    assert (await call(client, "GET", "/v1/customers/ann"))[0] == 404


async def test_ten_thousand_rows_accepted(client: Client) -> None:
    rows = "".join(f"c{n},c{n}@example.com,{n % 7},{'AB'[n % 2]}\n" for n in range(10_000))
    listing = await preview(client, "identifier,email,loyalty_points,group\n" + rows)
    assert listing["status"] == "READY" and listing["summary"]["new"] == 10_000
    status, done = await confirm(client, listing["id"])
    assert status == 200 and done["result"]["created"] == 10_000
    assert await total(client) == 10_000
    status, body = await call(client, "GET", "/v1/customers/c9999/segments")
    assert [s["name"] for s in body["data"]] == ["group: B"]
    assert await total(client, segment_id=body["data"][0]["id"]) == 5_000


async def test_ten_thousand_and_one_rows_refused_with_nothing_applied(client: Client) -> None:
    rows = "".join(f"c{n}\n" for n in range(10_001))
    listing = await preview(client, "identifier\n" + rows)
    assert listing["status"] == "INVALID"
    assert listing["errors"] == [{
        "row": None, "line": None, "column": None, "code": "too_many_rows",
        "reason": "The file has 10,001 customers; at most 10,000 can be uploaded at once. "
                  "Nothing was applied: split the file and upload each part",
    }]  # fmt: skip
    assert listing["new_customers"] == [] and listing["summary"]["rows"] == 10_001
    status, body = await confirm(client, listing["id"])
    assert status == 400 and body["key"] == "invalid_customer_list"
    assert await total(client) == 0


async def test_lists_belong_to_their_tenant(client: Client) -> None:
    listing = await preview(client, SEGMENT_LIST)
    response = await client.post(f"{LIST}/{listing['id']}/confirm", json={}, headers=OTHER)
    assert response.status == 404
    assert (await response.json())["resource_type"] == "customer_list"
    status, body = await upload(client, SEGMENT_LIST, headers={"X-App-Token": "t"})
    assert status == 400 and body["key"] == "missing_tenant"


async def test_a_deleted_customer_is_no_longer_counted_in_its_category(client: Client) -> None:
    """The dashboard counted a soft-deleted customer in its category value (found in
    review)."""
    listing = await preview(client, "identifier,tier\nann,A\nbob,A\n")
    assert (await confirm(client, listing["id"]))[0] == 200
    assert (await call(client, "DELETE", "/v1/customers/ann"))[0] == 204
    response = await client.get("/_emulator/customers", headers=AUTH)
    [tier] = (await response.json())["categories"]
    assert [(v["value"], v["customers"]) for v in tier["values"]] == [("A", 1)]
