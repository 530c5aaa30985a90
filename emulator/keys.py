"""Every typed key that hangs state off the aiohttp application."""

from __future__ import annotations

from aiohttp import web

from emulator.ids import IdGenerator
from emulator.settings import Settings
from emulator.spec import Spec
from emulator.store import Tenants

SETTINGS = web.AppKey("settings", Settings)
SPEC = web.AppKey("spec", Spec)
TENANTS = web.AppKey("tenants", Tenants)
REQUEST_IDS = web.AppKey("request_ids", IdGenerator)
