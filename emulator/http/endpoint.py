"""The fixed skeleton every API operation runs through:
auth -> parameters -> body -> handler -> response check -> write.

Requests that break the contract get a 4xx naming the field; a response that breaks it is an
emulator bug and becomes a loud 500 `emulator_contract_violation`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from aiohttp import web

from emulator.contract import strictjson
from emulator.contract.params import read_params
from emulator.contract.spec import Operation
from emulator.contract.split import SplitCheck, split_check
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
from emulator.http.keys import Facts, facts
from emulator.http.tenancy import serving
from emulator.http.views import ViewCache
from emulator.jobs.ids import IdGenerator
from emulator.routes.calls import EMPTY, JSON, Call, Handler, Precheck, Reply, prepare
from emulator.settings import Settings

log = logging.getLogger("emulator.contract")
OFFLOAD_BYTES = 256 * 1024  # bodies this big are checked in a worker thread


def dump(body: Any) -> bytes:
    return strictjson.dumps(body)


JSON_TYPE = {"Content-Type": "application/json; charset=utf-8"}
NO_BODY = Body()
# A Call is made with tuple.__new__ on every request: NamedTuple's own __new__ is a Python
# function, and costs twice as much.
_new = tuple.__new__


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    # The Content-Type header given whole: aiohttp's content_type and charset arguments parse
    # and rebuild it on every response.
    response = web.Response(
        status=status, body=dump(body), headers={**JSON_TYPE, **headers} if headers else JSON_TYPE,
    )  # fmt: skip
    if status == 408:
        response.force_close()  # the rest of a stalled body is not waited for
    return response


def base_url(request: web.Request, settings: Settings) -> str:
    """Where clients reach this emulator: --public-url, else the address the connection came
    in on (never the Host header, which the client chooses)."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not sockname:
        return f"http://{settings.host}:{settings.port}"
    host, port = sockname[0], sockname[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def prefer(header: str) -> Mapping[str, str]:
    """`Prefer: code=404, example=Not Found` -> {"code": "404", "example": "Not Found"}."""
    if not header:
        return EMPTY  # no Prefer header: nearly every request
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
        precheck: Precheck | None = None,
    ) -> None:
        self.op = op
        self.kind = kind
        self._handler = handler
        self._precheck = precheck
        self._settings = settings
        self._tenants = tenants
        self._request_ids = request_ids
        # Where this operation's parameters come from (a request's query is parsed only when
        # the operation reads one).
        self._query = any(spec.location == "query" for spec in op.params)
        self._headers = any(spec.location == "header" for spec in op.params)
        self._has_body = op.has_body
        # Per list answer (status, key): its split check (None: not checked, or no exact
        # split) and its items' kept texts.
        self._views: dict[tuple[int, str], tuple[SplitCheck | None, ViewCache]] = {}

    async def answer(
        self, request: web.Request, path: Mapping[str, str] | None = None
    ) -> web.StreamResponse:
        """The route's handler. `path`: the path parameters already read, named as this
        operation names them (by a route several operations share); else the route's."""
        known = facts(request)
        known.operation = self.op.operation_id
        known.handler_kind = self.kind
        # Everything the request says is read and checked before its tenant is touched.
        try:
            tenant_id, params = self._head(request, path, known)
            body = await self._body(request) if self._has_body else NO_BODY
        except (ApiError, PayloadTooLarge) as error:
            if error.status == 408:
                raise  # a stalled client: the error layer answers, not the contract
            known.validation = "request_rejected"
            return self._finish(known, self._error_reply(error))
        where = base_url(request, self._settings)
        choices = prefer(request.headers.get("Prefer", ""))
        # No room for a new tenant (TenantLimit) is the emulator's own 503, answered by the
        # error middleware: it is no answer of the vendor's API.
        current = partial(self._tenants.get, tenant_id)
        async with serving(current, self._settings.slice_seconds) as tenant:
            call = _new(Call, (tenant, params, body.value, where, choices))
            return self._finish(known, self._run(call))

    def _finish(self, known: Facts, reply: Reply) -> web.StreamResponse:
        response, violation = self._write(reply)
        if violation:
            known.validation = "contract_violation"
        elif known.validation is None:
            known.validation = "passed" if self._settings.validate_requests else "skipped"
        return response

    def _head(
        self, request: web.Request, path: Mapping[str, str] | None, known: Facts
    ) -> tuple[str, dict[str, Any]]:
        """The tenant the credentials name, and the parameters, checked."""
        settings, op = self._settings, self.op
        headers = request.headers
        try:
            tenant_id = authenticate(headers, settings.credentials, op.key_pairs, op.bearer)
        except AuthError as error:
            raise unauthorized(str(error)) from None
        known.tenant = tenant_id
        params, problem = read_params(
            op.params, request.query if self._query else EMPTY,
            request.match_info if path is None else path, settings.validate_requests,
            headers if self._headers else None,
        )  # fmt: skip
        if problem is not None:
            raise bad_query(problem.describe())
        return tenant_id, params

    async def _body(self, request: web.Request) -> Body:
        """The body, checked (an operation without one never reads it)."""
        settings = self._settings
        body = await read_body(request, self.op, settings.max_body_bytes, settings.body_timeout)
        if settings.validate_requests and body.present:
            await self._check_body(body, request.content_length or 0)
        if body.media == MULTIPART and body.present:
            await asyncio.to_thread(prepare, body.value)  # CSV parsing, off the event loop
        return body

    def _run(self, call: Call) -> Reply:
        try:
            return self._handler(call)
        except DomainError as error:
            return self._error_reply(from_domain(error))

    async def _check_body(self, body: Body, size: int) -> None:
        if self._precheck is not None:
            try:
                self._precheck(body.value)
            except DomainError as error:
                raise from_domain(error) from None
        check = self.op.body_checks.get(body.media)
        if check is None:
            return
        instance = form_instance(body.value) if body.media == MULTIPART else body.value
        if size > OFFLOAD_BYTES:
            problem = await asyncio.to_thread(check.problem, instance)
        else:
            problem = check.problem(instance)
        if problem is not None:
            raise bad_payload(problem.describe())

    def _error_reply(self, error: HttpError) -> Reply:
        return Reply(error.status, error.body(self._request_ids.request()))

    def _write(self, reply: Reply) -> tuple[web.StreamResponse, bool]:
        """The response to send, and whether the reply broke the contract."""
        violation = None
        if reply.views is not None:
            reply, violation = self._viewed(reply, reply.views)
        elif self._settings.validate_responses:
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

    def _viewed(self, reply: Reply, key: str) -> tuple[Reply, str | None]:
        """`reply` with the stored objects at `key` in place (http/views.py), and how it
        breaks the contract (None: it does not, or it is not checked)."""
        items = reply.body[key]
        split, views = self._viewing(reply.status, key)
        if split is None and self._settings.validate_responses:  # no exact split: whole
            whole = Reply(reply.status, {**reply.body, key: [item.data for item in items]})
            return whole, self._violation(whole)
        fragments, problem = views.fragments(items, split)
        if problem is None and split is not None:
            problem = split.envelope_problem(reply.body, len(items))
        wording = None if problem is None else problem.describe("Response body")
        return Reply(reply.status, {**reply.body, key: fragments}), wording

    def _viewing(self, status: int, key: str) -> tuple[SplitCheck | None, ViewCache]:
        """This status's answer's check split at `key` (contract/split.py; None when answers
        are not checked) and its items' kept texts, made once."""
        found = self._views.get((status, key))
        if found is None:
            response = self.op.response(status)
            check = response.checks.get(JSON) if response is not None else None
            split = None
            if check is not None and self._settings.validate_responses:
                split = split_check(check.schema, key)
            found = self._views[status, key] = (split, ViewCache())
        return found

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
