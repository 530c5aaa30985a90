"""The links the API hands out, served so that following one never dead-ends.

The vendor's objects carry links into its own hosting: a customer's `assets.cockpit_url`, a
voucher's QR code and barcode images. The emulator answers them itself: a customer's cockpit
is a JSON view of the customer, a voucher asset is a small SVG naming the code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape

from aiohttp import web

from emulator.domain.errors import NotFound
from emulator.domain.store import Tenant
from emulator.http.endpoint import json_response
from emulator.http.errors import ApiError, from_domain
from emulator.http.keys import SETTINGS, TENANTS
from emulator.http.tenancy import registered, serving

ASSET_KINDS = ("qr", "barcode")


@asynccontextmanager
async def _existing_tenant(request: web.Request) -> AsyncIterator[Tenant]:
    """The tenant the link names, its due work done; a link never creates one."""
    name = request.match_info["tenant"]
    found = request.app[TENANTS].find(name)
    if found is None:
        raise ApiError(404, "not_found", f"Cannot find tenant with id {name}", name, "tenant")
    current = registered(request.app[TENANTS], found)
    async with serving(current, request.app[SETTINGS].slice_seconds) as tenant:
        yield tenant


async def cockpit(request: web.Request) -> web.Response:
    async with _existing_tenant(request) as tenant:
        try:
            customer = tenant.customers.get(request.match_info["customerId"])
        except NotFound as error:
            raise from_domain(error) from None
        view = "preferences" if request.path.endswith("/preferences") else "cockpit"
        body = {"object": "customer_cockpit", "view": view, "customer": customer}
        return json_response(200, body)


async def voucher_asset(request: web.Request) -> web.Response:
    async with _existing_tenant(request) as tenant:
        known = tenant.campaigns.owner_of(request.match_info["code"]) is not None
    kind = request.match_info["kind"]
    code = request.match_info["code"]
    if kind not in ASSET_KINDS or not known:
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
