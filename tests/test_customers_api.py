"""Every customers operation on its happy path, through HTTP, with the contract checks on."""

from __future__ import annotations

import re

from helpers import AUTH, Client, call, run_until_idle, seed, tenant_of
from yarl import URL

ALICE = {
    "source_id": "alice@example.com",
    "name": "Alice Morgan",
    "email": "alice@example.com",
    "phone": "+1 933 222 3333",
    "birthdate": "1990-04-01",
    "address": {"city": "New York", "country": "US"},
    "metadata": {"tier": "gold"},
}
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def advance(client: Client, seconds: float) -> None:
    clock = tenant_of(client).clock
    clock.advance(seconds)


async def test_create_returns_the_full_customer_object(client: Client) -> None:
    status, body = await call(client, "POST", "/v1/customers", json=ALICE)
    assert status == 200
    assert re.fullmatch(r"cust_[A-Za-z0-9]{24}", body["id"])
    assert body["object"] == "customer"
    assert {k: body[k] for k in ALICE} == ALICE
    assert body["summary"]["redemptions"]["total_redeemed"] == 0
    assert body["summary"]["orders"]["total_count"] == 0
    assert body["loyalty"] == {"points": 0, "referred_customers": 0, "campaigns": {}}
    assert body["referrals"] == {"total": 0, "campaigns": []}
    assert body["created_at"] == "2026-01-15T09:30:00.000Z"
    assert ISO_MS.match(body["created_at"])
    assert "updated_at" not in body  # as in the vendor's create example


EVERY_FIELD = {
    "name": "Eve Ry", "description": "every documented field", "email": "eve@example.com",
    "phone": "+48 600 000 000", "birthday": "1991-02-03", "birthdate": "1991-02-03",
    "address": {"city": "Gdańsk", "state": "PM", "line_1": "Długa 1", "line_2": "m. 2",
                "country": "PL", "postal_code": "80-831"},
    "metadata": {"plan": "pro"},
}  # fmt: skip


async def test_create_and_update_take_every_documented_field(client: Client) -> None:
    status, created = await call(client, "POST", "/v1/customers",
                                 json={"source_id": "eve", **EVERY_FIELD})  # fmt: skip
    assert status == 200
    assert {k: created[k] for k in EVERY_FIELD} == EVERY_FIELD and created["source_id"] == "eve"
    changed = {
        "name": "Eve R.", "description": "changed", "email": "r@example.com", "phone": "1",
        "birthday": "1992-03-04", "birthdate": "1992-03-04",
        "address": {"city": "Sopot", "state": "PM", "line_1": "Monte Cassino 2", "line_2": "",
                    "country": "PL", "postal_code": "81-701"},
        "metadata": {"plan": "free", "seats": 2},
    }  # fmt: skip
    status, updated = await call(client, "PUT", "/v1/customers/eve", json=changed)
    assert status == 200 and {k: updated[k] for k in changed} == changed
    assert updated["id"] == created["id"] and updated["source_id"] == "eve"


async def test_empty_body_creates_an_anonymous_customer(client: Client) -> None:
    status, body = await call(client, "POST", "/v1/customers", json={})
    assert status == 200
    assert body["address"] is None
    assert "source_id" not in body and "metadata" not in body


async def test_create_is_an_upsert_by_source_id_and_by_id(client: Client) -> None:
    _, first = await call(client, "POST", "/v1/customers", json=ALICE)
    advance(client, 5)
    status, again = await call(
        client, "POST", "/v1/customers", json={"source_id": ALICE["source_id"], "name": "Alice M."}
    )
    assert status == 200
    assert again["id"] == first["id"]
    assert again["name"] == "Alice M."
    assert again["email"] == ALICE["email"]  # untouched
    assert again["updated_at"] == "2026-01-15T09:30:05.000Z"
    _, by_id = await call(client, "POST", "/v1/customers", json={"id": first["id"], "phone": "1"})
    assert by_id["id"] == first["id"] and by_id["phone"] == "1"
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 1


async def test_get_by_id_and_by_url_encoded_source_id(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    status, by_id = await call(client, "GET", f"/v1/customers/{created['id']}")
    assert status == 200
    assets = by_id.pop("assets")  # a single read carries the cockpit links; create does not
    assert by_id == created and "assets" not in created
    assert list(assets) == ["cockpit_url", "cockpit_preference_center_url"]
    status, by_source = await call(client, "GET", "/v1/customers/alice%40example.com")
    assert status == 200 and by_source["id"] == created["id"]


async def test_the_cockpit_links_of_a_customer_are_served(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    _, fetched = await call(client, "GET", "/v1/customers/alice%40example.com")
    for key, view in (("cockpit_url", "cockpit"), ("cockpit_preference_center_url",
                                                   "preferences")):  # fmt: skip
        url = URL(fetched["assets"][key])
        assert url.origin() == client.make_url("/").origin()
        assert url.path.startswith(f"/_emulator/cockpits/app-1/{created['id']}")
        response = await client.get(url.path)
        body = await response.json()
        assert response.status == 200 and body["view"] == view
        assert body["customer"]["id"] == created["id"]
    response = await client.get(f"/_emulator/cockpits/app-1/{created['id']}x")
    assert response.status == 404
    response = await client.get(f"/_emulator/cockpits/nobody/{created['id']}")
    assert response.status == 404


async def test_source_id_with_a_slash_is_one_path_segment(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "crm/42"})
    status, body = await call(client, "GET", "/v1/customers/crm%2F42")
    assert status == 200 and body["source_id"] == "crm/42"


async def test_get_unknown_customer_is_a_vendor_404(client: Client) -> None:
    status, body = await call(client, "GET", "/v1/customers/cust_nope")
    assert status == 404
    assert body["code"] == 404 and body["key"] == "not_found"
    assert body["message"] == "Resource not found"
    assert body["details"] == "Cannot find customer with id cust_nope"
    assert body["resource_id"] == "cust_nope" and body["resource_type"] == "customer"
    assert re.fullmatch(r"v-[0-9a-f]{18}", body["request_id"])


async def test_update_changes_only_what_is_sent(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    advance(client, 60)
    status, updated = await call(
        client, "PUT", "/v1/customers/alice%40example.com", json={"name": "Alice McDonald"}
    )
    assert status == 200
    assert updated["name"] == "Alice McDonald"
    for field in ("email", "phone", "birthdate", "address", "metadata", "source_id", "created_at"):
        assert updated[field] == created[field], field
    assert updated["updated_at"] == "2026-01-15T09:31:00.000Z"
    _, fetched = await call(client, "GET", f"/v1/customers/{created['id']}")
    assert {k: v for k, v in fetched.items() if k != "assets"} == updated


async def test_update_can_clear_the_address(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json=ALICE)
    _, updated = await call(
        client, "PUT", "/v1/customers/alice%40example.com", json={"address": None}
    )
    assert updated["address"] is None


async def test_update_unknown_customer_is_404_and_creates_nothing(client: Client) -> None:
    status, body = await call(client, "PUT", "/v1/customers/ghost", json={"name": "x"})
    assert status == 404 and body["resource_id"] == "ghost"
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 0


async def test_delete_then_404(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    response = await client.delete(f"/v1/customers/{created['id']}", headers=AUTH)
    assert response.status == 204
    assert await response.read() == b""
    status, _ = await call(client, "GET", f"/v1/customers/{created['id']}")
    assert status == 404
    status, _ = await call(client, "DELETE", f"/v1/customers/{created['id']}")
    assert status == 404


async def test_delete_frees_the_source_id_for_a_new_customer(client: Client) -> None:
    _, first = await call(client, "POST", "/v1/customers", json=ALICE)
    await call(client, "DELETE", "/v1/customers/alice%40example.com")
    _, second = await call(client, "POST", "/v1/customers", json=ALICE)
    assert second["id"] != first["id"]


async def test_permanent_deletion_returns_the_vendor_object(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    await call(client, "PUT", "/v1/customers/alice%40example.com", json={"name": "B"})
    status, body = await call(
        client, "POST", "/v1/customers/alice%40example.com/permanent-deletion"
    )
    assert status == 200
    assert re.fullmatch(r"del_[A-Za-z0-9]{24}", body["id"])
    assert body["object"] == "pernament_deletion"  # the vendor's spelling
    assert body["related_object_id"] == created["id"]
    assert body["related_object"] == "customer" and body["status"] == "DONE"
    # The recorded real response: the customer's own record events are not counted, and
    # customer_events / order_events are not sent (DEVIATIONS.md D17).
    assert body["data_json"] == {
        "events": 0, "daily_events": 0, "segments": 0, "orders": 0, "customer": 1,
    }  # fmt: skip
    assert ISO_MS.match(body["created_at"])
    status, _ = await call(client, "GET", f"/v1/customers/{created['id']}")
    assert status == 404
    status, _ = await call(client, "POST", f"/v1/customers/{created['id']}/permanent-deletion")
    assert status == 404


async def test_permanent_deletion_of_a_soft_deleted_customer(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    await call(client, "DELETE", f"/v1/customers/{created['id']}")
    status, body = await call(client, "POST", f"/v1/customers/{created['id']}/permanent-deletion")
    assert status == 200 and body["related_object_id"] == created["id"]


async def test_activity_records_the_customers_own_events(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    advance(client, 1)
    await call(client, "PUT", f"/v1/customers/{created['id']}", json={"name": "B"})
    advance(client, 1)
    await call(client, "PUT", f"/v1/customers/{created['id']}", json={"name": "C"})
    status, body = await call(client, "GET", f"/v1/customers/{created['id']}/activity")
    assert status == 200
    assert body["object"] == "list" and body["data_ref"] == "data"
    assert [e["type"] for e in body["data"]] == [
        "customer.updated", "customer.updated", "customer.created",
    ]  # fmt: skip
    assert body["has_more"] is False
    newest = body["data"][0]
    assert newest["data"]["data"]["customer"]["name"] == "C"
    assert newest["created_at"] == "2026-01-15T09:30:02.000Z"
    assert re.fullmatch(r"evcus_[0-9a-f]{18}", newest["id"])


async def test_activity_pages_with_starting_after_id(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    for n in range(4):
        advance(client, 1)
        await call(client, "PUT", f"/v1/customers/{created['id']}", json={"name": f"N{n}"})
    path = f"/v1/customers/{created['id']}/activity"
    _, first = await call(client, "GET", path, params={"limit": 2, "order": "created_at"})
    assert [e["type"] for e in first["data"]] == ["customer.created", "customer.updated"]
    assert first["has_more"] is True
    cursor = first["more_starting_after"]
    assert cursor == first["data"][-1]["id"]
    _, second = await call(
        client, "GET", path, params={"limit": 2, "order": "created_at", "starting_after_id": cursor}
    )
    names = [e["data"]["data"]["customer"]["name"] for e in second["data"]]
    assert names == ["N1", "N2"]
    _, last = await call(
        client, "GET", path,
        params={"limit": 2, "order": "created_at", "starting_after_id": second["data"][-1]["id"]},
    )  # fmt: skip
    assert [e["data"]["data"]["customer"]["name"] for e in last["data"]] == ["N3"]
    assert last["has_more"] is False and "more_starting_after" not in last


async def test_activity_filters_by_type_and_survives_soft_deletion(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    await call(client, "DELETE", f"/v1/customers/{created['id']}")
    path = f"/v1/customers/{created['id']}/activity"
    _, body = await call(client, "GET", path, params={"type": "customer.deleted"})
    assert [e["type"] for e in body["data"]] == ["customer.deleted"]
    _, none = await call(client, "GET", path, params={"campaign_id": "camp_x"})
    assert none["data"] == []


async def test_activity_windows_categories_campaign_filters_and_default_limit(
    client: Client,
) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    for n in range(11):  # updates at 09:30:01 ... 09:30:11
        advance(client, 1)
        await call(client, "PUT", f"/v1/customers/{created['id']}", json={"name": f"N{n}"})
    path = "/v1/customers/alice%40example.com/activity"

    async def listed(**params: str) -> list[str]:
        status, body = await call(client, "GET", path, params=params)
        assert status == 200, body
        return [e["created_at"][17:19] for e in body["data"]]  # the seconds of each event

    assert len(await listed()) == 10  # no limit: ten events, newest first
    assert await listed(limit="100") == [f"{n:02}" for n in range(11, -1, -1)]
    window = {"start_date": "2026-01-15T09:30:03Z", "end_date": "2026-01-15T09:30:05Z"}
    assert await listed(**window) == ["05", "04", "03"]
    assert len(await listed(category="ACTION", limit="100")) == 12  # its own writes are actions
    assert await listed(category="EFFECT") == []
    # Events of a campaign: a customer's own record events belong to none (DEVIATIONS S4).
    for campaign_type in ("DISCOUNT_COUPONS", "REFERRAL_PROGRAM", "GIFT_VOUCHERS", "PROMOTION",
                          "LOYALTY_PROGRAM"):  # fmt: skip
        assert await listed(campaign_type=campaign_type) == []
    assert await listed(campaign_id="camp_anything") == []
    status, body = await call(client, "GET", path, params={"campaign_type": "STANDALONE"})
    assert status == 400 and body["details"].startswith(
        "Property .campaign_type must be equal to one of the allowed values")  # fmt: skip


async def test_deprecated_activities_listing_has_a_total(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/customers", json=ALICE)
    status, body = await call(client, "GET", f"/v1/customers/{created['id']}/activities")
    assert status == 200 and body["total"] == 1
    assert body["data"][0]["type"] == "customer.created"


async def test_activity_of_unknown_customer_is_404(client: Client) -> None:
    status, body = await call(client, "GET", "/v1/customers/nobody/activity")
    assert status == 404 and body["resource_type"] == "customer"


async def test_segments_and_redeemables_are_empty_without_fixtures(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json=ALICE)
    status, segments = await call(client, "GET", "/v1/customers/alice%40example.com/segments")
    assert status == 200
    assert segments == {"object": "list", "data_ref": "data", "data": [], "total": 0}
    status, redeemables = await call(client, "GET", "/v1/customers/alice%40example.com/redeemables")
    assert status == 200
    assert redeemables == {
        "object": "list", "data_ref": "data", "data": [], "total": 0, "has_more": False,
    }  # fmt: skip


async def test_segments_of_an_unknown_customer_are_those_it_would_qualify_for(
    client: Client,
) -> None:
    """Not a 404: the segments a customer the tenant does not store would qualify for. Every
    segment here is a static list, which takes in only the customers put in it: none."""
    status, seeded = await seed(client, {
        "customers": [{"source_id": "member"}, {"source_id": "leaver"}],
        "segments": [{"id": "seg_all", "name": "Everyone so far",
                      "customers": ["member", "leaver"]}],
    })  # fmt: skip
    assert status == 200, seeded
    empty = {"object": "list", "data_ref": "data", "data": [], "total": 0}
    for unknown in ("nobody", "cust_0000000000000000000000nope", "someone%40example.com"):
        status, body = await call(client, "GET", f"/v1/customers/{unknown}/segments")
        assert (status, body) == (200, empty), unknown
    _, stored = await call(client, "GET", "/v1/customers/member")
    for key in ("member", stored["id"]):  # the same call for a stored one, by either key
        _, member = await call(client, "GET", f"/v1/customers/{key}/segments")
        assert [s["id"] for s in member["data"]] == ["seg_all"]
    await call(client, "DELETE", "/v1/customers/leaver")  # no longer a stored customer
    assert await call(client, "GET", "/v1/customers/leaver/segments") == (200, empty)
    status, _ = await call(client, "GET", "/v1/customers/nobody/redeemables")
    assert status == 404  # the redeemables of an unknown customer stay a 404
    assert (await call(client, "GET", "/v1/customers/nobody"))[0] == 404  # nothing was created


async def test_bulk_update_accepts_and_stores_null_address_fields(client: Client) -> None:
    """D16: what the JS SDK's live test sees from the real API."""
    await call(client, "POST", "/v1/customers", json={"source_id": "ny"})
    items = [{"source_id": "ny", "address": {"city": "New York", "country": "US"}}]
    status, _ = await call(client, "POST", "/v1/customers/bulk/async", json=items)
    assert status == 202
    await run_until_idle(client)
    cleared = [{"source_id": "ny", "address": {"city": None, "country": None}}]
    status, accepted = await call(client, "POST", "/v1/customers/bulk/async", json=cleared)
    assert status == 202, accepted
    await run_until_idle(client)
    status, job = await call(client, "GET", f"/v1/async-actions/{accepted['async_action_id']}")
    assert job["status"] == "DONE" and job["result"]["done_count"] == 1
    _, customer = await call(client, "GET", "/v1/customers/ny")
    assert customer["address"] == {"city": None, "country": None}
    # Create and update keep the published spec's plain strings: no evidence says otherwise.
    status, body = await call(client, "PUT", "/v1/customers/ny", json={"address": {"city": None}})
    assert status == 400 and body["details"] == "Property .address.city must be string"
