"""Shared fixtures: an emulator app per test, on a manual clock with a fixed seed.

The customers tests listed in ON_THE_VENDOR_SPEC run twice: on the project's contract and on
an app built from the vendor's full published document (../shared/reference, loaded once per
session; that half skips when the reference data is absent).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from helpers import VENDOR_FULL, Client, settings_for

from emulator import create_app
from emulator.contract.spec import Spec, load_spec

pytest_plugins = ["pytester", "sdk_support"]  # sdk_support: the make_sdk fixture
ClientFactory = Callable[..., Awaitable[Client]]
ON_THE_VENDOR_SPEC = {
    "test_customers_api",
    "test_customer_listing",
    "test_bad_input",
    "test_csv_import",
    "test_faults_and_bulk",
    "test_async_engine",
    "test_campaigns",
}


def pytest_configure(config: pytest.Config) -> None:
    """The contract's parsed copies (emulator/contract/doccache.py) go to a folder of this run,
    for the emulators started in-process and the processes the tests spawn: a test run never
    writes to the user's ~/.cache, nor reads what an earlier run left there."""
    folder = tempfile.mkdtemp(prefix="voucherify-emulator-tests-cache-")
    os.environ["XDG_CACHE_HOME"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rpartition(".")[2]
    if module in ON_THE_VENDOR_SPEC and "spec_under_test" in metafunc.fixturenames:
        metafunc.parametrize("spec_under_test", ["contract", "vendor-full"], indirect=True)


@pytest.fixture(scope="session")
def vendor_full_spec() -> Spec:
    """The vendor's whole published document, repaired at load, once per session."""
    if not VENDOR_FULL.exists():
        pytest.skip("../shared/reference is absent; the vendor's full document is needed")
    return load_spec(VENDOR_FULL)


@pytest.fixture
def spec_under_test(request: pytest.FixtureRequest) -> Spec | None:
    """None: the project's contract (settings.spec_path); else the vendor's full document."""
    if getattr(request, "param", "contract") == "vendor-full":
        spec: Spec = request.getfixturevalue("vendor_full_spec")
        return spec
    return None


@pytest.fixture
async def make_client(aiohttp_client: Any, spec_under_test: Spec | None) -> ClientFactory:
    """make_client(spec=None, **settings) -> a TestClient on a fresh app."""

    async def factory(spec: Spec | None = None, **changes: Any) -> Client:
        if spec is None and "spec_path" not in changes:
            spec = spec_under_test
        client: Client = await aiohttp_client(create_app(settings_for(**changes), spec=spec))
        return client

    return factory


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    return await make_client()
