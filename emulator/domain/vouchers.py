"""CAMPAIGN.VOUCHERS_IMPORT_CSV: vouchers from CSV rows into an existing campaign."""

from __future__ import annotations

from typing import Any

from emulator.domain.campaigns import Campaigns
from emulator.domain.csvio import CsvRow, CsvTable, normalise
from emulator.domain.customer_import import import_result
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
        self, table: CsvTable, campaign: Json, campaigns: Campaigns, ids: IdGenerator, clock: Clock
    ) -> None:
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
        if problem is not None:
            return problem
        campaign_id = self._campaign["id"]
        owner = self._campaigns.owner_of(code)
        if owner is not None and owner != campaign_id:
            return f"Duplicate code {code}: it already exists in another campaign"
        if owner == campaign_id:  # a re-import may change only active and category
            voucher = self._campaigns.vouchers[campaign_id][code]
            if active_text:
                voucher["active"] = active_text == "true"
            if known.get("category"):
                voucher["category"] = known["category"]
            if active_text or known.get("category"):
                voucher["updated_at"] = iso(self._clock.now())
            self._campaigns.touch_voucher(campaign_id, code)
            return None
        if len(self._campaigns.vouchers[campaign_id]) >= MAX_CODES_PER_CAMPAIGN:
            return f"The campaign already holds the maximum of {MAX_CODES_PER_CAMPAIGN} codes"
        self._campaigns.add_voucher(campaign_id, self._voucher(code, known, numbers, metadata))
        return None

    def _voucher(self, code: str, known: Json, numbers: dict[str, int], metadata: Json) -> Json:
        voucher = new_voucher(self._campaign, code, self._ids.voucher(), iso(self._clock.now()))
        voucher["category"] = known.get("category") or None
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
