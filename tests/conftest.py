"""Shared fixtures: an emulator app per test, on a manual clock with a fixed seed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from helpers import Client, settings_for

from emulator import create_app

pytest_plugins = ["pytester", "sdk_support"]  # sdk_support: the make_sdk fixture
ClientFactory = Callable[..., Awaitable[Client]]


@pytest.fixture
async def make_client(aiohttp_client: Any) -> ClientFactory:
    """make_client(**settings) -> a TestClient on a fresh app."""

    async def factory(**changes: Any) -> Client:
        client: Client = await aiohttp_client(create_app(settings_for(**changes)))
        return client

    return factory


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    return await make_client()
