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


def _route(header: str) -> tuple[str, str, str]:
    """Where a column goes: ("field" | "address" | "metadata", the name there, the header)."""
    name = normalise(header)
    if name in _FIELDS:
        return ("field", _FIELDS[name], header)
    if name in _ADDRESS:
        return ("address", _ADDRESS[name], header)
    return ("metadata", header, header)


def _text_items(value: Json) -> tuple[tuple[str, str], ...] | None:
    """An object of text values as a key (None when a value is not text: 1 and True are equal
    keys, and would be taken for one another)."""
    items = tuple(value.items())
    return items if all(type(v) is str for _, v in items) else None


class CustomerImport:
    def __init__(self, table: CsvTable, customers: Customers, schemas: MetadataSchemas) -> None:
        self._table = table
        self._rows = table.rows
        self._customers = customers
        self._schemas = schemas
        self._source_column = next((h for h in table.header if normalise(h) == "source_id"), None)
        self._columns = [_route(header) for header in table.header]
        self._pools: dict[str, dict[Any, Any] | None] = {}

    def size(self) -> int:
        return len(self._rows)

    def key(self, index: int) -> Json:
        column = self._source_column
        return {"source_id": self._rows[index].cell(column).strip() if column else ""}

    def _split(self, row: CsvRow) -> tuple[Json, Json, Json]:
        """The row's fields, address and metadata cells. Equal field cells are one string (a
        source_id that is also the email is kept once)."""
        fields: Json = {}
        address: Json = {}
        metadata: Json = {}
        parts = {"field": fields, "address": address, "metadata": metadata}
        for (where, name, header), value in zip(self._columns, row.cells, strict=False):
            cell = value.strip()
            if cell:
                if where == "field":
                    for known in fields.values():
                        if known == cell:
                            cell = known
                            break
                else:
                    cell = self._shared(header, cell)
                parts[where][name] = cell
        return fields, address, metadata

    def _shared(self, pool_name: str, value: Any) -> Any:
        """One object for a value an address or metadata column repeats (a city, a country, a
        tier), and for an address or metadata object that repeats (all text: nothing changes
        a stored object in place, see customer_entry.ZEROED): 100,000 customers then hold a
        few of them, not 100,000. A pool past POOLED distinct values stops pooling."""
        pool = self._pools.get(pool_name, {})
        if pool is None:
            return value
        key = value if isinstance(value, str) else _text_items(value)
        if key is None:
            return value
        if not pool:
            self._pools[pool_name] = pool
        elif len(pool) >= POOLED and key not in pool:
            self._pools[pool_name] = None  # not a column of a few values
            return value
        return pool.setdefault(key, value)

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
            old = current.get("address")
            # (pools of whole objects have names no header has: a header has no NUL)
            fields["address"] = self._shared("\0address", {**old, **address} if old else address)
        if metadata:
            typed = self._schemas.from_cells("customer", metadata)
            old = current.get("metadata")
            fields["metadata"] = self._shared("\0metadata", {**old, **typed} if old else typed)
        try:
            self._schemas.check_write(
                "customer", fields.get("metadata", current.get("metadata")), bool(metadata),
                creates=entry is None,
            )  # fmt: skip
        except MetadataInvalid as error:
            return f"Metadata validation failed: {error.details}"
        if entry is not None:
            fields.pop("source_id", None)
            self._customers.write(entry, fields)
        else:
            self._customers.add(fields)
        return None

    def refused(self, index: int) -> None:
        """Nothing to note: the failure is in the job's errors."""

    def release(self) -> None:
        """Finished: nothing per row stays (the job itself is kept for its result)."""
        self._rows = []
        self._table = CsvTable(self._table.header, [])
        self._pools = {}
        self._columns = []

    def dump_input(self) -> Json:
        return {"kind": "customer_import", "table": self._table.dump()}

    def dump_progress(self) -> Json:
        return {}

    def result(self, report: Report) -> Json:
        return import_result("customer", "source_id", report)
