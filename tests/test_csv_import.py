"""Customer and voucher CSV imports as users really write them; bad rows fail alone."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, Client, action, call, csv_form, run_until_idle, tenant_of

from emulator.domain.voucher_model import new_voucher
from emulator.settings import ZERO_DELAYS


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    return await make_client(job_timing=ZERO_DELAYS)


async def import_customers(client: Client, content: bytes | str) -> dict[str, Any]:
    response = await client.post("/v1/customers/importCSV", data=csv_form(content), headers=AUTH)
    body = await response.json()
    assert response.status == 202, body
    await run_until_idle(client)
    return dict(await action(client, body["async_action_id"]))


async def customer(client: Client, source_id: str) -> dict[str, Any]:
    status, body = await call(client, "GET", f"/v1/customers/{source_id}")
    assert status == 200, body
    return dict(body)


async def test_documented_headers_map_to_fields_and_the_rest_to_metadata(client: Client) -> None:
    csv = (
        "Source_id,Name,Email,Phone,Birthdate,Description,Address_line_1,Address_line_2,"
        "Address_Postal_Code,Address_City,Address_State,Address_Country,Metadata_name_1,"
        "Metadata_name_2\n"
        "ann@x.io,Ann,ann@x.io,+1 2,1990-05-06,VIP,1 Main St,Apt 2,10001,New York,NY,US,blue,7\n"
    )
    job = await import_customers(client, csv)
    assert job["result"]["message"] == "1 customer(s) imported successfully, 0 failed."
    ann = await customer(client, "ann@x.io")
    assert (ann["name"], ann["email"], ann["phone"], ann["birthdate"], ann["description"]) == (
        "Ann", "ann@x.io", "+1 2", "1990-05-06", "VIP",
    )  # fmt: skip
    assert ann["address"] == {
        "line_1": "1 Main St", "line_2": "Apt 2", "postal_code": "10001",
        "city": "New York", "state": "NY", "country": "US",
    }  # fmt: skip
    assert ann["metadata"] == {"Metadata_name_1": "blue", "Metadata_name_2": "7"}


async def test_id_column_updates_that_customer(client: Client) -> None:
    _, made = await call(client, "POST", "/v1/customers", json={"source_id": "by-id", "name": "A"})
    job = await import_customers(client, f"Id,Name,Email\n{made['id']},Renamed,r@x.io\n")
    assert job["result"]["done_count"] == 1
    renamed = await customer(client, made["id"])
    assert (renamed["source_id"], renamed["name"], renamed["email"]) == (
        "by-id", "Renamed", "r@x.io")  # fmt: skip
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 1


@pytest.mark.parametrize("separator", [";", "\t", "|"])
async def test_values_must_be_separated_by_commas(client: Client, separator: str) -> None:
    content = separator.join(["Source_id", "Name"]) + "\n" + separator.join(["s1", "S"]) + "\n"
    response = await client.post("/v1/customers/importCSV", data=csv_form(content), headers=AUTH)
    body = await response.json()
    assert response.status == 400 and body["details"].startswith(
        "The CSV file cannot be imported: its values are not separated by commas")  # fmt: skip
    assert (await call(client, "GET", "/v1/customers"))[1]["total"] == 0


@pytest.mark.parametrize(
    ("header", "position", "better"),
    [("Address City", 2, "Address_City"), ("Source id", 1, "Source_id"),
     ("Favourite  colour", 3, "Favourite_colour")],
)  # fmt: skip
async def test_a_header_with_a_space_is_refused_naming_the_column(
    client: Client, header: str, position: int, better: str
) -> None:
    columns = ["Source_id", "Address_City", "Note"]
    columns[position - 1] = header
    content = ",".join(columns) + "\nsp1,Oslo,x\n"
    response = await client.post("/v1/customers/importCSV", data=csv_form(content), headers=AUTH)
    body = await response.json()
    assert response.status == 400 and body["key"] == "invalid_payload"
    assert body["details"] == (
        f"The CSV file cannot be imported: column {position} of the header, '{header}', has a "
        f"space in its name (no spaces are allowed in field names); write it as '{better}'"
    )
    _, jobs = await call(client, "GET", "/v1/async-actions")
    assert jobs["async_actions"] == []  # nothing queued, nothing stored
    assert (await call(client, "GET", "/v1/customers"))[1]["total"] == 0
    padded = content.replace(header, f" {better} ")  # spaces around a name are not in it
    assert (await import_customers(client, padded))["result"]["done_count"] == 1


async def test_template_spellings_and_any_case_are_accepted(client: Client) -> None:
    csv = "SOURCE_ID,name,city,Postal_Code,STATE,country\nbo,Bo,Oslo,0150,Oslo,NO\n"
    await import_customers(client, csv)
    bo = await customer(client, "bo")
    assert bo["name"] == "Bo"
    assert bo["address"] == {
        "city": "Oslo",
        "postal_code": "0150",
        "state": "Oslo",
        "country": "NO",
    }


async def test_source_id_upserts_and_merges_metadata(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={
        "source_id": "cy", "name": "Old", "email": "cy@x.io", "metadata": {"keep": 1},
    })  # fmt: skip
    job = await import_customers(client, "Source_id,Name,Tier\ncy,New,gold\n")
    assert job["result"]["done_count"] == 1
    cy = await customer(client, "cy")
    assert cy["name"] == "New" and cy["email"] == "cy@x.io"
    assert cy["metadata"] == {"keep": 1, "Tier": "gold"}
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 1


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbfSource_id,Name\r\nd1,D One\r\nd2,D Two\r\n",  # BOM + CRLF
        b"Source_id,Name\n\nd1,D One\n\n\nd2,D Two\n\n",  # blank lines
        b'Source_id,Name\nd1,"D One"\nd2,"D Two"',  # quotes, no final newline
    ],
)
async def test_bom_crlf_blank_lines_and_quotes(client: Client, content: bytes) -> None:
    job = await import_customers(client, content)
    assert job["result"]["done_count"] == 2 and job["result"]["failed_count"] == 0
    assert (await customer(client, "d2"))["name"] == "D Two"


async def test_quoted_commas_and_newlines_stay_in_their_cell(client: Client) -> None:
    csv = 'Source_id,Name,Note\ne1,"Smith, Jane","line one\r\nline two"\ne2,"Quote ""Q""",x\n'
    job = await import_customers(client, csv)
    assert job["result"]["done_count"] == 2
    e1 = await customer(client, "e1")
    assert e1["name"] == "Smith, Jane" and e1["metadata"] == {"Note": "line one\r\nline two"}
    assert (await customer(client, "e2"))["name"] == 'Quote "Q"'


async def test_header_only_file_is_an_empty_done_job(client: Client) -> None:
    job = await import_customers(client, "Source_id,Name\n")
    assert job["status"] == "DONE"
    assert job["result"] == {
        "message": "0 customer(s) imported successfully, 0 failed.",
        "failed": [], "done_count": 0, "failed_count": 0,
    }  # fmt: skip


async def test_bad_rows_fail_alone_with_row_and_reason(client: Client) -> None:
    csv = (
        "Source_id,Name,Birthdate\n"
        "ok1,Fine,1990-01-01\n"
        "bad-date,Nope,31/12/1990\n"
        "too-many,x,1990-01-01,extra\n"
        "ok2,Fine too,\n"
    )
    job = await import_customers(client, csv)
    result = job["result"]
    assert job["status"] == "DONE" and job["operation_status"] == "SUCCESS"
    assert result["message"] == "2 customer(s) imported successfully, 2 failed."
    assert result["failed"] == [
        {"source_id": "bad-date", "row": 2,
         "reason": "birthdate: must be a date in YYYY-MM-DD format (got '31/12/1990')"},
        {"source_id": "too-many", "row": 3, "reason": "Row has 4 fields but the header has 3"},
    ]  # fmt: skip
    assert (await customer(client, "ok2"))["name"] == "Fine too"
    assert (await call(client, "GET", "/v1/customers/bad-date"))[0] == 404


async def test_unknown_id_column_fails_that_row(client: Client) -> None:
    job = await import_customers(client, "Id,Name\ncust_nobody,X\n")
    assert job["result"]["failed"][0]["reason"] == "Cannot find customer with id cust_nobody"


@pytest.mark.parametrize(
    ("content", "details"),
    [
        (b"", "The file is empty"),
        (b"\n\n", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        ("Source_id,Name\nz,Zoë\n".encode("latin-1"), "not UTF-8 encoded"),
        (
            b"Source_id,Email,EMAIL\na,b,c\n",
            "Duplicate column 'EMAIL' in the header (columns 2 and 3)",
        ),
        (b"Source_id,,Name\na,b,c\n", "Column 2 of the header has no name"),
    ],
)
async def test_files_that_cannot_be_read_get_a_clear_400(
    client: Client, content: bytes, details: str
) -> None:
    response = await client.post("/v1/customers/importCSV", data=csv_form(content), headers=AUTH)
    body = await response.json()
    assert response.status == 400
    assert body["key"] == "invalid_payload" and details in body["details"]
    _, jobs = await call(client, "GET", "/v1/async-actions")
    assert jobs["async_actions"] == []


async def test_missing_file_part_is_400(client: Client) -> None:
    from aiohttp import FormData

    form = FormData()
    form.add_field("other", "x")
    form.add_field("upload", b"a,b\n", filename="x.csv")
    response = await client.post("/v1/customers/importCSV", data=form, headers=AUTH)
    body = await response.json()
    assert response.status == 400
    assert body["details"] == "Request body must have required property 'file'"


async def test_json_body_on_importcsv_is_415(client: Client) -> None:
    status, body = await call(client, "POST", "/v1/customers/importCSV", json={"file": "x"})
    assert status == 415 and "multipart/form-data" in body["details"]


async def test_file_over_10_mb_is_413(client: Client) -> None:
    content = b"Source_id\n" + b"x" * (10 * 1024 * 1024)
    response = await client.post("/v1/customers/importCSV", data=csv_form(content), headers=AUTH)
    assert response.status == 413
    assert (await response.json())["error"] == "Request Entity Too Large"


# -- vouchers into a campaign ----------------------------------------------------------------


async def make_campaign(client: Client, name: str = "Promo", **extra: Any) -> dict[str, Any]:
    voucher = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 5}}
    status, body = await call(
        client, "POST", "/v1/campaigns", json={"name": name, "voucher": voucher, **extra}
    )
    assert status == 200, body
    return dict(body)


async def import_vouchers(client: Client, campaign: str, content: str) -> dict[str, Any]:
    response = await client.post(
        f"/v1/campaigns/{campaign}/importCSV", data=csv_form(content), headers=AUTH
    )
    body = await response.json()
    assert response.status == 200, body  # the vendor answers 200 here, not 202
    await run_until_idle(client)
    return dict(await action(client, body["async_action_id"]))


async def test_voucher_import_with_template_headers(client: Client) -> None:
    campaign = await make_campaign(client)
    csv = (
        "Code,Active,Gift Amount,Category,Region\nSPRING-1,true,,seasonal,EU\nSPRING-2,false,,,US\n"
    )
    job = await import_vouchers(client, campaign["id"], csv)
    assert job["type"] == "CAMPAIGN.VOUCHERS_IMPORT_CSV"
    assert job["result"] == {
        "message": "2 voucher(s) imported successfully, 0 failed.",
        "failed": [], "done_count": 2, "failed_count": 0,
    }  # fmt: skip
    _, after = await call(client, "GET", f"/v1/campaigns/{campaign['id']}")
    assert after["vouchers_count"] == 2


async def test_voucher_rows_fail_alone(client: Client) -> None:
    await make_campaign(client, "Other")
    await import_vouchers(client, "Other", "Code\nTAKEN\n")
    await make_campaign(client)
    csv = (
        "code,category,redeemed quantity,active\n"
        "A1,x,0,true\n"
        ",x,0,true\n"
        "A1,x,0,true\n"
        "TAKEN,,,\n"
        "B2,,-3,\n"
        "C3,,,maybe\n"
    )
    job = await import_vouchers(client, "Promo", csv)
    reasons = {f["row"]: (f["code"], f["reason"]) for f in job["result"]["failed"]}
    assert reasons == {
        2: ("", "Code is required"),
        3: ("A1", "Duplicate code A1: already in row 1 of this file"),
        4: ("TAKEN", "Duplicate code TAKEN: it already exists in another campaign"),
        5: ("B2", "Redeemed Quantity must be a whole number >= 0 (got '-3')"),
        6: ("C3", "Active must be true or false (got 'maybe')"),
    }
    assert job["result"]["done_count"] == 1


async def test_voucher_csv_without_code_column_is_400(client: Client) -> None:
    await make_campaign(client)
    response = await client.post(
        "/v1/campaigns/Promo/importCSV", data=csv_form("Name\nx\n"), headers=AUTH
    )
    body = await response.json()
    assert response.status == 400 and "Code column" in body["details"]


async def test_voucher_import_into_unknown_campaign_is_404(client: Client) -> None:
    response = await client.post(
        "/v1/campaigns/camp_nope/importCSV", data=csv_form("Code\nA\n"), headers=AUTH
    )
    body = await response.json()
    assert response.status == 404 and body["resource_type"] == "campaign"


async def voucher(client: Client, code: str) -> dict[str, Any]:
    status, body = await call(client, "GET", f"/v1/vouchers/{code}")
    assert status == 200, body
    return dict(body)


async def test_category_by_name_or_by_id_and_an_unknown_id_fails_its_row(client: Client) -> None:
    seasonal = (await make_campaign(client, "Seasonal", category="Summer"))["categories"][0]
    await make_campaign(client)
    csv = (
        f"Code,Category\nBY-ID,{seasonal['id']}\nBY-NAME,Summer\nNEW-NAME,Winter\n"
        "AGAIN,Winter\nGHOST,cat_0123456789abcdef00\nNONE,\n"
    )
    job = await import_vouchers(client, "Promo", csv)
    assert job["result"]["failed"] == [
        {"code": "GHOST", "row": 5, "reason": "Cannot find category with id cat_0123456789abcdef00"}
    ]
    for code in ("BY-ID", "BY-NAME"):
        found = await voucher(client, code)
        assert (found["category"], found["category_id"]) == ("Summer", seasonal["id"])
        assert found["categories"] == [seasonal]
    winter = await voucher(client, "NEW-NAME")
    assert winter["category"] == "Winter" and winter["category_id"].startswith("cat_")
    assert winter["categories"] == [{"id": winter["category_id"], "name": "Winter",
                                     "hierarchy": 1, "created_at": winter["created_at"],
                                     "object": "category"}]  # fmt: skip
    assert (await voucher(client, "AGAIN"))["category_id"] == winter["category_id"]  # made once
    none = await voucher(client, "NONE")
    assert "category" not in none and none["categories"] == []
    assert (await call(client, "GET", "/v1/vouchers/GHOST"))[0] == 404
    _, listed = await call(client, "GET", "/v1/vouchers", params={"category": "Winter"})
    assert sorted(v["code"] for v in listed["vouchers"]) == ["AGAIN", "NEW-NAME"]


async def test_gift_amounts_loyalty_points_and_redeemed_quantity(client: Client) -> None:
    await make_campaign(client, "Gifts", campaign_type="GIFT_VOUCHERS",
                        voucher={"type": "GIFT_VOUCHER", "gift": {"amount": 5000}})  # fmt: skip
    job = await import_vouchers(client, "Gifts", (
        "Code,Gift Amount,Redeemed Amount,Redeemed Quantity\n"
        "G-FULL,10000,,\nG-USED,10000,2500,3\nG-DEFAULT,,,\n"))  # fmt: skip
    assert job["result"]["done_count"] == 3
    assert (await voucher(client, "G-FULL"))["gift"] == {"amount": 10000, "balance": 10000}
    used = await voucher(client, "G-USED")
    assert used["gift"] == {"amount": 10000, "balance": 7500}
    assert used["redemption"]["redeemed_quantity"] == 3
    assert (await voucher(client, "G-DEFAULT"))["gift"] == {"amount": 5000, "balance": 5000}

    await make_campaign(client, "Cards", campaign_type="LOYALTY_PROGRAM",
                        voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 100}})
    await import_vouchers(client, "Cards", "Code,Loyalty Points\nL-SET,750\nL-DEFAULT,\n")
    assert (await voucher(client, "L-SET"))["loyalty_card"] == {"points": 750, "balance": 750}
    # left undefined, the points come from the campaign's settings
    assert (await voucher(client, "L-DEFAULT"))["loyalty_card"] == {"points": 100, "balance": 100}


async def test_gift_and_loyalty_columns_belong_to_their_kind_of_campaign(client: Client) -> None:
    await make_campaign(client)  # a discount campaign
    job = await import_vouchers(client, "Promo", (
        "Code,Gift Amount,Redeemed Amount,Loyalty Points\n"
        "D1,100,,\nD2,,50,\nD3,,,10\nD4,,,\n"))  # fmt: skip
    reasons = {f["code"]: f["reason"] for f in job["result"]["failed"]}
    assert reasons == {
        "D1": "Gift Amount applies only to GIFT_VOUCHERS campaigns; this campaign is "
              "DISCOUNT_COUPONS",
        "D2": "Redeemed Amount applies only to GIFT_VOUCHERS campaigns; this campaign is "
              "DISCOUNT_COUPONS",
        "D3": "Loyalty Points applies only to LOYALTY_PROGRAM campaigns; this campaign is "
              "DISCOUNT_COUPONS",
    }  # fmt: skip
    assert "gift" not in await voucher(client, "D4")


async def test_active_column_is_optional_and_false_disables_redemption(client: Client) -> None:
    await make_campaign(client, start_date="2026-01-01T00:00:00Z",
                        expiration_date="2026-12-31T00:00:00Z")  # fmt: skip
    await import_vouchers(client, "Promo", "Code\nNO-COLUMN\n")
    await import_vouchers(client, "Promo", "Code,Active\nOFF,false\nON,true\nBLANK,\n")
    states = {code: (await voucher(client, code))["active"]
              for code in ("NO-COLUMN", "OFF", "ON", "BLANK")}  # fmt: skip
    assert states == {"NO-COLUMN": True, "OFF": False, "ON": True, "BLANK": True}
    await call(client, "POST", "/v1/customers", json={"source_id": "holder"})
    for code in ("OFF", "ON"):
        status, body = await call(client, "POST", "/v1/publications",
                                  json={"voucher": code, "customer": {"source_id": "holder"}})
        assert status == 200, body
    _, held = await call(client, "GET", "/v1/customers/holder/redeemables")
    statuses = {i["redeemable"]["voucher"]["code"]: i["redeemable"]["status"] for i in held["data"]}
    assert statuses == {"OFF": "DISABLED", "ON": "ACTIVE"}  # inside the campaign's dates


async def test_reimporting_a_code_changes_only_active_and_category(client: Client) -> None:
    await make_campaign(client)
    await import_vouchers(client, "Promo", "Code,Active,Category,Region\nRE-1,true,First,EU\n")
    before = await voucher(client, "RE-1")
    job = await import_vouchers(
        client, "Promo", "Code,Active,Category,Region,Redeemed Quantity\nRE-1,false,Second,US,4\n"
    )
    assert job["result"]["done_count"] == 1
    after = await voucher(client, "RE-1")
    assert (after["active"], after["category"]) == (False, "Second")
    assert after["category_id"] != before["category_id"]
    assert after["metadata"] == {"Region": "EU"} and after["redemption"] == before["redemption"]
    assert after["id"] == before["id"] and after["created_at"] == before["created_at"]


async def test_a_campaign_holds_at_most_100000_codes(client: Client) -> None:
    campaign = await make_campaign(client)
    campaigns = tenant_of(client).campaigns
    for n in range(99_999):  # stored directly: importing them would only take longer
        campaigns.add_voucher(campaign["id"], new_voucher(
            campaign, f"P{n}", f"v_{n}", "2026-01-15T09:30:00.000Z"))  # fmt: skip
    job = await import_vouchers(client, "Promo", "Code\nLAST-ONE\nONE-TOO-MANY\n")
    assert job["result"]["done_count"] == 1
    assert job["result"]["failed"] == [{"code": "ONE-TOO-MANY", "row": 2, "reason": (
        "The campaign already holds the maximum of 100000 codes")}]  # fmt: skip
    _, after = await call(client, "GET", f"/v1/campaigns/{campaign['id']}")
    assert after["vouchers_count"] == 100_000
