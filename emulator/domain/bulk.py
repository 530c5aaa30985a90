"""CUSTOMERS.BULK_UPDATE and CUSTOMERS.METADATA_UPDATE: upserts by source_id, with a report of
which customers were found and updated.

An item that passed the request's validation can still fail when it is processed: its metadata
may break the customer metadata schema. That customer is left as it was, the report says
found/not updated, and the result's `errors` lists it with the vendor's
`metadata_validation_failed` key and what was wrong."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator.domain.csvio import write_csv
from emulator.domain.customers import WRITABLE, Customers
from emulator.domain.metadata_schemas import KEY as INVALID_METADATA
from emulator.domain.metadata_schemas import MetadataInvalid, MetadataSchemas
from emulator.jobs.clock import iso
from emulator.jobs.model import Failure, Report

Json = dict[str, Any]
REPORT_LIFETIME = timedelta(days=1)


class _Upserts:
    """Shared bookkeeping: one item per source_id, and a found/updated line per item."""

    def __init__(
        self, source_ids: list[str], customers: Customers, report_url: str,
        schemas: MetadataSchemas,
    ) -> None:  # fmt: skip
        self._source_ids = source_ids
        self._customers = customers
        self._report_url = report_url
        self._schemas = schemas
        self.lines: list[tuple[str, bool, bool]] = []  # source_id, found, updated
        self.invalid: dict[int, str] = {}  # row -> why its metadata was refused

    def size(self) -> int:
        return len(self._source_ids)

    def key(self, index: int) -> Json:
        return {"source_id": self._source_ids[index]}

    def release(self) -> None:
        """The report lines stay; a bulk update drops its items (see BulkUpdate)."""

    def refused(self, index: int) -> None:
        """An item failed by an injected fault: reported as not updated, like one whose
        metadata was refused (it was missing from the report)."""
        source_id = self._source_ids[index]
        self.lines.append((source_id, self._customers.find(source_id) is not None, False))

    def dump_progress(self) -> Json:
        return {"lines": list(self.lines), "invalid": [[r, d] for r, d in self.invalid.items()]}

    def load_progress(self, progress: Json) -> None:
        self.lines = [tuple(line) for line in progress["lines"]]
        self.invalid = {int(row): str(why) for row, why in progress.get("invalid", [])}

    def _checked(self, index: int, metadata: Json | None, sent: bool, found: bool) -> str | None:
        """None when the write may go ahead; else the item fails (and its report line says
        it was not updated)."""
        try:
            self._schemas.check_write("customer", metadata, sent, creates=not found)
        except MetadataInvalid as error:
            self.invalid[index + 1] = error.details
            self.lines.append((self._source_ids[index], found, False))
            return f"Metadata validation failed: {error.details}"
        return None

    def _error(self, failure: Failure) -> Json:
        details = self.invalid.get(failure.row)
        if details is not None:
            return {"message": "Metadata validation failed", "details": details,
                    "key": INVALID_METADATA, "source_id": failure.key["source_id"]}  # fmt: skip
        return {"message": failure.reason, "details": f"Item {failure.row} was not updated",
                "key": "failed", "source_id": failure.key["source_id"]}  # fmt: skip

    def report_csv(self) -> str:
        flag = {True: "true", False: "false"}
        rows = [(sid, flag[found], flag[updated]) for sid, found, updated in self.lines]
        return write_csv(("source_id", "found", "updated"), rows)

    def _common(self, report: Report) -> Json:
        errors = [self._error(f) for f in report.failures]
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
    def __init__(
        self, items: list[Json], customers: Customers, report_url: str,
        schemas: MetadataSchemas,
    ) -> None:  # fmt: skip
        sources = [str(item["source_id"]) for item in items]
        super().__init__(sources, customers, report_url, schemas)
        self._items = items

    def dump_input(self) -> Json:
        return {"kind": "bulk_update", "items": self._items, "report_url": self._report_url}

    def release(self) -> None:
        self._items = []  # the report lines say what happened

    def apply(self, index: int) -> str | None:
        source_id = self._source_ids[index]
        found = self._customers.find(source_id) is not None
        fields = {name: self._items[index][name] for name in WRITABLE if name in self._items[index]}
        refused = self._checked(index, fields.get("metadata"), "metadata" in fields, found)
        if refused is not None:
            return refused
        self._customers.upsert(source_id, fields)
        self.lines.append((source_id, found, True))
        return None

    def result(self, report: Report) -> Json:
        return self._common(report)


class MetadataUpdate(_Upserts):
    def __init__(
        self, source_ids: list[str], metadata: Json, customers: Customers, report_url: str,
        schemas: MetadataSchemas,
    ) -> None:  # fmt: skip
        super().__init__(source_ids, customers, report_url, schemas)
        self._metadata = metadata

    def dump_input(self) -> Json:
        return {"kind": "metadata_update", "source_ids": self._source_ids,
                "metadata": self._metadata, "report_url": self._report_url}  # fmt: skip

    def apply(self, index: int) -> str | None:
        source_id = self._source_ids[index]
        entry = self._customers.find(source_id)
        current = (entry.own.get("metadata") if entry else None) or {}
        merged = {**current, **self._metadata}
        refused = self._checked(index, merged, True, entry is not None)
        if refused is not None:
            return refused
        self._customers.upsert(source_id, {"metadata": merged})
        self.lines.append((source_id, entry is not None, True))
        return None

    def result(self, report: Report) -> Json:
        common = self._common(report)
        return {"errors": common.pop("errors"), **common}
