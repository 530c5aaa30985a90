"""Reading CSV files as users really write them: BOM or not, CRLF, quoted commas and newlines,
blank lines, header-only files. Whole-file problems raise CsvError; a row's own problem stays
with that row so it can fail alone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


class CsvError(ValueError):
    """The file as a whole cannot be read as CSV: `code` says why, `line` where (when known)."""

    def __init__(self, message: str, code: str = "not_csv", line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.line = line


class CsvRow:
    """One record: its cells, read by header through `values`. The cells are kept as a tuple
    beside the table's one list of names (a dict per row cost 3x the memory: 100,000 rows held
    40 MB more while an import ran, and the process kept it)."""

    __slots__ = ("_cells", "_names", "line", "number", "problem")

    def __init__(
        self, number: int, values: dict[str, str], problem: str | None = None, line: int = 0
    ) -> None:
        self.number = number  # 1-based, counting data records only (not header, blank lines)
        self._names: Sequence[str] = tuple(values)
        self._cells: tuple[str, ...] = tuple(values.values())
        self.problem = problem
        self.line = line  # line of the file where the record starts (the header is 1 or later)

    @classmethod
    def of(
        cls, number: int, names: Sequence[str], cells: Sequence[str], problem: str | None,
        line: int,
    ) -> CsvRow:  # fmt: skip
        row = cls.__new__(cls)
        row.number, row._names, row._cells = number, names, tuple(cells[: len(names)])
        row.problem, row.line = problem, line
        return row

    def cell(self, name: str, default: str = "") -> str:
        """The cell under header `name` (without building `values`)."""
        try:
            return self._cells[self._names.index(name)]
        except (ValueError, IndexError):
            return default

    @property
    def values(self) -> dict[str, str]:
        """Header as written -> cell (a row shorter than the header lacks the last names)."""
        return dict(zip(self._names, self._cells, strict=False))


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


# Cells a spreadsheet would read as a formula (OWASP, "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a `'` before it."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_csv(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    """CSV with every cell quoted as needed (commas, quotes, line breaks) and neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(tuple(safe_cell(str(cell)) for cell in row) for row in rows)
    return out.getvalue()


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
            rows.append(CsvRow.of(len(rows) + 1, names, record, problem, line))
    except csv.Error as error:
        line = reader.line_num
        raise CsvError(f"Malformed CSV near line {line}: {error}", "not_csv", line) from None
    return CsvTable(names, rows)
