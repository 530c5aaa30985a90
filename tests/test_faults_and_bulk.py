"""Faults on demand (fail, hold, failing rows; per job or for future jobs of a type) and the
bulk and metadata updates with their reports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, CONTROL, Client, action, advance, call, csv_form, run_until_idle

from emulator.settings import JobTiming

TIMING = JobTiming(queue_delay=1.0, item_seconds=0.01, portion_size=100)


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    return await make_client(job_timing=TIMING)


async def start_import(client: Client, count: int = 3) -> str:
    rows = "".join(f"f{n},Name {n}\n" for n in range(count))
    response = await client.post(
        "/v1/customers/importCSV", data=csv_form("Source_id,Name\n" + rows), headers=AUTH
    )
    assert response.status == 202
    return str((await response.json())["async_action_id"])


async def control(client: Client, action_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = await client.post(f"/_emulator/async-actions/{action_id}", json=body, headers=AUTH)
    return response.status, await response.json()


async def test_fail_ends_the_job_with_the_reason_and_applies_nothing(client: Client) -> None:
    action_id = await start_import(client)
    await advance(client, 1.01)  # in progress, first portion under way
    status, body = await control(client, action_id, {"fail": "Upstream storage unavailable"})
    assert status == 200
    assert body["status"] == "FAILED" and body["operation_status"] == "FAILED"
    assert body["result"]["message"] == "Upstream storage unavailable"
    assert body["result"]["done_count"] == 0
    await run_until_idle(client)
    assert (await call(client, "GET", "/v1/customers/f0"))[0] == 404
    status, again = await control(client, action_id, {"fail": "twice"})
    assert status == 409 and again["key"] == "async_action_finished"


async def test_fail_keeps_portions_that_already_completed(client: Client) -> None:
    action_id = await start_import(client, count=150)
    await advance(client, 2.1)  # portion 1 applied at t = 2
    _, body = await control(client, action_id, {"fail": "stopped"})
    assert body["result"]["done_count"] == 100
    assert (await call(client, "GET", "/v1/customers/f99"))[0] == 200
    assert (await call(client, "GET", "/v1/customers/f100"))[0] == 404


async def test_hold_keeps_a_job_in_progress_until_released(client: Client) -> None:
    held = await start_import(client)
    follower = await start_import(client)
    _, body = await control(client, held, {"hold": True})
    assert body["status"] == "ENQUEUED"
    idle = await run_until_idle(client)
    assert idle["held"] == [held]
    assert [job["id"] for job in idle["finished"]] == [follower]  # a held job does not block
    assert (await action(client, held))["status"] == "IN_PROGRESS"
    await advance(client, 3600)
    assert (await action(client, held))["status"] == "IN_PROGRESS"
    _, released = await control(client, held, {"hold": False})
    assert released["status"] == "IN_PROGRESS"
    await run_until_idle(client)
    assert (await action(client, held))["status"] == "DONE"


async def test_hold_puts_back_the_portion_under_way(client: Client) -> None:
    held = await start_import(client, count=150)
    await advance(client, 1.5)  # in progress: its first portion (100 rows) ends at t = 2
    _, body = await control(client, held, {"hold": True})
    assert body["status"] == "IN_PROGRESS"
    await advance(client, 3600)
    assert (await action(client, held))["progress"] == 0
    assert (await call(client, "GET", "/v1/customers/f0"))[0] == 404  # nothing applied
    await control(client, held, {"hold": False})
    await run_until_idle(client)
    done = await action(client, held)
    assert done["status"] == "DONE" and done["result"]["done_count"] == 150


async def test_chosen_rows_fail_by_source_id_and_row_number(client: Client) -> None:
    action_id = await start_import(client, count=5)
    status, _ = await control(
        client, action_id,
        {"fail_rows": {"source_ids": ["f1"], "rows": [4], "reason": "Rejected by CRM"}},
    )  # fmt: skip
    assert status == 200
    await run_until_idle(client)
    result = (await action(client, action_id))["result"]
    assert result["failed"] == [
        {"source_id": "f1", "row": 2, "reason": "Rejected by CRM"},
        {"source_id": "f3", "row": 4, "reason": "Rejected by CRM"},
    ]
    assert result["message"] == "3 customer(s) imported successfully, 2 failed."
    assert (await call(client, "GET", "/v1/customers/f1"))[0] == 404


async def test_rules_apply_to_future_jobs_of_a_type(client: Client) -> None:
    response = await client.post(
        "/_emulator/async-actions/rules",
        json={"type": "CUSTOMERS.IMPORT_CSV", "fail": "quota exceeded", "count": 1},
        headers=AUTH,
    )
    assert response.status == 200
    doomed = await start_import(client)
    fine = await start_import(client)
    await advance(client, 1.0)
    assert (await action(client, doomed))["status"] == "IN_PROGRESS"  # fails when it runs
    await run_until_idle(client)
    failed = await action(client, doomed)
    assert failed["status"] == "FAILED" and failed["result"]["message"] == "quota exceeded"
    assert (await action(client, fine))["status"] == "DONE"
    rules = await (await client.get("/_emulator/async-actions/rules", headers=AUTH)).json()
    assert rules == {"rules": []}  # used up


async def test_rule_for_failing_codes_in_voucher_imports(client: Client) -> None:
    await client.post(
        "/_emulator/async-actions/rules",
        json={"type": "CAMPAIGN.VOUCHERS_IMPORT_CSV", "fail_rows": {"codes": ["BAD"]}},
        headers=AUTH,
    )
    await call(client, "POST", "/v1/campaigns", json={"name": "P"})
    response = await client.post(
        "/v1/campaigns/P/importCSV", data=csv_form("Code\nGOOD\nBAD\n"), headers=AUTH
    )
    action_id = (await response.json())["async_action_id"]
    await run_until_idle(client)
    result = (await action(client, action_id))["result"]
    assert result["failed"] == [
        {"code": "BAD", "row": 2, "reason": "Row failed on purpose (emulator fault)"}
    ]
    response = await client.delete("/_emulator/async-actions/rules", headers={**AUTH, **CONTROL})
    assert await response.json() == {"rules": []}


async def test_faults_on_unknown_or_bad_requests(client: Client) -> None:
    status, body = await control(client, "aa_unknown", {"fail": "x"})
    assert status == 404 and body["resource_type"] == "async_action"
    action_id = await start_import(client)
    status, body = await control(client, action_id, {"explode": True})
    assert status == 400
    response = await client.post("/_emulator/async-actions/rules", json={"fail": "x"}, headers=AUTH)
    assert response.status == 400


async def test_bulk_update_upserts_and_reports_what_was_found(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "known", "name": "Old"})
    status, body = await call(
        client, "POST", "/v1/customers/bulk/async",
        json=[{"source_id": "known", "name": "New"}, {"source_id": "fresh", "email": "f@x.io"}],
    )  # fmt: skip
    assert status == 202
    await run_until_idle(client)
    job = await action(client, body["async_action_id"])
    assert job["type"] == "CUSTOMERS.BULK_UPDATE" and job["status"] == "DONE"
    result = job["result"]
    assert (result["done_count"], result["failed_count"], result["errors"]) == (2, 0, [])
    assert result["reports_available_till"] == "2026-01-16T09:30:01.020Z"
    assert (await call(client, "GET", "/v1/customers/known"))[1]["name"] == "New"
    assert (await call(client, "GET", "/v1/customers/fresh"))[1]["email"] == "f@x.io"
    report_url = result["reports"][0]
    assert report_url.endswith(f"/_emulator/reports/app-1/{job['id']}")
    response = await client.get(report_url.split(str(client.port), 1)[1])
    assert response.headers["Content-Type"].startswith("text/csv")
    assert await response.text() == (
        "source_id,found,updated\r\nknown,true,true\r\nfresh,false,true\r\n"
    )


async def test_bulk_update_writes_every_documented_field(client: Client) -> None:
    item = {
        "source_id": "every", "name": "Eve Ry", "description": "all fields", "email": "e@x.io",
        "phone": "+48 600 000 000", "birthday": "1990-01-02", "birthdate": "1990-01-02",
        "address": {"city": "Kraków", "state": "MA", "line_1": "Rynek 1", "line_2": "2",
                    "country": "PL", "postal_code": "31-001"},
        "metadata": {"plan": "pro", "seats": 3},
    }  # fmt: skip
    status, body = await call(client, "POST", "/v1/customers/bulk/async", json=[item])
    assert status == 202 and set(body) == {"async_action_id"}
    await run_until_idle(client)
    assert (await action(client, body["async_action_id"]))["result"]["done_count"] == 1
    _, stored = await call(client, "GET", "/v1/customers/every")
    assert {k: stored[k] for k in item} == item
    status, error = await call(client, "POST", "/v1/customers/bulk/async",
                               json=[{"source_id": "x", "birthdate": "02/01/1990"}])  # fmt: skip
    assert status == 400 and error["details"].startswith("Property .0.birthdate cannot be")


@pytest.mark.parametrize(
    ("path", "head", "tail"),
    [("/v1/customers/bulk/async", b'[{"source_id": "big", "description": "', b'"}]'),
     ("/v1/customers/metadata/async", b'{"source_ids": ["big"], "metadata": {"note": "', b'"}}')],
    ids=["bulk", "metadata"],
)  # fmt: skip
async def test_bulk_and_metadata_updates_take_up_to_10_mb(
    client: Client, path: str, head: bytes, tail: bytes
) -> None:
    limit = 10 * 1024 * 1024
    headers = {**AUTH, "Content-Type": "application/json"}
    for size, status in ((limit, 202), (limit + 1, 413)):
        payload = head + b"x" * (size - len(head) - len(tail)) + tail
        response = await client.post(path, data=io.BytesIO(payload), headers=headers)
        assert response.status == status, size
    assert (await response.json())["message"] == (
        f"Payload content length greater than maximum allowed: {limit}")  # fmt: skip
    _, jobs = await call(client, "GET", "/v1/async-actions")
    assert len(jobs["async_actions"]) == 1  # the 10 MB request only


async def test_bulk_item_without_source_id_is_rejected_whole(client: Client) -> None:
    status, body = await call(
        client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "a"}, {"name": "x"}]
    )
    assert status == 400
    assert body["details"] == "Property .1 must have required property 'source_id'"
    _, jobs = await call(client, "GET", "/v1/async-actions")
    assert jobs["async_actions"] == []


async def test_bulk_failures_land_in_errors(client: Client) -> None:
    _, body = await call(
        client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "a"}, {"source_id": "b"}]
    )
    await control(client, body["async_action_id"], {"fail_rows": {"source_ids": ["b"]}})
    await run_until_idle(client)
    result = (await action(client, body["async_action_id"]))["result"]
    assert (result["done_count"], result["failed_count"]) == (1, 1)
    assert result["errors"] == [{
        "message": "Row failed on purpose (emulator fault)", "details": "Item 2 was not updated",
        "key": "failed", "source_id": "b",
    }]  # fmt: skip
    # the report has a line for the failed item too (it was missing: found walking the README)
    response = await client.get(result["reports"][0].split(str(client.port), 1)[1])
    assert (await response.text()).split() == ["source_id,found,updated", "a,false,true",
                                               "b,false,false"]  # fmt: skip


async def test_metadata_update_merges_and_upserts(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "m1", "metadata": {"a": 1}})
    status, body = await call(
        client, "POST", "/v1/customers/metadata/async",
        json={"source_ids": ["m1", "m2"], "metadata": {"b": 2}},
    )  # fmt: skip
    assert status == 202
    await run_until_idle(client)
    job = await action(client, body["async_action_id"])
    assert job["type"] == "CUSTOMERS.METADATA_UPDATE"
    assert job["result"]["errors"] == [] and job["result"]["done_count"] == 2
    assert (await call(client, "GET", "/v1/customers/m1"))[1]["metadata"] == {"a": 1, "b": 2}
    assert (await call(client, "GET", "/v1/customers/m2"))[1]["metadata"] == {"b": 2}


async def test_metadata_update_needs_both_fields(client: Client) -> None:
    status, body = await call(
        client, "POST", "/v1/customers/metadata/async", json={"source_ids": []}
    )
    assert (
        status == 400 and body["details"] == "Request body must have required property 'metadata'"
    )
