"""Reading a customer list (the dashboard's CSV upload) and finding what is wrong with it.

The rules of the flow: comma-separated UTF-8, at most 10,000 data rows and 10 MB; the header
must contain `identifier` (it becomes the customer's source_id); `email`, `name` and
`loyalty_points` are optional; every other column is a customer segment category. Headers
match case-insensitively. Every problem is a troubleshooting error naming its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from emulator.domain.csvio import CsvError, CsvRow, CsvTable, normalise, read_csv

Json = dict[str, Any]
MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024
MAX_POINTS = 2**31 - 1
FIELDS = ("identifier", "name", "email", "loyalty_points")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.][^@\s]*\.[^@\s.]+")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Trouble:
    """One troubleshooting error. `row` counts data rows from 1 (as import results do) and is
    None for the file or its header; `line` is the line of the file."""

    code: str
    reason: str
    row: int | None = None
    line: int | None = None
    column: str | None = None

    def view(self) -> Json:
        return {"row": self.row, "line": self.line, "column": self.column,
                "code": self.code, "reason": self.reason}  # fmt: skip


@dataclass(frozen=True)
class ListRow:
    """A row that passed every check."""

    row: int
    identifier: str
    name: str | None = None
    email: str | None = None
    points: int | None = None
    segments: dict[str, str] = field(default_factory=dict)  # category -> value (non-empty)


@dataclass(frozen=True)
class ListFile:
    categories: list[str]  # the category columns, as written, in file order
    rows: list[ListRow]
    troubles: list[Trouble]
    row_count: int  # data rows in the file, valid or not


def email_problem(value: str) -> str | None:
    if _EMAIL.fullmatch(value):
        return None
    return f"'{value}' is not a valid email address"


def points_problem(value: str) -> str | None:
    # the length first: int() refuses more than 4,300 digits with a ValueError
    if len(value) <= len(str(MAX_POINTS)) and _DIGITS.fullmatch(value) and int(value) <= MAX_POINTS:
        return None
    shown = value if len(value) <= 40 else value[:40] + "..."
    return f"must be a non-negative integer up to {MAX_POINTS:,} (got '{shown}')"


def _whole_file(code: str, reason: str, line: int | None = None, column: str | None = None
                ) -> ListFile:  # fmt: skip
    return ListFile([], [], [Trouble(code, reason, None, line, column)], 0)


def _header_trouble(table: CsvTable) -> Trouble | None:
    if table.has_column("identifier"):
        return None
    if len(table.header) == 1 and any(sep in table.header[0] for sep in ";\t|"):
        reason = (f"The file is not comma-separated (its header '{table.header[0]}' is one "
                  "column): save it as CSV, comma-separated values")  # fmt: skip
        return Trouble("not_comma_separated", reason, None, 1, None)
    reason = "The header has no identifier column; it must contain 'identifier'"
    return Trouble("missing_identifier", reason, None, 1, "identifier")


def read_list(data: bytes) -> ListFile:
    if len(data) > MAX_BYTES:
        return _whole_file("file_too_large", f"The file is {len(data):,} bytes; "
                           f"at most {MAX_BYTES:,} bytes (10 MB) can be uploaded")  # fmt: skip
    if not data.strip():
        return _whole_file("empty_file", "The file is empty: its first line must be a header "
                           "that contains 'identifier'", 1)  # fmt: skip
    try:
        table = read_csv(data, strict=True)
    except CsvError as error:
        return _whole_file(error.code, str(error), error.line)
    trouble = _header_trouble(table)
    if trouble is not None:
        return ListFile([], [], [trouble], len(table.rows))
    if len(table.rows) > MAX_ROWS:
        reason = (f"The file has {len(table.rows):,} customers; at most {MAX_ROWS:,} can be "
                  "uploaded at once. Nothing was applied: split the file and upload each part")
        return ListFile([], [], [Trouble("too_many_rows", reason)], len(table.rows))  # fmt: skip
    return _check_rows(table)


def _check_rows(table: CsvTable) -> ListFile:
    columns = {normalise(h): h for h in table.header if normalise(h) in FIELDS}
    categories = [h for h in table.header if normalise(h) not in FIELDS]
    rows: list[ListRow] = []
    troubles: list[Trouble] = []
    first_row: dict[str, int] = {}
    for record in table.rows:
        found = _check_row(record, columns, first_row)
        if found:
            troubles.extend(found)
            continue
        rows.append(_list_row(record, columns, categories))
    return ListFile(categories, rows, troubles, len(table.rows))


def _check_row(record: CsvRow, columns: dict[str, str], first_row: dict[str, int]
               ) -> list[Trouble]:  # fmt: skip
    def trouble(code: str, reason: str, column: str | None) -> Trouble:
        return Trouble(code, reason, record.number, record.line, column)

    if record.problem is not None:
        return [trouble("wrong_field_count", record.problem, None)]
    found = []
    column = columns["identifier"]
    identifier = record.values[column].strip()
    if not identifier:
        found.append(trouble("empty_identifier", "The identifier is empty", column))
    elif identifier in first_row:
        reason = f"Identifier '{identifier}' already appears in row {first_row[identifier]}"
        found.append(trouble("duplicate_identifier", reason, column))
    else:
        first_row[identifier] = record.number
    checks = (("email", email_problem, "invalid_email"),
              ("loyalty_points", points_problem, "invalid_loyalty_points"))  # fmt: skip
    for name, check, code in checks:
        cell = record.values[columns[name]].strip() if name in columns else ""
        problem = check(cell) if cell else None
        if problem is not None:
            found.append(trouble(code, problem, columns[name]))
    return found


def _list_row(record: CsvRow, columns: dict[str, str], categories: list[str]) -> ListRow:
    def cell(name: str) -> str | None:
        value = record.values[columns[name]].strip() if name in columns else ""
        return value or None

    points = cell("loyalty_points")
    segments = {c: record.values[c].strip() for c in categories if record.values[c].strip()}
    return ListRow(record.number, str(cell("identifier")), cell("name"), cell("email"),
                   None if points is None else int(points), segments)  # fmt: skip
