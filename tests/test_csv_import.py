"""Customer and voucher CSV imports as users really write them; bad rows fail alone."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, Client, action, call, csv_form, run_until_idle

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
        "Address_Postal_Code,Address_City,Address_State,Address_Country,Metadata_name_1\n"
        "ann@x.io,Ann,ann@x.io,+1 2,1990-05-06,VIP,1 Main St,Apt 2,10001,New York,NY,US,blue\n"
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
    assert ann["metadata"] == {"Metadata_name_1": "blue"}


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
