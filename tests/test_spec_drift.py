"""The spec-drift tool: what a vendor document says differently from our contract."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REPO, VENDOR_FULL

from emulator.contract.document import load_document
from emulator.contract.drift import BASELINE, compare, differences, main, read_baseline

OURS = REPO / "openapi" / "customers.yaml"


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return load_document(OURS)


def test_a_document_does_not_drift_from_itself(ours: dict[str, Any]) -> None:
    assert differences(ours, copy.deepcopy(ours)) == set()


def test_each_kind_of_change_is_listed(ours: dict[str, Any]) -> None:
    vendor = copy.deepcopy(ours)
    paths = vendor["paths"]
    get_customer = paths["/v1/customers/{customerId}"]["get"]
    get_customer["responses"]["410"] = {"description": "gone"}
    del paths["/v1/customers"]["get"]["parameters"][0]  # limit
    vendor["components"]["schemas"]["CustomerBase"]["properties"]["nickname"] = {"type": "string"}
    paths["/v1/customers/{customerId}/consents"] = {"get": {
        "operationId": "list-customer-consents", "responses": {"200": {"description": "ok"}},
    }}  # fmt: skip
    paths["/v1/products"] = {"get": {"operationId": "list-products", "responses": {}}}
    found = differences(ours, vendor)
    assert "+ status GET /v1/customers/{customerId} 410 (no body)" in found
    assert "+ field GET /v1/customers/{customerId} 200 .nickname: string" in found
    assert "+ field POST /v1/customers request .nickname: string" in found
    assert "+ operation GET /v1/customers/{customerId}/consents list-customer-consents" in found
    assert any(d.startswith("- parameter GET /v1/customers query limit: integer") for d in found)
    assert not any("/v1/products" in d for d in found)  # outside the paths we emulate


def test_accepted_differences_and_globs_silence_drift(ours: dict[str, Any]) -> None:
    vendor = copy.deepcopy(ours)
    vendor["components"]["schemas"]["CustomerBase"]["properties"]["nickname"] = {"type": "string"}
    found = differences(ours, vendor)
    drift = compare(ours, vendor, {"+ field *.nickname: string", "- status GET /nowhere 200"})
    assert not drift.new
    assert drift.stale == ["- status GET /nowhere 200"]
    assert compare(ours, vendor, set()).added == sorted(found)


def test_against_the_vendors_document_only_accepted_differences_remain(
    ours: dict[str, Any],
) -> None:
    if not VENDOR_FULL.exists():
        pytest.skip("../shared/reference is absent; the vendor's full document is needed")
    drift = compare(ours, load_document(VENDOR_FULL), read_baseline(BASELINE))
    assert (drift.added, drift.removed, drift.stale) == ([], [], [])


def test_the_command_exits_1_on_new_drift_and_names_it(
    tmp_path: Path, ours: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    vendor = copy.deepcopy(ours)
    vendor["paths"]["/v1/async-actions"]["get"]["responses"]["429"] = {"description": "slow"}
    path = tmp_path / "vendor.yaml"
    path.write_text(yaml.safe_dump(vendor), encoding="utf-8")
    empty = tmp_path / "baseline.txt"
    assert main([str(path), "--ours", str(OURS), "--baseline", str(empty)]) == 1
    out = capsys.readouterr().out
    assert "+ status GET /v1/async-actions 429 (no body)" in out
    assert main([str(path), "--ours", str(OURS), "--baseline", str(empty),
                 "--write-baseline"]) == 0  # fmt: skip
    assert main([str(path), "--ours", str(OURS), "--baseline", str(empty)]) == 0
    assert main([str(tmp_path / "missing.json")]) == 2


def test_make_spec_drift_runs_the_tool() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "emulator.contract.drift", "--help"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Compare openapi/customers.yaml with a vendor OpenAPI document" in done.stdout
    assert "spec-drift:" in (REPO / "Makefile").read_text()
