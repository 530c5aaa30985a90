"""Control routes check their bodies as the API does: wrong types, numbers that are not finite
or out of range, instants no clock can show, are a 400 naming the field, never a 500 or a hang,
and change nothing. And nothing a tenant may set breaks writing its state or anyone else's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, OTHER, Client, call, csv_form, run_until_idle

from emulator.control.statefile import StateFile
from emulator.http.keys import STATE_FILE

BAD = [
    ("/_emulator/clock", {"set": "9999-12-31T23:59:58Z"}, "between 1970"),
    ("/_emulator/clock", {"set": "1900-01-01T00:00:00Z"}, "between 1970"),
    ("/_emulator/clock", {"set": 5}, "ISO 8601"),
    ("/_emulator/clock", {"set": "soon"}, "Invalid isoformat"),
    ("/_emulator/clock", {"mode": "scaled", "scale": 1e300}, "between 0.001 and 10000"),
    ("/_emulator/clock", {"mode": "scaled", "scale": 0}, "between 0.001 and 10000"),
    ("/_emulator/clock", {"mode": "scaled", "scale": "2"}, "must be a number"),
    ("/_emulator/clock", {"mode": 7}, "unknown clock mode"),
    ("/_emulator/clock", {"advance_seconds": 1e300}, "past 3000-01-01"),
    ("/_emulator/clock", {"advance_seconds": -1}, "negative"),
    ("/_emulator/clock", {"advance_seconds": "1"}, "must be a number"),
    ("/_emulator/clock", {"advance_seconds": True}, "must be a number"),
    ("/_emulator/clock", {"advance_seconds": 1, "set": "3001-01-01T00:00:00Z"}, "between"),
    ("/_emulator/async-actions/timings", {"type": "X", "item_seconds": 1e300}, "item_seconds"),
    ("/_emulator/async-actions/timings", {"type": "X", "queue_delay": -1}, "queue_delay"),
    ("/_emulator/async-actions/timings", {"type": "X", "queue_delay": "1"}, "queue_delay"),
    ("/_emulator/async-actions/timings", {"type": "X", "portion_size": 1.5}, "portion_size"),
    ("/_emulator/async-actions/timings", {"type": "X", "portion_size": 10**9}, "portion_size"),
    ("/_emulator/async-actions/timings", {"type": 5}, "Send"),
    ("/_emulator/async-actions/rules", {"type": "*", "count": 0}, "count"),
    ("/_emulator/async-actions/rules", {"type": "*", "count": 1e300}, "count"),
    ("/_emulator/async-actions/rules", {"type": "*", "count": True}, "count"),
    ("/_emulator/async-actions/rules", {"type": 5}, "type"),
    ("/_emulator/async-actions/rules", {"type": "*", "hold": "yes"}, "hold"),
    ("/_emulator/async-actions/rules", {"type": "*", "fail": 5}, "fail"),
    ("/_emulator/async-actions/rules", {"type": "*", "fail_rows": {"rows": [1e30]}}, "rows"),
    ("/_emulator/async-actions/rules", {"type": "*", "fail_rows": {"rows": 3}}, "rows"),
    ("/_emulator/async-actions/rules", {"type": "*", "fail_rows": {"codes": [1]}}, "codes"),
    ("/_emulator/faults", {"latency_ms": 1e300}, "latency_ms"),
    ("/_emulator/faults", {"latency_ms": [0, 1e12]}, "latency_ms"),
    ("/_emulator/faults", {"rate_limit": {"capacity": 1e300}}, "capacity"),
    ("/_emulator/faults", {"status": 500, "times": 1e300}, "times"),
    ("/_emulator/seed", {"customers": "many"}, "customers must be a list"),
    ("/_emulator/seed", [1, 2], "mapping"),
    ("/_emulator/async-actions/rules", {"type": "NOPE", "fail": "x"}, "type must be"),
    ("/_emulator/async-actions/timings", {"type": "NOPE", "item_seconds": 1}, "type must be"),
    ("/_emulator/faults", {"faults": [{"status": 503}, {"status": "bad"}]}, "faults[1]: status"),
]


async def state(client: Client) -> Any:
    response = await client.get("/_emulator/state")
    assert response.status == 200
    return await response.json()


async def faults(client: Client) -> Any:
    return (await (await client.get("/_emulator/faults")).json())["faults"]


@pytest.mark.parametrize(("path", "body", "details"), BAD)
async def test_a_bad_control_body_is_a_400_that_changes_nothing(
    client: Client, path: str, body: Any, details: str
) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "keep"})
    before, faults_before = await state(client), await faults(client)
    response = await client.post(path, json=body, headers=AUTH)
    error = await response.json()
    assert response.status == 400, error
    assert error["code"] == 400 and details in error["details"]
    assert await state(client) == before
    assert await faults(client) == faults_before


@pytest.mark.parametrize(
    ("method", "path", "details"),
    [
        ("POST", "/_emulator/reset?all=maybe", "all must be true or false"),
        ("GET", "/_emulator/requests?limit=0", "limit must be a positive integer"),
        # a digit to str.isdigit, and no number to int(): it was a 500
        ("GET", "/_emulator/requests?limit=%C2%B2", "limit must be a positive integer"),
    ],
)
async def test_a_bad_control_query_is_a_400(
    client: Client, method: str, path: str, details: str
) -> None:
    """?all=maybe reset only the caller's tenant, and limit=0 listed everything (found walking
    the README)."""
    await call(client, "POST", "/v1/customers", json={"source_id": "keep"})
    before = await state(client)
    response = await client.request(method, path, headers={**AUTH, "X-Emulator-Client": "t"})
    error = await response.json()
    assert response.status == 400 and details in error["details"]
    assert await state(client) == before


@pytest.mark.parametrize("raw", [b"null", b""])
async def test_a_seed_of_nothing_is_a_400(client: Client, raw: bytes) -> None:
    """It seeded nothing and said 200 (found walking the README)."""
    headers = {**AUTH, "Content-Type": "application/json"}
    response = await client.post("/_emulator/seed", data=raw, headers=headers)
    error = await response.json()
    assert response.status == 400 and error["details"] == "Request body must be object"


async def test_failing_a_finished_action_says_so(client: Client) -> None:
    response = await client.post("/v1/customers/bulk/async", json=[{"source_id": "a"}],
                                 headers=AUTH)  # fmt: skip
    action = (await response.json())["async_action_id"]
    await run_until_idle(client)
    response = await client.post(f"/_emulator/async-actions/{action}", json={"fail": "x"},
                                 headers=AUTH)  # fmt: skip
    error = await response.json()
    assert (response.status, error["key"], error["message"]) == (
        409, "async_action_finished", "Async action already finished")


async def test_a_bad_action_control_body_is_a_400(client: Client) -> None:
    response = await client.post(
        "/v1/customers/importCSV", data=csv_form("Source_id\na\n"), headers=AUTH
    )
    action_id = (await response.json())["async_action_id"]
    before = await state(client)
    for body, details in [({"hold": "yes"}, "hold"), ({"fail": 5}, "fail"),
                          ({"fail": "x" * 5000}, "fail"),
                          ({"fail_rows": {"rows": [0]}}, "rows"),
                          ({"fail_rows": {"nope": 1}}, "unknown keys")]:  # fmt: skip
        response = await client.post(f"/_emulator/async-actions/{action_id}", json=body,
                                      headers=AUTH)  # fmt: skip
        assert response.status == 400 and details in (await response.json())["details"]
    assert await state(client) == before


BAD_SNAPSHOT_META = [
    ("clock", {"mode": "manual", "scale": 1.0, "now": "9999-12-31T23:59:58+00:00"}),
    ("clock", {"mode": "manual", "scale": 1e300, "now": "2026-01-01T00:00:00+00:00"}),
    ("clock", {"mode": "manual", "scale": 1.0, "now": "2026-01-01T00:00:00"}),
    ("timings", {"X": {"queue_delay": 0, "item_seconds": 1e300, "portion_size": 1}}),
]


@pytest.mark.parametrize(("field", "value"), BAD_SNAPSHOT_META)
async def test_a_snapshot_with_values_no_tenant_may_hold_is_refused(
    client: Client, field: str, value: Any
) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "keep"})
    good = await state(client)
    document = {"version": 2, "tenants": {"app-1": dict(good["tenants"]["app-1"])}}
    document["tenants"]["app-1"]["meta"] = {**good["tenants"]["app-1"]["meta"], field: value}
    response = await client.put("/_emulator/state", json=document)
    assert response.status == 400, await response.text()
    assert await state(client) == good


async def test_the_extremes_a_tenant_may_set_still_save(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    """The latest clock, the fastest scale, the slowest timings, a job: every tenant's state
    still writes, over HTTP and to the state file."""
    client = await make_client(state_file=tmp_path / "state.jsonl")
    await call(client, "POST", "/v1/customers", json={"source_id": "plain"}, headers=OTHER)
    for body in ({"mode": "scaled", "scale": 10_000}, {"mode": "manual"},
                 {"set": "2999-12-30T00:00:00Z"}):  # fmt: skip
        assert (await client.post("/_emulator/clock", json=body, headers=AUTH)).status == 200
    timing = {"type": "CUSTOMERS.IMPORT_CSV", "queue_delay": 86_400, "item_seconds": 60,
              "portion_size": 100_000}  # fmt: skip
    assert (await client.post("/_emulator/async-actions/timings", json=timing,
                              headers=AUTH)).status == 200  # fmt: skip
    response = await client.post(
        "/v1/customers/importCSV", data=csv_form("Source_id\na\nb\n"), headers=AUTH
    )
    assert response.status == 202
    finished = await run_until_idle(client)
    assert [job["status"] for job in finished["finished"]] == ["DONE"]
    assert finished["now"] == "2999-12-31T00:02:00.000Z"  # a day queued, a minute a row
    response = await client.post(
        "/v1/customers/importCSV", data=csv_form("Source_id\nlate\n"), headers=AUTH
    )
    late = (await response.json())["async_action_id"]
    finished = await run_until_idle(client)  # its start lies past what a clock can show
    assert finished["finished"] == []
    assert (await call(client, "GET", f"/v1/async-actions/{late}"))[1]["status"] == "ENQUEUED"
    snapshot = await state(client)
    assert set(snapshot["tenants"]) == {"app-1", "app-2"}
    state_file: StateFile = client.app[STATE_FILE]  # type: ignore[index]
    await state_file.save()
    assert state_file.status()["unsaved_tenants"] == {}
    assert (await call(client, "GET", "/v1/customers/a"))[0] == 200


@pytest.mark.parametrize(
    "body", [{"type": "NOPE", "item_seconds": 1}, {"type": "X", "queue_delay": -1}]
)
async def test_a_refused_timing_makes_no_tenant(client: Client, body: Any) -> None:
    """A timing refused for its type or values is refused before the caller's tenant is taken:
    an unknown tenant is not made (and, at --max-tenants, nobody is evicted for it)."""
    async def tenants() -> int:
        return int((await (await client.get("/_emulator/health")).json())["tenants"])

    before = await tenants()
    fresh = {"X-App-Id": "never-seen", "X-App-Token": "t"}
    response = await client.post("/_emulator/async-actions/timings", json=body, headers=fresh)
    assert response.status == 400
    assert await tenants() == before
