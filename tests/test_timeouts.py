"""Timeouts: a client that stalls while sending its headers or its body, or keeps an idle
connection open, is answered 408 (or simply closed) and lets go of the socket; meanwhile
everyone else is served. The server is short-tempered here so that the tests wait little; the
waits are on the server closing the connection, never a fixed sleep."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import aiohttp
import orjson
import pytest
from aiohttp import web
from helpers import START

from emulator import Settings
from emulator.http.server import EmulatorRunner
from emulator.testing.inprocess import BackgroundEmulator

PATIENCE = 0.3


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundEmulator]:
    settings = Settings(
        port=0, seed=1, clock_mode="manual", clock_start=START, header_timeout=PATIENCE,
        body_timeout=PATIENCE, keepalive_timeout=2 * PATIENCE,
    )  # fmt: skip
    with BackgroundEmulator(settings) as emulator:
        yield emulator


def connect(server: BackgroundEmulator) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


AUTH = b"X-App-Id: t\r\nX-App-Token: t\r\n"


def test_a_client_that_stalls_in_its_headers_gets_408_and_is_let_go(
    server: BackgroundEmulator,
) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH)  # no end
        answer = until_closed(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    error = orjson.loads(body)
    assert error["code"] == 408 and error["key"] == "request_timeout"


def test_a_connection_that_never_sends_is_closed(server: BackgroundEmulator) -> None:
    with connect(server) as sock:
        assert until_closed(sock) == b""


def test_a_stalled_body_gets_408(server: BackgroundEmulator) -> None:
    with connect(server) as sock:
        head = b"POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH
        sock.sendall(head + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        answer = until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408")
    assert orjson.loads(answer.partition(b"\r\n\r\n")[2])["key"] == "request_timeout"


def test_an_idle_keep_alive_connection_is_closed(server: BackgroundEmulator) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = until_closed(sock)  # answered, kept alive, then closed when idle
    assert answer.startswith(b"HTTP/1.1 200") and answer.count(b"HTTP/1.1") == 1


def test_stalled_clients_delay_no_one(server: BackgroundEmulator) -> None:
    stalled = [connect(server) for _ in range(50)]
    try:
        for sock in stalled:
            sock.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        with connect(server) as sock:
            sock.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH
                         + b"Connection: close\r\n\r\n")  # fmt: skip
            answer = until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 200")
        assert all(until_closed(sock).startswith(b"HTTP/1.1 408") for sock in stalled)
    finally:
        for sock in stalled:
            sock.close()


async def test_a_request_still_running_at_shutdown_is_cancelled_once_the_grace_is_over() -> None:
    """aiohttp alone waits the grace, cancels only the request's body, then waits the grace
    again: a handler replaying its tenant's work held a SIGTERM for twice the grace (a stop took
    5-8 s at 200,000 customers). The handler must be cancelled at the end of the grace, while
    its body is still untouched."""
    started, seen = asyncio.Event(), []

    async def forever(request: web.Request) -> web.Response:
        await request.read()
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append(request.content.exception())
            raise
        return web.Response()

    app = web.Application()
    app.router.add_post("/", forever)
    runner = EmulatorRunner(app, shutdown_timeout=PATIENCE, header_timeout=10,
                            error_body=lambda error: b"{}")  # fmt: skip
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    async with aiohttp.ClientSession() as session:
        sent = asyncio.ensure_future(session.post(f"{site.name}/", data=b"{}"))
        await started.wait()
        await runner.cleanup()
        with pytest.raises(aiohttp.ClientError):
            await sent
    assert seen == [None]  # cancelled in the grace, before aiohttp's own second wait
