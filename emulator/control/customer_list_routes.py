"""Control routes of the customer-list upload (preview, then confirm) and of the dashboard's
"Add new customer". The tenant is chosen by X-App-Id, as on the API."""

from __future__ import annotations

from aiohttp import web

from emulator.control.checks import BodyCheck, obj
from emulator.control.routes import tenant_of
from emulator.domain.customer_list_file import MAX_POINTS, read_list
from emulator.domain.customer_lists import add_customer
from emulator.domain.store import Tenant
from emulator.http.body import read_form
from emulator.http.endpoint import json_response
from emulator.http.errors import bad_payload
from emulator.http.keys import SETTINGS, TENANTS
from emulator.routes.calls import Upload

CONFIRM = BodyCheck(obj(update_existing={"type": "boolean"}))
_TEXT = {"type": "string", "maxLength": 1000}
ADD_CUSTOMER = BodyCheck(obj(
    ("identifier",),
    identifier={"type": "string", "minLength": 1, "maxLength": 1000},
    name=_TEXT, email=_TEXT,
    loyalty_points={"type": "integer", "minimum": 0, "maximum": MAX_POINTS},
    segments={"type": "object", "additionalProperties": _TEXT, "maxProperties": 100},
))  # fmt: skip


def settled_tenant(request: web.Request) -> Tenant:
    """The X-App-Id tenant, with every job event due by now applied."""
    tenant = request.app[TENANTS].get(tenant_of(request))
    tenant.jobs.settle()
    return tenant


async def upload(request: web.Request) -> web.Response:
    """POST /_emulator/customer-lists (multipart `file`): the preview, which changes nothing."""
    tenant_of(request)
    form = await read_form(request, request.app[SETTINGS].max_body_bytes)
    part = form.get("file")
    if part is None:
        raise bad_payload("Request body must have required property 'file'")
    if isinstance(part, Upload):
        data, filename = part.data, part.filename
    else:
        data, filename = part.encode("utf-8"), ""
    tenant = settled_tenant(request)
    created = tenant.customer_lists.preview(read_list(data), filename, len(data), tenant)
    return json_response(201, created.view(tenant.revision()))


async def list_uploads(request: web.Request) -> web.Response:
    tenant = settled_tenant(request)
    revision = tenant.revision()
    lists = [item.view(revision, full=False) for item in tenant.customer_lists.newest_first()]
    return json_response(200, {"customer_lists": lists})


async def get_upload(request: web.Request) -> web.Response:
    tenant = settled_tenant(request)
    found = tenant.customer_lists.get(request.match_info["listId"])
    return json_response(200, found.view(tenant.revision()))


async def confirm(request: web.Request) -> web.Response:
    tenant_of(request)
    body = await CONFIRM.read(request)
    tenant = settled_tenant(request)
    update_existing = bool(body.get("update_existing", False))
    done = tenant.customer_lists.confirm(request.match_info["listId"], tenant, update_existing)
    return json_response(200, done.view(tenant.revision()))


async def create_customer(request: web.Request) -> web.Response:
    """POST /_emulator/customers: the dashboard's "Add new customer" (identifier, name, email,
    loyalty points, segment categories)."""
    tenant_of(request)
    body = await ADD_CUSTOMER.read(request)
    tenant = settled_tenant(request)
    return json_response(201, add_customer(body, tenant))


def add_customer_list_routes(app: web.Application) -> None:
    router = app.router
    router.add_post("/_emulator/customer-lists", upload)
    router.add_get("/_emulator/customer-lists", list_uploads)
    router.add_get("/_emulator/customer-lists/{listId}", get_upload)
    router.add_post("/_emulator/customer-lists/{listId}/confirm", confirm)
    router.add_post("/_emulator/customers", create_customer)
