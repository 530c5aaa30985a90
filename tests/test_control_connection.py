"""The handle's transport (emulator/testing/connection.py): one keep-alive connection, reused,
reopened when the server closed it, never sending a call again once an answer has begun."""

from __future__ import annotations

import gc
import http.client
import select
import ssl

import pytest
from helpers import settings_for
from recording_server import Recorder

from emulator.testing import ControlConnection, ControlError, EmulatorHandle
from emulator.testing.inprocess import BackgroundEmulator


def test_calls_reuse_one_connection() -> None:
    with Recorder() as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        handle.reset()
        handle.clock.now()
        handle.run_until_idle()
        other = EmulatorHandle(server.url, "app-y", connection=connection)
        other.rules()
        assert [s.path for s in server.seen] == [
            "/_emulator/reset", "/_emulator/clock", "/_emulator/async-actions/run-until-idle",
            "/_emulator/async-actions/rules",
        ]  # fmt: skip
        assert server.connections == 1


def test_a_handle_without_a_connection_reuses_its_own_and_closes_it_when_collected() -> None:
    with Recorder() as server:
        handle = EmulatorHandle(server.url, "app-x")
        handle.reset()
        handle.reset()
        assert server.connections == 1
        del handle
        gc.collect()
        assert server.ended.acquire(timeout=10)  # the server saw the connection end


@pytest.mark.parametrize("action", ["then-close", "reset"])
def test_a_connection_the_server_closed_is_reopened(action: str) -> None:
    """then-close: the server answers, then closes the idle connection (FIN); reset: it resets
    the connection on the next request before answering it. Both before any byte of answer."""
    with Recorder("ok", action) as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        handle.reset()
        if action == "then-close":
            handle.reset()
            assert server.ended.acquire(timeout=10)
        assert handle.clock.now() == "2026-01-01T00:00:00.000Z"
        assert server.connections == 2
        paths = [s.path for s in server.seen]
        expected_resets = 2 if action == "then-close" else 1
        clocks = ["/_emulator/clock"] * (1 if action == "then-close" else 2)
        assert paths == ["/_emulator/reset"] * expected_resets + clocks


def test_an_answer_with_connection_close_is_followed_by_a_new_connection() -> None:
    with Recorder("close") as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        handle.reset()
        handle.reset()
        handle.reset()
        assert server.connections == 2 and len(server.seen) == 3


@pytest.mark.parametrize(
    ("action", "error"),
    [
        ("die-in-body", http.client.IncompleteRead),
        ("die-in-status", (ConnectionResetError, http.client.BadStatusLine)),
        ("reset", ConnectionError),  # took it all, then reset without a byte of answer
    ],
)
def test_a_post_that_reached_the_server_is_never_sent_again(
    action: str, error: type[Exception] | tuple[type[Exception], ...]
) -> None:
    """Once an answer began, or once the whole POST went out and the connection then broke:
    the server may have applied it, so the caller hears of it rather than the server getting
    it twice. A GET that met the reset is sent again (test above)."""
    with Recorder("ok", action) as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        handle.reset()
        with pytest.raises(error):
            handle.seed(customers=[{"source_id": "once"}])
        assert [s.path for s in server.seen] == ["/_emulator/reset", "/_emulator/seed"]
        handle.reset()  # the next call works, on a new connection
        assert server.connections == 2


def test_a_connection_closed_while_idle_is_replaced_before_a_post() -> None:
    with Recorder("then-close") as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        handle.reset()
        assert server.ended.acquire(timeout=10)  # the server is done with it...
        sock = connection._http.sock
        assert sock is not None and select.select([sock], [], [], 10)[0]  # ...and it is closed
        handle.seed(customers=[{"source_id": "once"}])  # a POST: not sent on the dead one
        assert [s.path for s in server.seen] == ["/_emulator/reset", "/_emulator/seed"]
        assert server.connections == 2


def test_a_redirect_is_a_control_error() -> None:
    with Recorder("redirect") as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        with pytest.raises(ControlError) as raised:
            handle.reset()
        assert raised.value.status == 302


def test_a_failure_on_a_fresh_connection_is_not_retried() -> None:
    with Recorder("reset") as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        with pytest.raises(ConnectionError):
            handle.reset()
        assert len(server.seen) == 1 and server.connections == 1


def test_a_refusal_raises_control_error_and_keeps_the_connection() -> None:
    with Recorder("refuse") as server, ControlConnection(server.url) as connection:
        handle = EmulatorHandle(server.url, "app-x", connection=connection)
        with pytest.raises(ControlError) as refused:
            handle.release("aa_missing")
        assert (refused.value.method, refused.value.path) == (
            "POST", "/_emulator/async-actions/aa_missing",
        )  # fmt: skip
        assert refused.value.status == 404
        assert (refused.value.key, refused.value.details) == ("not_found", "No such thing")
        handle.reset()
        assert server.connections == 1


def test_the_urls_path_prefixes_every_call() -> None:
    with Recorder() as server:
        handle = EmulatorHandle(server.url + "/behind/proxy/", "app-x")
        handle.requests(path="/v1/customers", limit=2)
        (seen,) = server.seen
        assert seen.path == (
            "/behind/proxy/_emulator/requests?tenant=app-x&path=%2Fv1%2Fcustomers&limit=2"
        )


def test_an_https_url_speaks_tls() -> None:
    """The recording server speaks plain HTTP, so a TLS handshake with it fails."""
    with Recorder() as server, ControlConnection(server.url) as plain:
        secure = server.url.replace("http://", "https://")
        with ControlConnection(secure) as connection, pytest.raises(ssl.SSLError):
            connection.request("GET", "/_emulator/clock", None, {})
        assert plain.request("GET", "/_emulator/clock", None, {})[0] == 200


def test_a_connection_is_for_its_own_url() -> None:
    with ControlConnection("http://127.0.0.1:1") as connection:
        with pytest.raises(ValueError, match=r"127\.0\.0\.1:1"):
            EmulatorHandle("http://127.0.0.1:2", "app-x", connection=connection)
        with pytest.raises(ValueError, match="not an http"):
            ControlConnection("ftp://127.0.0.1:1")


def test_the_emulators_keep_alive_timeout_is_survived() -> None:
    """The real emulator closes an idle connection after keepalive_timeout seconds."""
    settings = settings_for(port=0, keepalive_timeout=0.2)
    with BackgroundEmulator(settings) as emulator, ControlConnection(emulator.url) as connection:
        handle = EmulatorHandle(emulator.url, "app-k", connection=connection)
        handle.seed(customers=[{"source_id": "k1"}])
        sock = connection._http.sock
        assert sock is not None and select.select([sock], [], [], 10)[0]  # closed by the emulator
        assert handle.clock.advance(1).endswith(":01.000Z")
