"""What `POST /v1/campaigns` makes of a request: the campaign object as the real API returns it.

The defaults follow the recorded real responses (three official SDKs' recordings agree): a
campaign created without `type` is STATIC; `use_voucher_metadata_schema` is true except for a
promotion; a loyalty program always has `join_once: true` (and a standalone campaign never);
a promotion has no `vouchers_count`, and its tiers come back as a list object of full tier
objects. The voucher template inherits the campaign's dates and validity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.domain.codes import check_capacity, complete_code_config
from emulator.domain.errors import InvalidInput
from emulator.jobs.clock import iso, parse_instant
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]
MAX_GENERATED = 100_000  # codes per campaign, the vendor's documented per-campaign limit

# When a request leaves campaign_type out (the official SDKs do), infer it from the voucher.
_TYPE_BY_VOUCHER = {
    "DISCOUNT_VOUCHER": "DISCOUNT_COUPONS",
    "GIFT_VOUCHER": "GIFT_VOUCHERS",
    "LOYALTY_CARD": "LOYALTY_PROGRAM",
}
# The voucher part each kind of code campaign needs, and its voucher type.
_PART = {"DISCOUNT_COUPONS": "discount", "REFERRAL_PROGRAM": "discount",
         "GIFT_VOUCHERS": "gift", "LOYALTY_PROGRAM": "loyalty_card"}  # fmt: skip
_VOUCHER_TYPE = {"discount": "DISCOUNT_VOUCHER", "gift": "GIFT_VOUCHER",
                 "loyalty_card": "LOYALTY_CARD"}  # fmt: skip
VALIDITY = ("start_date", "expiration_date", "validity_timeframe", "validity_day_of_week",
            "validity_hours")  # fmt: skip
_DATES = ("start_date", "expiration_date")


def infer_campaign_type(body: Json) -> str:
    if body.get("campaign_type"):
        return str(body["campaign_type"])
    if "promotion" in body:
        return "PROMOTION"
    voucher = body.get("voucher")
    voucher_type = str(voucher.get("type", "")) if isinstance(voucher, dict) else ""
    return _TYPE_BY_VOUCHER.get(voucher_type, "DISCOUNT_COUPONS")


def _invalid(details: str) -> InvalidInput:
    return InvalidInput(details, key="invalid_campaign")


def check_campaign(body: Json, campaign_type: str) -> None:
    """Rules the schema cannot state (its five kinds overlap): each kind's voucher part. The
    vendor applies them before the schema (a referral program without a discount is an
    `invalid_campaign`), so they must cope with a body the schema would reject."""
    part = _PART.get(campaign_type)
    if part is None:
        return
    voucher = body.get("voucher")
    has_part = isinstance(voucher, dict) and voucher.get(part) is not None
    if not has_part and (campaign_type == "REFERRAL_PROGRAM" or isinstance(voucher, dict)):
        raise _invalid(f"Property '{part}' is required for {campaign_type} campaign")
    count = body.get("vouchers_count")
    if isinstance(count, int) and not 0 <= count <= MAX_GENERATED:
        raise InvalidInput(f"Property .vouchers_count must be >= 0 and <= {MAX_GENERATED}")


def dated_validity(source: Json, names: tuple[str, ...] = VALIDITY) -> Json:
    """The validity fields present in `source`, dates written as the vendor writes them."""
    picked = {name: source[name] for name in names if source.get(name) is not None}
    for name in _DATES:
        if name in picked:
            try:
                picked[name] = iso(parse_instant(str(picked[name])))
            except ValueError:
                raise InvalidInput(
                    f"Property .{name} cannot be recognized as a ISO-8601 compliant date"
                ) from None
    return picked


def _whole(part: Json | None, name: str, where: str) -> None:
    """Amounts (cents) and points are whole numbers on every voucher made from the template."""
    if not part or part.get(name) is None:
        return
    value = part[name]
    if not isinstance(value, int | float) or value != int(value) or value < 0:
        raise InvalidInput(f"Property {where} must be a whole number >= 0")
    part[name] = int(value)


def voucher_template(voucher: Json, campaign_type: str, campaign: Json) -> Json:
    """The campaign's voucher template with the defaults the vendor fills in."""
    part = _PART.get(campaign_type) or next((p for p in _VOUCHER_TYPE if p in voucher), None)
    template: Json = {"type": voucher.get("type") or _VOUCHER_TYPE.get(part or "discount")}
    for name in ("discount", "gift", "loyalty_card"):
        if isinstance(voucher.get(name), dict):
            template[name] = dict(voucher[name])
    _whole(template.get("gift"), "amount", ".voucher.gift.amount")
    _whole(template.get("loyalty_card"), "points", ".voucher.loyalty_card.points")
    if "gift" in template:
        gift = template["gift"]
        template["gift"] = {**gift, "balance": gift.get("balance", gift.get("amount", 0))}
    template["redemption"] = {"quantity": None, **(voucher.get("redemption") or {})}
    template["code_config"] = complete_code_config(voucher.get("code_config"))
    referral = campaign_type == "REFERRAL_PROGRAM"
    template["is_referral_code"] = bool(voucher.get("is_referral_code", referral))
    template.update({**dated_validity(campaign), **dated_validity(voucher)})
    return template


def assignments(
    rule_ids: object, related_id: str, related_type: str, new_id: Callable[[], str], now: str
) -> Json:
    """The validation-rule assignment list object of a campaign, voucher or promotion tier."""
    data = [
        {"id": new_id(), "rule_id": str(rule_id), "related_object_id": related_id,
         "related_object_type": related_type, "created_at": now,
         "object": "validation_rules_assignment"}
        for rule_id in (rule_ids if isinstance(rule_ids, list) else [])
    ]  # fmt: skip
    return {"object": "list", "data_ref": "data", "data": data, "total": len(data)}


def empty_list() -> Json:
    return {"object": "list", "data_ref": "data", "data": [], "total": 0}


def _tier(tier: Json, index: int, campaign: Json, ids: IdGenerator, now: str) -> Json:
    tier_id = ids.promotion_tier()
    parent: Json = {"id": campaign["id"], **dated_validity(campaign), "active": campaign["active"]}
    if campaign.get("category_id"):
        parent["category_id"] = campaign["category_id"]
    parent["object"] = "campaign"
    made: Json = {"id": tier_id, "created_at": now, "name": tier["name"]}
    made.update({k: tier[k] for k in ("banner", "action", "metadata") if k in tier})
    made.update(hierarchy=tier.get("hierarchy", index), promotion_id=campaign["id"],
                campaign=parent, campaign_id=campaign["id"], active=tier.get("active", True))
    made.update(dated_validity(tier))
    made["summary"] = {"redemptions": {"total_redeemed": 0},
                       "orders": {"total_amount": 0, "total_discount_amount": 0}}  # fmt: skip
    made["object"] = "promotion_tier"
    made["validation_rule_assignments"] = assignments(
        tier.get("validation_rules"), tier_id, "promotion_tier", ids.assignment, now
    )
    return made


def promotion_list(body: Json, campaign: Json, ids: IdGenerator, now: str) -> Json:
    raw = (body.get("promotion") or {}).get("tiers") or []
    tiers = [_tier(tier, index, campaign, ids, now) for index, tier in enumerate(raw, start=1)]
    return {"object": "list", "data_ref": "tiers", "tiers": tiers, "total": len(tiers),
            "has_more": False}  # fmt: skip


def planned_codes(body: Json, campaign: Json) -> int:
    """How many codes the campaign asks to generate up front (0 for a promotion)."""
    if campaign["campaign_type"] == "PROMOTION":
        return 0
    count = int(body.get("vouchers_count") or 0)
    if count and "voucher" in campaign:
        check_capacity(campaign["voucher"]["code_config"], count)
    return count
