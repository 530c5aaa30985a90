"""Get, update and delete by id and by source_id: the time at a big tenant against a small one,
measured side by side so that the machine's drift cancels.

Two emulators run at once, each with its own tenant (say 1,000 and 100,000 customers). They take
turns request by request, PAIRS times for each operation: small then big, then big then small
(so neither side is always first), each pair on customers of their own spread across the tenant
(deletes remove distinct customers); the operations themselves take turns in ROUNDS slices, so
a slow second falls on all of them. Each request's time is the server's own (`duration_ms` in
its journal). A pair's two requests are a millisecond or two apart, so a slower minute weighs
on both: each pair gives a ratio big / small, and an operation's ratio is the median of its
pairs' ratios (robust to the odd request that a pause or a collection hits), with the quartiles
of those ratios as its spread. The medians of each side's times are the figures shown.

Run alone (`python bench/bykey.py [small big]`, default 1000 100000) it starts its two
emulators, imports their customers and prints one line per operation.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.settings import Settings

if TYPE_CHECKING:  # the pure helpers load without the bench's other modules (its unit test)
    from common import Client

PAIRS = 100  # requests per operation per side (all 600 pairs take 1-3 s)
ROUNDS = 5  # slices of each operation's pairs, the operations taking turns
JOURNAL = Settings.journal_size  # entries each emulator keeps (no flag changes it)
OPERATIONS = ("get by id", "get by source_id", "update by id", "update by source_id",
              "delete by id", "delete by source_id")  # fmt: skip
BODY = {"name": "Renamed", "metadata": {"tier": "gold"}}


@dataclass(frozen=True)
class Compared:
    """One operation at two sizes: each side's median server ms; the median and quartiles of
    the pairs' ratios big / small."""

    small_ms: float
    big_ms: float
    ratio: float
    low: float
    high: float


def schedule(pairs: int, rounds: int = ROUNDS) -> list[tuple[str, int, tuple[int, int]]]:
    """Every pair as (operation, index of its customers, order of the sides: 0 small, 1 big).
    The operations take turns in `rounds` slices of their pairs, so a slow second of the
    machine falls on all of them rather than on one; the side that goes first alternates."""
    return [
        (operation, index, (0, 1) if index % 2 == 0 else (1, 0))
        for slice_ in range(rounds) for operation in OPERATIONS
        for index in range(slice_ * pairs // rounds, (slice_ + 1) * pairs // rounds)
    ]  # fmt: skip


def compare(small: Sequence[float], big: Sequence[float]) -> Compared:
    """Times of the same pairs, in order: small[n] and big[n] were taken one after the other."""
    assert len(small) == len(big) >= 2, (len(small), len(big))
    ratios = [b / max(s, 1e-6) for s, b in zip(small, big, strict=True)]
    low, middle, high = statistics.quantiles(ratios, n=4, method="inclusive")
    return Compared(statistics.median(small), statistics.median(big), middle, low, high)


def spread(rows: int, pairs: int) -> list[list[int]]:
    """Three groups of `pairs` customer numbers (c{n}@example.com), spread over the tenant: one
    to get and update, one to delete by id, one to delete by source_id."""
    step = rows / (3 * pairs)
    assert step >= 1, f"{rows} customers are too few for {pairs} pairs"
    numbers = [int(n * step) for n in range(3 * pairs)]
    return [numbers[group::3] for group in range(3)]


class Side:
    """One emulator's tenant and the customers its requests go to."""

    def __init__(self, client: Client, rows: int, pairs: int = PAIRS) -> None:
        self.client, self.rows, self.pairs = client, rows, pairs
        self.kept, self.by_id, self.by_source = spread(rows, pairs)
        self.ids: dict[int, str] = {}

    async def prepare(self) -> None:
        """The ids of the customers requested by id (this also warms the server up)."""
        for n in self.kept + self.by_id:
            self.ids[n] = (await self.client.json("GET", f"/v1/customers/c{n}@example.com"))["id"]

    def request(self, operation: str, index: int) -> tuple[str, str, dict[str, Any]]:
        verb, _, key = operation.partition(" by ")
        method = {"get": "GET", "update": "PUT", "delete": "DELETE"}[verb]
        group = self.kept if verb != "delete" else (self.by_id if key == "id" else self.by_source)
        n = group[index]
        customer = self.ids[n] if key == "id" else f"c{n}@example.com"
        return method, f"/v1/customers/{customer}", {"json": BODY} if method == "PUT" else {}


async def side_by_side(small: Side, big: Side) -> dict[str, Compared]:
    """Every operation, small and big taking turns request by request (see `schedule`)."""
    sides, plan = (small, big), schedule(small.pairs)
    assert small.pairs == big.pairs and len(plan) <= JOURNAL, "the requests fit in each journal"
    assert small.client.url != big.client.url, "two emulators: each journal holds one side"
    for side in sides:
        await side.prepare()
        await side.client.clear_journal()
    for operation, index, order in plan:
        for which in order:
            method, path, extra = sides[which].request(operation, index)
            await sides[which].client.json(method, path, **extra)
    times: list[dict[str, list[float]]] = []
    for side in sides:
        entries = await side.client.journal(len(plan))
        expected = [side.request(operation, index)[:2] for operation, index, _ in plan]
        assert [(entry["method"], entry["path"]) for entry in entries] == expected
        times.append({operation: [] for operation in OPERATIONS})
        for (operation, _, _), entry in zip(plan, entries, strict=True):
            times[-1][operation].append(float(entry["duration_ms"]))
    return {operation: compare(times[0][operation], times[1][operation])
            for operation in OPERATIONS}  # fmt: skip


def line(operation: str, compared: Compared) -> str:
    c = compared
    return (f"{operation} {c.big_ms:.3f} vs {c.small_ms:.3f} ms "
            f"({c.ratio:.2f}x, quartiles {c.low:.2f}-{c.high:.2f})")  # fmt: skip


async def main(small_rows: int, big_rows: int) -> None:
    import aiohttp
    import scale
    from common import Client, Emulator

    async with (
        Emulator(*scale.FLAGS) as first, Emulator(*scale.FLAGS) as second,
        aiohttp.ClientSession() as session,
    ):  # fmt: skip
        sides = []
        for emulator, rows in ((first, small_rows), (second, big_rows)):
            client = Client(session, emulator.url)
            await scale.import_customers(client, emulator, scale.Size(rows))
            sides.append(Side(client, rows))
        for operation, compared in (await side_by_side(*sides)).items():
            print(line(operation, compared))


if __name__ == "__main__":
    sizes = [int(n) for n in sys.argv[1:3]] or [1000, 100000]
    asyncio.run(main(*sizes))
