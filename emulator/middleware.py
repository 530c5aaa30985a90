"""The outermost layer: whatever escapes a handler leaves in the vendor's error shapes."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from emulator.domain.errors import DomainError
from emulator.errors import (
    ApiError,
    PayloadTooLarge,
    from_domain,
    internal_error,
    method_not_allowed,
    route_not_found,
)
from emulator.keys import REQUEST_IDS, SETTINGS
from emulator.validation import json_response

log = logging.getLogger("emulator")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
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
