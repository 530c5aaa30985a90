"""Every request example the vendor documents for an operation of our contract, sent to the
emulator; the answer is compared with the vendor's matching response example for status and
shape (keys, JSON types, `object` values). Read from ../shared, skipped when it is absent.

Each difference kept on purpose is listed in EXPECTED_DIFFERENCES with the DEVIATIONS.md entry
that explains it; a listed difference that no longer occurs fails the test too, so the list
cannot rot.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from helpers import REPO, Client, call, csv_form, run_until_idle
from reference_match import shape_differences, vendor_full

OUR_SPEC = REPO / "openapi" / "customers.yaml"
DEVIATIONS = REPO / "openapi" / "DEVIATIONS.md"
METHODS = ("get", "post", "put", "delete")

# (operationId, example) -> {shape path: id of the explanation in DEVIATIONS.md}
_CATEGORY = {".category": "E1", ".category_id": "E1", ".categories": "E1"}
_OTHER_REQUEST = {".source_id": "E3", ".customer.name": "E3", ".customer.metadata": "E3"}
EXPECTED_DIFFERENCES: dict[tuple[str, str], dict[str, str]] = {
    **{("create-campaign", name): _CATEGORY for name in (
        "Discount Campaign", "Gift Card Campaign", "Loyalty Program", "Referral Program")},
    ("create-campaign", "Promotion"): {
        **_CATEGORY, ".promotion.tiers[0].campaign.category_id": "E1"},
    ("update-customer", "Example"): {".summary.orders.last_order_date": "E2"},
    ("create-publication", "Example - Specific Voucher"): _OTHER_REQUEST,
    ("create-publication", "Example - Random Voucher"): _OTHER_REQUEST,
}  # fmt: skip


def _our_operations() -> dict[str, tuple[str, str]]:
    spec = yaml.safe_load(OUR_SPEC.read_text(encoding="utf-8"))
    return {op["operationId"]: (method, path) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS}  # fmt: skip


def _cases() -> list[tuple[str, str]]:
    cases = []
    vendor = vendor_full() if (REPO.parent / "shared").exists() else {"paths": {}}
    for op_id, (method, path) in sorted(_our_operations().items()):
        op = vendor["paths"].get(path, {}).get(method, {})
        media = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        cases += [(op_id, name) for name in media.get("examples", {})]
    return cases or [("(../shared is absent)", "")]


def _vendor_op(op_id: str) -> tuple[str, str, dict[str, Any]]:
    method, path = _our_operations()[op_id]
    return method, path, vendor_full()["paths"][path][method]


def _response_example(op: dict[str, Any], name: str) -> tuple[int, Any]:
    """The success status and the response example for the request example `name`: the one of
    the same name, or the only one there is."""
    status = next(s for s in op["responses"] if s.startswith("2"))
    examples = op["responses"][status].get("content", {}).get("application/json", {})
    examples = examples.get("examples", {})
    if name in examples:
        return int(status), examples[name]["value"]
    only = list(examples.values())
    return int(status), only[0]["value"] if len(only) == 1 else None


async def _prepare(client: Client, op_id: str, body: Any, path: str) -> str:
    """Create what the example refers to; return the concrete path."""
    if "{customerId}" in path:
        _, customer = await call(client, "POST", "/v1/customers", json={"source_id": "ex"})
        return path.replace("{customerId}", customer["id"])
    if op_id == "create-publication":
        campaign = body.get("campaign")
        name = campaign.get("name") if isinstance(campaign, dict) else campaign
        # A campaign whose vouchers are like the one the response example shows.
        shown = _response_example(_vendor_op(op_id)[2], "")[1]["voucher"]
        voucher = {k: shown[k] for k in ("type", "discount")}
        voucher["redemption"] = {"quantity": shown["redemption"]["quantity"]}
        await call(client, "POST", "/v1/campaigns",
                   json={"name": name, "type": "AUTO_UPDATE", "voucher": voucher})  # fmt: skip
        if body.get("voucher"):
            await client.post(f"/v1/campaigns/{name}/importCSV",
                              data=csv_form(f"Code\n{body['voucher']}\n"),
                              headers={"X-App-Id": "app-1", "X-App-Token": "token-1"})  # fmt: skip
            await run_until_idle(client)
    return path


@pytest.mark.parametrize(("op_id", "example"), _cases())
async def test_vendor_request_example(client: Client, op_id: str, example: str) -> None:
    method, path, op = _vendor_op(op_id)
    body = op["requestBody"]["content"]["application/json"]["examples"][example]["value"]
    concrete = await _prepare(client, op_id, body, path)
    status, answer = await call(client, method.upper(), concrete, json=body)
    expected_status, expected = _response_example(op, example)
    assert status == expected_status, answer
    found = shape_differences(expected, answer)
    allowed = EXPECTED_DIFFERENCES.get((op_id, example), {})
    unexplained = [d for d in found if not any(d.startswith(p + ":") for p in allowed)]
    assert not unexplained, "\n".join(unexplained)
    stale = [p for p in allowed if not any(d.startswith(p + ":") for d in found)]
    assert not stale, f"listed differences that no longer occur: {stale}"


def test_every_expected_difference_is_documented() -> None:
    text = DEVIATIONS.read_text(encoding="utf-8")
    for dev_id in {i for paths in EXPECTED_DIFFERENCES.values() for i in paths.values()}:
        assert re.search(rf"\b{dev_id}\b", text), f"{dev_id} is not described in DEVIATIONS.md"


def test_the_shape_comparison_does_catch_differences() -> None:
    example = {"object": "x", "a": 1, "b": {"c": "s"}, "n": None, "l": [{"k": True}]}
    assert shape_differences(example, {"object": "x", "a": 2, "b": {"c": "t"}, "l": [{"k": 0}],
                                       "extra": 1}) == [".l[0].k: number here, boolean in "
                                                        "the example"]  # fmt: skip
    assert shape_differences(example, {"object": "y", "a": "1", "l": []}) == [
        ".a: string here, number in the example", ".b: missing",
        ".l: empty here, not in the example", ".object: 'y' vs 'x'",
    ]  # fmt: skip
