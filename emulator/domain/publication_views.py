"""What the API shows of publications: the create response, and `GET /v1/publications` with its
filters, orders and pages (newest first by default)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.domain.campaigns import Campaigns
from emulator.domain.customers import Customers
from emulator.domain.filters import TEXT, Getter, compile_filters
from emulator.domain.voucher_model import Links, voucher_view

Json = dict[str, Any]
_VOUCHER_TYPES = {"discount": "DISCOUNT_VOUCHER", "loyalty": "LOYALTY_CARD"}


@dataclass(frozen=True)
class PublicationQuery:
    limit: int = 10
    page: int = 1
    order: str = "-created_at"
    campaign_ids: Collection[str] | None = None
    customer_id: str | None = None
    voucher: str | None = None
    result: str | None = None
    voucher_type: str | None = None  # discount or loyalty
    is_referral_code: bool | None = None
    source_id: str | None = None
    filters: Json = field(default_factory=dict)


class PublicationViews:
    def __init__(self, customers: Customers, campaigns: Campaigns, links: Links) -> None:
        self._customers = customers
        self._campaigns = campaigns
        self._links = links

    def _head(self, record: Json) -> Json:
        customer = self._customers.entry_any(record["customer_id"]).data
        head = {k: record[k] for k in ("id", "object", "created_at", "customer_id")}
        if customer.get("source_id"):
            head["tracking_id"] = customer["source_id"]
        head.update({k: record[k] for k in ("metadata", "channel", "source_id", "result")})
        head["customer"] = customer
        return head

    def created(self, record: Json) -> Json:
        """The create response: the whole voucher for one code, the codes for several."""
        body = self._head(record)
        if len(record["vouchers"]) == 1:
            voucher = self._campaigns.voucher(record["vouchers"][0])
            body["voucher"] = voucher_view(voucher, self._links, self._extra(voucher))
        else:
            body["vouchers"] = list(record["vouchers"])
        body["vouchers_id"] = list(record["vouchers_id"])
        return body

    def _extra(self, voucher: Json) -> Json:
        campaign = self._campaigns.get(voucher["campaign_id"])
        rules = campaign.get("validation_rules_assignments")
        extra: Json = {"categories": self._campaigns.categories_of(voucher)}
        return extra if rules is None else {**extra, "validation_rules_assignments": rules}

    def list_item(self, record: Json) -> Json:
        body = self._head(record)
        if len(record["vouchers"]) == 1:
            voucher = self._campaigns.voucher(record["vouchers"][0])
            small: Json = {"code": voucher["code"], "object": "voucher",
                           "campaign": voucher["campaign"]}  # fmt: skip
            small.update({k: voucher[k] for k in ("discount", "gift", "loyalty_card")
                          if voucher.get(k) is not None})  # fmt: skip
            small["is_referral_code"] = bool(voucher.get("is_referral_code"))
            body["voucher"] = small
        else:
            body["vouchers"] = list(record["vouchers"])
        body["vouchers_id"] = list(record["vouchers_id"])
        return body

    def _fields(self) -> dict[str, tuple[str, Getter]]:
        def first_voucher(name: str) -> Getter:
            def read(record: Json) -> Any:
                value = self._campaigns.voucher(record["vouchers"][0]).get(name)
                return str(value).lower() if isinstance(value, bool) else value

            return read

        def campaign_name(record: Json) -> Any:
            campaign_id = record.get("campaign_id")
            return self._campaigns.get(campaign_id)["name"] if campaign_id else None

        plain: Callable[[str], Getter] = lambda name: lambda record: record.get(name)  # noqa: E731
        return {
            "failure_code": (TEXT, plain("failure_code")), "result": (TEXT, plain("result")),
            "customer_id": (TEXT, plain("customer_id")), "campaign_name": (TEXT, campaign_name),
            "voucher_type": (TEXT, first_voucher("type")),
            "is_referral_code": (TEXT, first_voucher("is_referral_code")),
            "parent_object_id": (TEXT, plain("campaign_id")),
            "related_object_id": (TEXT, lambda record: record["vouchers_id"][0]),
            "source_id": (TEXT, plain("source_id")),
        }  # fmt: skip

    def _matches(self, record: Json, q: PublicationQuery) -> bool:
        first = self._campaigns.voucher(record["vouchers"][0])
        checks = (
            q.campaign_ids is None or record.get("campaign_id") in q.campaign_ids,
            q.customer_id is None or record["customer_id"] == q.customer_id,
            q.voucher is None or q.voucher in record["vouchers"],
            q.result is None or record["result"] == q.result,
            q.voucher_type is None or first.get("type") == _VOUCHER_TYPES.get(q.voucher_type),
            not q.is_referral_code or bool(first.get("is_referral_code")),
            q.source_id is None or record["source_id"] == q.source_id,
        )
        return all(checks)

    def listing(
        self, records: Iterable[Json], q: PublicationQuery, now: datetime
    ) -> tuple[list[Json], int]:
        wanted = compile_filters(q.filters, self._fields(), now)
        chosen = [(seq, r) for seq, r in enumerate(records) if self._matches(r, q) and wanted(r)]
        name = q.order.lstrip("-")
        chosen.sort(key=lambda pair: (self._sort_value(pair[1], name), pair[0]),
                    reverse=q.order.startswith("-"))  # fmt: skip
        start = (q.page - 1) * q.limit
        return [self.list_item(r) for _, r in chosen[start : start + q.limit]], len(chosen)

    def _sort_value(self, record: Json, name: str) -> str:
        if name == "voucher_code":
            return str(record["vouchers"][0])
        if name == "tracking_id":
            return str(self._customers.entry_any(record["customer_id"]).data.get("source_id", ""))
        return str(record.get(name) or "")
