"""Control routes of the customer-list upload (preview, then confirm) and of the dashboard's
"Add new customer". The tenant is chosen by X-App-Id, as on the API."""

from __future__ import annotations

from aiohttp import web

from emulator.control.checks import BodyCheck, obj
from emulator.control.routes import own_tenant, read_tenant, tenant_of
from emulator.domain.customer_list_file import MAX_BYTES, MAX_POINTS, read_list
from emulator.domain.customer_lists import add_customer
from emulator.http.body import read_form
from emulator.http.endpoint import json_response
from emulator.http.errors import bad_payload
from emulator.http.keys import SETTINGS
from emulator.routes.calls import Upload

ENVELOPE_BYTES = 64 * 1024  # boundaries and part headers around the file
CONFIRM = BodyCheck(obj(update_existing={"type": "boolean"}))
_TEXT = {"type": "string", "maxLength": 1000}
ADD_CUSTOMER = BodyCheck(obj(
    ("identifier",),
    identifier={"type": "string", "minLength": 1, "maxLength": 1000},
    name=_TEXT, email=_TEXT,
    loyalty_points={"type": "integer", "minimum": 0, "maximum": MAX_POINTS},
    segments={"type": "object", "additionalProperties": _TEXT, "maxProperties": 100},
))  # fmt: skip


async def upload(request: web.Request) -> web.Response:
    """POST /_emulator/customer-lists (multipart `file`): the preview, which changes nothing."""
    tenant_of(request)
    # The file may have 10 MB (its own troubleshooting error past that); the multipart
    # envelope around it must not push a file of exactly 10 MB over the body limit.
    limit = max(request.app[SETTINGS].max_body_bytes, MAX_BYTES + ENVELOPE_BYTES)
    form = await read_form(request, limit)
    part = form.get("file")
    if part is None:
        raise bad_payload("Request body must have required property 'file'")
    if isinstance(part, Upload):
        data, filename = part.data, part.filename
    else:
        data, filename = part.encode("utf-8"), ""
    async with own_tenant(request) as tenant:
        created = tenant.customer_lists.preview(read_list(data), filename, len(data), tenant)
        tenant.changes.touch()
        return json_response(201, created.view(tenant.revision()))


async def list_uploads(request: web.Request) -> web.Response:
    async with read_tenant(request) as tenant:
        revision = tenant.revision()
        lists = [item.view(revision, full=False) for item in tenant.customer_lists.newest_first()]
        return json_response(200, {"customer_lists": lists})


async def get_upload(request: web.Request) -> web.Response:
    async with read_tenant(request) as tenant:
        found = tenant.customer_lists.get(request.match_info["listId"])
        return json_response(200, found.view(tenant.revision()))


async def confirm(request: web.Request) -> web.Response:
    tenant_of(request)
    body = await CONFIRM.read(request)
    update_existing = bool(body.get("update_existing", False))
    async with own_tenant(request) as tenant:
        list_id = request.match_info["listId"]
        done = tenant.customer_lists.confirm(list_id, tenant, update_existing)
        tenant.changes.touch()
        return json_response(200, done.view(tenant.revision()))


async def create_customer(request: web.Request) -> web.Response:
    """POST /_emulator/customers: the dashboard's "Add new customer" (identifier, name, email,
    loyalty points, segment categories)."""
    tenant_of(request)
    body = await ADD_CUSTOMER.read(request)
    async with own_tenant(request) as tenant:
        created = add_customer(body, tenant)
        tenant.changes.touch()
        return json_response(201, created)


def add_customer_list_routes(app: web.Application) -> None:
    router = app.router
    router.add_post("/_emulator/customer-lists", upload)
    router.add_get("/_emulator/customer-lists", list_uploads)
    router.add_get("/_emulator/customer-lists/{listId}", get_upload)
    router.add_post("/_emulator/customer-lists/{listId}/confirm", confirm)
    router.add_post("/_emulator/customers", create_customer)
