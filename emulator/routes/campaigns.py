"""Campaigns: create, and get by id or by name."""

from __future__ import annotations

from typing import Any

from emulator.domain.campaign_create import check_campaign, infer_campaign_type
from emulator.routes.calls import Call, Handler, Reply, ok


def create_campaign(call: Call) -> Reply:
    return ok(call.tenant.create_campaign(call.body))


def get_campaign(call: Call) -> Reply:
    return ok(call.tenant.campaigns.get(call.param("campaignId")))


def precheck_create_campaign(body: Any) -> None:
    """The vendor's campaign rules come before its schema: see check_campaign."""
    if isinstance(body, dict):
        check_campaign(body, infer_campaign_type(body))


HANDLERS: dict[str, Handler] = {
    "create-campaign": create_campaign,
    "get-campaign": get_campaign,
}
