"""The handle's transport: one keep-alive HTTP connection to the emulator, reused across calls
(and, in the pytest plugin, across the whole session), reopened when the server has closed it.

Cheaper than `urllib.request.urlopen`, which builds an opener, looks up proxies in the
environment and opens (then closes) a TCP connection on every call; the in-process emulator
runs in a thread of the same process, so every client-side step also delays the server."""

from __future__ import annotations

import http.client
import select
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

TIMEOUT = 60.0  # seconds, for connecting and for each read
# Sent again after a failure that left no answer even once the whole request went out: a second
# copy of these changes nothing more (a POST, say a seed or a clock advance, may have been
# applied by a server that then died without answering).
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class _Unanswered(Exception):
    """A socket failure before the first byte of an answer arrived: `error`; `sent`: whether
    the whole request had gone out."""

    def __init__(self, error: OSError, sent: bool) -> None:
        super().__init__(error)
        self.error = error
        self.sent = sent


def _dropped(sock: socket.socket) -> bool:
    """Whether an idle keep-alive connection can no longer be used: it is readable before
    anything was asked (the server closed it, reset it, or sent something unasked for)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _Response(http.client.HTTPResponse):
    def begin(self) -> None:
        # Wait for the answer's first byte apart from parsing it: a reset here means nothing
        # arrived (a stale socket), a reset later means the server died in mid-answer.
        try:
            self.fp.peek(1)
        except (ConnectionResetError, ConnectionAbortedError) as error:
            raise _Unanswered(error, sent=True) from None
        super().begin()  # on EOF: RemoteDisconnected, raised only when no byte arrived


class ControlConnection:
    """A keep-alive HTTP(S) connection to the emulator at `url` (whose path, if any, prefixes
    every target), for one thread at a time (a lock serialises calls from several).

    `request` returns the status and the whole body of any answer, 4xx and 5xx included. A
    connection the server closed while it was idle (keep-alive timeout, restart) is seen before
    a call and replaced. When a call still fails on a reused connection before any byte of the
    answer arrived, it is sent again once on a new connection: always if the request had not
    all gone out, and otherwise only for an idempotent method (GET, PUT, DELETE), since a POST
    may have been applied by a server that then closed without answering. A call is never sent
    again once an answer has begun. Other failures propagate as they come: OSError subclasses
    (ConnectionRefusedError, TimeoutError, http.client.RemoteDisconnected, ...) rather than
    urllib's URLError (an OSError too, so `except OSError` catches both), and
    http.client.HTTPException subclasses for an answer cut short (IncompleteRead, as urlopen's
    read raised). Close it (or use it as a context manager) when done."""

    def __init__(self, url: str, timeout: float = TIMEOUT) -> None:
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.prefix = parts.path
        secure = parts.scheme == "https"
        kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        self._http = kind(parts.hostname, parts.port, timeout=timeout)
        self._http.response_class = _Response
        self._lock = threading.Lock()

    def request(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Send `method` to the prefix + `target` (path and query) and read the whole answer."""
        with self._lock:
            try:
                return self._exchange(method, self.prefix + target, body, headers)
            except BaseException:
                self._http.close()  # whatever state it is in, the next call starts afresh
                raise

    def _exchange(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        sock = self._http.sock
        if sock is not None and _dropped(sock):
            self._http.close()  # closed by the server while idle: a new one, before sending
        reused = self._http.sock is not None
        try:
            response = self._send(method, target, body, headers)
        except _Unanswered as failed:
            if not reused or (failed.sent and method not in IDEMPOTENT):
                raise failed.error from None
            self._http.close()  # stale: the server closed it after the previous call
            try:
                response = self._send(method, target, body, headers)
            except _Unanswered as again:
                raise again.error from None
        return response.status, response.read()

    def _send(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        try:
            self._http.request(method, target, body, headers)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as error:
            raise _Unanswered(error, sent=False) from None  # not all of it reached the server
        try:
            return self._http.getresponse()
        except http.client.RemoteDisconnected as error:
            raise _Unanswered(error, sent=True) from None

    def close(self) -> None:
        with self._lock:
            self._http.close()

    def __enter__(self) -> ControlConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
