"""Campaigns: create, get by id or by name, their categories, and the project's vouchers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator.domain.campaign_create import (
    assignments,
    check_campaign,
    dated_validity,
    empty_list,
    infer_campaign_type,
    planned_codes,
    promotion_list,
    voucher_template,
)
from emulator.domain.changes import Changes
from emulator.domain.errors import Conflict, InvalidInput, NotFound
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]

# Request fields kept on the campaign object as they were sent.
_KEPT = ("activity_duration_after_publishing", "loyalty_tiers_expiration")
_DATES = ("start_date", "expiration_date")


class Campaigns:
    def __init__(self, ids: IdGenerator, clock: Clock, changes: Changes | None = None) -> None:
        self._ids = ids
        self._clock = clock
        self._changes = changes if changes is not None else Changes()
        self._by_id: dict[str, Json] = {}
        self._by_name: dict[str, str] = {}
        self.vouchers: dict[str, dict[str, Json]] = {}  # campaign id -> code -> voucher
        self._code_owner: dict[str, str] = {}  # code -> campaign id, across the project
        self._by_voucher_id: dict[str, str] = {}  # voucher id -> code
        self.categories: dict[str, Json] = {}  # category id -> category object
        self.pending: dict[str, int] = {}  # campaign id -> codes to generate (handed on at once)
        self.order: dict[str, int] = {}  # code -> its place among the project's codes (saving)

    # -- create -----------------------------------------------------------------------
    def create(self, body: Json) -> Json:
        """The campaign, stored; codes it asks to generate are left in `pending` for the
        tenant to start the generation job (all checks come first: a 400 stores nothing)."""
        name = self._new_name(body)
        campaign_type = infer_campaign_type(body)
        check_campaign(body, campaign_type)
        now = iso(self._clock.now())
        campaign: Json = {"id": self._ids.campaign(), "name": name}
        if body.get("description") is not None:
            campaign["description"] = body["description"]
        campaign.update(campaign_type=campaign_type, type=body.get("type") or "STATIC")
        if isinstance(body.get("voucher"), dict):
            campaign["voucher"] = voucher_template(body["voucher"], campaign_type, body)
        if body.get("referral_program") is not None:
            campaign["referral_program"] = body["referral_program"]
        campaign.update(self._flags(body, campaign_type))
        validity = dated_validity(body)
        campaign.update({k: v for k, v in validity.items() if k not in _DATES})
        campaign.update({k: body[k] for k in _KEPT if body.get(k) is not None})
        if campaign_type != "PROMOTION":
            campaign["vouchers_count"] = 0
        campaign.update({k: v for k, v in validity.items() if k in _DATES})
        campaign["active"] = True
        if body.get("metadata") is not None:
            campaign["metadata"] = body["metadata"]
        campaign["created_at"] = now
        self._finish(body, campaign, now)
        return campaign

    def _finish(self, body: Json, campaign: Json, now: str) -> None:
        count = planned_codes(body, campaign)
        category = self._category(body, now)
        campaign.update({k: v for k, v in category.items() if k == "category"})
        status = "IN_PROGRESS" if count else "DONE"
        campaign.update(creation_status=status, vouchers_generation_status=status,
                        protected=False, category_id=category.get("category_id"),
                        categories=category.get("categories", []), object="campaign")  # fmt: skip
        self._lists(body, campaign, now)
        self.restore(campaign)
        if count:
            self.pending[campaign["id"]] = count

    def _new_name(self, body: Json) -> str:
        name = body.get("name")
        if name is None:
            raise InvalidInput("Request body must have required property 'name'")
        if not name:
            raise InvalidInput("Property .name must not be empty")
        if name in self._by_name:
            raise Conflict("campaign", name, f"Duplicated campaign exists with name {name}")
        return str(name)

    @staticmethod
    def _flags(body: Json, campaign_type: str) -> Json:
        join_once = bool(body.get("join_once", False))
        if campaign_type == "LOYALTY_PROGRAM":
            join_once = True  # "forced to true, even if join_once: false is passed"
        if body.get("type") == "STANDALONE":
            join_once = False  # "always false for generic (standalone) vouchers campaigns"
        metadata_schema = body.get("use_voucher_metadata_schema", campaign_type != "PROMOTION")
        return {"auto_join": bool(body.get("auto_join", False)), "join_once": join_once,
                "use_voucher_metadata_schema": bool(metadata_schema)}  # fmt: skip

    def _category(self, body: Json, now: str) -> Json:
        category_id, name = body.get("category_id"), body.get("category")
        if category_id is None and name is None:
            return {}
        if category_id is not None:
            category = self.categories.get(str(category_id))
            if category is None:
                raise NotFound("category", str(category_id))
        else:
            category = self.category_named(str(name), now)
        return {"category": category["name"], "category_id": category["id"],
                "categories": [category]}  # fmt: skip

    def category_named(self, name: str, now: str) -> Json:
        """The project's category of that name, made on first use."""
        found = next((c for c in self.categories.values() if c["name"] == name), None)
        if found is None:
            found = {"id": self._ids.category(), "name": name, "hierarchy": 1,
                     "created_at": now, "object": "category"}  # fmt: skip
            self.categories[found["id"]] = found
            self._changes.touch()
        return found

    def categories_of(self, voucher: Json) -> list[Json]:
        """The voucher's `categories` objects: its category, when it has one."""
        category = self.categories.get(str(voucher.get("category_id")))
        return [] if category is None else [category]

    def _lists(self, body: Json, campaign: Json, now: str) -> None:
        if campaign["campaign_type"] == "PROMOTION":
            campaign["promotion"] = promotion_list(body, campaign, self._ids, now)
        if campaign["campaign_type"] != "PROMOTION" or body.get("validation_rules"):
            campaign["validation_rules_assignments"] = assignments(
                body.get("validation_rules"), campaign["id"], "campaign", self._ids.assignment,
                now,
            )  # fmt: skip
        campaign["access_settings_assignments"] = empty_list()

    # -- lookups and vouchers -------------------------------------------------------------
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

    def codes(self) -> dict[str, str]:
        """Every code of the project (code -> campaign id), in creation order."""
        return self._code_owner

    def voucher(self, key: str) -> Json:
        """A voucher by code or by id."""
        code = key if key in self._code_owner else self._by_voucher_id.get(key)
        if code is None:
            raise NotFound("voucher", key)
        return self.vouchers[self._code_owner[code]][code]

    def all_vouchers(self) -> Iterator[Json]:
        for code, campaign_id in self._code_owner.items():
            yield self.vouchers[campaign_id][code]

    def add_voucher(self, campaign_id: str, voucher: Json) -> None:
        self.vouchers[campaign_id][voucher["code"]] = voucher
        self._code_owner[voucher["code"]] = campaign_id
        self._by_voucher_id[voucher["id"]] = voucher["code"]
        self.order.setdefault(voucher["code"], len(self.order))
        campaign = self._by_id[campaign_id]
        if "vouchers_count" in campaign:
            campaign["vouchers_count"] = len(self.vouchers[campaign_id])
        self.touch_voucher(campaign_id, voucher["code"])
        self.touch(campaign_id)

    def touch_voucher(self, campaign_id: str, code: str) -> None:
        """A voucher was changed in place: save it."""
        self._changes.mark("voucher", f"{campaign_id}/{code}")

    def touch(self, campaign_id: str) -> None:
        """A campaign was changed in place: save it."""
        self._changes.mark("campaign", campaign_id)

    def all(self) -> list[Json]:
        return list(self._by_id.values())
