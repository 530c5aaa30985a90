"""The official JS SDK (@voucherify/sdk, the version pinned in examples/js-sdk/, unmodified)
against `make run` with default settings: the flows of its own live tests, run by
examples/js-sdk/live-flows.mjs in node.

The SDK is installed at test time with `npm ci` into examples/js-sdk/node_modules (git-ignored,
reused while package-lock.json is unchanged). The test skips only when node or npm is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import REPO
from make_run import make_run

EXAMPLE = REPO / "examples" / "js-sdk"
INSTALLED = EXAMPLE / "node_modules" / ".package-lock.json"  # npm writes it on install
CHECKS = {
    "csv import: first poll is not ENQUEUED", "csv import: the imported customer is there",
    "voucher import: DONE", "voucher import: list by campaign_id", "voucher import: get by code",
    "publication: redeemables list the published voucher", "bulk address: DONE",
    "bulk address: stored", "bulk null address: accepted and DONE",
    "bulk null address: nulls stored", "permanent deletion: counts as recorded",
}  # fmt: skip


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed; the JS SDK test needs node and npm")
    return path


@pytest.fixture(scope="module")
def node_modules() -> Path:
    npm = _tool("npm")
    _tool("node")
    lock = EXAMPLE / "package-lock.json"
    if not INSTALLED.exists() or INSTALLED.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=EXAMPLE,
                       check=True, timeout=300)  # fmt: skip
    return EXAMPLE / "node_modules"


@pytest.fixture(scope="module")
def url(node_modules: Path) -> Iterator[str]:
    with make_run() as base_url:
        yield base_url


def test_js_sdk_live_flows_against_make_run(url: str) -> None:
    finished = subprocess.run(
        [_tool("node"), "live-flows.mjs"], cwd=EXAMPLE, capture_output=True, text=True,
        env={**os.environ, "EMULATOR_URL": url}, timeout=120,
    )  # fmt: skip
    lines = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    failed = [line for line in lines if not line["ok"]]
    assert not failed and finished.returncode == 0, finished.stdout + finished.stderr
    assert {line["check"] for line in lines} == CHECKS
