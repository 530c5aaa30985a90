"""Every error the emulator answers with, and the one place that turns them into bodies.

Bodies follow the vendor's `Error` shape: {code, key, message, details, request_id, ...};
a body over the size limit gets the vendor's hapi-style `BadRequest` shape instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    Refused,
    TenantLimit,
)
from emulator.settings import MAX_BODY_BYTES

Json = dict[str, Any]

MESSAGES = {
    "invalid_payload": "Invalid payload",
    "invalid_query_params": "Invalid query params",
    "unauthorized": "Unauthorized",
    "not_found": "Resource not found",
    "method_not_allowed": "HTTP Method Not Allowed",
    "unsupported_media_type": "Unsupported Media Type",
    "duplicate_found": "Duplicated resource found",
    "invalid_campaign": "Invalid Campaign",
    "metadata_validation_failed": "Metadata validation failed",
    "missing_vouchers": "Missing vouchers",
    "voucher_already_published": "Voucher already published",
    "duplicate_source_id": "Duplicate source_id",
    "no_voucher_suitable_for_publication": "No voucher suitable for publication",
    "stale_customer_list": "Customer list preview is stale",
    "customer_list_confirmed": "Customer list already confirmed",
    "invalid_customer_list": "Customer list has errors",
    "async_action_finished": "Async action already finished",
    "emulator_contract_violation": "Emulator response breaks the API contract",
    "internal_error": "Internal Server Error",
    "payment_required": "Payment required",
    "forbidden": "Forbidden",
    "too_many_requests": "Too many requests hit the API too quickly.",
    "invalid_prefer_header": "Invalid Prefer header",
    "request_timeout": "Request Timeout",
    "uri_too_long": "URI Too Long",
    "headers_too_large": "Request Header Fields Too Large",
    "bad_request": "Bad Request",
    "tenant_limit_reached": "Service Unavailable",
}
# The key of an error answered only for its status (a Prefer: code, an injected fault).
STATUS_KEYS = {
    400: "invalid_payload", 401: "unauthorized", 402: "payment_required", 403: "forbidden",
    404: "not_found", 405: "method_not_allowed", 409: "duplicate_found",
    415: "unsupported_media_type", 429: "too_many_requests", 500: "internal_error",
    502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout",
}  # fmt: skip


@dataclass
class ApiError(Exception):
    status: int
    key: str
    details: str | None = None
    resource_id: str | None = None
    resource_type: str | None = None
    message: str | None = None
    headers: dict[str, str] | None = None

    def body(self, request_id: str) -> Json:
        body: Json = {
            "code": self.status,
            "key": self.key,
            "message": self.message or MESSAGES.get(self.key, self.key),
        }
        if self.details is not None:
            body["details"] = self.details
        body["request_id"] = request_id
        if self.resource_id is not None:
            body["resource_id"] = self.resource_id
        if self.resource_type is not None:
            body["resource_type"] = self.resource_type
        return body


@dataclass
class PayloadTooLarge(Exception):
    """The vendor answers oversized bodies in hapi's shape, not in its own Error shape."""

    limit: int

    status = 413

    def body(self, request_id: str = "") -> Json:
        return {
            "statusCode": 413,
            "error": "Request Entity Too Large",
            "message": f"Payload content length greater than maximum allowed: {self.limit}",
        }


HttpError = ApiError | PayloadTooLarge


def from_domain(error: DomainError) -> HttpError:
    if isinstance(error, Refused):
        if error.status == 413:
            return PayloadTooLarge(MAX_BODY_BYTES)
        return ApiError(error.status, STATUS_KEYS.get(error.status, "error"), error.details)
    if isinstance(error, NotFound):
        return ApiError(404, "not_found", str(error), error.resource_id, error.resource_type)
    if isinstance(error, Conflict):
        return ApiError(409, error.key, error.details, error.resource_id, error.resource_type)
    if isinstance(error, InvalidInput):
        return ApiError(400, error.key, error.details)
    if isinstance(error, TenantLimit):
        return ApiError(503, "tenant_limit_reached", str(error))
    return ApiError(400, "invalid_payload", str(error))


def bad_query(details: str) -> ApiError:
    return ApiError(400, "invalid_query_params", details)


def bad_payload(details: str) -> ApiError:
    return ApiError(400, "invalid_payload", details)


def unauthorized(details: str) -> ApiError:
    return ApiError(401, "unauthorized", details)


def route_not_found(method: str, path: str) -> ApiError:
    return ApiError(404, "not_found", f"Cannot {method} {path}", message="Resource not found")


def method_not_allowed(method: str, allowed: set[str]) -> ApiError:
    options = " or ".join(sorted(allowed))
    details = f"{method} is not supported by this endpoint. Did you mean {options}?"
    return ApiError(
        405, "method_not_allowed", details, headers={"Allow": ", ".join(sorted(allowed))}
    )


def unsupported_media(content_type: str, accepted: list[str]) -> ApiError:
    details = (
        f"Content-Type {content_type or '(none)'} is not supported; send {' or '.join(accepted)}"
    )
    return ApiError(415, "unsupported_media_type", details)


def contract_violation(details: str) -> ApiError:
    return ApiError(500, "emulator_contract_violation", details)


def request_timeout(details: str) -> ApiError:
    return ApiError(408, "request_timeout", details)


def forbidden(details: str) -> ApiError:
    return ApiError(403, "forbidden", details)


def internal_error(details: str) -> ApiError:
    return ApiError(500, "internal_error", details)
