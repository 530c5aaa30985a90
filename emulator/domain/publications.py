"""Publications: vouchers handed to customers (`POST /v1/publications`), and what the customers
then hold (their redeemables).

A publication names its source, a specific voucher (`voucher`, a code) or a campaign
(`campaign`, a name or id, or `{name, count}`), and its customer (`customer.id` and/or
`customer.source_id`; like the vendor, an unknown `source_id` creates the customer). From a
campaign it takes vouchers that are active and not yet published, oldest first; an AUTO_UPDATE
campaign makes new codes when it has none left. Publishing again with the same `source_id` for
the same customer, or with `join_once` for a customer who already has the campaign's code,
returns the earlier publication instead of a new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulator.domain.campaigns import Campaigns
from emulator.domain.changes import Changes
from emulator.domain.codes import complete_code_config, generate_code
from emulator.domain.customers import WRITABLE, Customers
from emulator.domain.errors import InvalidInput, NotFound
from emulator.domain.voucher_model import new_voucher
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]


def _refused(key: str, details: str) -> InvalidInput:
    return InvalidInput(details, key=key)


def check_source(body: object) -> None:
    """The vendor asks for a source before it looks at the rest of the body."""
    if isinstance(body, dict) and body.get("voucher") is None and body.get("campaign") is None:
        raise _refused("missing_vouchers", "Either Campaign or Voucher is required")


@dataclass(frozen=True)
class Request:
    """What a publication asks for, read from the body and the query."""

    customer: Json
    voucher: str | None
    campaign: str | None
    count: int
    source_id: str | None
    metadata: Json
    channel: str
    join_once: bool

    @classmethod
    def read(cls, body: Json, join_once: bool) -> Request:
        campaign = body.get("campaign")
        name, count = (campaign.get("name"), campaign.get("count")) if isinstance(
            campaign, dict) else (campaign, None)  # fmt: skip
        check_source(body if name is None else {"campaign": name})
        if body.get("source_id") is not None and (count or 1) > 1:
            raise InvalidInput("If source_id is provided only 1 voucher can be published")
        return cls(
            customer=body.get("customer") or {}, voucher=body.get("voucher"),
            campaign=None if name is None else str(name), count=int(count or 1),
            source_id=body.get("source_id"), metadata=body.get("metadata") or {},
            channel=str(body.get("channel") or "API"), join_once=join_once,
        )  # fmt: skip


class Publications:
    def __init__(
        self,
        customers: Customers,
        campaigns: Campaigns,
        ids: IdGenerator,
        clock: Clock,
        changes: Changes | None = None,
    ) -> None:
        self._customers = customers
        self._campaigns = campaigns
        self._changes = changes if changes is not None else Changes()  # items live in meta
        self._ids = ids
        self._clock = clock
        self.items: dict[str, Json] = {}  # publication id -> record, oldest first
        self.holders: dict[str, list[Json]] = {}  # customer id -> holdings, oldest first

    # -- publishing ---------------------------------------------------------------------
    def publish(self, body: Json, join_once: bool = False) -> Json:
        request = Request.read(body, join_once)
        customer_id = self._customer(request.customer)
        earlier = self._earlier(request, customer_id)
        if earlier is not None:
            return earlier
        vouchers = self._chosen(request)
        return self._record(request, customer_id, vouchers)

    def _customer(self, fields: Json) -> str:
        key = fields.get("id") or fields.get("source_id")
        if not key:
            raise InvalidInput("Property .customer must have required property 'id' or "
                               "'source_id'")  # fmt: skip
        entry = self._customers.find(str(key))
        if entry is None and fields.get("id") and fields.get("source_id"):
            entry = self._customers.find(str(fields["source_id"]))
        if entry is None:
            if fields.get("id") and not fields.get("source_id"):
                raise NotFound("customer", str(fields["id"]))
            return str(self._customers.create({**fields, "id": None})["id"])
        changes = {k: fields[k] for k in WRITABLE if k in fields and entry.data.get(k) != fields[k]}
        if changes:
            self._customers.update(entry.id, changes)
        return entry.id

    def _earlier(self, request: Request, customer_id: str) -> Json | None:
        if request.source_id is not None:
            for item in self.items.values():
                if item["source_id"] == request.source_id:
                    if item["customer_id"] != customer_id:
                        raise _refused("duplicate_source_id",
                                       f"Publication with source_id: '{request.source_id}' "
                                       "already exists")  # fmt: skip
                    return item
        if request.campaign is None or request.voucher is not None:
            return None
        campaign = self._campaigns.get(request.campaign)
        if not (request.join_once or campaign.get("join_once")):
            return None
        return next((item for item in self.items.values()
                     if item["customer_id"] == customer_id
                     and item["campaign_id"] == campaign["id"]), None)  # fmt: skip

    def _chosen(self, request: Request) -> list[Json]:
        if request.voucher is not None:
            voucher = self._campaigns.voucher(request.voucher)
            if voucher.get("holder_id"):
                raise _refused("voucher_already_published",
                               f"Voucher '{voucher['id']}' has already been published")
            return [voucher]
        campaign = self._campaigns.get(request.campaign or "")
        if campaign["campaign_type"] == "PROMOTION":
            raise InvalidInput(f"Campaign {campaign['name']} is a promotion and has no codes "
                               "to publish", key="invalid_campaign")  # fmt: skip
        free = [v for v in self._campaigns.vouchers[campaign["id"]].values()
                if v.get("active") is not False and not v.get("holder_id")]  # fmt: skip
        chosen = free[: request.count]
        while len(chosen) < request.count and campaign["type"] == "AUTO_UPDATE":
            chosen.append(self._new_code(campaign))
        if len(chosen) < request.count:
            raise _refused("no_voucher_suitable_for_publication",
                           f"Campaign {campaign['name']} has no voucher suitable for "
                           "publication")  # fmt: skip
        return chosen

    def _new_code(self, campaign: Json) -> Json:
        config = (campaign.get("voucher") or {}).get("code_config") or complete_code_config(None)
        code = generate_code(config, self._ids, self._campaigns.codes())
        if code is None:
            raise _refused("no_voucher_suitable_for_publication",
                           f"Campaign {campaign['name']} cannot generate another code from "
                           "its code_config")  # fmt: skip
        voucher = new_voucher(campaign, code, self._ids.voucher(), iso(self._clock.now()))
        self._campaigns.add_voucher(campaign["id"], voucher)
        return voucher

    def _record(self, request: Request, customer_id: str, vouchers: list[Json]) -> Json:
        now = iso(self._clock.now())
        campaign_id = vouchers[0].get("campaign_id")
        role = "OWNER"
        if campaign_id and self._campaigns.get(campaign_id)["campaign_type"] == "REFERRAL_PROGRAM":
            role = "REFERRER"
        self._changes.touch()
        for voucher in vouchers:
            voucher.update(holder_id=customer_id, updated_at=now)
            voucher["publish"] = {"count": voucher["publish"]["count"] + 1}
            self._campaigns.touch_voucher(str(voucher.get("campaign_id")), voucher["code"])
            self.holders.setdefault(customer_id, []).append({
                "id": self._ids.holder(), "created_at": now, "customer_id": customer_id,
                "code": voucher["code"], "holder_role": role,
            })  # fmt: skip
        record: Json = {
            "id": self._ids.publication(), "object": "publication", "created_at": now,
            "customer_id": customer_id, "metadata": request.metadata,
            "channel": request.channel, "source_id": request.source_id, "result": "SUCCESS",
            "campaign_id": campaign_id, "vouchers": [v["code"] for v in vouchers],
            "vouchers_id": [v["id"] for v in vouchers],
        }  # fmt: skip
        self.items[record["id"]] = record
        return record

    # -- erasure and snapshots ----------------------------------------------------------
    def forget_customer(self, customer_id: str) -> None:
        """A permanently deleted customer holds nothing: its vouchers are free again."""
        for holding in self.holders.pop(customer_id, []):
            owner = self._campaigns.owner_of(holding["code"])
            if owner is not None:
                self._campaigns.vouchers[owner][holding["code"]]["holder_id"] = None
                self._campaigns.touch_voucher(owner, holding["code"])
        self.items = {k: v for k, v in self.items.items() if v["customer_id"] != customer_id}

    def export(self) -> Json:
        """Copies: the holders' lists grow in place (the state file writes this later)."""
        holders = {customer: list(held) for customer, held in self.holders.items()}
        return {"items": list(self.items.values()), "holders": holders}

    def load(self, state: Json) -> None:
        self.items = {item["id"]: item for item in state["items"]}
        self.holders = {cid: list(held) for cid, held in state["holders"].items()}

    def now(self) -> datetime:
        return self._clock.now()
