"""The guarded control plane: cross-site browser requests are refused, Host names are checked
against an allow-list, --credentials and --admin-token protect /_emulator, and no request that
fails these checks (or merely reads) ever creates a tenant."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request
from conftest import ClientFactory
from helpers import AUTH, CONTROL, OTHER, Client, call, run_until_idle, settings_for

from emulator.http.guard import Guard
from emulator.testing.handle import EmulatorHandle
from emulator.testing.inprocess import BackgroundEmulator


async def tenants(client: Client) -> int:
    return int((await (await client.get("/_emulator/health")).json())["tenants"])


async def test_a_cross_site_form_cannot_reset_or_seed(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "kept"})
    for content_type in ("application/x-www-form-urlencoded", "text/plain",
                         "multipart/form-data; boundary=x"):  # fmt: skip
        for path in ("/_emulator/reset?all=true", "/_emulator/seed"):
            response = await client.post(path, data=b"a=b", headers={"Content-Type": content_type})
            body = await response.json()
            assert response.status == 403 and body["key"] == "forbidden", body
    response = await client.delete("/_emulator/requests")
    assert response.status == 403
    assert (await call(client, "GET", "/v1/customers/kept"))[0] == 200


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "application/json"}, {"X-Emulator-Client": "dashboard"},
     {"X-Emulator-Client": ""}],
)  # fmt: skip
async def test_json_or_the_client_header_lets_a_change_through(
    client: Client, headers: dict[str, str]
) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "gone"})
    response = await client.post("/_emulator/reset", headers={**AUTH, **headers})
    assert response.status == 200
    assert (await call(client, "GET", "/v1/customers/gone"))[0] == 404


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1.evil.io"])
async def test_a_foreign_origin_is_refused_even_with_json(client: Client, origin: str) -> None:
    response = await client.post(
        "/_emulator/reset", params={"all": "true"}, json={}, headers={"Origin": origin}
    )
    assert response.status == 403 and "origin" in (await response.json())["details"]
    response = await client.get("/_emulator/state", headers={"Origin": origin})
    assert response.status == 403


async def test_the_same_origin_is_welcome(client: Client) -> None:
    origin = f"http://127.0.0.1:{client.port}"
    response = await client.post(
        "/_emulator/clock", json={"advance_seconds": 1},
        headers={**AUTH, "Origin": origin, "X-Emulator-Client": "dashboard"},
    )  # fmt: skip
    assert response.status == 200


async def test_a_preflight_is_never_granted(client: Client) -> None:
    response = await client.options(
        "/_emulator/reset",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "x-emulator-client"},
    )  # fmt: skip
    assert response.status >= 400
    assert not any(name.lower().startswith("access-control-allow") for name in response.headers)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "localhost.evil.io"])
async def test_a_rebound_host_name_reads_nothing(client: Client, host: str) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "secret"})
    for path in ("/_emulator/state", "/v1/customers/secret", "/_emulator/requests"):
        response = await client.get(path, headers={**AUTH, "Host": host})
        body = await response.json()
        assert response.status == 403 and "--allowed-host" in body["details"], (path, body)


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8080", "app.localhost:9", "127.0.0.1", "[::1]:8080",
             "10.1.2.3", "ci-service", "api.example.com"],
)  # fmt: skip
async def test_allowed_hosts(make_client: ClientFactory, host: str) -> None:
    client = await make_client(allowed_hosts=("ci-service", ".example.com"))
    response = await client.get("/v1/customers", headers={**AUTH, "Host": host})
    assert response.status == 200


def test_host_verdicts_stay_right_when_remembered_and_past_the_memo() -> None:
    """The guard works out a Host value's verdict once: repeats, and more values than it keeps
    (Guard.KEPT), are still answered as the allow-list says."""
    guard = Guard(settings_for(allowed_hosts=("ci-service",)))

    def refused(host: str) -> bool:
        request = make_mocked_request("GET", "/v1/customers", headers={"Host": host})
        return guard.problem(request, "/v1/customers") is not None

    hosts = [(f"h{i}.localhost", False) for i in range(Guard.KEPT)]
    hosts += [(f"h{i}.evil.io:80", True) for i in range(Guard.KEPT)]
    for _ in range(2):
        for host, expected in [*hosts, ("ci-service", False), ("evil.example", True)]:
            assert refused(host) is expected, host


async def test_any_host_when_asked(make_client: ClientFactory) -> None:
    client = await make_client(allowed_hosts=("*",))
    response = await client.get("/v1/customers", headers={**AUTH, "Host": "whatever.example"})
    assert response.status == 200


async def test_with_credentials_control_routes_need_a_valid_pair(
    make_client: ClientFactory,
) -> None:
    client = await make_client(credentials={"app-1": "token-1", "app-2": "token-2"})
    before = await tenants(client)
    for headers in ({}, {"X-App-Id": "app-1"}, {"X-App-Id": "app-1", "X-App-Token": "nope"},
                    {"X-App-Id": "intruder", "X-App-Token": "token-1"}):  # fmt: skip
        for method, path in (("POST", "/_emulator/clock"), ("GET", "/_emulator/state"),
                             ("GET", "/_emulator/clock"),
                             ("POST", "/_emulator/reset")):  # fmt: skip
            response = await client.request(
                method, path, json={"advance_seconds": 1}, headers=headers
            )
            assert response.status == 401, (headers, path)
    assert await tenants(client) == before  # nothing was created
    response = await client.post("/_emulator/clock", json={"advance_seconds": 1}, headers=AUTH)
    assert response.status == 200
    assert (await client.get("/_emulator/health")).status == 200  # health checks stay open


async def test_a_report_is_only_for_its_own_tenant(make_client: ClientFactory) -> None:
    client = await make_client(credentials={"app-1": "token-1", "app-2": "token-2"})
    status, _ = await call(client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "a"}])
    assert status == 202
    job = (await run_until_idle(client))["finished"][0]
    path = "/_emulator/reports/app-1/" + job["id"]
    assert (await client.get(path, headers=AUTH)).status == 200
    assert (await client.get(path, headers=OTHER)).status == 403
    assert (await client.get(path)).status == 401


async def test_with_an_admin_token_control_routes_need_it(make_client: ClientFactory) -> None:
    client = await make_client(admin_token="s3cret")
    for token in (None, "wrong", "s3cre"):
        headers = {**AUTH, **({} if token is None else {"X-Emulator-Token": token})}
        response = await client.post("/_emulator/clock", json={"advance_seconds": 1},
                                     headers=headers)  # fmt: skip
        assert response.status == 401
        assert (await client.get("/_emulator/state", headers=headers)).status == 401
    headers = {**AUTH, "X-Emulator-Token": "s3cret"}
    response = await client.post("/_emulator/clock", json={"advance_seconds": 1}, headers=headers)
    assert response.status == 200
    assert (await client.get("/_emulator/health")).status == 200
    assert (await call(client, "GET", "/v1/customers"))[0] == 200  # the API itself is unchanged


def test_the_handle_passes_the_admin_token(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(port=0, admin_token="handle-token")
    with BackgroundEmulator(settings) as emulator:
        handle = EmulatorHandle(emulator.url, "app-h", admin_token="handle-token")
        assert handle.clock.advance(5).endswith("Z")
        monkeypatch.setenv("VOUCHERIFY_EMULATOR_ADMIN_TOKEN", "handle-token")
        assert EmulatorHandle(emulator.url, "app-h").run_until_idle() == []
        monkeypatch.delenv("VOUCHERIFY_EMULATOR_ADMIN_TOKEN")
        with pytest.raises(Exception, match="401"):
            EmulatorHandle(emulator.url, "app-h").reset()


async def test_reading_never_creates_a_tenant(client: Client) -> None:
    reads: list[tuple[str, dict[str, Any]]] = [
        ("/_emulator/state?tenant=ghost", {}),
        ("/_emulator/reports/ghost/aa_0123456789abcdef01", {}),
        ("/_emulator/clock", {"X-App-Id": "ghost"}),
        ("/_emulator/async-actions/rules", {"X-App-Id": "ghost"}),
        ("/_emulator/requests?tenant=ghost", {}),
    ]
    for path, headers in reads:
        response = await client.get(path, headers=headers)
        assert response.status in (200, 404), path
    assert (await client.get("/_emulator/state?tenant=ghost")).status == 404
    assert await tenants(client) == 0
    response = await client.post("/_emulator/clock", json={"advance_seconds": 1},
                                 headers={"X-App-Id": "ghost", **CONTROL})  # fmt: skip
    assert response.status == 200 and await tenants(client) == 1


async def _raw(client: Client, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    await writer.wait_closed()
    return data


async def test_an_admin_token_that_is_not_utf8_is_a_401(make_client: ClientFactory) -> None:
    """aiohttp keeps such bytes as surrogates, and encoding them raised: a 500 (found in
    review)."""
    client = await make_client(admin_token="secret")
    answer = await _raw(client, b"GET /_emulator/state HTTP/1.1\r\nHost: localhost\r\n"
                        b"X-Emulator-Token: \xff\r\nConnection: close\r\n\r\n")  # fmt: skip
    assert answer.startswith(b"HTTP/1.1 401"), answer[:80]


@pytest.mark.parametrize("origin", ["http://[::1", "http://["])
async def test_an_origin_that_is_no_url_is_refused(client: Client, origin: str) -> None:
    """A broken IPv6 literal made urlsplit raise: a 500 (found in review)."""
    response = await client.get("/_emulator/customer-lists", headers={**AUTH, "Origin": origin})
    assert response.status == 403
    assert "web origin" in (await response.json())["details"]
