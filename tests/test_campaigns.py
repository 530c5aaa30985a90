"""Campaigns: create with and without campaign_type, get by id or name, conflicts, 404."""

from __future__ import annotations

import re

import pytest
from helpers import Client, call

SDK_STYLE = {
    "name": "Spring",
    "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1000}},
}


async def test_create_without_campaign_type_infers_it(client: Client) -> None:
    status, body = await call(client, "POST", "/v1/campaigns", json=SDK_STYLE)
    assert status == 200
    assert re.fullmatch(r"camp_[A-Za-z0-9]{24}", body["id"])
    assert body["campaign_type"] == "DISCOUNT_COUPONS"
    assert body["object"] == "campaign" and body["vouchers_count"] == 0
    assert body["voucher"]["discount"] == {"type": "AMOUNT", "amount_off": 1000}
    assert body["voucher"]["redemption"] == {"quantity": None}
    assert body["created_at"] == "2026-01-15T09:30:00.000Z"


@pytest.mark.parametrize(
    ("voucher_type", "campaign_type"),
    [("GIFT_VOUCHER", "GIFT_VOUCHERS"), ("LOYALTY_CARD", "LOYALTY_PROGRAM")],
)
async def test_campaign_type_follows_the_voucher(
    client: Client, voucher_type: str, campaign_type: str
) -> None:
    extra = (
        {"gift": {"amount": 100}}
        if voucher_type == "GIFT_VOUCHER"
        else {"loyalty_card": {"points": 10}}
    )
    body = {"name": "X", "campaign_type": campaign_type, "voucher": {"type": voucher_type, **extra}}
    status, created = await call(client, "POST", "/v1/campaigns", json=body)
    assert status == 200, created
    assert created["campaign_type"] == campaign_type


async def test_get_by_id_and_by_name(client: Client) -> None:
    _, created = await call(client, "POST", "/v1/campaigns", json=SDK_STYLE)
    status, by_id = await call(client, "GET", f"/v1/campaigns/{created['id']}")
    assert status == 200 and by_id == created
    status, by_name = await call(client, "GET", "/v1/campaigns/Spring")
    assert status == 200 and by_name["id"] == created["id"]


async def test_duplicate_name_is_409(client: Client) -> None:
    await call(client, "POST", "/v1/campaigns", json=SDK_STYLE)
    status, body = await call(client, "POST", "/v1/campaigns", json=SDK_STYLE)
    assert status == 409
    assert body["key"] == "duplicate_found"
    assert body["details"] == "Duplicated campaign exists with name Spring"


async def test_unknown_campaign_is_404(client: Client) -> None:
    status, body = await call(client, "GET", "/v1/campaigns/camp_missing")
    assert status == 404
    assert body["resource_type"] == "campaign"
    assert body["details"] == "Cannot find campaign with id camp_missing"


async def test_campaign_without_name_is_rejected(client: Client) -> None:
    status, body = await call(
        client, "POST", "/v1/campaigns", json={"voucher": SDK_STYLE["voucher"]}
    )
    assert status == 400
    assert "name" in body["details"]


async def test_campaign_with_an_empty_name_is_rejected(client: Client) -> None:
    status, body = await call(client, "POST", "/v1/campaigns", json={"name": ""})
    assert status == 400 and body["details"] == "Property .name must not be empty"
