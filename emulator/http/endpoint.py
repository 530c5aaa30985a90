"""The fixed skeleton every API operation runs through:
auth -> parameters -> body -> handler -> response check -> write.

Requests that break the contract get a 4xx naming the field; a response that breaks it is an
emulator bug and becomes a loud 500 `emulator_contract_violation`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from emulator.contract.params import read_params
from emulator.contract.spec import Operation
from emulator.domain.errors import DomainError
from emulator.domain.store import Tenants
from emulator.http.auth import AuthError, authenticate
from emulator.http.body import MULTIPART, Body, form_instance, read_body
from emulator.http.errors import (
    ApiError,
    HttpError,
    PayloadTooLarge,
    bad_payload,
    bad_query,
    contract_violation,
    from_domain,
    unauthorized,
)
from emulator.http.keys import HANDLER_KIND, OPERATION, TENANT, VALIDATION
from emulator.jobs.ids import IdGenerator
from emulator.routes.calls import JSON, Call, Handler, Reply
from emulator.settings import Settings

log = logging.getLogger("emulator.contract")


def dump(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, body=dump(body), content_type="application/json", charset="utf-8",
        headers=headers,
    )  # fmt: skip


def prefer(header: str) -> dict[str, str]:
    """`Prefer: code=404, example=Not Found` -> {"code": "404", "example": "Not Found"}."""
    choices = {}
    for part in header.replace(";", ",").split(","):
        name, sep, value = part.partition("=")
        if sep and name.strip():
            choices[name.strip().lower()] = value.strip().strip('"')
    return choices


class Endpoint:
    """One operation of the spec bound to its handler: `stateful` (the emulator's own) or
    `example` (answered from the spec's examples)."""

    def __init__(
        self,
        op: Operation,
        handler: Handler,
        settings: Settings,
        tenants: Tenants,
        request_ids: IdGenerator,
        kind: str = "stateful",
    ) -> None:
        self.op = op
        self.kind = kind
        self._handler = handler
        self._settings = settings
        self._tenants = tenants
        self._request_ids = request_ids

    async def handle(self, request: web.Request) -> web.StreamResponse:
        return await self.answer(request, request.match_info)

    async def answer(
        self, request: web.Request, path: Mapping[str, str]
    ) -> web.StreamResponse:
        """Answer with the path parameters already read (named as this operation names them)."""
        request[OPERATION] = self.op.operation_id
        request[HANDLER_KIND] = self.kind
        try:
            reply = await self._run(request, path)
        except (ApiError, PayloadTooLarge) as error:
            request[VALIDATION] = "request_rejected"
            reply = self._error_reply(error)
        response, violation = self._write(reply)
        if violation:
            request[VALIDATION] = "contract_violation"
        elif VALIDATION not in request:
            request[VALIDATION] = "passed" if self._settings.validate_requests else "skipped"
        return response

    async def _run(self, request: web.Request, path: Mapping[str, str]) -> Reply:
        settings, op = self._settings, self.op
        try:
            tenant_id = authenticate(
                request.headers, settings.credentials, op.key_pairs, op.bearer
            )
        except AuthError as error:
            raise unauthorized(str(error)) from None
        request[TENANT] = tenant_id
        params, problem = read_params(
            op.params, request.query, path, settings.validate_requests, request.headers
        )
        if problem is not None:
            raise bad_query(problem.describe())
        body = await read_body(request, self.op, settings.max_body_bytes)
        if settings.validate_requests and body.present:
            self._check_body(body)
        tenant = self._tenants.get(tenant_id)
        tenant.jobs.settle()
        call = Call(
            tenant, params, body.value, f"{request.scheme}://{request.host}",
            prefer(request.headers.get("Prefer", "")),
        )  # fmt: skip
        try:
            return self._handler(call)
        except DomainError as error:
            return self._error_reply(from_domain(error))

    def _check_body(self, body: Body) -> None:
        check = self.op.body_checks.get(body.media)
        if check is None:
            return
        instance = form_instance(body.value) if body.media == MULTIPART else body.value
        problem = check.problem(instance)
        if problem is not None:
            raise bad_payload(problem.describe())

    def _error_reply(self, error: HttpError) -> Reply:
        return Reply(error.status, error.body(self._request_ids.request()))

    def _write(self, reply: Reply) -> tuple[web.StreamResponse, bool]:
        """The response to send, and whether the reply broke the contract."""
        if self._settings.validate_responses:
            violation = self._violation(reply)
            if violation is not None:
                log.error("%s answered %s: %s", self.op.operation_id, reply.status, violation)
                error = contract_violation(f"{self.op.operation_id} {reply.status}: {violation}")
                return json_response(500, error.body(self._request_ids.request())), True
        if reply.body is None:
            return web.Response(status=reply.status), False
        if reply.media != JSON and isinstance(reply.body, str):
            text = web.Response(status=reply.status, text=reply.body, content_type=reply.media)
            return text, False
        return json_response(reply.status, reply.body), False

    def _violation(self, reply: Reply) -> str | None:
        response = self.op.response(reply.status)
        if response is None:
            return f"status {reply.status} is not declared for this operation"
        if not response.checks:
            return None if reply.body is None else "a body where the contract declares none"
        if reply.body is None:
            return "no body where the contract declares one"
        check = response.checks.get(reply.media) or next(iter(response.checks.values()))
        problem = check.problem(reply.body)
        return None if problem is None else problem.describe("Response body")
