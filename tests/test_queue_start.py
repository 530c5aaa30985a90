"""The start rule of the async-action queue: a job on an idle queue starts at once.

Real clients (the JS SDK's own CSV-import test, a commerce integration) poll
`GET /v1/async-actions/{id}` only while `status == "IN_PROGRESS"`, so a job on an idle queue
must never be seen ENQUEUED at its first poll. ENQUEUED is seen behind other work, or when a
test asks for a queue delay (the --job-queue-delay flag, the timings route, a rule).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, Client, action, advance, call, csv_form

from emulator.jobs.clock import Clock
from emulator.jobs.engine import Engine
from emulator.jobs.ids import IdGenerator
from emulator.jobs.model import Report
from emulator.settings import JobTiming

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


async def _import(client: Client, rows: int = 3, prefix: str = "q") -> str:
    body = "Source_id,Name\n" + "".join(f"{prefix}{n},N{n}\n" for n in range(rows))
    response = await client.post("/v1/customers/importCSV", data=csv_form(body), headers=AUTH)
    assert response.status == 202
    return str((await response.json())["async_action_id"])


async def _submit(client: Client, job_type: str) -> str:
    """Submit one job of this type on a fresh tenant; return its id."""
    if job_type == "CUSTOMERS.IMPORT_CSV":
        return await _import(client)
    if job_type == "CUSTOMERS.BULK_UPDATE":
        _, body = await call(client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "b"}])
    elif job_type == "CUSTOMERS.METADATA_UPDATE":
        _, body = await call(client, "POST", "/v1/customers/metadata/async",
                             json={"source_ids": ["b"], "metadata": {}})  # fmt: skip
    else:
        await call(client, "POST", "/v1/campaigns", json={"name": "Q"})
        response = await client.post(
            "/v1/campaigns/Q/importCSV", data=csv_form("Code\nQ1\n"), headers=AUTH
        )
        body = await response.json()
    return str(body["async_action_id"])


@pytest.mark.parametrize(
    "job_type",
    ["CUSTOMERS.IMPORT_CSV", "CUSTOMERS.BULK_UPDATE", "CUSTOMERS.METADATA_UPDATE",
     "CAMPAIGN.VOUCHERS_IMPORT_CSV"],
)  # fmt: skip
async def test_a_job_on_an_idle_queue_is_never_enqueued_at_its_first_poll(
    client: Client, job_type: str
) -> None:
    """Default settings on the manual clock: time has not moved since the submission, yet the
    job has started (IN_PROGRESS, started the instant it was submitted); a moment later it is
    DONE."""
    action_id = await _submit(client, job_type)
    first = await action(client, action_id)
    assert first["type"] == job_type
    assert first["status"] == "IN_PROGRESS" and first["progress"] == 0
    assert first["updated_at"] == first["created_at"]
    await advance(client, 0.001)
    assert (await action(client, action_id))["status"] == "DONE"


async def test_a_job_behind_other_work_is_enqueued_until_its_turn(client: Client) -> None:
    first = await _import(client, rows=2000, prefix="a")  # two portions of 1,000 rows, 20 ms each
    second = await _import(client, rows=10, prefix="b")
    assert (await action(client, first))["status"] == "IN_PROGRESS"
    assert (await action(client, second))["status"] == "ENQUEUED"
    await advance(client, 0.02)  # the first portion ends; the small job goes next
    assert (await action(client, second))["status"] == "IN_PROGRESS"
    assert (await action(client, first))["progress"] == 50
    await advance(client, 0.0002)
    assert (await action(client, second))["status"] == "DONE"


async def test_queue_delay_from_the_flag(make_client: ClientFactory) -> None:
    client = await make_client(job_timing=JobTiming(queue_delay=0.5))
    job = await _import(client)
    assert (await action(client, job))["status"] == "ENQUEUED"
    await advance(client, 0.5)
    assert (await action(client, job))["status"] == "IN_PROGRESS"


async def test_queue_delay_from_the_timings_route(client: Client) -> None:
    response = await client.post(
        "/_emulator/async-actions/timings",
        json={"type": "CUSTOMERS.IMPORT_CSV", "queue_delay": 2}, headers=AUTH,
    )  # fmt: skip
    assert response.status == 200 and (await response.json())["queue_delay"] == 2.0
    job = await _import(client)
    await advance(client, 1.999)
    assert (await action(client, job))["status"] == "ENQUEUED"
    await advance(client, 0.001)
    assert (await action(client, job))["status"] == "IN_PROGRESS"


async def test_queue_delay_from_a_rule_for_the_next_job_only(client: Client) -> None:
    response = await client.post(
        "/_emulator/async-actions/rules",
        json={"type": "CUSTOMERS.IMPORT_CSV", "queue_delay": 3, "count": 1}, headers=AUTH,
    )  # fmt: skip
    assert response.status == 200
    assert (await response.json())["rules"][0]["queue_delay"] == 3
    delayed = await _import(client, prefix="d")
    assert (await action(client, delayed))["status"] == "ENQUEUED"
    prompt = await _import(client, prefix="p")  # the rule is used up: no delay, and it is not
    assert (await action(client, prompt))["status"] == "IN_PROGRESS"  # held up by the other
    await advance(client, 3)
    assert (await action(client, delayed))["status"] == "IN_PROGRESS"


@pytest.mark.parametrize("delay", [-1, "soon", True, 10**9])
async def test_a_bad_rule_queue_delay_is_a_400(client: Client, delay: Any) -> None:
    response = await client.post(
        "/_emulator/async-actions/rules",
        json={"type": "*", "queue_delay": delay}, headers=AUTH,
    )  # fmt: skip
    assert response.status == 400
    assert "queue_delay" in (await response.json())["details"]


# -- the default real clock, over an injected wall time (no sleeping) ----------------------


class Wall:
    def __init__(self) -> None:
        self.seconds = 5_000.0

    def __call__(self) -> float:
        return self.seconds


class Rows:
    """A job of `count` items that only counts what it processed."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.applied = 0

    def size(self) -> int:
        return self.count

    def key(self, index: int) -> dict[str, Any]:
        return {"source_id": f"r{index}"}

    def apply(self, index: int) -> str | None:
        self.applied += 1
        return None

    def refused(self, index: int) -> None:
        pass

    def result(self, report: Report) -> dict[str, Any]:
        return {"done_count": report.done}

    def dump(self) -> dict[str, Any]:
        return {"kind": "rows"}

    def release(self) -> None:
        """Nothing to drop."""


def _engine(wall: Wall) -> Engine:
    clock = Clock("real", start=START, wall=wall)
    return Engine(clock, IdGenerator(1), lambda job_type: JobTiming())


def test_default_real_clock_a_thousand_rows_are_done_within_tens_of_ms() -> None:
    wall = Wall()
    engine = _engine(wall)
    work = Rows(1000)
    job = engine.submit("CUSTOMERS.IMPORT_CSV", work)
    assert job.status == "IN_PROGRESS"
    wall.seconds += 0.019
    engine.settle()
    assert job.status == "IN_PROGRESS" and work.applied == 0
    wall.seconds += 0.001
    engine.settle()
    assert job.status == "DONE" and work.applied == 1000
    assert job.result == {"done_count": 1000}


def test_poll_while_in_progress_reads_a_finished_job() -> None:
    """The JS SDK's loop: `while (status === 'IN_PROGRESS') wait`, then read the result."""
    wall = Wall()
    engine = _engine(wall)
    job = engine.submit("CUSTOMERS.IMPORT_CSV", Rows(300))
    seen = []
    while True:
        engine.settle()
        current = engine.get(job.id)
        seen.append(current.status)
        if current.status != "IN_PROGRESS":
            break
        wall.seconds += 0.002  # the client's pause between polls
    assert seen[0] == "IN_PROGRESS" and seen[-1] == "DONE"
    assert "ENQUEUED" not in seen and job.result == {"done_count": 300}
