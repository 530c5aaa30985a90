"""The official Python SDK against a real emulator server, for the SDK tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import pytest
import voucherify
from aiohttp.test_utils import TestServer
from helpers import AUTH, settings_for

from emulator import create_app
from emulator.contract.spec import Spec
from emulator.http.keys import TENANTS

T = TypeVar("T")


class Sdk:
    """One official-SDK ApiClient bound to one real emulator server."""

    def __init__(self, server: TestServer, app_id: str, token: str) -> None:
        self.server = server
        self.app_id = app_id
        configuration = voucherify.Configuration(
            host=f"http://{server.host}:{server.port}",
            api_key={"X-App-Id": app_id, "X-App-Token": token},
        )
        self.api_client = voucherify.ApiClient(configuration)
        self.customers = voucherify.CustomersApi(self.api_client)
        self.campaigns = voucherify.CampaignsApi(self.api_client)
        self.async_actions = voucherify.AsyncActionsApi(self.api_client)

    async def __call__(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one blocking SDK call off the loop, so the server can answer it."""
        return await asyncio.to_thread(method, *args, **kwargs)

    def advance(self, seconds: float) -> None:
        clock = self.server.app[TENANTS].get(self.app_id).clock  # type: ignore[index]
        clock.advance(seconds)

    def close(self) -> None:
        # ApiClient.__exit__ is a no-op; drop the pooled keep-alive sockets ourselves so
        # no ResourceWarning about unclosed sockets fires later.
        self.api_client.rest_client.pool_manager.clear()


SdkFactory = Callable[..., Awaitable[Sdk]]


@pytest.fixture
async def make_sdk(aiohttp_server: Any) -> AsyncIterator[SdkFactory]:
    """make_sdk(app_id=..., token=..., spec=None, **settings) -> an Sdk on a fresh real
    server (`spec`: an already loaded document, such as the vendor's full one)."""
    made: list[Sdk] = []

    async def factory(
        app_id: str = AUTH["X-App-Id"],
        token: str = AUTH["X-App-Token"],
        spec: Spec | None = None,
        **changes: Any,
    ) -> Sdk:
        server: TestServer = await aiohttp_server(create_app(settings_for(**changes), spec=spec))
        sdk = Sdk(server, app_id, token)
        made.append(sdk)
        return sdk

    yield factory
    for sdk in made:
        sdk.close()
