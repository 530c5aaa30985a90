"""Logs people can read: one INFO line per async-action transition, an optional access log,
and a client that hangs up is not an emulator error."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from conftest import ClientFactory
from helpers import AUTH, Client, call, csv_form, run_until_idle, settings_for

from emulator import create_app
from emulator.http.keys import JOURNAL, SETTINGS
from emulator.http.server import make_runner
from emulator.settings import JobTiming


def messages(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == logger]


async def test_each_async_action_transition_is_one_info_line(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    # A queue delay, so that every transition happens at its own instant.
    client = await make_client(job_timing=JobTiming(queue_delay=0.3, item_seconds=0.0005))
    caplog.set_level(logging.INFO, logger="emulator.jobs")
    _, started = await call(
        client, "POST", "/v1/customers/importCSV", data=csv_form("Source_id\na\nb\n")
    )
    job = started["async_action_id"]
    await run_until_idle(client)
    _, failing = await call(client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "c"}])
    response = await client.post(
        f"/_emulator/async-actions/{failing['async_action_id']}", json={"fail": "Boom"},
        headers=AUTH,
    )  # fmt: skip
    assert response.status == 200
    other = failing["async_action_id"]
    # the manual clock starts at 2026-01-15T09:30:00Z; the queue delay is 0.3 s, 0.5 ms per row
    assert messages(caplog, "emulator.jobs") == [
        f"async action {job} CUSTOMERS.IMPORT_CSV tenant=app-1 ENQUEUED 0/2 items"
        " at 2026-01-15T09:30:00.000Z",
        f"async action {job} CUSTOMERS.IMPORT_CSV tenant=app-1 IN_PROGRESS 0/2 items"
        " at 2026-01-15T09:30:00.300Z",
        f"async action {job} CUSTOMERS.IMPORT_CSV tenant=app-1 DONE 2/2 items"
        " at 2026-01-15T09:30:00.301Z",
        f"async action {other} CUSTOMERS.BULK_UPDATE tenant=app-1 ENQUEUED 0/1 items"
        " at 2026-01-15T09:30:00.301Z",
        f"async action {other} CUSTOMERS.BULK_UPDATE tenant=app-1 FAILED 0/1 items"
        " at 2026-01-15T09:30:00.301Z reason='Boom'",
    ]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "emulator.jobs")


async def test_failed_rows_are_counted_in_the_last_line(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="emulator.jobs")
    await client.post(
        "/_emulator/async-actions/rules", headers=AUTH,
        json={"type": "*", "fail_rows": {"source_ids": ["b"], "reason": "no"}},
    )  # fmt: skip
    await call(client, "POST", "/v1/customers/importCSV", data=csv_form("Source_id\na\nb\n"))
    await run_until_idle(client)
    assert "DONE 2/2 items (1 failed) at " in messages(caplog, "emulator.jobs")[-1]


async def test_no_job_lines_above_info(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="emulator.jobs")
    await call(client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "c"}])
    assert messages(caplog, "emulator.jobs") == []


async def test_the_access_log_is_one_line_per_request(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="emulator.access")
    client = await make_client(access_log=True)
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    await call(client, "POST", "/v1/customers", json={"email": 42})
    await call(client, "GET", "/v1/customers?limit=5")
    await client.get("/_emulator/health")
    lines = messages(caplog, "emulator.access")
    pattern = r"^{} {} {} \d+\.\dms tenant={} {}$"
    expected = [
        ("POST", "/v1/customers", 200, "app-1", "passed"),
        ("POST", "/v1/customers", 400, "app-1", "request_rejected"),
        ("GET", r"/v1/customers\?limit=5", 200, "app-1", "passed"),
        ("GET", "/_emulator/health", 200, "-", "control"),
    ]
    assert len(lines) == len(expected), lines
    for line, fields in zip(lines, expected, strict=True):
        assert re.match(pattern.format(*fields), line), line


async def test_no_access_log_unless_asked(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="emulator.access")
    await call(client, "GET", "/v1/customers")
    assert messages(caplog, "emulator.access") == []


async def hang_up_mid_body(port: int) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-App-Id: app-1\r\nX-App-Token: t\r\n"
        b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"source_id":'
    )
    await writer.drain()
    await asyncio.sleep(0.2)  # the server is now waiting for the rest of the body
    writer.transport.abort()


@asynccontextmanager
async def served_by(kind: str, app: web.Application) -> AsyncIterator[int]:
    """The app on a free port: aiohttp's test server (which cancels the handler of a request
    whose client is gone), or the command line's own runner (which lets it run to its end)."""
    if kind == "test server":
        server = TestServer(app, port=0)
        await server.start_server()
        try:
            yield int(server.port or 0)
        finally:
            await server.close()
        return
    runner = make_runner(app, app[SETTINGS])
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("kind", ["test server", "command line server"])
async def test_a_client_that_hangs_up_is_not_an_error(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(settings_for(access_log=True))
    async with served_by(kind, app) as port:
        await hang_up_mid_body(port)
        for _ in range(200):  # until the server has noticed the hang-up
            if messages(caplog, "emulator.access"):
                break
            await asyncio.sleep(0.01)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    line = messages(caplog, "emulator.access")[-1]
    assert line.startswith("POST /v1/customers 0 ") and line.endswith("client_disconnected")
    journal = app[JOURNAL].query()
    assert [(e.status, e.outcome) for e in journal] == [(0, "client_disconnected")]
