"""CAMPAIGN.VOUCHERS_IMPORT_CSV: vouchers from CSV rows into an existing campaign.

`Category` is a category's name (the project's category of that name, made on first use) or a
category's id (`cat_...`, which must exist: an unknown one fails the row); either way the voucher
gets `category`, `category_id` and its `categories` object. `Gift Amount` and `Redeemed Amount`
belong to gift card campaigns and `Loyalty Points` to loyalty programs: a value in another kind
of campaign fails the row. Remaining columns become metadata; when the campaign uses the voucher
metadata schema and one is defined, cells take its types and a row that breaks it fails."""

from __future__ import annotations

import re
from typing import Any

from emulator.domain.campaigns import Campaigns
from emulator.domain.csvio import CsvRow, CsvTable, normalise
from emulator.domain.customer_import import import_result
from emulator.domain.metadata_schemas import MetadataInvalid, MetadataSchemas
from emulator.domain.voucher_model import new_voucher
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator
from emulator.jobs.model import Report

Json = dict[str, Any]
MAX_CODES_PER_CAMPAIGN = 100_000
_COLUMNS = ("code", "category", "active", "gift_amount", "redeemed_amount", "loyalty_points",
            "redeemed_quantity")  # fmt: skip
_NUMBERS = {
    "gift_amount": "Gift Amount", "redeemed_amount": "Redeemed Amount",
    "loyalty_points": "Loyalty Points", "redeemed_quantity": "Redeemed Quantity",
}  # fmt: skip
# Which kind of campaign a numeric column belongs to.
_CONTEXT = {"gift_amount": "GIFT_VOUCHERS", "redeemed_amount": "GIFT_VOUCHERS",
            "loyalty_points": "LOYALTY_PROGRAM"}  # fmt: skip
_CATEGORY_ID = re.compile(r"^cat_[0-9A-Za-z]+$")


def _parse_row(row: CsvRow) -> tuple[Json, Json]:
    known: Json = {}
    metadata: Json = {}
    for header, value in row.values.items():
        name = normalise(header)
        cell = value.strip()
        if name in _COLUMNS:
            known[name] = cell
        elif cell:
            metadata[header] = cell
    return known, metadata


def _numbers(known: Json) -> tuple[dict[str, int], str | None]:
    numbers: dict[str, int] = {}
    for name, label in _NUMBERS.items():
        text = known.get(name, "")
        if not text:
            continue
        if not text.isdigit():
            return numbers, f"{label} must be a whole number >= 0 (got '{text}')"
        numbers[name] = int(text)
    return numbers, None


class VoucherImport:
    def __init__(
        self, table: CsvTable, campaign: Json, campaigns: Campaigns, ids: IdGenerator,
        clock: Clock, schemas: MetadataSchemas,
    ) -> None:  # fmt: skip
        self._schemas = schemas
        self._table = table
        self._rows = table.rows
        self._campaign = campaign
        self._campaigns = campaigns
        self._ids = ids
        self._clock = clock
        self._seen: dict[str, int] = {}  # code -> first row in this file
        self._code_column = next(h for h in table.header if normalise(h) == "code")

    def size(self) -> int:
        return len(self._rows)

    def key(self, index: int) -> Json:
        return {"code": self._rows[index].values.get(self._code_column, "").strip()}

    def apply(self, index: int) -> str | None:
        row = self._rows[index]
        if row.problem is not None:
            return row.problem
        known, metadata = _parse_row(row)
        code = known.get("code", "")
        if not code:
            return "Code is required"
        if code in self._seen:
            return f"Duplicate code {code}: already in row {self._seen[code]} of this file"
        self._seen[code] = row.number
        active_text = known.get("active", "").lower()
        if active_text not in ("", "true", "false"):
            return f"Active must be true or false (got '{known['active']}')"
        numbers, problem = _numbers(known)
        problem = problem or self._out_of_context(numbers)
        if problem is not None:
            return problem
        campaign_id = self._campaign["id"]
        owner = self._campaigns.owner_of(code)
        if owner is not None and owner != campaign_id:
            return f"Duplicate code {code}: it already exists in another campaign"
        category_text = known.get("category", "")
        if _CATEGORY_ID.match(category_text) and self._lookup(category_text) is None:
            return f"Cannot find category with id {category_text}"
        if owner == campaign_id:  # a re-import may change only active and category
            self._reimport(code, active_text, category_text)
            return None
        if len(self._campaigns.vouchers[campaign_id]) >= MAX_CODES_PER_CAMPAIGN:
            return f"The campaign already holds the maximum of {MAX_CODES_PER_CAMPAIGN} codes"
        try:
            typed = self._metadata(metadata)
        except MetadataInvalid as error:
            return f"Metadata validation failed: {error.details}"
        self._campaigns.add_voucher(campaign_id, self._voucher(code, known, numbers, typed))
        return None

    def _out_of_context(self, numbers: dict[str, int]) -> str | None:
        campaign_type = self._campaign["campaign_type"]
        for name, wanted in _CONTEXT.items():
            if name in numbers and campaign_type != wanted:
                return (f"{_NUMBERS[name]} applies only to {wanted} campaigns; "
                        f"this campaign is {campaign_type}")  # fmt: skip
        return None

    def _lookup(self, text: str) -> Json | None:
        """The project's category with this id, else with this name."""
        categories = self._campaigns.categories
        return categories.get(text) or next(
            (c for c in categories.values() if c["name"] == text), None
        )  # fmt: skip

    def _set_category(self, voucher: Json, text: str) -> None:
        """A name that names no category yet makes one (ids were checked to exist)."""
        category = None
        if text:
            now = iso(self._clock.now())
            category = self._lookup(text) or self._campaigns.category_named(text, now)
        voucher["category"] = category["name"] if category else None
        voucher["category_id"] = category["id"] if category else None

    def _metadata(self, cells: Json) -> Json:
        if not self._campaign.get("use_voucher_metadata_schema"):
            return cells
        typed = self._schemas.from_cells("voucher", cells)
        self._schemas.check("voucher", typed)
        return typed

    def _reimport(self, code: str, active_text: str, category_text: str) -> None:
        campaign_id = self._campaign["id"]
        voucher = self._campaigns.vouchers[campaign_id][code]
        if active_text:
            voucher["active"] = active_text == "true"
        if category_text:
            self._set_category(voucher, category_text)
        if active_text or category_text:
            voucher["updated_at"] = iso(self._clock.now())
        self._campaigns.touch_voucher(campaign_id, code)

    def _voucher(self, code: str, known: Json, numbers: dict[str, int], metadata: Json) -> Json:
        voucher = new_voucher(self._campaign, code, self._ids.voucher(), iso(self._clock.now()))
        self._set_category(voucher, known.get("category", ""))
        if "gift_amount" in numbers or "redeemed_amount" in numbers:
            amount = numbers.get("gift_amount", (voucher.get("gift") or {}).get("amount", 0))
            redeemed = numbers.get("redeemed_amount", 0)
            voucher["gift"] = {**voucher.get("gift", {}), "amount": amount,
                               "balance": amount - redeemed}  # fmt: skip
        if "loyalty_points" in numbers:
            points = numbers["loyalty_points"]
            voucher["loyalty_card"] = {**voucher.get("loyalty_card", {}), "points": points,
                                       "balance": points}  # fmt: skip
        voucher["active"] = known.get("active", "").lower() != "false"
        voucher["metadata"] = metadata
        voucher["redemption"]["redeemed_quantity"] = numbers.get("redeemed_quantity", 0)
        return voucher

    def refused(self, index: int) -> None:
        """Nothing to note: the failure is in the job's errors."""

    def release(self) -> None:
        self._rows = []
        self._table = CsvTable(self._table.header, [])
        self._seen = {}

    def dump_input(self) -> Json:
        return {
            "kind": "voucher_import", "table": self._table.dump(),
            "campaign_id": self._campaign["id"],
        }  # fmt: skip

    def dump_progress(self) -> Json:
        return {"seen": dict(self._seen)}

    def load_seen(self, seen: dict[str, int]) -> None:
        self._seen = dict(seen)

    def result(self, report: Report) -> Json:
        return import_result("voucher", "code", report)
