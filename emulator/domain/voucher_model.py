"""One voucher: how a campaign makes it, what the API shows of it, and its redeemable status.

A stored voucher keeps `None` for what it does not have (no category, unlimited redemptions).
The vendor's schema types those fields as plain strings and integers, so the public view leaves
them out: by the recordings' rule, null and absent are the same to a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from emulator.domain.campaign_create import dated_validity
from emulator.jobs.clock import parse_instant

Json = dict[str, Any]
_NULLABLE = frozenset({"active", "is_referral_code"})  # the only nullable voucher fields
_ORDER = (
    "id", "code", "campaign", "campaign_id", "category", "category_id", "categories", "type",
    "discount", "gift", "loyalty_card", "start_date", "expiration_date", "validity_timeframe",
    "validity_day_of_week", "validity_hours", "active", "additional_info", "metadata", "assets",
    "is_referral_code", "created_at", "updated_at", "holder_id", "referrer_id",
    "validation_rules_assignments", "redemption", "publish", "object",
)  # fmt: skip


@dataclass(frozen=True)
class Links:
    """Where the emulator serves what a voucher links to (QR code and barcode images)."""

    base_url: str
    app_id: str

    def asset(self, kind: str, voucher: Json) -> Json:
        tenant, code = quote(self.app_id, safe=""), quote(voucher["code"], safe="")
        return {"id": f"{voucher['id']}-{kind}",
                "url": f"{self.base_url}/_emulator/assets/{tenant}/{kind}/{code}"}  # fmt: skip


def new_voucher(campaign: Json, code: str, voucher_id: str, now: str) -> Json:
    """A voucher of the campaign, from its template: type, value, dates and validity."""
    template = campaign.get("voucher") or {}
    voucher: Json = {
        "id": voucher_id, "code": code, "campaign": campaign["name"],
        "campaign_id": campaign["id"], "category": None, "category_id": None,
        "type": template.get("type") or "DISCOUNT_VOUCHER",
    }  # fmt: skip
    if "discount" in template:
        voucher["discount"] = dict(template["discount"])
    if "gift" in template:
        gift = template["gift"]
        voucher["gift"] = {**gift, "balance": gift.get("amount", 0)}
    if "loyalty_card" in template:
        points = template["loyalty_card"].get("points", 0)
        voucher["loyalty_card"] = {"points": points, "balance": points}
    voucher.update(dated_validity(campaign))
    redemption = template.get("redemption") or {}
    voucher.update(
        active=True, metadata={}, is_referral_code=bool(template.get("is_referral_code")),
        created_at=now, holder_id=None,
        redemption={"quantity": redemption.get("quantity"), "redeemed_quantity": 0},
        publish={"count": 0}, object="voucher",
    )  # fmt: skip
    return voucher


def _drop_nulls(value: Any) -> Any:
    """Leave out null fields (metadata is the client's own and stays as it is)."""
    if isinstance(value, dict):
        return {
            k: v if k == "metadata" else _drop_nulls(v)
            for k, v in value.items() if v is not None or k in _NULLABLE
        }  # fmt: skip
    return value


def voucher_view(voucher: Json, links: Links, extra: Json | None = None) -> Json:
    """The voucher as the API shows it; `extra` adds fields (categories, assignments)."""
    code = quote(voucher["code"], safe="")
    shown: Json = {**voucher, "categories": [], **(extra or {})}
    shown["assets"] = {"qr": links.asset("qr", voucher), "barcode": links.asset("barcode", voucher)}
    shown["redemption"] = {**voucher["redemption"], "object": "list",
                           "url": f"/v1/vouchers/{code}/redemptions?page=1&limit=10"}  # fmt: skip
    shown["publish"] = {"object": "list", "count": voucher["publish"]["count"],
                        "url": f"/v1/vouchers/{code}/publications?page=1&limit=10"}  # fmt: skip
    ordered = {key: shown[key] for key in _ORDER if key in shown}
    ordered.update({k: v for k, v in shown.items() if k not in ordered})
    return dict(_drop_nulls(ordered))


def redeemable_status(voucher: Json, now: datetime) -> str:
    """ACTIVE, or why the voucher cannot be redeemed now."""
    if voucher.get("active") is False:
        return "DISABLED"
    start, end = voucher.get("start_date"), voucher.get("expiration_date")
    if start and parse_instant(start) > now:
        return "NOT_ACTIVE_YET"
    if end and parse_instant(end) < now:
        return "EXPIRED"
    redemption = voucher.get("redemption") or {}
    quantity = redemption.get("quantity")
    if quantity is not None and redemption.get("redeemed_quantity", 0) >= quantity:
        return "USED"
    gift = voucher.get("gift")
    if gift and gift.get("amount") and gift.get("balance", 0) <= 0:
        return "NO_BALANCE"
    return "ACTIVE"
