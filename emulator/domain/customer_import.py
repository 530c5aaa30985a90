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
_ALL_TEXT = frozenset({str}).issuperset  # given the types of some values: all exactly str?


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


FIELD, ADDRESS, METADATA = 0, 1, 2
Column = tuple[int, str, "dict[str, str] | None"]  # where, the name there, its pool of values


def _route(header: str) -> Column:
    """Where a column goes: a field, the address or metadata, and the name there."""
    name = normalise(header)
    if name in _FIELDS:
        return (FIELD, _FIELDS[name], None)
    if name in _ADDRESS:
        return (ADDRESS, _ADDRESS[name], {})
    return (METADATA, header, {})


class CustomerImport:
    def __init__(self, table: CsvTable, customers: Customers, schemas: MetadataSchemas) -> None:
        self._table = table
        self._rows = table.rows
        self._customers = customers
        self._schemas = schemas
        self._source_column = next((h for h in table.header if normalise(h) == "source_id"), None)
        self._columns = [_route(header) for header in table.header]
        self._objects: tuple[dict[Any, Json], dict[Any, Json]] = ({}, {})  # address, metadata

    def size(self) -> int:
        return len(self._rows)

    def key(self, index: int) -> Json:
        column = self._source_column
        return {"source_id": self._rows[index].cell(column).strip() if column else ""}

    def _split(self, row: CsvRow) -> tuple[Json, Json, Json]:
        """The row's fields, address and metadata cells. Equal field cells are one string (a
        source_id that is also the email is kept once); a value an address or metadata column
        repeats (a city, a country, a tier) is one string for all rows: 100,000 customers then
        hold a few, not 100,000. A column past POOLED distinct values stops being pooled."""
        fields: Json = {}
        parts: tuple[Json, Json, Json] = (fields, {}, {})
        for column, value in zip(self._columns, row.cells, strict=False):
            cell = value.strip()
            if not cell:
                continue
            where, name, pool = column
            if where == FIELD:
                for known in fields.values():
                    if known == cell:
                        cell = known
                        break
            elif pool is not None:
                shared = pool.get(cell)
                if shared is not None:
                    cell = shared
                elif len(pool) < POOLED:
                    pool[cell] = cell
                else:  # not a column of a few values
                    self._columns[self._columns.index(column)] = (where, name, None)
            parts[where][name] = cell
        return parts

    def _shared(self, pool: dict[Any, Json], value: Json) -> Json:
        """One object for an address or metadata object that repeats, all of text (nothing
        changes a stored object in place, see customer_entry.ZEROED); past POOLED objects,
        no more are pooled."""
        if not _ALL_TEXT(map(type, value.values())):
            return value  # (1 and True are equal keys; a list is none)
        key = tuple(value.items())
        shared = pool.get(key)
        if shared is not None:
            return shared
        if len(pool) < POOLED:
            pool[key] = value
        return value

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
            merged = {**old, **address} if old else address
            fields["address"] = self._shared(self._objects[0], merged)
        if metadata:
            typed = self._schemas.from_cells("customer", metadata)
            old = current.get("metadata")
            fields["metadata"] = self._shared(self._objects[1], {**old, **typed} if old else typed)
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
        self._objects = ({}, {})
        self._columns = []
        self._customers.settle()

    def dump_input(self) -> Json:
        return {"kind": "customer_import", "table": self._table.dump()}

    def dump_progress(self) -> Json:
        return {}

    def result(self, report: Report) -> Json:
        return import_result("customer", "source_id", report)
