"""The links the API hands out, served so that following one never dead-ends.

The vendor's objects carry links into its own hosting: a customer's `assets.cockpit_url`, a
voucher's QR code and barcode images. The emulator answers them itself: a customer's cockpit
is a JSON view of the customer, a voucher asset is a small SVG naming the code.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from emulator.domain.errors import NotFound
from emulator.domain.store import Tenant
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError, from_domain
from emulator.http.keys import TENANTS

ASSET_KINDS = ("qr", "barcode")


def _existing_tenant(request: web.Request) -> Tenant:
    name = request.match_info["tenant"]
    tenants = request.app[TENANTS]
    if name not in tenants.ids():
        raise ApiError(404, "not_found", f"Cannot find tenant with id {name}", name, "tenant")
    tenant = tenants.get(name)
    tenant.jobs.settle()
    return tenant


async def cockpit(request: web.Request) -> web.Response:
    tenant = _existing_tenant(request)
    try:
        customer = tenant.customers.get(request.match_info["customerId"])
    except NotFound as error:
        raise from_domain(error) from None
    view = "preferences" if request.path.endswith("/preferences") else "cockpit"
    return json_response(200, {"object": "customer_cockpit", "view": view, "customer": customer})


async def voucher_asset(request: web.Request) -> web.Response:
    tenant = _existing_tenant(request)
    kind = request.match_info["kind"]
    code = request.match_info["code"]
    if kind not in ASSET_KINDS or tenant.campaigns.owner_of(code) is None:
        raise ApiError(404, "not_found", f"Cannot find voucher with id {code}", code, "voucher")
    label = escape(f"{kind.upper()} {code}")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="64" role="img" '
        f'aria-label="{label}"><rect width="320" height="64" fill="#fff" stroke="#000"/>'
        f'<text x="160" y="38" font-family="monospace" font-size="16" text-anchor="middle">'
        f"{label}</text></svg>"
    )
    return web.Response(text=svg, content_type="image/svg+xml")


def add_link_routes(app: web.Application) -> None:
    app.router.add_get("/_emulator/cockpits/{tenant}/{customerId}", cockpit)
    app.router.add_get("/_emulator/cockpits/{tenant}/{customerId}/preferences", cockpit)
    app.router.add_get("/_emulator/assets/{tenant}/{kind}/{code}", voucher_asset)
