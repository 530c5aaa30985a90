"""Where the real API demonstrably differs from its published spec, a vendor document is
repaired to follow the real API, as `openapi/customers.yaml` does (DEVIATIONS.md D16, D17).

Without this, the emulator's stateful answers (which follow the recordings) would break the
vendor's document when it is served with `--spec`. Each change is made only where the document
still has the vendor's shape, so a document that already allows the behaviour is left alone.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.contract.report import SpecReport

Json = dict[str, Any]
_BASE_REF = "#/components/schemas/CustomerBase"
_STORED = "CustomerBaseAsStored"
# Schemas whose CustomerBase may carry null address fields in reality (D16): bulk-update items
# (sent) and every customer the API returns (stored nulls come back).
_NULL_ADDRESS_OWNERS = ("CustomersUpdateInBulkRequestBody", "CustomerWithSummaryLoyaltyReferrals")
# Counters a permanent deletion of a fresh customer leaves out (D17).
_DELETION_OPTIONAL = ("customer_events", "order_events")


def _nullable_address(base: Json) -> Json:
    stored = copy.deepcopy(base)
    address = (stored.get("properties") or {}).get("address") or {}
    for field in (address.get("properties") or {}).values():
        if isinstance(field, dict) and field.get("type") == "string":
            field["nullable"] = True
    return stored


def _repair_null_addresses(schemas: Json, report: SpecReport) -> None:
    base = schemas.get("CustomerBase")
    if not isinstance(base, dict):
        return
    for owner in _NULL_ADDRESS_OWNERS:
        members = (schemas.get(owner) or {}).get("allOf") or []
        for index, member in enumerate(members):
            if isinstance(member, dict) and member.get("$ref") == _BASE_REF:
                schemas.setdefault(_STORED, _nullable_address(base))
                members[index] = {"$ref": f"#/components/schemas/{_STORED}"}
                report.add("recorded", owner, "address fields may be null (DEVIATIONS.md D16)")


def _repair_deletion_counters(schemas: Json, report: SpecReport) -> None:
    body = schemas.get("CustomersPermanentDeletionCreateResponseBody") or {}
    data_json = (body.get("properties") or {}).get("data_json") or {}
    required = data_json.get("required")
    if not isinstance(required, list):
        return
    dropped = [name for name in _DELETION_OPTIONAL if name in required]
    if dropped:
        data_json["required"] = [name for name in required if name not in dropped]
        report.add(
            "recorded", "CustomersPermanentDeletionCreateResponseBody.data_json",
            f"{', '.join(dropped)} not required (DEVIATIONS.md D17)",
        )  # fmt: skip


def repair_recorded(document: Json, report: SpecReport) -> None:
    schemas = (document.get("components") or {}).get("schemas")
    if not isinstance(schemas, dict):
        return
    _repair_null_addresses(schemas, report)
    _repair_deletion_counters(schemas, report)
