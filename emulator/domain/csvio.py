"""Reading CSV files as users really write them: BOM or not, CRLF, quoted commas and newlines,
blank lines, header-only files. Whole-file problems raise CsvError; a row's own problem stays
with that row so it can fail alone."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any


class CsvError(ValueError):
    """The file as a whole cannot be read as CSV: `code` says why, `line` where (when known)."""

    def __init__(self, message: str, code: str = "not_csv", line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.line = line


@dataclass(frozen=True)
class CsvRow:
    number: int  # 1-based, counting data records only (not the header, not blank lines)
    values: dict[str, str]  # header as written -> cell
    problem: str | None = None
    line: int = 0  # line of the file where the record starts (the header is line 1 or later)


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    rows: list[CsvRow]

    def has_column(self, normalised: str) -> bool:
        return any(normalise(name) == normalised for name in self.header)

    def dump(self) -> dict[str, object]:
        return {"header": self.header, "rows": [[r.number, r.values, r.problem] for r in self.rows]}

    @classmethod
    def load(cls, state: dict[str, Any]) -> CsvTable:
        return cls(list(state["header"]), [CsvRow(n, v, p) for n, v, p in state["rows"]])


def normalise(header: str) -> str:
    """Headers match case-insensitively, and `Gift Amount` matches `gift_amount`."""
    return "_".join(header.strip().lower().replace("-", " ").replace("_", " ").split())


def _decode(data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise CsvError("The file is not a CSV file: it contains binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CsvError(
            f"The file is not UTF-8 encoded (invalid byte at offset {error.start}, line {line}); "
            "save it as UTF-8 and import it again",
            "not_utf8",
            line,
        ) from None


def _is_blank(record: list[str]) -> bool:
    return all(not cell.strip() for cell in record)


def _check_header(header: list[str], line: int) -> list[str]:
    names = [cell.strip() for cell in header]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            raise CsvError(f"Column {position} of the header has no name", "unnamed_column", line)
        key = normalise(name)
        if key in seen:
            raise CsvError(
                f"Duplicate column '{name}' in the header (columns {seen[key]} and {position})",
                "duplicate_column",
                line,
            )
        seen[key] = position
    return names


def read_csv(data: bytes, strict: bool = False) -> CsvTable:
    """`strict` refuses what the csv module otherwise forgives (an unclosed quote at the end,
    text after a closing quote)."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""), strict=strict)
    try:
        header = next((record for record in reader if not _is_blank(record)), None)
        if header is None:
            raise CsvError("The file is empty: its first line must be a header", "empty_file", 1)
        names = _check_header(header, reader.line_num)
        rows: list[CsvRow] = []
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if _is_blank(record):
                continue
            problem = None
            if len(record) != len(names):
                problem = f"Row has {len(record)} fields but the header has {len(names)}"
            values = dict(zip(names, record, strict=False))
            rows.append(CsvRow(len(rows) + 1, values, problem, line))
    except csv.Error as error:
        line = reader.line_num
        raise CsvError(f"Malformed CSV near line {line}: {error}", "not_csv", line) from None
    return CsvTable(names, rows)
