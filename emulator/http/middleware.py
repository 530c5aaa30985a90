"""The outermost layer: whatever escapes a handler leaves in the vendor's error shapes."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from emulator.contract.routes import API_PREFIXES
from emulator.control.journal import kept
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
from emulator.http.keys import JOURNAL, REQUEST_IDS, SETTINGS, WALL, Facts, facts

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


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ConnectionResetError:
        # The client went away mid-request (ClientConnectionResetError is one too): nobody is
        # left to answer, and it is not the emulator's error (re-raised, aiohttp would log it
        # as one). The answer below is never sent.
        facts(request).gone = True
        log.debug("client disconnected during %s %s", request.method, request.path)
        return web.Response(status=499)
    except (ApiError, PayloadTooLarge) as error:
        caught: ApiError | PayloadTooLarge = error
    except DomainError as error:
        caught = from_domain(error)
    except web.HTTPNotFound:
        caught = route_not_found(request.method, request.path)
    except web.HTTPMethodNotAllowed as error:
        caught = method_not_allowed(request.method, set(error.allowed_methods))
    except web.HTTPRequestEntityTooLarge:
        caught = PayloadTooLarge(request.app[SETTINGS].max_body_bytes)
    except web.HTTPException:
        raise
    except Exception as error:
        log.exception("unhandled error on %s %s", request.method, request.path)
        caught = internal_error(f"{type(error).__name__}: {error}")
    request_id = request.app[REQUEST_IDS].request()
    headers = caught.headers if isinstance(caught, ApiError) else None
    return json_response(caught.status, caught.body(request_id), headers)


@web.middleware
async def journal_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every API request (the vendor's /v1, /client/v1 and /management/v1 paths) and
    its answer in the app's bounded journal."""
    if not request.path.startswith(API_PREFIXES) and request.path != "/v1":
        return await handler(request)
    started = time.perf_counter()
    response: web.StreamResponse | None = None
    known = facts(request)
    try:
        response = await handler(request)
        return response
    finally:
        _record(request, response, (time.perf_counter() - started) * 1000, known)


def _record(
    request: web.Request, response: web.StreamResponse | None, duration: float, known: Facts
) -> None:
    # On every API request: positional, each fact read once.
    body = response.body if type(response) is web.Response else None
    app = request.app
    app[JOURNAL].record(
        app[WALL].now(),
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
