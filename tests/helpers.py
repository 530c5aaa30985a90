"""Constants and small helpers the tests share."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from emulator import Settings
from emulator.domain.store import Tenant
from emulator.http.keys import TENANTS

REPO = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
VENDOR_FULL = SHARED_REFERENCE / "voucherify-full.openapi.json"
START = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
AUTH = {"X-App-Id": "app-1", "X-App-Token": "token-1"}
OTHER = {"X-App-Id": "app-2", "X-App-Token": "token-2"}
# State-changing control requests need a JSON body or this header (the control-plane guard).
CONTROL = {"X-Emulator-Client": "tests"}
Client = TestClient[Any, Any]


def settings_for(**changes: Any) -> Settings:
    base = Settings(seed=7, clock_mode="manual", clock_start=START)
    return base.replace(**changes) if changes else base


def tenant_of(client: Client, app_id: str = AUTH["X-App-Id"]) -> Tenant:
    return client.app[TENANTS].get(app_id)  # type: ignore[index]


async def call(
    client: Client, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
) -> tuple[int, Any]:
    """Send a request with the default credentials; return status and parsed JSON (or None)."""
    response = await client.request(method, path, headers={**AUTH, **(headers or {})}, **kwargs)
    text = await response.text()
    return response.status, json.loads(text) if text else None


def csv_form(content: bytes | str, filename: str = "data.csv") -> FormData:
    data = content.encode("utf-8") if isinstance(content, str) else content
    form = FormData()
    form.add_field("file", io.BytesIO(data), filename=filename, content_type="text/csv")
    return form


async def seed(client: Client, body: Any, headers: dict[str, str] = AUTH) -> tuple[int, Any]:
    """POST /_emulator/seed for the caller's tenant: its status and answer."""
    response = await client.post("/_emulator/seed", json=body, headers=headers)
    return response.status, await response.json()


async def advance(client: Client, seconds: float, headers: dict[str, str] | None = None) -> Any:
    response = await client.post(
        "/_emulator/clock", json={"advance_seconds": seconds}, headers=headers or AUTH
    )
    assert response.status == 200
    return await response.json()


async def action(client: Client, action_id: str, headers: dict[str, str] | None = None) -> Any:
    status, body = await call(client, "GET", f"/v1/async-actions/{action_id}", headers=headers)
    assert status == 200, body
    return body


async def run_until_idle(client: Client, headers: dict[str, str] | None = None) -> Any:
    response = await client.post(
        "/_emulator/async-actions/run-until-idle", headers={**(headers or AUTH), **CONTROL}
    )
    assert response.status == 200
    return await response.json()
