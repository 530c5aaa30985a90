"""Metadata schemas seeded for a tenant (fixtures, POST /_emulator/seed) and every write their
metadata goes through: customer create and update (the vendor's 400), the bulk and metadata
jobs (items that fail are listed in the result and the report), the customers CSV import
(cells typed, bad rows fail alone) and the voucher CSV import of a campaign that uses the
voucher metadata schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, OTHER, Client, action, call, csv_form, run_until_idle, seed

from emulator.settings import ZERO_DELAYS

CUSTOMER_SCHEMA = {
    "related_object": "customer",
    "properties": {
        "tier": {"type": "string", "eq": ["gold", "silver"]},
        "visits": {"type": "number", "gte": 0},
        "vip": {"type": "boolean"},
        "joined": {"type": "date"},
        "tags": {"type": "string", "array": True},
        "code": {"type": "string", "exact_length": 3},
        "profile": {"type": "object"},
        "retired": {"type": "number", "deleted": True},
    },
}
VOUCHER_SCHEMA = {
    "related_object": "voucher",
    "properties": {"region": {"type": "string", "eq": ["EU", "US"]}, "weight": {"type": "number"}},
}
INVALID = {
    "code": 400, "key": "metadata_validation_failed", "message": "Metadata validation failed",
}  # fmt: skip


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    client = await make_client(job_timing=ZERO_DELAYS)
    status, body = await seed(client, {"metadata_schemas": [CUSTOMER_SCHEMA, VOUCHER_SCHEMA]})
    assert status == 200 and body["metadata_schemas"] == 2, body
    return client


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ("code", "key", "message")}


async def bulk(client: Client, path: str, payload: Any) -> dict[str, Any]:
    status, body = await call(client, "POST", path, json=payload)
    assert status == 202, body
    await run_until_idle(client)
    return dict(await action(client, body["async_action_id"]))


async def report(client: Client, job: dict[str, Any]) -> str:
    url = job["result"]["reports"][0]
    response = await client.get(url.split(str(client.port), 1)[1])
    assert response.status == 200
    return await response.text()


async def test_a_customer_write_that_breaks_the_schema_is_the_vendors_400(client: Client) -> None:
    bad = {"source_id": "ann", "metadata": {"tier": "bronze", "visits": -2}}
    status, body = await call(client, "POST", "/v1/customers", json=bad)
    assert status == 400 and refusal(body) == INVALID
    assert body["details"] == (
        "tier: must be equal to one of gold,silver (actual value is 'bronze'); "
        "visits: must be greater than or equal to 0 (actual value is '-2')"
    )
    assert (await call(client, "GET", "/v1/customers/ann"))[0] == 404  # nothing stored
    good = {"tier": "gold", "visits": 3, "vip": True, "joined": "2020-02-29", "tags": ["a"],
            "code": "ABC", "free": {"any": "thing"}, "retired": "deleted, so anything"}
    status, ann = await call(client, "POST", "/v1/customers",
                             json={"source_id": "ann", "metadata": good})  # fmt: skip
    assert status == 200 and ann["metadata"] == good
    for metadata, details in [
        ({"vip": "yes"}, "vip: must be a boolean (actual value is 'yes')"),
        ({"joined": "29/02/2020"}, "joined: must be a date in YYYY-MM-DD format"),
        ({"tags": "a"}, "tags: must be an array, and every element: must be a string (actual "
                        "value is 'a')"),
        ({"tags": ["a", 1]}, "tags: must be an array, and every element: must be a string"),
        ({"code": "ABCD"}, "code: must be exactly 3 characters long (actual value is 'ABCD')"),
        ({"visits": "3"}, "visits: must be a number (actual value is '3')"),
    ]:
        status, body = await call(client, "PUT", "/v1/customers/ann", json={"metadata": metadata})
        assert status == 400 and refusal(body) == INVALID, metadata
        assert body["details"].startswith(details), body["details"]
    _, kept = await call(client, "GET", "/v1/customers/ann")
    assert kept["metadata"] == good
    # Another tenant has no schema: its metadata stays free-form.
    status, _ = await call(client, "POST", "/v1/customers", json=bad, headers=OTHER)
    assert status == 200


async def test_defined_only_and_required_keys(make_client: ClientFactory) -> None:
    client = await make_client()
    await seed(client, {"customers": [{"source_id": "earlier", "name": "E"}]})
    strict = {"related_object": "customer", "allow_defined_only": True,
              "properties": {"plan": {"type": "string", "optional": False}}}  # fmt: skip
    assert (await seed(client, {"metadata_schemas": [strict]}))[0] == 200
    status, body = await call(client, "POST", "/v1/customers", json={"source_id": "new"})
    assert status == 400 and body["details"] == "plan: is required"
    status, body = await call(client, "POST", "/v1/customers", json={
        "source_id": "new", "metadata": {"plan": "pro", "colour": "red"}})  # fmt: skip
    assert body["details"] == "colour: is not defined in the customer metadata schema"
    status, _ = await call(client, "POST", "/v1/customers",
                           json={"source_id": "new", "metadata": {"plan": "pro"}})  # fmt: skip
    assert status == 200
    # A write that leaves an existing customer's metadata alone is not checked ...
    status, _ = await call(client, "PUT", "/v1/customers/earlier", json={"name": "Still E"})
    assert status == 200
    # ... one that sends metadata is.
    status, body = await call(client, "PUT", "/v1/customers/earlier", json={"metadata": {}})
    assert status == 400 and body["details"] == "plan: is required"


async def test_bulk_update_lists_the_customers_it_could_not_update(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "known", "name": "Kept"})
    job = await bulk(client, "/v1/customers/bulk/async", [
        {"source_id": "fine", "metadata": {"tier": "gold"}},
        {"source_id": "bad", "name": "Bad", "metadata": {"tier": "bronze"}},
        {"source_id": "known", "name": "Changed", "metadata": {"visits": "many"}},
        {"source_id": "plain", "name": "No metadata"},
    ])  # fmt: skip
    assert (job["status"], job["operation_status"]) == ("DONE", "SUCCESS")
    result = job["result"]
    assert (result["done_count"], result["failed_count"]) == (2, 2)
    assert result["errors"] == [
        {**{k: INVALID[k] for k in ("message", "key")}, "source_id": "bad",
         "details": "tier: must be equal to one of gold,silver (actual value is 'bronze')"},
        {**{k: INVALID[k] for k in ("message", "key")}, "source_id": "known",
         "details": "visits: must be a number (actual value is 'many')"},
    ]  # fmt: skip
    assert await report(client, job) == (
        "source_id,found,updated\r\nfine,false,true\r\nbad,false,false\r\n"
        "known,true,false\r\nplain,false,true\r\n"
    )
    assert (await call(client, "GET", "/v1/customers/bad"))[0] == 404
    _, known = await call(client, "GET", "/v1/customers/known")
    assert known["name"] == "Kept" and "updated_at" not in known  # left as it was
    _, fine = await call(client, "GET", "/v1/customers/fine")
    assert fine["metadata"] == {"tier": "gold"}


async def test_metadata_update_lists_the_customers_it_could_not_update(
    make_client: ClientFactory,
) -> None:
    client = await make_client(job_timing=ZERO_DELAYS)
    # "legacy" was stored before the schema; the schema now in force refuses its tier.
    await seed(client, {"customers": [{"source_id": "legacy", "metadata": {"tier": "bronze"}}]})
    assert (await seed(client, {"metadata_schemas": [CUSTOMER_SCHEMA]}))[0] == 200
    job = await bulk(client, "/v1/customers/metadata/async",
                     {"source_ids": ["legacy", "fresh"], "metadata": {"visits": 1}})  # fmt: skip
    assert job["result"]["errors"] == [{
        "message": "Metadata validation failed", "key": "metadata_validation_failed",
        "details": "tier: must be equal to one of gold,silver (actual value is 'bronze')",
        "source_id": "legacy",
    }]  # fmt: skip
    assert (job["result"]["done_count"], job["result"]["failed_count"]) == (1, 1)
    assert await report(client, job) == (
        "source_id,found,updated\r\nlegacy,true,false\r\nfresh,false,true\r\n"
    )
    _, fresh = await call(client, "GET", "/v1/customers/fresh")
    assert fresh["metadata"] == {"visits": 1}
    _, legacy = await call(client, "GET", "/v1/customers/legacy")
    assert legacy["metadata"] == {"tier": "bronze"}


async def test_csv_cells_take_the_schema_types_and_bad_rows_fail_alone(client: Client) -> None:
    deep = '"' + '{""a"": ' * 65 + "1" + "}" * 65 + '"'
    csv = (
        "Source_id,tier,visits,vip,joined,tags,profile,note\n"
        'c1,gold,12,TRUE,2020-01-02,"a, b","{""size"": ""L""}",hello\n'
        "c2,bronze,x,maybe,,,,\n"
        "c3,,2.5,false,,,,\n"
        'c4,,,,,,"{""n"": NaN}",\n'
        f"c5,,,,,,{deep},\n"
    )
    for headers in (AUTH, OTHER):  # the other tenant has no schema
        response = await client.post("/v1/customers/importCSV", data=csv_form(csv),
                                     headers=headers)  # fmt: skip
        assert response.status == 202
    await run_until_idle(client)
    await run_until_idle(client, headers=OTHER)
    _, c1 = await call(client, "GET", "/v1/customers/c1")
    assert c1["metadata"] == {"tier": "gold", "visits": 12, "vip": True, "joined": "2020-01-02",
                              "tags": ["a", "b"], "profile": {"size": "L"}, "note": "hello"}
    _, c3 = await call(client, "GET", "/v1/customers/c3")
    assert c3["metadata"] == {"visits": 2.5, "vip": False}
    _, jobs = await call(client, "GET", "/v1/async-actions")
    job = await action(client, jobs["async_actions"][0]["id"])
    failed = {f["source_id"]: (f["row"], f["reason"]) for f in job["result"]["failed"]}
    assert failed["c2"] == (2, (
        "Metadata validation failed: tier: must be equal to one of gold,silver (actual value "
        "is 'bronze'); visits: must be a number (actual value is 'x'); vip: must be a boolean "
        "(actual value is 'maybe')"))  # fmt: skip
    # strict JSON only, and no deeper than a request body may nest: otherwise it stays text
    assert failed["c4"] == (4, "Metadata validation failed: profile: must be an object "
                               "(actual value is '{\"n\": NaN}')")  # fmt: skip
    assert failed["c5"][0] == 5 and "profile: must be an object" in failed["c5"][1]
    assert (await call(client, "GET", "/v1/customers/c2"))[0] == 404
    _, untyped = await call(client, "GET", "/v1/customers/c1", headers=OTHER)
    assert untyped["metadata"]["visits"] == "12" and untyped["metadata"]["tags"] == "a, b"


async def test_voucher_import_follows_the_voucher_schema_when_the_campaign_uses_it(
    client: Client,
) -> None:
    discount = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 100}}
    for name, uses in (("Typed", True), ("Free", False)):
        status, campaign = await call(client, "POST", "/v1/campaigns", json={
            "name": name, "voucher": discount, "use_voucher_metadata_schema": uses})  # fmt: skip
        assert status == 200 and campaign["use_voucher_metadata_schema"] is uses
    csv = "Code,region,weight\n{p}1,EU,2.5\n{p}2,APAC,1\n"
    for name, prefix in (("Typed", "T"), ("Free", "F")):
        response = await client.post(f"/v1/campaigns/{name}/importCSV", headers=AUTH,
                                     data=csv_form(csv.format(p=prefix)))  # fmt: skip
        assert response.status == 200
    await run_until_idle(client)
    _, t1 = await call(client, "GET", "/v1/vouchers/T1")
    assert t1["metadata"] == {"region": "EU", "weight": 2.5}
    assert (await call(client, "GET", "/v1/vouchers/T2"))[0] == 404
    _, page = await call(client, "GET", "/v1/async-actions")
    typed_job = await action(client, page["async_actions"][1]["id"])
    assert typed_job["result"]["failed"] == [{"code": "T2", "row": 2, "reason": (
        "Metadata validation failed: region: must be equal to one of EU,US "
        "(actual value is 'APAC')")}]  # fmt: skip
    _, f2 = await call(client, "GET", "/v1/vouchers/F2")
    assert f2["metadata"] == {"region": "APAC", "weight": "1"}  # not checked, not typed


async def test_schemas_come_from_fixtures_and_are_kept_in_snapshots(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    fixture = tmp_path / "schemas.yaml"
    fixture.write_text(json.dumps({
        "metadata_schemas": [CUSTOMER_SCHEMA],
        "customers": [{"source_id": "seeded", "metadata": {"tier": "silver"}}],
    }))  # fmt: skip
    client = await make_client(fixtures=(fixture,))
    status, body = await call(client, "POST", "/v1/customers",
                              json={"metadata": {"tier": "tin"}})  # fmt: skip
    assert status == 400 and body["key"] == "metadata_validation_failed"
    exported = await (await client.get("/_emulator/state", params={"tenant": "app-1"})).json()
    [schema] = exported["tenants"]["app-1"]["meta"]["metadata_schemas"]
    assert schema["id"].startswith("ms_") and schema["object"] == "metadata_schema"
    assert schema["related_object"] == "customer" and schema["allow_defined_only"] is False
    assert schema["properties"] == CUSTOMER_SCHEMA["properties"]
    restored = await make_client()
    broken = json.loads(json.dumps(exported))
    broken["tenants"]["app-1"]["meta"]["metadata_schemas"][0]["properties"]["visits"]["gte"] = "0"
    response = await restored.put("/_emulator/state", json=broken)
    assert response.status == 400  # a definition no check could use is refused, not stored
    assert "metadata definition field gte" in (await response.json())["details"]
    assert (await restored.put("/_emulator/state", json=exported)).status == 200
    status, body = await call(restored, "POST", "/v1/customers",
                              json={"metadata": {"tier": "tin"}})  # fmt: skip
    assert status == 400 and body["key"] == "metadata_validation_failed"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"metadata_schemas": [{"related_object": "customer",
                                "properties": {"a": {"type": "colour"}}}]},
         "seed body: metadata_schemas[0].properties.a.type must be equal to one of"),
        ({"metadata_schemas": [{"related_object": "customer",
                                "properties": {"a": {"type": "number", "optinal": True}}}]},
         "seed body: metadata_schemas[0].properties.a must NOT have additional properties"),
        ({"metadata_schemas": [{"properties": {}}]},
         "seed body: metadata_schemas[0] must have required property 'related_object'"),
        ({"metadata_schemas": [{"related_object": "customer", "properties": {},
                                "strict": True}]},
         "seed body: metadata_schemas[0].strict is not a metadata schema field"),
        ({"metadata_schemas": [CUSTOMER_SCHEMA],
          "customers": [{"source_id": "x", "metadata": {"tier": "tin"}}]},
         "seed body: customers[0]: tier: must be equal to one of gold,silver"),
    ],
)  # fmt: skip
async def test_a_bad_schema_or_a_customer_that_breaks_it_is_a_400(
    make_client: ClientFactory, body: Any, problem: str
) -> None:
    client = await make_client()
    status, answer = await seed(client, body)
    assert status == 400 and answer["key"] == "invalid_payload"
    assert answer["details"].startswith(problem), answer["details"]
    status, _ = await call(client, "POST", "/v1/customers", json={"metadata": {"tier": "tin"}})
    assert status == 200  # nothing of the refused seed is in force
