"""What keeps a big customer import small behaves exactly as the plain forms did: CSV rows read
from the file's text when asked for (not kept as objects), repeated address and metadata
objects and equal cells shared between customers, and listing orders that take added customers
in bulk at the next read."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, Client, call, csv_form, run_until_idle, tenant_of

from emulator.domain import csvio
from emulator.domain.activity import ActivityLog
from emulator.domain.csvio import CsvRow, read_csv
from emulator.domain.customer_list import CustomerQuery
from emulator.domain.customers import Customers
from emulator.jobs.clock import Clock
from emulator.jobs.ids import IdGenerator
from emulator.settings import ZERO_DELAYS

FILES = [
    b"a,b\r\n1,2\r\n\r\n3,4\r\n",
    b"\xef\xbb\xbfa,b\n\n\n\"x\ny\",2\n  ,  \n5,6,7\n8\n\"q\"\"uote\",\r9,10",
    b"\n\nName,City\n\"A, B\",Paris\n,\n\"multi\r\nline\",Rome\n",
    b"h\n" + b"".join(b"v%d\n" % n for n in range(50)),
    # blank records before the header only, or only as empty quoted cells: still skipped when
    # rows are read again (a file without any is read again without looking for them)
    b"\n  \r\n,\nh,i\n1,2\n3,4",
    b'a,b\n1,2\n"",""\n" ",3\n',
]


def eager(data: bytes) -> list[tuple[int, int, tuple[str, ...], str | None]]:
    """Every data row as the parser read them before rows were read lazily: number, first line,
    cells, problem."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(record for record in reader if any(c.strip() for c in record))
    rows, start = [], reader.line_num + 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        problem = None
        if len(record) != len(header):
            problem = f"Row has {len(record)} fields but the header has {len(header)}"
        rows.append((len(rows) + 1, line, tuple(record[: len(header)]), problem))
    return rows


def seen(row: CsvRow) -> tuple[int, int, tuple[str, ...], str | None]:
    return (row.number, row.line, row.cells, row.problem)


@pytest.mark.parametrize("data", FILES)
def test_rows_read_from_the_text_equal_an_eager_parse_in_any_order(data: bytes) -> None:
    expected = eager(data)
    rows = read_csv(data).rows
    assert len(rows) == len(expected)
    assert [seen(row) for row in rows] == expected  # iterated
    assert [seen(rows[i]) for i in range(len(rows))] == expected  # in order, by index
    order = [i for i in range(len(rows)) for _ in range(2)]  # each twice, as an import reads
    random.Random(7).shuffle(order)
    assert [seen(rows[i]) for i in order] == [expected[i] for i in order]
    assert [seen(row) for row in rows[-2:]] == expected[-2:]
    with pytest.raises(IndexError):
        rows[len(rows)]


@pytest.mark.parametrize("data", FILES)
def test_lines_read_a_block_at_a_time_are_the_lines_open_splits(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of any size (so cut after every possible \\n, within quoted cells, before a lone
    \\r) give the lines io.StringIO gives over the whole text, and the same rows."""
    text = data.decode("utf-8-sig")
    whole = list(io.StringIO(text, newline=""))
    expected = eager(data)
    for block in [*range(1, 14), csvio.BLOCK]:
        assert list(csvio.lines(text, block)) == whole
        monkeypatch.setattr(csvio, "BLOCK", block)
        rows = read_csv(data).rows
        assert [seen(rows[i]) for i in range(len(rows))] == expected


def test_a_file_of_many_blocks_reads_as_one() -> None:
    lines = [f"{n},\"{'x' * (n % 90)}\r\ny\",{n % 7}" for n in range(3000)]
    data = ("a,b,c\r\n" + "\n".join(lines) + "\r\n").encode()
    assert len(data) > 2 * csvio.BLOCK
    expected = eager(data)
    rows = read_csv(data).rows
    assert [seen(row) for row in rows] == expected
    assert [seen(rows[i]) for i in range(len(rows))] == expected
    assert rows[2999].cells == ("2999", "x" * (2999 % 90) + "\r\ny", str(2999 % 7))


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"])
def test_a_block_ends_at_any_line_end(end: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file with lone CRs for line ends (old Mac files) is split into blocks too, not held
    whole at four bytes a character; its lines and rows are as before."""
    text = "a,b\r" + end.join(f"{n},\"q{end}{n}\"" for n in range(2000)) + end
    made: list[int] = []
    string_io = io.StringIO

    def recorded(part: str, newline: str | None = None) -> io.StringIO:
        made.append(len(part))
        return string_io(part, newline=newline)

    monkeypatch.setattr(csvio.io, "StringIO", recorded)
    got = list(csvio.lines(text, 1024))
    assert got == list(string_io(text, newline=""))
    assert len(made) > 10 and max(made) < 1100
    rows = read_csv(text.encode()).rows
    assert rows[1999].cells == ("1999", f"q{end}1999")


@pytest.fixture
async def client(make_client: ClientFactory) -> Client:
    return await make_client(job_timing=ZERO_DELAYS)


async def test_imported_customers_share_repeated_values_and_stay_independent(
    client: Client,
) -> None:
    content = "Source_id,Email,Name,Address_City,Tier\n" + "".join(
        f"c{n}@x.io,c{n}@x.io,N{n},City {n % 2},t{n % 3}\n" for n in range(6)
    )
    response = await client.post("/v1/customers/importCSV", data=csv_form(content), headers=AUTH)
    assert response.status == 202
    await run_until_idle(client)
    customers = tenant_of(client).customers
    first, third = customers.entry("c0@x.io"), customers.entry("c2@x.io")
    assert first.own["address"] is third.own["address"]  # one object for City 0
    assert first.own["email"] is first.own["source_id"]
    status, shown = await call(client, "GET", "/v1/customers/c2@x.io")
    assert status == 200
    assert (shown["source_id"], shown["email"], shown["name"]) == ("c2@x.io", "c2@x.io", "N2")
    assert shown["address"] == {"city": "City 0"} and shown["metadata"] == {"Tier": "t2"}
    # Writing one customer's shared objects leaves the others' alone.
    status, _ = await call(client, "PUT", "/v1/customers/c0@x.io", json={
        "address": {"city": "Oslo"}, "metadata": {"Tier": "gold"}})  # fmt: skip
    assert status == 200
    status, other = await call(client, "GET", "/v1/customers/c2@x.io")
    assert other["address"] == {"city": "City 0"} and other["metadata"] == {"Tier": "t2"}
    assert customers.entry("c4@x.io").own["address"] == {"city": "City 0"}


def test_customers_added_in_bulk_list_as_if_placed_one_by_one() -> None:
    """More than a quarter of the list added between two reads (sorted in together), at one
    instant and at earlier ones, with some of them updated or deleted before the next read."""
    ids, clock = IdGenerator(3), Clock("manual", 1.0, datetime(2026, 1, 1, tzinfo=UTC))
    customers = Customers(ids, clock, ActivityLog(ids, "t"))
    for n in range(80):
        customers.create({"source_id": f"s{n:03}", "name": "Old"})
        clock.advance(1)
    assert customers.query(CustomerQuery(limit=1)).total == 80  # the orders exist
    rng = random.Random(5)
    made: list[str] = []
    for n in range(200):
        body: dict[str, Any] = {"name": "New"}
        if rng.random() < 0.8:
            body["source_id"] = f"s{rng.randint(0, 400):03}-{n}"
        with clock.pinned(clock.now() - timedelta(seconds=rng.choice([0, 0, 30]))):
            made.append(customers.create(body)["id"])
    customers.delete(made[5])
    customers.update(made[7], {"name": "Changed"})
    everyone = list(customers.entries())
    for order in ("-created_at", "created_at", "-updated_at", "updated_at", "source_id",
                  "-source_id"):  # fmt: skip
        got = customers.query(CustomerQuery(order=order, limit=100, page=2))
        descending = order.startswith("-")
        field = order.lstrip("-")

        def key(entry: Any, field: str = field) -> Any:
            if field == "source_id":
                return (bool(entry.own.get("source_id")), entry.own.get("source_id") or "",
                        entry.seq)  # fmt: skip
            moment = entry.created if field == "created_at" else entry.touched
            return (moment, entry.seq)

        expected = sorted(everyone, key=key, reverse=descending)[100:200]
        assert [c["id"] for c in got.items] == [e.id for e in expected], order
