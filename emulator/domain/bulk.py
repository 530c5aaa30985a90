"""CUSTOMERS.BULK_UPDATE and CUSTOMERS.METADATA_UPDATE: upserts by source_id, with a report of
which customers were found."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator.domain.csvio import write_csv
from emulator.domain.customers import WRITABLE, Customers
from emulator.jobs.clock import iso
from emulator.jobs.model import Report

Json = dict[str, Any]
REPORT_LIFETIME = timedelta(days=1)


class _Upserts:
    """Shared bookkeeping: one item per source_id, and a found/updated line per item."""

    def __init__(self, source_ids: list[str], customers: Customers, report_url: str) -> None:
        self._source_ids = source_ids
        self._customers = customers
        self._report_url = report_url
        self.lines: list[tuple[str, bool, bool]] = []  # source_id, found, updated

    def size(self) -> int:
        return len(self._source_ids)

    def key(self, index: int) -> Json:
        return {"source_id": self._source_ids[index]}

    def release(self) -> None:
        """The report lines stay; a bulk update drops its items (see BulkUpdate)."""

    def dump_progress(self) -> Json:
        return {"lines": list(self.lines)}

    def report_csv(self) -> str:
        flag = {True: "true", False: "false"}
        rows = [(sid, flag[found], flag[updated]) for sid, found, updated in self.lines]
        return write_csv(("source_id", "found", "updated"), rows)

    def _common(self, report: Report) -> Json:
        errors = [
            {"message": f.reason, "details": f"Item {f.row} was not updated", "key": "failed",
             "source_id": f.key["source_id"]}
            for f in report.failures
        ]  # fmt: skip
        if report.fail_reason is not None:
            errors.append({"message": report.fail_reason, "details": report.fail_reason,
                           "key": "async_action_failed", "source_id": ""})  # fmt: skip
        finished = report.finished
        assert finished is not None
        return {
            "done_count": report.done,
            "failed_count": len(report.failures),
            "reports": [f"{self._report_url}/{report.job_id}"],
            "reports_available_till": iso(finished + REPORT_LIFETIME),
            "errors": errors,
        }


class BulkUpdate(_Upserts):
    def __init__(self, items: list[Json], customers: Customers, report_url: str) -> None:
        super().__init__([str(item["source_id"]) for item in items], customers, report_url)
        self._items = items

    def dump_input(self) -> Json:
        return {"kind": "bulk_update", "items": self._items, "report_url": self._report_url}

    def release(self) -> None:
        self._items = []  # the report lines say what happened

    def apply(self, index: int) -> str | None:
        source_id = self._source_ids[index]
        found = self._customers.find(source_id) is not None
        fields = {name: self._items[index][name] for name in WRITABLE if name in self._items[index]}
        self._customers.upsert(source_id, fields)
        self.lines.append((source_id, found, True))
        return None

    def result(self, report: Report) -> Json:
        return self._common(report)


class MetadataUpdate(_Upserts):
    def __init__(
        self, source_ids: list[str], metadata: Json, customers: Customers, report_url: str
    ) -> None:
        super().__init__(source_ids, customers, report_url)
        self._metadata = metadata

    def dump_input(self) -> Json:
        return {"kind": "metadata_update", "source_ids": self._source_ids,
                "metadata": self._metadata, "report_url": self._report_url}  # fmt: skip

    def apply(self, index: int) -> str | None:
        source_id = self._source_ids[index]
        entry = self._customers.find(source_id)
        current = (entry.own.get("metadata") if entry else None) or {}
        self._customers.upsert(source_id, {"metadata": {**current, **self._metadata}})
        self.lines.append((source_id, entry is not None, True))
        return None

    def result(self, report: Report) -> Json:
        common = self._common(report)
        return {"errors": common.pop("errors"), **common}
