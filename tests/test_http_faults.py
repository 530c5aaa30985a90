"""HTTP faults: latency (fixed and ranged), forced errors, rate limits with Retry-After,
dropped connections, limits to the next N requests, scoping by route and tenant, scenarios.

`add` posts as app-1 (X-App-Id), so its faults reach app-1's requests only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from conftest import ClientFactory
from helpers import AUTH, CONTROL, OTHER, Client, call, settings_for

from emulator import create_app
from emulator.http.keys import SLEEP, WALL


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
async def client(aiohttp_client: Any, slept: list[float]) -> Client:
    """An emulator whose injected delays are recorded instead of waited out."""

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    app = create_app(settings_for())
    app[SLEEP] = sleep
    return await aiohttp_client(app)  # type: ignore[no-any-return]


async def add(client: Client, headers: dict[str, str] = AUTH, **spec: Any) -> dict[str, Any]:
    response = await client.post("/_emulator/faults", json=spec, headers=headers)
    body = await response.json()
    assert response.status == 200, body
    return dict(body["faults"][0])


async def test_fixed_latency_on_one_route(client: Client, slept: list[float]) -> None:
    await add(client, path="/v1/customers/*", method="GET", latency_ms=250)
    await call(client, "GET", "/v1/customers/x")
    await call(client, "GET", "/v1/customers")  # another route: untouched
    await call(client, "POST", "/v1/customers", json={})  # another method: untouched
    assert slept == [0.25]


async def test_ranged_latency_stays_in_range(client: Client, slept: list[float]) -> None:
    await add(client, latency_ms=[100, 300])
    for _ in range(20):
        await call(client, "GET", "/v1/customers")
    assert len(slept) == 20 and all(0.1 <= s <= 0.3 for s in slept)
    assert len(set(slept)) > 1


async def test_forced_status_in_the_vendor_shape(client: Client) -> None:
    await add(client, path="/v1/customers/bulk/async", status=503)
    status, body = await call(client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "a"}])
    assert status == 503
    assert body["code"] == 503 and body["key"] == "service_unavailable"
    assert body["message"] == "Service Unavailable" and body["request_id"].startswith("v-")
    _, jobs = await call(client, "GET", "/v1/async-actions")
    assert jobs["async_actions"] == []  # the request never reached the emulator's state


async def test_forced_status_with_a_custom_body_and_413_shape(client: Client) -> None:
    await add(client, path="/v1/customers", method="GET", status=418, body={"teapot": True})
    await add(client, path="/v1/customers", method="POST", status=413)
    assert await call(client, "GET", "/v1/customers") == (418, {"teapot": True})
    status, body = await call(client, "POST", "/v1/customers", json={})
    assert status == 413 and body["statusCode"] == 413


async def test_next_n_requests_only(client: Client) -> None:
    await add(client, status=500, times=2)
    statuses = [(await call(client, "GET", "/v1/customers"))[0] for _ in range(3)]
    assert statuses == [500, 500, 200]
    response = await client.get("/_emulator/faults")
    assert await response.json() == {"faults": []}


async def test_rate_limit_answers_429_with_retry_after_when_the_bucket_runs_dry(
    client: Client,
) -> None:
    wall = client.app[WALL]  # type: ignore[index]
    wall.switch("manual")
    await add(client, rate_limit={"capacity": 2, "refill_per_second": 0.5})
    assert [(await call(client, "GET", "/v1/customers"))[0] for _ in range(2)] == [200, 200]
    response = await client.get("/v1/customers", headers=AUTH)
    assert response.status == 429
    assert response.headers["Retry-After"] == "2"
    assert await response.json() == {
        "code": 429, "message": "Too many requests hit the API too quickly.",
    }  # fmt: skip
    wall.advance(2)  # one token back
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    assert (await call(client, "GET", "/v1/customers"))[0] == 429


async def retry_after(client: Client) -> str | None:
    response = await client.get("/v1/customers", headers=AUTH)
    assert response.status == 429
    return response.headers.get("Retry-After")


async def test_retry_after_is_the_real_wait_rounded_up(client: Client) -> None:
    wall = client.app[WALL]  # type: ignore[index]
    wall.switch("manual")
    await add(client, rate_limit={"capacity": 1, "refill_per_second": 0.3})
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    assert await retry_after(client) == "4"  # a token in 3.33 s
    wall.advance(1)
    assert await retry_after(client) == "3"  # 2.33 s to go
    wall.advance(2.4)
    assert (await call(client, "GET", "/v1/customers"))[0] == 200  # and it was true
    wall.advance(3.2)
    assert await retry_after(client) == "1"  # 0.13 s to go: at least a whole second


async def test_a_bucket_that_never_refills_sends_no_retry_after(client: Client) -> None:
    await add(client, rate_limit={"capacity": 1, "refill_per_second": 0})
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    assert await retry_after(client) is None


async def test_a_forced_429_has_no_bucket_and_no_retry_after(client: Client) -> None:
    await add(client, status=429, times=1)
    assert await retry_after(client) is None
    assert (await call(client, "GET", "/v1/customers"))[0] == 200


async def test_faults_can_target_one_tenant(client: Client) -> None:
    await add(client, tenant="app-2", status=502)
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    assert (await call(client, "GET", "/v1/customers", headers=OTHER))[0] == 502


async def test_a_fault_applies_to_the_callers_tenant(client: Client) -> None:
    fault = await add(client, status=503)
    assert fault["tenant"] == "app-1"
    assert (await call(client, "GET", "/v1/customers"))[0] == 503
    assert (await call(client, "GET", "/v1/customers", headers=OTHER))[0] == 200


async def test_tenant_star_applies_to_every_tenant(client: Client) -> None:
    fault = await add(client, tenant="*", status=503)
    assert fault["tenant"] == "*"
    assert (await call(client, "GET", "/v1/customers"))[0] == 503
    assert (await call(client, "GET", "/v1/customers", headers=OTHER))[0] == 503


async def test_a_fault_without_any_tenant_is_refused(client: Client) -> None:
    response = await client.post("/_emulator/faults", json={"status": 503})
    body = await response.json()
    assert response.status == 400 and body["key"] == "missing_tenant"
    assert 'tenant: "*"' in body["details"]
    assert (await (await client.get("/_emulator/faults")).json()) == {"faults": []}
    assert (await call(client, "GET", "/v1/customers"))[0] == 200


async def test_clearing_faults_is_per_tenant_unless_all(client: Client) -> None:
    await add(client, status=503)
    await add(client, headers=OTHER, status=502)
    await add(client, tenant="*", latency_ms=1)
    mine = await (await client.get("/_emulator/faults", params={"tenant": "app-2"})).json()
    assert sorted(fault["tenant"] for fault in mine["faults"]) == ["*", "app-2"]
    response = await client.delete("/_emulator/faults", headers={**AUTH, **CONTROL})
    assert (await response.json()) == {"removed": 1}
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    assert (await call(client, "GET", "/v1/customers", headers=OTHER))[0] == 502
    response = await client.delete("/_emulator/faults", params={"all": "true"}, headers=CONTROL)
    assert (await response.json()) == {"removed": 2}
    assert (await client.delete("/_emulator/faults", headers=CONTROL)).status == 400


async def test_dropped_connection(client: Client) -> None:
    await add(client, path="/v1/customers", drop=True, times=1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.get("/v1/customers", headers=AUTH)
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    entries = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert [(e["status"], e["outcome"]) for e in entries] == [(200, "passed"), (0, "fault:drop")]


async def test_faults_are_journaled_and_removable(client: Client) -> None:
    fault = await add(client, status=500)
    await call(client, "GET", "/v1/customers")
    entries = (await (await client.get("/_emulator/requests")).json())["requests"]
    assert entries[0]["outcome"] == "fault:status"
    response = await client.delete(f"/_emulator/faults/{fault['id']}", headers=CONTROL)
    assert response.status == 200
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    response = await client.delete(f"/_emulator/faults/{fault['id']}", headers=CONTROL)
    assert response.status == 404


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"path": "/v1/*"}, "needs latency_ms, status, rate_limit or drop"),
        ({"status": 200}, "HTTP error status"),
        ({"latency_ms": [5, 1]}, "range"),
        ({"latency_ms": -1}, "from 0 to 300000"),
        ({"latency_ms": 1e300}, "from 0 to 300000"),
        ({"latency_ms": float("inf")}, "NaN and Infinity are not JSON numbers"),
        ({"rate_limit": {"capacity": 5, "refill_per_second": 1e300}}, "refill_per_second"),
        ({"rate_limit": {"capacity": 0}}, "capacity"),
        ({"status": 500, "colour": "red"}, "unknown fault keys"),
        ({"faults": [{"status": 500}, {"status": 1}]}, "HTTP error status"),
        ({"status": 500, "tenant": ""}, "tenant must be"),
        ({"faults": {"status": 500}}, "must be a list"),
        # A misspelt key must not leave a bucket that never refills, "no" must not drop every
        # connection, and what is not a path, a method or a whole number is not guessed at.
        ({"rate_limit": {"capacity": 1, "refill": 2}}, "unknown rate_limit keys ['refill']"),
        ({"rate_limit": 5}, "rate_limit must be"),
        ({"drop": "no"}, "drop must be true or false"),
        ({"status": 503, "times": 1.5}, "times must be a whole number"),
        ({"status": 503, "path": 5}, "path must be"),
        ({"status": 503, "path": ""}, "path must be"),
        ({"status": 503, "method": 5}, "method must be"),
        ({"status": 503, "method": "FETCH"}, "method must be"),
        ({"status": 503, "body": [1]}, "body must be an object"),
    ],
)
async def test_bad_fault_specs_are_refused_whole(
    client: Client, spec: dict[str, Any], message: str
) -> None:
    response = await client.post("/_emulator/faults", json=spec, headers=AUTH)
    body = await response.json()
    assert response.status == 400 and message in body["details"]
    assert (await (await client.get("/_emulator/faults")).json()) == {"faults": []}


async def test_scenario_file_applies_from_the_start(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    scenario = tmp_path / "flaky.yaml"
    scenario.write_text(
        "faults:\n"
        "  - {path: /v1/customers, method: POST, status: 500, times: 1}\n"
        "  - {path: /v1/async-actions*, rate_limit: {capacity: 1, refill_per_second: 0}}\n"
    )
    client = await make_client(scenario=scenario)
    assert (await call(client, "POST", "/v1/customers", json={}))[0] == 500
    assert (await call(client, "POST", "/v1/customers", json={}))[0] == 200
    assert (await call(client, "GET", "/v1/async-actions"))[0] == 200
    assert (await call(client, "GET", "/v1/async-actions"))[0] == 429
    # a scenario's faults reach every tenant unless they name one: the bucket is shared
    assert (await call(client, "GET", "/v1/async-actions", headers=OTHER))[0] == 429


async def test_a_scenario_fault_may_name_its_tenant(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    scenario = tmp_path / "one.yaml"
    scenario.write_text("faults:\n  - {tenant: app-2, status: 503}\n")
    client = await make_client(scenario=scenario)
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    assert (await call(client, "GET", "/v1/customers", headers=OTHER))[0] == 503


def test_broken_scenario_fails_at_start_up(tmp_path: Path) -> None:
    from helpers import settings_for

    from emulator import create_app
    from emulator.control.faults import FaultError

    scenario = tmp_path / "bad.yaml"
    scenario.write_text("faults:\n  - {status: 500}\n  - {path: /v1/*}\n")
    with pytest.raises(FaultError, match=r"bad.yaml: faults\[1\]: a fault needs latency_ms"):
        create_app(settings_for(scenario=scenario))
