"""The layer in front of every handler (Front), and the optional access log around it."""

from __future__ import annotations

import logging
import time
from functools import partial

from aiohttp import web
from aiohttp.typedefs import Handler

from emulator.contract.routes import API_PREFIXES
from emulator.control.fault_middleware import faulted
from emulator.control.faults import FaultBook
from emulator.control.journal import Journal, kept
from emulator.domain.errors import DomainError
from emulator.http.endpoint import json_response
from emulator.http.errors import (
    ApiError,
    PayloadTooLarge,
    from_domain,
    internal_error,
    method_not_allowed,
    route_not_found,
)
from emulator.http.guard import Guard
from emulator.http.keys import FACTS, Facts, facts
from emulator.jobs.clock import Clock
from emulator.jobs.ids import IdGenerator
from emulator.settings import Settings

log = logging.getLogger("emulator")
access = logging.getLogger("emulator.access")
DISCONNECTED = "client_disconnected"


def _hung_up(request: web.Request, known: Facts) -> bool:
    """The client is gone: its connection broke (or was cancelled with the request)."""
    transport = request.transport
    return known.gone or transport is None or transport.is_closing()


def outcome_of(request: web.Request, response: web.StreamResponse | None, known: Facts) -> str:
    """What shaped the answer: a fault, the validation verdict, or why there was none."""
    found = known.fault or known.validation
    if found:
        return found
    if response is None or known.gone:  # gone: the answer was never sent
        return DISCONNECTED if _hung_up(request, known) else "error"
    return "no_operation" if request.path.startswith(API_PREFIXES) else "control"


@web.middleware
async def access_log_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """--access-log: one line per request, whatever its route and outcome."""
    started = time.perf_counter()
    response: web.StreamResponse | None = None
    known = facts(request)
    try:
        response = await handler(request)
        return response
    finally:
        status = 0 if response is None or _hung_up(request, known) else response.status
        access.info(
            "%s %s %d %.1fms tenant=%s %s",
            request.method, request.path_qs, status, (time.perf_counter() - started) * 1000,
            known.tenant or request.headers.get("X-App-Id") or "-",
            outcome_of(request, response, known),
        )  # fmt: skip


def rendered(request: web.Request, error: Exception, limit: int, ids: IdGenerator) -> web.Response:
    """What escaped a handler, answered in the vendor's error shapes (an HTTPException the
    emulator does not answer itself is raised again)."""
    if isinstance(error, ConnectionResetError):
        # The client went away mid-request (ClientConnectionResetError is one too): nobody is
        # left to answer, and it is not the emulator's error (re-raised, aiohttp would log it
        # as one). The answer below is never sent.
        facts(request).gone = True
        log.debug("client disconnected during %s %s", request.method, request.path)
        return web.Response(status=499)
    caught: ApiError | PayloadTooLarge
    if isinstance(error, (ApiError, PayloadTooLarge)):
        caught = error
    elif isinstance(error, DomainError):
        caught = from_domain(error)
    elif isinstance(error, web.HTTPNotFound):
        caught = route_not_found(request.method, request.path)
    elif isinstance(error, web.HTTPMethodNotAllowed):
        caught = method_not_allowed(request.method, set(error.allowed_methods))
    elif isinstance(error, web.HTTPRequestEntityTooLarge):
        caught = PayloadTooLarge(limit)
    elif isinstance(error, web.HTTPException):
        raise error
    else:
        log.exception("unhandled error on %s %s", request.method, request.path)
        caught = internal_error(f"{type(error).__name__}: {error}")
    headers = caught.headers if isinstance(caught, ApiError) else None
    return json_response(caught.status, caught.body(ids.request()), headers)


class Front:
    """The one layer in front of every handler (one middleware rather than four: each layer is
    a call and a coroutine more on every request), in this order:
    - the guard (emulator/http/guard.py): a refused request is answered here, and not journaled;
    - the journal: every API request (the vendor's /v1, /client/v1 and /management/v1 paths)
      and its answer, in the app's bounded journal;
    - injected faults, on API requests while any are set;
    - whatever escapes a handler, answered in the vendor's error shapes (`rendered`)."""

    def __init__(
        self, settings: Settings, journal: Journal, wall: Clock, faults: FaultBook,
        request_ids: IdGenerator,
    ) -> None:  # fmt: skip
        self._outer = settings.access_log  # a layer around this one (see create_app)
        self._guard = Guard(settings)
        self._limit = settings.max_body_bytes
        self._journal = journal
        self._wall = wall
        self._faults = faults
        self._ids = request_ids

    __middleware_version__ = 1  # what @web.middleware marks: the instance is the middleware

    async def __call__(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        problem = self._guard.problem(request, path)
        if problem is not None:
            return json_response(problem.status, problem.body(self._ids.request()))
        api = path.startswith(API_PREFIXES)
        if not api and path != "/v1":
            return await self._answered(request, handler)
        started = time.perf_counter()
        response: web.StreamResponse | None = None
        if self._outer:  # the access log, around this layer, has made them
            known = facts(request)
        else:  # the first to ask (facts() would find out by a KeyError)
            known = request[FACTS] = Facts()
        try:
            if api and self._faults.faults:
                response = await faulted(request, partial(self._answered, handler=handler),
                                         self._faults)  # fmt: skip
            else:
                try:
                    response = await handler(request)
                except Exception as error:
                    response = rendered(request, error, self._limit, self._ids)
            return response
        finally:
            self._record(request, response, (time.perf_counter() - started) * 1000, known)

    async def _answered(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except Exception as error:
            return rendered(request, error, self._limit, self._ids)

    def _record(
        self, request: web.Request, response: web.StreamResponse | None, duration: float,
        known: Facts,
    ) -> None:  # fmt: skip
        # On every API request: positional, each fact read once.
        body = response.body if type(response) is web.Response else None
        self._journal.record(
            self._wall.now(),
            known.tenant or request.headers.get("X-App-Id") or None,
            request.method,
            request.path,
            request.query_string,
            known.operation,
            known.handler_kind,
            known.body_seen,
            0 if response is None or known.gone else response.status,
            kept(body) if isinstance(body, bytes) and body else None,
            duration,
            outcome_of(request, response, known),
        )
