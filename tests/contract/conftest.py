"""Fixtures for the contract tests: our spec and, when available, the vendor reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "openapi" / "customers.yaml"
DEVIATIONS_PATH = REPO_ROOT / "openapi" / "DEVIATIONS.md"
# The vendor reference lives outside the repository and is never copied into it.
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
VENDOR_SPEC_PATH = REFERENCE_DIR / "voucherify-subset.openapi.json"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@pytest.fixture(scope="session")
def vendor() -> dict[str, Any]:
    if not VENDOR_SPEC_PATH.is_file():
        pytest.skip(f"vendor reference not available at {VENDOR_SPEC_PATH}")
    with VENDOR_SPEC_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@pytest.fixture(scope="session")
def openapi_core_spec(spec: dict[str, Any]) -> Any:
    from openapi_core import OpenAPI

    return OpenAPI.from_dict(spec)
