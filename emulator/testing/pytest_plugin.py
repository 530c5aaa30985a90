"""pytest plugin (registered through the `pytest11` entry point): installing the package is
enough to get the `voucherify_emulator` fixture.

The emulator starts once per session, in-process on a free port, serving the contract shipped
in the package (or the spec `VOUCHERIFY_EMULATOR_SPEC` names); with `--voucherify-emulator-url`
an emulator already running elsewhere is used instead. Each test gets its own tenant, reset
before the test, so tests never see each other's data.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator.settings import Settings
from emulator.testing.connection import ControlConnection
from emulator.testing.handle import EmulatorHandle

START = datetime(2026, 1, 1, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("voucherify-emulator")
    group.addoption(
        "--voucherify-emulator-url",
        default=os.environ.get("VOUCHERIFY_EMULATOR_URL"),
        help="use an emulator already running at this URL instead of starting one in-process",
    )
    group.addoption(
        "--voucherify-emulator-admin-token",
        default=os.environ.get("VOUCHERIFY_EMULATOR_ADMIN_TOKEN"),
        help="the --admin-token of that emulator (default: VOUCHERIFY_EMULATOR_ADMIN_TOKEN)",
    )
    parser.addini(
        "voucherify_emulator_clock",
        default="manual",
        help="clock of the in-process emulator: manual (default, tests move it), real or scaled",
    )


CLOCKS = ("manual", "real", "scaled")


def pytest_configure(config: pytest.Config) -> None:
    clock = str(config.getini("voucherify_emulator_clock"))
    if clock not in CLOCKS:
        raise pytest.UsageError(
            f"voucherify_emulator_clock must be {', '.join(CLOCKS[:-1])} or {CLOCKS[-1]}, "
            f"not {clock!r}"
        )


@pytest.fixture(scope="session")
def voucherify_emulator_url(request: pytest.FixtureRequest) -> Iterator[str]:
    external = request.config.getoption("--voucherify-emulator-url")
    if external:
        yield str(external)
        return
    from emulator.testing.inprocess import BackgroundEmulator

    clock = str(request.config.getini("voucherify_emulator_clock"))
    spec = os.environ.get("VOUCHERIFY_EMULATOR_SPEC")
    settings = Settings(
        port=0, seed=0, clock_mode=clock, clock_start=START,  # type: ignore[arg-type]
        spec_path=Path(spec) if spec else None,
    )  # fmt: skip
    with BackgroundEmulator(settings) as server:
        yield server.url


@pytest.fixture(scope="session")
def voucherify_emulator_connection(voucherify_emulator_url: str) -> Iterator[ControlConnection]:
    """One keep-alive connection for every test's control calls, closed at the session's end."""
    with ControlConnection(voucherify_emulator_url) as connection:
        yield connection


def tenant_for(nodeid: str) -> str:
    return "test-" + hashlib.sha1(nodeid.encode()).hexdigest()[:16]


@pytest.fixture
def voucherify_emulator(
    voucherify_emulator_url: str,
    voucherify_emulator_connection: ControlConnection,
    request: pytest.FixtureRequest,
) -> EmulatorHandle:
    """A fresh tenant of the session's emulator (see emulator.testing.EmulatorHandle):
    `url`, `app_id`, `app_token`, `headers`, `clock`, `reset()`, `seed(...)`, `requests(...)`,
    `run_until_idle()`, `hold`/`release`/`fail`/`fail_rows`, `rules`, `fail_next`, `timings`,
    `fault(...)`. A refused control call raises emulator.testing.ControlError."""
    handle = EmulatorHandle(
        voucherify_emulator_url, tenant_for(request.node.nodeid),
        admin_token=request.config.getoption("--voucherify-emulator-admin-token"),
        connection=voucherify_emulator_connection,
    )  # fmt: skip
    handle.reset()
    return handle
