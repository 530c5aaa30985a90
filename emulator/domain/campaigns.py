"""Campaigns, as far as imports need them: create, get by id or by name, and their vouchers."""

from __future__ import annotations

from typing import Any

from emulator.domain.changes import Changes
from emulator.domain.errors import Conflict, InvalidInput, NotFound
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]

# When a request leaves campaign_type out (the official SDKs do), infer it from the voucher.
_TYPE_BY_VOUCHER = {
    "DISCOUNT_VOUCHER": "DISCOUNT_COUPONS",
    "GIFT_VOUCHER": "GIFT_VOUCHERS",
    "LOYALTY_CARD": "LOYALTY_PROGRAM",
}
# Request fields copied onto the campaign object as they were sent.
_COPIED = (
    "description", "voucher", "start_date", "expiration_date", "validity_timeframe",
    "validity_day_of_week", "validity_hours", "activity_duration_after_publishing",
    "metadata", "category", "referral_program", "promotion",
)  # fmt: skip


_CHARSET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def voucher_template(voucher: Json, campaign_type: str) -> Json:
    """The campaign's voucher template with the defaults the vendor fills in."""
    template = dict(voucher)
    template["redemption"] = {"quantity": None, **(voucher.get("redemption") or {})}
    config = dict(voucher.get("code_config") or {})
    pattern = config.get("pattern")
    length = pattern.count("#") if pattern else config.get("length", 8)
    template["code_config"] = {
        "length": length, "charset": _CHARSET, "pattern": "#" * length, **config,
    }  # fmt: skip
    template.setdefault("is_referral_code", campaign_type == "REFERRAL_PROGRAM")
    if isinstance(voucher.get("gift"), dict):
        gift = voucher["gift"]
        template["gift"] = {**gift, "balance": gift.get("balance", gift.get("amount", 0))}
    return template


def infer_campaign_type(body: Json) -> str:
    if body.get("campaign_type"):
        return str(body["campaign_type"])
    if "promotion" in body:
        return "PROMOTION"
    voucher_type = str((body.get("voucher") or {}).get("type", ""))
    return _TYPE_BY_VOUCHER.get(voucher_type, "DISCOUNT_COUPONS")


class Campaigns:
    def __init__(self, ids: IdGenerator, clock: Clock, changes: Changes | None = None) -> None:
        self._ids = ids
        self._clock = clock
        self._changes = changes if changes is not None else Changes()
        self._by_id: dict[str, Json] = {}
        self._by_name: dict[str, str] = {}
        self.vouchers: dict[str, dict[str, Json]] = {}  # campaign id -> code -> voucher
        self._code_owner: dict[str, str] = {}  # code -> campaign id, across the project

    def create(self, body: Json) -> Json:
        name = body.get("name")
        if name is None:
            raise InvalidInput("Request body must have required property 'name'")
        if not name:
            raise InvalidInput("Property .name must not be empty")
        if name in self._by_name:
            raise Conflict("campaign", name, f"Duplicated campaign exists with name {name}")
        if "voucher" in body and not isinstance(body["voucher"], dict):
            raise InvalidInput("Property .voucher must be object")
        campaign: Json = {
            "id": self._ids.campaign(),
            "name": name,
            "campaign_type": infer_campaign_type(body),
            "type": body.get("type", "AUTO_UPDATE"),
            "auto_join": bool(body.get("auto_join", False)),
            "join_once": bool(body.get("join_once", False)),
            "use_voucher_metadata_schema": bool(body.get("use_voucher_metadata_schema", False)),
            "vouchers_count": 0,
            "active": True,
            "created_at": iso(self._clock.now()),
            "creation_status": "DONE",
            "vouchers_generation_status": "DONE",
            "protected": False,
            "category_id": None,
            "categories": [],
            "object": "campaign",
        }
        campaign.update({key: body[key] for key in _COPIED if key in body})
        if "voucher" in body:
            campaign["voucher"] = voucher_template(body["voucher"], campaign["campaign_type"])
        return self.restore(campaign)

    def restore(self, campaign: Json) -> Json:
        self._changes.mark("campaign", campaign["id"])
        self._by_id[campaign["id"]] = campaign
        self._by_name[campaign["name"]] = campaign["id"]
        self.vouchers.setdefault(campaign["id"], {})
        return campaign

    def get(self, key: str) -> Json:
        campaign_id = key if key in self._by_id else self._by_name.get(key)
        if campaign_id is None:
            raise NotFound("campaign", key)
        return self._by_id[campaign_id]

    def by_id(self, campaign_id: str) -> Json | None:
        return self._by_id.get(campaign_id)

    def owner_of(self, code: str) -> str | None:
        return self._code_owner.get(code)

    def add_voucher(self, campaign_id: str, voucher: Json) -> None:
        self.vouchers[campaign_id][voucher["code"]] = voucher
        self._code_owner[voucher["code"]] = campaign_id
        self._by_id[campaign_id]["vouchers_count"] = len(self.vouchers[campaign_id])
        self.touch_voucher(campaign_id, voucher["code"])
        self._changes.mark("campaign", campaign_id)

    def touch_voucher(self, campaign_id: str, code: str) -> None:
        """A voucher was changed in place: save it."""
        self._changes.mark("voucher", f"{campaign_id}/{code}")

    def all(self) -> list[Json]:
        return list(self._by_id.values())
