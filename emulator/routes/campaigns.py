"""Campaigns: create, and get by id or by name."""

from __future__ import annotations

from emulator.routes.calls import Call, Handler, Reply, ok


def create_campaign(call: Call) -> Reply:
    return ok(call.tenant.campaigns.create(call.body))


def get_campaign(call: Call) -> Reply:
    return ok(call.tenant.campaigns.get(call.param("campaignId")))


HANDLERS: dict[str, Handler] = {
    "create-campaign": create_campaign,
    "get-campaign": get_campaign,
}
