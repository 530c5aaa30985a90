"""Deep match with every response of the real API in ../shared/reference/recorded/.

Each recorded file is replayed from the request its README names (read from that README, not
copied here): ids and times masked, null recorded = null or absent here. The tests skip when
../shared is absent.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import pytest
from helpers import Client, call
from reference_match import RECORDED, deep_match, need

# What the README says about the requests, per file: the names/source ids of that run are
# random strings (masked), and the PHP test removed the promotion's tiers and total.
MASKED = {
    "createdCustomer.json": frozenset({"source_id"}),
    "createdLoyaltyCampaign.json": frozenset({"name"}),
    "createdPromotionCampaign.json": frozenset({"name"}),
    "createdDiscountCampaignWithValidationRule.json": frozenset({"name"}),
}
_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+\.json)`\s*\|\s*`(?P<method>[A-Z]+) (?P<path>[^`]+)`"
                  r"\s*(?:`(?P<body>\{.*?\})`)?")  # fmt: skip


def requests_from_readme() -> dict[str, tuple[str, str, Any]]:
    text = need(RECORDED / "README.md").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        match = _ROW.match(line)
        if match:
            body = match["body"]
            if body is not None:
                body = json.loads(body.replace('"<random>"', json.dumps(secrets.token_hex(5))))
            found[match["file"]] = (match["method"], match["path"], body)
    return found


def recorded_files() -> list[str]:
    if not RECORDED.exists():
        return ["(../shared/reference/recorded is absent)"]
    return sorted(path.name for path in RECORDED.glob("*.json"))


async def replay(client: Client, name: str, request: tuple[str, str, Any]) -> Any:
    method, path, body = request
    if name == "deletedCustomerPermanently.json":  # "on the customer just created as above"
        created_request = requests_from_readme()["createdCustomer.json"]
        _, customer = await call(client, created_request[0], created_request[1],
                                 json=created_request[2])  # fmt: skip
        path = path.replace("{id}", customer["id"])
    if name == "createdDiscountCampaignWithValidationRule.json":
        # "in the real test with a validation rule attached": attach the recorded one.
        recorded = json.loads((RECORDED / name).read_text(encoding="utf-8"))
        rule = recorded["validation_rules_assignments"]["data"][0]["rule_id"]
        body = {**body, "validation_rules": [rule]}
    status, answer = await call(client, method, path, json=body)
    assert status == 200, answer
    return answer


@pytest.mark.parametrize("name", recorded_files())
async def test_recorded_response_matches(client: Client, name: str) -> None:
    need(RECORDED / name)
    requests = requests_from_readme()
    assert name in requests, f"{name}: the recordings' README names no request for it"
    recorded = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    ours = await replay(client, name, requests[name])
    if name == "createdPromotionCampaign.json":
        # "the PHP test removes promotion.tiers and promotion.total before saving"
        for kept in (recorded, ours):
            kept["promotion"] = {k: v for k, v in kept["promotion"].items()
                                 if k not in ("tiers", "total")}  # fmt: skip
    differences = deep_match(recorded, ours, name, MASKED.get(name, frozenset()))
    assert not differences, "\n".join(differences)


async def test_the_promotion_tiers_the_recording_left_out(client: Client) -> None:
    """The recorded promotion request had one tier; the tier comes back as a full object."""
    need(RECORDED / "createdPromotionCampaign.json")
    request = requests_from_readme()["createdPromotionCampaign.json"]
    ours = await replay(client, "createdPromotionCampaign.json", request)
    assert ours["promotion"]["total"] == 1
    tier = ours["promotion"]["tiers"][0]
    sent = request[2]["promotion"]["tiers"][0]
    assert {k: tier[k] for k in ("name", "banner", "action")} == sent
    assert tier["object"] == "promotion_tier" and tier["id"].startswith("promo_")


def test_the_deep_match_does_catch_differences() -> None:
    recorded = {"a": 1, "b": None, "c": [], "id": "cust_abcdef12", "t": "2024-01-01T00:00:00Z"}
    assert deep_match(recorded, {"a": 1, "c": {}, "id": "cust_zz999999",
                                 "t": "2026-01-15T09:30:00.000Z", "extra": 1}) == []  # fmt: skip
    assert deep_match(recorded, {"a": 2, "b": 0, "c": {}, "id": "camp_xyz12345", "t": "x"}) == [
        ".a: ours 2 vs recorded 1", ".b: recorded null, ours 0",
        ".id: ours 'camp_xyz12345' is not a cust_ id", ".t: ours 'x' is not a date-time",
    ]  # fmt: skip
    assert deep_match({"a": True}, {"a": 1}) == [".a: ours 1 vs recorded True"]
