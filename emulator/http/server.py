"""Serving connections: aiohttp's, with a header-read timeout and every early error in JSON.

- A client has `header_timeout` seconds to send a request's line and headers once it starts
  (or once it connects); past that it gets a 408 and the connection closes. An idle keep-alive
  connection closes after `keepalive_timeout` seconds (aiohttp's keep-alive timer).
- What aiohttp refuses before any handler runs (a request line or header over 8,190 bytes, too
  many headers, a malformed request) is answered 400 in the vendor's Error shape, not text/plain,
  with a key naming the problem (uri_too_long, headers_too_large, bad_request): 400 is a status
  every operation of the contract declares, where 414 and 431 are not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, HttpProcessingError, LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from emulator.http.endpoint import dump
from emulator.http.errors import ApiError
from emulator.http.keys import REQUEST_IDS
from emulator.settings import Settings

log = logging.getLogger("emulator.http")
ErrorBody = Callable[[ApiError], bytes]
SHUTDOWN_SECONDS = 2.0  # requests still running at shutdown get this long
LINGER_SECONDS = 2.0  # after an early answer (413, 408) the rest of a body is read this long


def early_error(status: int, exc: BaseException | None, message: str | None) -> ApiError:
    """What to answer for a request aiohttp could not parse, or a failure outside handlers."""
    if isinstance(exc, LineTooLong):
        line = exc.args[0] if exc.args else b""
        if bytes(line[:6]).startswith((b"/", b"http:", b"https:", b"*")):
            return ApiError(400, "uri_too_long", "The request line is longer than 8190 bytes")
        return ApiError(400, "headers_too_large", "A request header is longer than 8190 bytes")
    if isinstance(exc, BadHttpMessage) and "Too many headers" in str(exc):
        return ApiError(400, "headers_too_large", "The request has more than 128 headers")
    if isinstance(exc, HttpProcessingError) or status < 500:
        reason = (message or getattr(exc, "message", "") or "").splitlines()
        return ApiError(400, "bad_request", f"Malformed request: {reason[0] if reason else ''}")
    if status == 504:
        return ApiError(504, "gateway_timeout", "The request took too long", message="Timeout")
    return ApiError(500, "internal_error", "The emulator failed to answer this request")


class Protocol(RequestHandler):
    def __init__(
        self, *args: Any, header_timeout: float, error_body: ErrorBody, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = header_timeout
        self._error_body = error_body
        self._head_timer: Any = None
        self._head_bytes = False

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        before = self._request_count
        super().data_received(data)
        if self._request_count != before:
            self._disarm()  # a whole head arrived
        elif data and not self._busy():
            if self._head_timer is None:
                self._arm()
            self._head_bytes = True

    async def shutdown(self, timeout: float | None = 15.0) -> None:
        """aiohttp waits `timeout` for a running handler, then cancels only its request's body
        and waits `timeout` again. A handler that reads no more body (one replaying its tenant's
        due work) held a stop for twice the grace: here the handler is cancelled once the grace
        is over (a replay stops between two items, so nothing is half-applied). aiohttp's own
        waits get a second more, so its timeout never races the cancellation."""
        handler = self._task_handler
        if handler is None or timeout is None:
            await super().shutdown(timeout)
            return
        deadline = self._loop.call_later(timeout, handler.cancel)
        try:
            await super().shutdown(timeout + 1)
        finally:
            deadline.cancel()

    def _busy(self) -> bool:
        return bool(self._request_in_progress or self._messages)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self._loop.call_later(self._header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_bytes = False

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._busy() or self.transport is None:
            return
        if self._head_bytes:
            late = f"The request's headers did not arrive within {self._header_timeout:g} s"
            body = self._error_body(ApiError(408, "request_timeout", late))
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8"
                b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
            )
        self.force_close()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status >= 500:
            log.error("error outside any handler", exc_info=exc)
        error = early_error(status, exc, message)
        response = web.Response(
            status=error.status, body=self._error_body(error),
            content_type="application/json", charset="utf-8",
        )  # fmt: skip
        response.force_close()
        return response


class _Server(web.Server):
    def __call__(self) -> RequestHandler:
        return Protocol(self, loop=self._loop, **self._kwargs)


class EmulatorRunner(web.AppRunner):
    """An AppRunner whose connections are Protocol's."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        return _Server(
            made.request_handler, request_factory=made.request_factory,
            handler_cancellation=made.handler_cancellation, loop=made._loop, **made._kwargs,
        )  # fmt: skip


def make_runner(app: web.Application, settings: Settings) -> EmulatorRunner:
    def error_body(error: ApiError) -> bytes:
        return dump(error.body(app[REQUEST_IDS].request()))

    return EmulatorRunner(
        app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS, lingering_time=LINGER_SECONDS,
        keepalive_timeout=settings.keepalive_timeout, header_timeout=settings.header_timeout,
        error_body=error_body,
    )  # fmt: skip
