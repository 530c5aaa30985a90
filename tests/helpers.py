"""Constants and small helpers the tests share."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from emulator import Settings
from emulator.keys import TENANTS
from emulator.store import Tenant

REPO = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
START = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
AUTH = {"X-App-Id": "app-1", "X-App-Token": "token-1"}
OTHER = {"X-App-Id": "app-2", "X-App-Token": "token-2"}
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
