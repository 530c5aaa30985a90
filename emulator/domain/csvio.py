"""Reading CSV files as users really write them: BOM or not, CRLF, quoted commas and newlines,
blank lines, header-only files. Whole-file problems raise CsvError; a row's own problem stays
with that row so it can fail alone."""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, overload


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
        row.number, row._names = number, names
        row._cells = tuple(cells if len(cells) <= len(names) else cells[: len(names)])
        row.problem, row.line = problem, line
        return row

    def cell(self, name: str, default: str = "") -> str:
        """The cell under header `name` (without building `values`)."""
        try:
            return self._cells[self._names.index(name)]
        except (ValueError, IndexError):
            return default

    @property
    def cells(self) -> tuple[str, ...]:
        """The cells in header order (fewer when the row is shorter than the header)."""
        return self._cells

    @property
    def values(self) -> dict[str, str]:
        """Header as written -> cell (a row shorter than the header lacks the last names)."""
        return dict(zip(self._names, self._cells, strict=False))


# Characters of the text split into lines at a time: io.StringIO holds a block at four bytes a
# character. Blocks of 65,536 left holes in the heap that kept 7 bytes a customer after a
# 100,000-row import; 8,192 keep none, and read as fast.
BLOCK = 1 << 13


def _line_end(text: str, at: int, size: int) -> int:
    """Just after the first line end at or after `at` (the text's end if none)."""
    lf = text.find("\n", at)
    cr = text.find("\r", at, size if lf < 0 else lf)
    if 0 <= cr < size - 1 and text[cr + 1] != "\n":  # a lone CR (old Mac files) ends a line
        return cr + 1
    return size if lf < 0 else lf + 1


def lines(text: str, block: int) -> Iterator[str]:
    """The text's lines as open(newline="") splits them (each ended by CR LF, CR or LF, or by
    the end), by io.StringIO over one block of about `block` characters at a time: over the
    whole text it would hold a copy at four bytes a character. A block ends just after a line's
    end (an LF, or a CR with no LF after it), so no line and no CR LF is cut. csv.reader over
    lines split by a regular expression took 1.6 times the CPU (100,000 rows: 93 against
    56 ms)."""

    def blocks() -> Iterator[io.StringIO]:
        start, size = 0, len(text)
        while start < size:
            end = _line_end(text, start + block - 1, size)
            yield io.StringIO(text[start:end], newline="")
            start = end

    return chain.from_iterable(blocks())


def _records(text: str, strict: bool, blanks: bool = True) -> tuple[Any, Iterator[list[str]]]:
    """csv.reader over the text's lines (`lines`), and its records without the blank ones
    (`blanks`: there may be some; a file known to have none is read without looking)."""
    reader = csv.reader(lines(text, BLOCK), strict=strict)
    if not blanks:
        return reader, reader
    return reader, (record for record in reader if "".join(record).strip())


class CsvRows(Sequence[CsvRow]):
    """A file's data records, read from its text when asked for rather than all kept as
    objects: reading them in order (as an import does) parses each once; any other index
    reads the file again up to it. `read_csv` has read the whole file once already, so reading
    it again never fails.

    100,000 rows kept as objects held 45 MB while an import ran, and the process kept most of
    it afterwards: the cells customers keep were scattered among the freed ones."""

    __slots__ = ("_blanks", "_last", "_lines", "_names", "_next", "_problems", "_reader",
                 "_strict", "_text")  # fmt: skip

    def __init__(
        self, text: str, names: Sequence[str], strict: bool, lines: array[int],
        problems: dict[int, str], blanks: bool = True,
    ) -> None:  # fmt: skip
        self._text, self._names, self._strict = text, names, strict
        self._blanks = blanks  # whether the file has blank records (else none is looked for)
        self._lines, self._problems = lines, problems  # each row's first line; rows' troubles
        self._reader: Iterator[list[str]] = iter(())
        self._next = -1  # the index the reader is at (-1: none yet)
        self._last: CsvRow | None = None  # the row read last (an import reads each twice)

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, index: int) -> CsvRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[CsvRow]: ...
    def __getitem__(self, index: int | slice) -> CsvRow | list[CsvRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self._lines)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("row index out of range")
        if index == self._next - 1 and self._last is not None:
            return self._last
        if index != self._next:  # past the header and the rows before
            records = _records(self._text, self._strict, self._blanks)[1]
            self._reader = islice(records, index + 1, None)
        self._next = index + 1
        self._last = row = self._row(index, next(self._reader))
        return row

    def __iter__(self) -> Iterator[CsvRow]:
        records = islice(_records(self._text, self._strict, self._blanks)[1], 1, None)
        for index, record in enumerate(records):
            yield self._row(index, record)

    def _row(self, index: int, record: list[str]) -> CsvRow:
        return CsvRow.of(index + 1, self._names, record, self._problems.get(index),
                         self._lines[index])  # fmt: skip


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    rows: Sequence[CsvRow]

    def has_column(self, normalised: str) -> bool:
        return any(normalise(name) == normalised for name in self.header)

    def dump(self) -> dict[str, object]:
        return {"header": self.header, "rows": [[r.number, r.values, r.problem] for r in self.rows]}

    @classmethod
    def load(cls, state: dict[str, Any]) -> CsvTable:
        header = list(state["header"])
        names = tuple(header)
        return cls(header, [_saved_row(names, n, v, p) for n, v, p in state["rows"]])


def _saved_row(names: tuple[str, ...], number: int, values: dict[str, str], problem: str | None
               ) -> CsvRow:  # fmt: skip
    """A row of a snapshot or state file, its cells in the header's order: a JSON object's keys
    have no order a tool re-writing the document must keep (cells are read by position). A row
    shorter than the header lacks the last names; a name missing in between is an empty cell."""
    count = max((i + 1 for i, name in enumerate(names) if name in values), default=0)
    return CsvRow.of(number, names, [values.get(name, "") for name in names[:count]], problem, 0)


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
    return not "".join(record).strip()


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
    text = _decode(data)
    reader = _records(text, strict, blanks=False)[0]
    starts, problems, blanks = array("q"), {}, False
    try:
        header = next(reader, None)
        while header is not None and _is_blank(header):
            header, blanks = next(reader, None), True
        if header is None:
            raise CsvError("The file is empty: its first line must be a header", "empty_file", 1)
        names = _check_header(header, reader.line_num)
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if _is_blank(record):
                blanks = True
                continue
            if len(record) != len(names):
                problems[len(starts)] = (
                    f"Row has {len(record)} fields but the header has {len(names)}"
                )
            starts.append(line)
    except csv.Error as error:
        line = reader.line_num
        raise CsvError(f"Malformed CSV near line {line}: {error}", "not_csv", line) from None
    return CsvTable(names, CsvRows(text, tuple(names), strict, starts, problems, blanks))
