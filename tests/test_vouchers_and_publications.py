"""Vouchers you can read back, publications, and the redeemables they give customers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from helpers import AUTH, Client, advance, call, csv_form, run_until_idle
from yarl import URL

DISCOUNT = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 500}}


async def campaign(client: Client, name: str, **body: Any) -> dict[str, Any]:
    status, created = await call(client, "POST", "/v1/campaigns",
                                 json={"name": name, "voucher": DISCOUNT, **body})  # fmt: skip
    assert status == 200, created
    return dict(created)


async def import_codes(client: Client, campaign_name: str, csv: str) -> None:
    response = await client.post(
        f"/v1/campaigns/{campaign_name}/importCSV", data=csv_form(csv), headers=AUTH
    )
    assert response.status == 200
    await run_until_idle(client)


async def publish(client: Client, body: dict[str, Any], **params: str) -> tuple[int, Any]:
    return await call(client, "POST", "/v1/publications", json=body, params=params)


# -- vouchers ---------------------------------------------------------------------------


async def test_imported_vouchers_can_be_read_back(client: Client) -> None:
    spring = await campaign(client, "Spring", start_date="2026-03-01T00:00:00Z",
                            validity_day_of_week=[1, 2, 3])  # fmt: skip
    await import_codes(client, "Spring", "Code,Category,Region\nSP-1,Promo,EU\nSP-2,,US\n")
    for params in ({"campaign_id": spring["id"]}, {"campaign": "Spring"},
                   {"campaign": spring["id"]}):  # fmt: skip
        status, page = await call(client, "GET", "/v1/vouchers", params=params)
        assert status == 200 and page["object"] == "list" and page["data_ref"] == "vouchers"
        assert page["total"] == 2
        assert [v["code"] for v in page["vouchers"]] == ["SP-2", "SP-1"]  # newest first
    status, voucher = await call(client, "GET", "/v1/vouchers/SP-1")
    assert status == 200
    assert voucher["campaign"] == "Spring" and voucher["campaign_id"] == spring["id"]
    assert voucher["category"] == "Promo" and voucher["metadata"] == {"Region": "EU"}
    assert voucher["discount"] == DISCOUNT["discount"] and voucher["type"] == "DISCOUNT_VOUCHER"
    # the campaign's dates and validity come with it (the CSV import docs say so)
    assert voucher["start_date"] == "2026-03-01T00:00:00.000Z"
    assert voucher["validity_day_of_week"] == [1, 2, 3]
    assert voucher["validation_rules_assignments"] == spring["validation_rules_assignments"]
    assert voucher["publish"] == {"object": "list", "count": 0,
                                  "url": "/v1/vouchers/SP-1/publications?page=1&limit=10"}
    assert voucher["redemption"]["redeemed_quantity"] == 0
    assert "quantity" not in voucher["redemption"]  # unlimited: null, left out
    status, by_id = await call(client, "GET", f"/v1/vouchers/{voucher['id']}")
    assert status == 200 and by_id["code"] == "SP-1"


async def test_voucher_asset_links_are_served(client: Client) -> None:
    await campaign(client, "Assets")
    await import_codes(client, "Assets", "Code\nA<1>\n")
    _, voucher = await call(client, "GET", "/v1/vouchers/A%3C1%3E")
    for kind in ("qr", "barcode"):
        url = URL(voucher["assets"][kind]["url"])
        response = await client.get(url.raw_path)
        assert response.status == 200 and response.content_type == "image/svg+xml"
        assert "A&lt;1&gt;" in await response.text()  # the code, escaped
    assert (await client.get("/_emulator/assets/app-1/qr/NOPE")).status == 404


async def test_unknown_voucher_is_a_vendor_404(client: Client) -> None:
    status, body = await call(client, "GET", "/v1/vouchers/NOPE")
    assert status == 404 and body["resource_type"] == "voucher"
    assert body["details"] == "Cannot find voucher with id NOPE"


async def test_list_vouchers_filters_orders_and_pages(client: Client) -> None:
    await campaign(client, "One")
    await campaign(client, "Two")
    await import_codes(client, "One", "Code,Category\nB1,x\nA1,y\n")
    await advance(client, 60)
    await import_codes(client, "Two", "Code\nC2\n")

    async def codes(**params: Any) -> list[str]:
        status, page = await call(client, "GET", "/v1/vouchers", params=params)
        assert status == 200, page
        return [voucher["code"] for voucher in page["vouchers"]]

    assert await codes() == ["C2", "A1", "B1"]
    assert await codes(order="created_at") == ["B1", "A1", "C2"]
    assert await codes(order="code") == ["A1", "B1", "C2"]
    assert await codes(order="-code", limit=1, page=2) == ["B1"]
    assert await codes(category="y") == ["A1"]
    assert await codes(code="B1") == ["B1"]
    assert await codes(**{"created_at[after]": "2026-01-15T09:30:30Z"}) == ["C2"]
    assert await codes(**{"created_at[before]": "2026-01-15T09:30:30Z"}) == ["A1", "B1"]
    assert await codes(**{"filters[code][conditions][$starts_with]": "A"}) == ["A1"]
    assert await codes(**{"filters[code][conditions][$in]": "['A1', 'C2']"}) == ["C2", "A1"]
    _, b1 = await call(client, "GET", "/v1/vouchers/B1")
    assert await codes(ids=b1["id"]) == ["B1"]
    status, error = await call(client, "GET", "/v1/vouchers", params={"created_at[after]": "x"})
    assert status == 400 and error["key"] == "invalid_query_params"
    status, error = await call(client, "GET", "/v1/vouchers",
                               params={"filters[nope][conditions][$is]": "1"})  # fmt: skip
    assert status == 400 and "Unknown filter nope" in error["details"]
    status, _ = await call(client, "GET", "/v1/vouchers", params={"page": "100"})
    assert status == 400


# -- publications ----------------------------------------------------------------------


async def test_publishing_a_campaign_voucher_to_a_new_customer(client: Client) -> None:
    await campaign(client, "Pub")
    await import_codes(client, "Pub", "Code\nP1\nP2\n")
    body = {"campaign": {"name": "Pub"}, "customer": {"source_id": "ann@example.com",
                                                      "name": "Ann"}, "metadata": {"k": 1}}
    status, publication = await publish(client, body)
    assert status == 200, publication
    assert publication["object"] == "publication" and publication["result"] == "SUCCESS"
    assert publication["channel"] == "API" and publication["source_id"] is None
    assert publication["tracking_id"] == "ann@example.com" and publication["metadata"] == {"k": 1}
    assert publication["customer"]["name"] == "Ann"  # created from source_id, like the vendor
    voucher = publication["voucher"]
    assert voucher["code"] == "P1" and voucher["holder_id"] == publication["customer_id"]
    assert voucher["publish"]["count"] == 1 and publication["vouchers_id"] == [voucher["id"]]
    _, held = await call(client, "GET", "/v1/vouchers", params={"customer": "ann@example.com"})
    assert [v["code"] for v in held["vouchers"]] == ["P1"]
    # the next publication takes the next free code
    status, second = await publish(client, {"campaign": "Pub", "customer": {"source_id": "bob"}})
    assert status == 200 and second["voucher"]["code"] == "P2"


async def test_the_customers_redeemables_list_what_was_published(client: Client) -> None:
    created = await campaign(client, "Held", type="AUTO_UPDATE")
    _, customer = await call(client, "POST", "/v1/customers", json={"source_id": "cat"})
    status, publication = await publish(client, {"campaign": created, "customer": customer})
    assert status == 200, publication  # the JS SDK sends both objects whole
    status, page = await call(client, "GET", "/v1/customers/cat/redeemables")
    assert status == 200 and page["total"] == 1 and page["has_more"] is False
    item = page["data"][0]
    assert item["id"].startswith("rh_") and item["customer_id"] == customer["id"]
    assert item["redeemable_id"] == publication["voucher"]["id"]
    assert item["redeemable_object"] == "voucher" and item["holder_role"] == "OWNER"
    assert (item["campaign_id"], item["campaign_type"]) == (created["id"], "DISCOUNT_COUPONS")
    assert item["voucher_type"] == "DISCOUNT_VOUCHER"
    assert item["redeemable"]["type"] == "voucher" and item["redeemable"]["status"] == "ACTIVE"
    assert item["redeemable"]["voucher"]["code"] == publication["voucher"]["code"]


async def test_an_auto_update_campaign_makes_codes_a_static_one_runs_out(client: Client) -> None:
    await campaign(client, "Auto", type="AUTO_UPDATE",
                   voucher={**DISCOUNT, "code_config": {"length": 3, "prefix": "AU-"}})  # fmt: skip
    status, made = await publish(client, {"campaign": "Auto", "customer": {"source_id": "a"}})
    assert status == 200 and made["voucher"]["code"].startswith("AU-")
    assert len(made["voucher"]["code"]) == 6
    await campaign(client, "Static")
    status, error = await publish(client, {"campaign": "Static", "customer": {"source_id": "a"}})
    assert status == 400 and error["key"] == "no_voucher_suitable_for_publication"
    assert error["message"] == "No voucher suitable for publication"


async def test_several_codes_in_one_publication(client: Client) -> None:
    await campaign(client, "Many")
    await import_codes(client, "Many", "Code\nM1\nM2\nM3\n")
    body = {"campaign": {"name": "Many", "count": 2}, "customer": {"source_id": "m"}}
    status, publication = await publish(client, body)
    assert status == 200 and publication["vouchers"] == ["M1", "M2"]
    assert "voucher" not in publication and len(publication["vouchers_id"]) == 2
    _, page = await call(client, "GET", "/v1/customers/m/redeemables")
    assert page["total"] == 2


async def test_publication_errors_in_the_vendors_words(client: Client) -> None:
    await campaign(client, "Err")
    await import_codes(client, "Err", "Code\nE1\n")
    status, error = await publish(client, {"customer": {"source_id": "x"}})
    assert status == 400 and error["key"] == "missing_vouchers"
    assert error["details"] == "Either Campaign or Voucher is required"
    status, _ = await publish(client, {"voucher": "E1", "customer": {"source_id": "x"}})
    assert status == 200
    status, error = await publish(client, {"voucher": "E1", "customer": {"source_id": "y"}})
    assert status == 400 and error["key"] == "voucher_already_published"
    _, e1 = await call(client, "GET", "/v1/vouchers/E1")
    assert error["details"] == f"Voucher '{e1['id']}' has already been published"
    status, error = await publish(client, {"campaign": "Nope", "customer": {"source_id": "x"}})
    assert status == 404 and error["resource_type"] == "campaign"
    status, error = await publish(client, {"voucher": "NOPE", "customer": {"source_id": "x"}})
    assert status == 404 and error["resource_type"] == "voucher"
    status, error = await publish(client, {"voucher": "E1", "customer": {"id": "cust_nobody"}})
    assert status == 404 and error["resource_type"] == "customer"
    status, error = await publish(client, {"voucher": "E1"})
    assert status == 400
    assert error["details"] == "Request body must have required property 'customer'"


async def test_source_id_and_join_once_return_the_earlier_publication(client: Client) -> None:
    await campaign(client, "Once")
    await import_codes(client, "Once", "Code\nO1\nO2\nO3\n")
    first_body = {"campaign": "Once", "customer": {"source_id": "c1"}, "source_id": "pub-1"}
    _, first = await publish(client, first_body)
    _, again = await publish(client, first_body)
    assert again["id"] == first["id"] and again["voucher"]["code"] == "O1"
    status, error = await publish(client, {**first_body, "customer": {"source_id": "c2"}})
    assert status == 400 and error["key"] == "duplicate_source_id"
    assert error["details"] == "Publication with source_id: 'pub-1' already exists"
    _, other = await publish(client, {"campaign": "Once", "customer": {"source_id": "c1"}})
    assert other["voucher"]["code"] == "O2"  # without join_once a second code
    _, joined = await publish(client, {"campaign": "Once", "customer": {"source_id": "c1"}},
                              join_once="true")  # fmt: skip
    assert joined["id"] == first["id"]


async def test_list_publications_with_filters(client: Client) -> None:
    await campaign(client, "L1")
    await import_codes(client, "L1", "Code\nL1A\nL1B\n")
    await publish(client, {"campaign": "L1", "customer": {"source_id": "u1"}, "channel": "Shop"})
    await advance(client, 5)
    await publish(client, {"campaign": "L1", "customer": {"source_id": "u2"}})

    async def codes(**params: Any) -> list[str]:
        status, page = await call(client, "GET", "/v1/publications", params=params)
        assert status == 200, page
        assert page["object"] == "list" and page["data_ref"] == "publications"
        return [item["voucher"]["code"] for item in page["publications"]]

    assert await codes() == ["L1B", "L1A"]
    assert await codes(order="created_at") == ["L1A", "L1B"]
    assert await codes(customer="u1") == ["L1A"]
    assert await codes(voucher="L1B") == ["L1B"]
    assert await codes(campaign="L1", voucher_type="discount") == ["L1B", "L1A"]
    assert await codes(voucher_type="loyalty") == []
    assert await codes(**{"filters[customer_id][conditions][$is_not]": "nobody"}) == [
        "L1B", "L1A"]  # fmt: skip
    _, listing = await call(client, "GET", "/v1/publications", params={"limit": "1"})
    item = listing["publications"][0]
    assert listing["total"] == 2 and item["voucher"] == {
        "code": "L1B", "object": "voucher", "campaign": "L1",
        "discount": DISCOUNT["discount"], "is_referral_code": False,
    }  # fmt: skip
    _, shop = await call(client, "GET", "/v1/publications", params={"customer": "u1"})
    assert shop["publications"][0]["channel"] == "Shop"


# -- redeemables -------------------------------------------------------------------------


async def holder_with_three(client: Client) -> list[str]:
    await campaign(client, "R1")
    await call(client, "POST", "/v1/campaigns", json={
        "name": "R2", "campaign_type": "GIFT_VOUCHERS", "expiration_date": "2026-01-16T00:00:00Z",
        "voucher": {"type": "GIFT_VOUCHER", "gift": {"amount": 1000}}})  # fmt: skip
    await import_codes(client, "R1", "Code\nR1A\nR1B\n")
    await import_codes(client, "R2", "Code\nR2A\n")
    ids = []
    for code in ("R1A", "R2A", "R1B"):
        _, publication = await publish(client, {"voucher": code, "customer": {"source_id": "h"}})
        ids.append(publication["vouchers_id"][0])
        await advance(client, 1)
    return ids


async def test_redeemables_page_with_limit_order_and_cursor(client: Client) -> None:
    await holder_with_three(client)

    async def page(**params: Any) -> dict[str, Any]:
        status, body = await call(client, "GET", "/v1/customers/h/redeemables", params=params)
        assert status == 200, body
        return dict(body)

    everything = await page()
    ids = [item["id"] for item in everything["data"]]
    assert ids == sorted(ids) and everything["total"] == 3
    first = await page(limit=2)
    assert [i["id"] for i in first["data"]] == ids[:2] and first["has_more"] is True
    assert first["more_starting_after"] == ids[1]
    rest = await page(limit=2, starting_after_id=first["more_starting_after"])
    assert [i["id"] for i in rest["data"]] == ids[2:] and rest["has_more"] is False
    assert "more_starting_after" not in rest and rest["total"] == 3
    descending = await page(order="-id")
    assert [i["id"] for i in descending["data"]] == ids[::-1]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"filters[campaign_type][conditions][$is]": "GIFT_VOUCHERS"}, ["R2A"]),
        ({"filters[voucher_type][conditions][$in][0]": "DISCOUNT_VOUCHER"}, ["R1A", "R1B"]),
        ({"filters[holder_role][conditions][$is]": "REFERRER"}, []),
        ({"filters[created_at][conditions][$after]": "2026-01-15T09:30:00.500Z"},
         ["R2A", "R1B"]),
        ({"filters[campaign_type][conditions][$is]": "GIFT_VOUCHERS",
          "filters[voucher_type][conditions][$is]": "LOYALTY_CARD",
          "filters[junction]": "or"}, ["R2A"]),
    ],
)  # fmt: skip
async def test_redeemables_filters(
    client: Client, filters: dict[str, str], expected: list[str]
) -> None:
    await holder_with_three(client)
    status, page = await call(client, "GET", "/v1/customers/h/redeemables", params=filters)
    assert status == 200, page
    codes = sorted(i["redeemable"]["voucher"]["code"] for i in page["data"])
    assert codes == sorted(expected) and page["total"] == len(expected)


async def test_redeemables_default_to_ten_and_take_a_limit_from_1_to_100(client: Client) -> None:
    await campaign(client, "Dozen")
    await import_codes(client, "Dozen", "Code\n" + "".join(f"D{n:02}\n" for n in range(12)))
    body = {"campaign": {"name": "Dozen", "count": 12}, "customer": {"source_id": "d"}}
    assert (await publish(client, body))[0] == 200
    _, page = await call(client, "GET", "/v1/customers/d/redeemables")
    assert (len(page["data"]), page["total"], page["has_more"]) == (10, 12, True)
    _, page = await call(client, "GET", "/v1/customers/d/redeemables", params={"limit": 100})
    assert (len(page["data"]), page["has_more"]) == (12, False)
    for limit, details in (("0", "must be >= 1"), ("101", "must be <= 100")):
        status, error = await call(client, "GET", "/v1/customers/d/redeemables",
                                   params={"limit": limit})  # fmt: skip
        assert status == 400 and error["details"] == f"Property .limit {details}"


async def test_every_redeemables_filter_and_condition_on_published_vouchers(
    client: Client,
) -> None:
    """Each filter field of the SDK reference and each condition, on what publications gave:
    the expected codes are read off the published data itself."""
    await holder_with_three(client)
    _, everything = await call(client, "GET", "/v1/customers/h/redeemables")
    item = {i["redeemable"]["voucher"]["code"]: i for i in everything["data"]}
    r1a, r2a, r1b = item["R1A"], item["R2A"], item["R1B"]
    every, nothing = {"R1A", "R2A", "R1B"}, set()
    cases: list[tuple[str, str, Any, set[str]]] = [
        ("id", "$in", [r1a["id"], r1b["id"]], {"R1A", "R1B"}),
        ("id", "$not_in", [r1a["id"]], {"R2A", "R1B"}),
        ("id", "$is", r2a["id"], {"R2A"}),
        ("id", "$is_not", r2a["id"], {"R1A", "R1B"}),
        ("id", "$has_value", "true", every),
        ("id", "$is_unknown", "true", nothing),
        ("id", "$starts_with", "rh_", every),
        ("id", "$ends_with", r1b["id"][-7:], {"R1B"}),
        ("id", "$contains", r1a["id"][3:10], {"R1A"}),
        ("id", "$not_contain", r1a["id"][3:10], {"R2A", "R1B"}),
        ("redeemable_id", "$is", r1a["redeemable_id"], {"R1A"}),
        ("redeemable_id", "$starts_with", "v_", every),
        ("redeemable_object", "$is", "voucher", every),
        ("holder_role", "$is", "OWNER", every),
        ("holder_role", "$in", ["REFERRER", "REFEREE"], nothing),
        ("campaign_id", "$is", r2a["campaign_id"], {"R2A"}),
        ("campaign_id", "$is_not", r2a["campaign_id"], {"R1A", "R1B"}),
        ("campaign_type", "$in", ["DISCOUNT_COUPONS"], {"R1A", "R1B"}),
        ("voucher_type", "$is", "GIFT_VOUCHER", {"R2A"}),
        ("created_at", "$after", r1a["created_at"], {"R2A", "R1B"}),
        ("created_at", "$before", r1b["created_at"], {"R1A", "R2A"}),
        ("created_at", "$has_value", "true", every),
        ("created_at", "$is_unknown", "true", nothing),
    ]
    assert {field for field, *_ in cases} == {
        "id", "created_at", "redeemable_id", "redeemable_object", "holder_role", "campaign_id",
        "campaign_type", "voucher_type",
    }  # every filter the SDK reference lists (junction has its own cases above)

    async def codes(params: dict[str, Any]) -> set[str]:
        status, page = await call(client, "GET", "/v1/customers/h/redeemables", params=params)
        assert status == 200, (params, page)
        return {i["redeemable"]["voucher"]["code"] for i in page["data"]}

    for field, op, value, expected in cases:
        key = f"filters[{field}][conditions][{op}]"
        params = ({f"{key}[{n}]": v for n, v in enumerate(value)} if isinstance(value, list)
                  else {key: value})  # fmt: skip
        assert await codes(params) == expected, (field, op)
    # $more_than / $less_than: an age in days on the tenant's clock (published 1 s apart): a
    # day and half a second after R1A was published, only R1A is more than a day old.
    published = datetime.fromisoformat(r1a["created_at"].replace("Z", "+00:00"))
    later = (published + timedelta(days=1, seconds=0.5)).isoformat()
    response = await client.post("/_emulator/clock", json={"set": later}, headers=AUTH)
    assert response.status == 200
    key = "filters[created_at][conditions]"
    assert await codes({f"{key}[$more_than]": "1"}) == {"R1A"}
    assert await codes({f"{key}[$less_than]": "1"}) == {"R2A", "R1B"}


async def test_redeemable_status_follows_the_clock(client: Client) -> None:
    await holder_with_three(client)
    _, page = await call(client, "GET", "/v1/customers/h/redeemables")
    assert {i["redeemable"]["status"] for i in page["data"]} == {"ACTIVE"}
    await advance(client, 86_400)  # past R2's expiration date
    _, page = await call(client, "GET", "/v1/customers/h/redeemables")
    statuses = {i["redeemable"]["voucher"]["code"]: i["redeemable"]["status"] for i in page["data"]}
    assert statuses == {"R1A": "ACTIVE", "R1B": "ACTIVE", "R2A": "EXPIRED"}


async def test_a_bad_redeemables_filter_is_a_400(client: Client) -> None:
    await holder_with_three(client)
    for params in ({"filters[colour][conditions][$is]": "x"},
                   {"filters[id][conditions][$after]": "x"},
                   {"filters[created_at][conditions][$after]": "later"},
                   {"filters[junction]": "xor", "filters[id][conditions][$is]": "x"}):  # fmt: skip
        status, error = await call(client, "GET", "/v1/customers/h/redeemables", params=params)
        assert status == 400 and error["key"] == "invalid_query_params", (params, error)


async def test_permanent_deletion_frees_what_the_customer_held(client: Client) -> None:
    await holder_with_three(client)
    status, receipt = await call(client, "POST", "/v1/customers/h/permanent-deletion")
    assert status == 200 and receipt["data_json"]["customer"] == 1
    _, voucher = await call(client, "GET", "/v1/vouchers/R1A")
    assert "holder_id" not in voucher
    _, listing = await call(client, "GET", "/v1/publications")
    assert listing["total"] == 0
    status, _ = await publish(client, {"voucher": "R1A", "customer": {"source_id": "next"}})
    assert status == 200
