"""CUSTOMERS.IMPORT_CSV: one customer upserted per CSV row, unmapped columns into metadata.

Headers match the documented names (and the vendor template's shorter address spellings)
case-insensitively. The documentation allows no spaces in field names, so a header with a space
inside it (`Address City`) refuses the whole file with a 400 that names the column and the
spelling to use, rather than being guessed at: mapped silently it would hide a typo, stored as a
metadata key it would lose the field. With a customer metadata schema, metadata cells take the
types it defines (a `number` column becomes a number) and a row that breaks it fails alone."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from emulator.domain.csvio import CsvRow, CsvTable, normalise
from emulator.domain.customers import Customers
from emulator.domain.errors import InvalidInput
from emulator.domain.metadata_schemas import MetadataInvalid, MetadataSchemas
from emulator.jobs.model import Report

Json = dict[str, Any]

# Documented headers and the template's spellings, after normalise(): both map to one field.
_FIELDS = {
    "id": "id", "source_id": "source_id", "name": "name", "email": "email", "phone": "phone",
    "birthdate": "birthdate", "birthday": "birthday", "description": "description",
}  # fmt: skip
_ADDRESS = {
    "address_line_1": "line_1", "address_line_2": "line_2", "line_1": "line_1",
    "line_2": "line_2", "address_postal_code": "postal_code", "postal_code": "postal_code",
    "address_city": "city", "city": "city", "address_state": "state", "state": "state",
    "address_country": "country", "country": "country",
}  # fmt: skip
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
POOLED = 1000


def summary_message(noun: str, report: Report) -> str:
    if report.fail_reason is not None:
        return report.fail_reason
    return f"{report.done} {noun}(s) imported successfully, {len(report.failures)} failed."


def import_result(noun: str, key: str, report: Report) -> Json:
    """The CSV-import result shape: message, failed rows, counts (key: source_id or code)."""
    return {
        "message": summary_message(noun, report),
        "failed": [
            {key: f.key.get(key, ""), "row": f.row, "reason": f.reason} for f in report.failures
        ],
        "done_count": report.done,
        "failed_count": len(report.failures),
    }


def check_columns(table: CsvTable) -> None:
    """Refuse a file whose values are not separated by commas, or whose header has a space
    inside a column name (the whole file: nothing is queued)."""
    if len(table.header) == 1 and any(sep in table.header[0] for sep in ";\t|"):
        raise InvalidInput(
            f"The CSV file cannot be imported: its values are not separated by commas (the "
            f"header '{table.header[0]}' is one column); save it as comma-separated values"
        )
    for position, name in enumerate(table.header, start=1):
        if len(name.split()) > 1:
            better = "_".join(name.split())
            raise InvalidInput(
                f"The CSV file cannot be imported: column {position} of the header, '{name}', "
                f"has a space in its name (no spaces are allowed in field names); "
                f"write it as '{better}'"
            )


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class CustomerImport:
    def __init__(self, table: CsvTable, customers: Customers, schemas: MetadataSchemas) -> None:
        self._table = table
        self._rows = table.rows
        self._customers = customers
        self._schemas = schemas
        self._source_column = next((h for h in table.header if normalise(h) == "source_id"), None)
        self._routes: dict[str, tuple[str, str]] = {}
        self._pools: dict[str, dict[str, str] | None] = {}

    def size(self) -> int:
        return len(self._rows)

    def key(self, index: int) -> Json:
        column = self._source_column
        return {"source_id": self._rows[index].cell(column).strip() if column else ""}

    def _route(self, header: str) -> tuple[str, str]:
        """Where a column goes: ("field" | "address" | "metadata", the name there); each
        header is normalised once per import, not once per cell."""
        route = self._routes.get(header)
        if route is None:
            name = normalise(header)
            if name in _FIELDS:
                route = ("field", _FIELDS[name])
            elif name in _ADDRESS:
                route = ("address", _ADDRESS[name])
            else:
                route = ("metadata", header)
            self._routes[header] = route
        return route

    def _split(self, row: CsvRow) -> tuple[Json, Json, Json]:
        parts: dict[str, Json] = {"field": {}, "address": {}, "metadata": {}}
        for header, value in row.values.items():
            cell = value.strip()
            if cell:
                where, name = self._route(header)
                parts[where][name] = cell if where == "field" else self._shared(header, cell)
        return parts["field"], parts["address"], parts["metadata"]

    def _shared(self, header: str, cell: str) -> str:
        """One string for a value an address or metadata column repeats (a city, a country, a
        tier: 100,000 customers then hold a few strings, not 100,000); a column with more than
        POOLED distinct values stops being pooled."""
        pool = self._pools.setdefault(header, {})
        if pool is None:
            return cell
        if len(pool) >= POOLED:
            self._pools[header] = None  # not a column of a few values
            return cell
        return pool.setdefault(cell, cell)

    def apply(self, index: int) -> str | None:
        row = self._rows[index]
        if row.problem is not None:
            return row.problem
        fields, address, metadata = self._split(row)
        for name in ("birthdate", "birthday"):
            if name in fields and not _valid_date(fields[name]):
                return f"{name}: must be a date in YYYY-MM-DD format (got '{fields[name]}')"
        customer_id = fields.pop("id", None)
        source_id = fields.get("source_id")
        lookup = customer_id or source_id
        entry = self._customers.find(lookup) if lookup else None
        if customer_id and entry is None:
            return f"Cannot find customer with id {customer_id}"
        current = entry.own if entry else {}
        if address:
            fields["address"] = {**(current.get("address") or {}), **address}
        if metadata:
            typed = self._schemas.from_cells("customer", metadata)
            fields["metadata"] = {**(current.get("metadata") or {}), **typed}
        try:
            self._schemas.check_write(
                "customer", fields.get("metadata", current.get("metadata")), bool(metadata),
                creates=entry is None,
            )  # fmt: skip
        except MetadataInvalid as error:
            return f"Metadata validation failed: {error.details}"
        if entry is not None:
            fields.pop("source_id", None)
            self._customers.update(entry.id, fields)
        else:
            self._customers.create(fields)
        return None

    def refused(self, index: int) -> None:
        """Nothing to note: the failure is in the job's errors."""

    def release(self) -> None:
        """Finished: nothing per row stays (the job itself is kept for its result)."""
        self._rows = []
        self._table = CsvTable(self._table.header, [])
        self._pools = {}
        self._routes = {}

    def dump_input(self) -> Json:
        return {"kind": "customer_import", "table": self._table.dump()}

    def dump_progress(self) -> Json:
        return {}

    def result(self, report: Report) -> Json:
        return import_result("customer", "source_id", report)
