"""The state file: changes saved while running (write-behind), a real process killed with
SIGKILL or stopped with SIGTERM loses nothing that was saved, corrupt files refuse to start with
one line and stay untouched, crashes leave no temporary files or half saves behind, and a tenant
that cannot be saved never costs the others."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from conftest import ClientFactory
from helpers import AUTH, CONTROL, OTHER, Client, call, csv_form, tenant_of
from processes import Emulator, run_to_exit

from emulator.control.statefile import StateFile
from emulator.control.statelog import HEADER
from emulator.http.keys import STATE_FILE

MANUAL = ("--clock", "manual", "--clock-start", "2026-01-15T09:30:00+00:00", "--seed", "3")
TIMING = {"queue_delay": 1, "item_seconds": 0.01, "portion_size": 100}


async def send(session: aiohttp.ClientSession, method: str, url: str, **kw: Any) -> Any:
    async with session.request(method, url, **kw) as response:
        assert response.status < 300, (method, url, response.status, await response.text())
        return await response.json() if response.status != 204 else None


async def busy(session: aiohttp.ClientSession, url: str) -> None:
    """Customers written every way, vouchers, and async actions queued, mid-way and held."""
    for n in range(30):
        await send(session, "POST", f"{url}/v1/customers", json={"source_id": f"s{n}"})
    for n in range(5):
        await send(session, "PUT", f"{url}/v1/customers/s{n}", json={"name": f"N{n}"})
    await send(session, "DELETE", f"{url}/v1/customers/s5")
    await send(session, "POST", f"{url}/v1/customers/s6/permanent-deletion")
    await send(session, "POST", f"{url}/v1/campaigns", json={"name": "C"})
    form = aiohttp.FormData()
    form.add_field("file", b"Code\nG1\nG2\n", filename="v.csv")
    await send(session, "POST", f"{url}/v1/campaigns/C/importCSV", data=form)
    await send(session, "POST", f"{url}/_emulator/async-actions/timings",
               json={"type": "CUSTOMERS.IMPORT_CSV", **TIMING})  # fmt: skip
    form = aiohttp.FormData()
    rows = "Source_id,Name\n" + "".join(f"big{n},B\n" for n in range(250))
    form.add_field("file", rows.encode(), filename="c.csv")
    await send(session, "POST", f"{url}/v1/customers/importCSV", data=form)
    held = await send(session, "POST", f"{url}/v1/customers/bulk/async", json=[{"source_id": "h"}])
    await send(session, "POST", f"{url}/_emulator/async-actions/{held['async_action_id']}",
               json={"hold": True})  # fmt: skip
    await send(session, "POST", f"{url}/_emulator/clock", json={"advance_seconds": 2.5})
    await send(session, "POST", f"{url}/v1/customers", json={"source_id": "o"}, headers=OTHER)


async def total(session: aiohttp.ClientSession, url: str, headers: dict[str, str] = AUTH) -> int:
    body = await send(session, "GET", f"{url}/v1/customers?limit=1", headers=headers)
    return int(body["total"])


async def test_sigkill_loses_nothing_that_was_saved(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    emulator = await Emulator("--state-file", str(path), *MANUAL).start()
    async with aiohttp.ClientSession(headers={**AUTH, **CONTROL}) as session:
        await busy(session, emulator.url)
        await emulator.saved(session)  # the write-behind has caught up
        before = await send(session, "GET", f"{emulator.url}/_emulator/state")
        customers = await total(session, emulator.url)
    assert await emulator.stop(signal.SIGKILL) == -signal.SIGKILL

    emulator = await Emulator("--state-file", str(path), *MANUAL).start()
    try:
        async with aiohttp.ClientSession(headers={**AUTH, **CONTROL}) as session:
            assert await send(session, "GET", f"{emulator.url}/_emulator/state") == before
            assert customers == 30 - 2 + 100  # s5 deleted, s6 erased; the import's 1st portion
            assert await total(session, emulator.url) == customers
            assert await total(session, emulator.url, OTHER) == 1
            idle = f"{emulator.url}/_emulator/async-actions/run-until-idle"
            finished = await send(session, "POST", idle)
            assert {job["type"] for job in finished["finished"]} == {"CUSTOMERS.IMPORT_CSV"}
            assert await total(session, emulator.url) == 30 - 2 + 250
    finally:
        assert await emulator.stop() == 0


async def test_sigterm_saves_everything_before_exiting(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    emulator = await Emulator("--state-file", str(path), "--seed", "1").start()
    async with aiohttp.ClientSession(headers={**AUTH, **CONTROL}) as session:
        await asyncio.gather(*(
            send(session, "POST", f"{emulator.url}/v1/customers", json={"source_id": f"c{n}"})
            for n in range(200)
        ))  # fmt: skip
    assert await emulator.stop(signal.SIGTERM) == 0  # no waiting for the write-behind
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.jsonl"]

    emulator = await Emulator("--state-file", str(path), "--seed", "1").start()
    try:
        async with aiohttp.ClientSession(headers={**AUTH, **CONTROL}) as session:
            assert await total(session, emulator.url) == 200
    finally:
        assert await emulator.stop(signal.SIGINT) == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (json.dumps(HEADER).encode() + b"\nnot a record\n", "line 2 is corrupt"),
        (b'{"version": 1, "tenants": {}}', "not a JSON state file"),
        (b"\x00\x01\x02 binary", "not a JSON state file"),
        (b'{"format":"something-else"}\n', "not a version-2 state file"),
        (json.dumps(HEADER).encode() + b'\n["a","meta",""]\t{"clock":1}\n["","commit",""]\t1\n',
         "tenant a: malformed snapshot"),
    ],
)
async def test_a_corrupt_state_file_stops_the_start_with_one_line(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "state.jsonl"
    path.write_bytes(content)
    before = os.stat(path)
    code, stderr = await run_to_exit("--state-file", str(path))
    assert code != 0
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert str(path) in stderr and problem in stderr and "Traceback" not in stderr
    assert path.read_bytes() == content
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns


async def test_crash_leftovers_are_cleaned_and_a_half_save_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    emulator = await Emulator("--state-file", str(path)).start()
    async with aiohttp.ClientSession(headers={**AUTH, **CONTROL}) as session:
        await send(session, "POST", f"{emulator.url}/v1/customers", json={"source_id": "kept"})
    assert await emulator.stop() == 0
    leftover = tmp_path / "state.jsonl.k2j3h4.tmp"
    leftover.write_bytes(b"half a rewrite")
    with path.open("ab") as stream:  # a save that a crash cut short: never committed
        stream.write(b'["app-1","customer","cust_x"]\t{"data":{"id":"cust_x","source_id":"lost"}')
    emulator = await Emulator("--state-file", str(path)).start()
    try:
        assert not leftover.exists()
        async with aiohttp.ClientSession(headers={**AUTH, **CONTROL}) as session:
            assert await total(session, emulator.url) == 1
            async with session.get(f"{emulator.url}/v1/customers/lost") as response:
                assert response.status == 404
    finally:
        assert await emulator.stop() == 0


async def reopen(path: Path, make_client: ClientFactory) -> Client:
    return await make_client(state_file=path)


async def state(client: Client) -> Any:
    response = await client.get("/_emulator/state")
    assert response.status == 200
    return await response.json()


async def test_one_tenant_that_cannot_be_saved_is_reported_and_skipped(
    tmp_path: Path, make_client: ClientFactory
) -> None:
    path = tmp_path / "state.jsonl"
    client = await make_client(state_file=path)
    await call(client, "POST", "/v1/customers", json={"source_id": "fine"})
    await call(client, "POST", "/v1/customers", json={"source_id": "doomed"}, headers=OTHER)
    broken = tenant_of(client, "app-2")
    broken.segments["bad"] = {"id": "bad", "name": 2**80}  # no JSON writer takes this
    broken.changes.touch()
    state_file: StateFile = client.app[STATE_FILE]  # type: ignore[index]
    await state_file.save()
    health = await (await client.get("/_emulator/health")).json()
    assert list(health["state_file"]["unsaved_tenants"]) == ["app-2"]
    assert "64-bit" in health["state_file"]["unsaved_tenants"]["app-2"]

    other = await reopen(path, make_client)
    assert (await call(other, "GET", "/v1/customers/fine"))[0] == 200
    assert (await state(other))["tenants"].keys() == {"app-1"}

    del broken.segments["bad"]  # fixed: it is saved whole again, and no longer reported
    broken.changes.touch()
    await state_file.save()
    health = await (await client.get("/_emulator/health")).json()
    assert health["state_file"]["unsaved_tenants"] == {}
    again = await reopen(path, make_client)
    assert (await call(again, "GET", "/v1/customers/doomed", headers=OTHER))[0] == 200


async def test_a_rewrite_keeps_the_state_and_shrinks_the_file(
    tmp_path: Path, make_client: ClientFactory
) -> None:
    path = tmp_path / "state.jsonl"
    client = await make_client(state_file=path)
    state_file: StateFile = client.app[STATE_FILE]  # type: ignore[index]
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    for n in range(40):
        await call(client, "PUT", "/v1/customers/a", json={"metadata": {"n": n}})
        await state_file.save()  # each save appends the customer again
    await call(client, "POST", "/_emulator/reset", headers={**OTHER, **CONTROL})
    grown = path.stat().st_size
    await state_file.rewrite()
    assert path.stat().st_size < grown / 2
    assert [p.name for p in tmp_path.iterdir()] == ["state.jsonl"]
    expected = await state(client)
    assert (await state(await reopen(path, make_client))) == expected


async def test_a_snapshot_document_can_start_the_state_file(
    tmp_path: Path, make_client: ClientFactory
) -> None:
    source = await make_client()
    await call(source, "POST", "/v1/customers", json={"source_id": "from-snapshot"})
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(await state(source)))
    client = await make_client(state_file=path)
    assert (await call(client, "GET", "/v1/customers/from-snapshot"))[0] == 200


async def test_a_state_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, stderr = await run_to_exit("--state-file", str(blocker / "state.jsonl"))
    assert code != 0 and len(stderr.strip().splitlines()) == 1, stderr
    assert "state file" in stderr and "Traceback" not in stderr


class FullDisk:
    """A file handle whose next write fails, as on a full disk, after writing half of it."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self.failures = 1

    def write(self, data: bytes) -> int:
        if self.failures:
            self.failures -= 1
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            raise OSError(28, "No space left on device")
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


async def test_a_failed_save_is_cut_off_and_made_again(
    tmp_path: Path, make_client: ClientFactory
) -> None:
    path = tmp_path / "state.jsonl"
    client = await make_client(state_file=path)
    state_file: StateFile = client.app[STATE_FILE]  # type: ignore[index]
    await call(client, "POST", "/v1/customers", json={"source_id": "first"})
    await state_file.save()
    state_file._handle = FullDisk(state_file._handle)  # type: ignore[assignment]
    await call(client, "POST", "/v1/customers", json={"source_id": "second"})
    with pytest.raises(OSError, match="No space"):
        await state_file.save()
    assert state_file.pending  # nothing was lost: it waits for the next save
    await state_file.save()
    assert not state_file.pending
    again = await reopen(path, make_client)
    assert (await call(again, "GET", "/v1/customers", params={"limit": "5"}))[1]["total"] == 2


async def test_a_creation_event_keeps_the_customer_as_created_across_a_restart(
    tmp_path: Path, make_client: ClientFactory
) -> None:
    """A creation event is saved as "the customer's object" while it shares it; once an update
    replaces that object, the event must be saved again in full, or a restart would show the
    creation with the updated fields."""
    path = tmp_path / "state.jsonl"
    client = await make_client(state_file=path)
    state_file: StateFile = client.app[STATE_FILE]  # type: ignore[index]
    await call(client, "POST", "/v1/customers", json={"source_id": "c", "name": "First"})
    await state_file.save()
    for name in ("Second", "Third"):
        await call(client, "PUT", "/v1/customers/c", json={"name": name})
        await state_file.save()
    again = await reopen(path, make_client)
    status, body = await call(again, "GET", "/v1/customers/c/activity", params={"limit": "10"})
    assert status == 200
    names = {event["type"]: event["data"]["data"]["customer"]["name"] for event in body["data"]}
    assert names["customer.created"] == "First"
    history = [event["data"]["data"]["customer"]["name"] for event in body["data"]]
    assert history == ["Third", "Second", "First"]


async def test_customers_are_saved_compactly_and_the_public_form_still_reads(
    tmp_path: Path, make_client: ClientFactory
) -> None:
    """The state file keeps a customer's own fields (saving the public object took twice as
    long); a file whose customers are in the public form, as the snapshot document has them
    and as earlier versions saved them, reads back the same."""
    path = tmp_path / "state.jsonl"
    client = await make_client(state_file=path)
    await call(client, "POST", "/v1/customers", json={"source_id": "a", "name": "A"})
    await call(client, "POST", "/v1/customers", json={"source_id": "b", "metadata": {"k": 1}})
    await call(client, "PUT", "/v1/customers/a", json={"address": {"city": "Paris"}})
    state_file: StateFile = client.app[STATE_FILE]  # type: ignore[index]
    await state_file.rewrite()
    expected = await state(client)
    lines = path.read_bytes().splitlines()  # a header line, then ["tenant","kind","key"]\tvalue
    records = [line.partition(b"\t")[::2] for line in lines[1:]]
    saved = {
        json.loads(head)[2]: json.loads(value)
        for head, value in records
        if json.loads(head)[1] == "customer"
    }
    assert {record["own"]["source_id"] for record in saved.values()} == {"a", "b"}
    assert all("data" not in record and "summary" not in record["own"] for record in saved.values())
    public = expected["tenants"][AUTH["X-App-Id"]]["customers"]
    old_form = [lines[0]]
    for head, value in records:
        _, kind, key = json.loads(head)
        if kind == "customer":
            value = json.dumps(public[key]).encode()
        old_form.append(head + b"\t" + value)
    path.write_bytes(b"\n".join(old_form) + b"\n")
    assert (await state(await reopen(path, make_client))) == expected


async def test_a_save_writes_customer_lists_only_when_they_change(
    tmp_path: Path, make_client: ClientFactory
) -> None:
    """Previews lived in the tenant's meta record, written again by every save: with two
    10,000-row previews one new customer appended 2.6 MB (found in review)."""
    path = tmp_path / "state.jsonl"
    client = await make_client(state_file=path, save_interval=3600)
    rows = "identifier,email,name,loyalty_points,tier\n" + "".join(
        f"user-{i:05d},u{i}@example.com,User {i},{i},T{i % 3}\n" for i in range(10_000)
    )
    control = {**AUTH, **CONTROL}
    for _ in range(2):
        form = csv_form(rows, "list.csv")
        response = await client.post("/_emulator/customer-lists", data=form, headers=control)
        assert response.status == 201
    state_file: StateFile = client.app[STATE_FILE]  # type: ignore[index]
    await state_file.save()
    before = path.stat().st_size
    assert (await call(client, "POST", "/v1/customers", json={"source_id": "one"}))[0] == 200
    await state_file.save()
    assert path.stat().st_size - before < 64 * 1024
    expected = await state(client)
    assert len(expected["tenants"][AUTH["X-App-Id"]]["customer_lists"]) == 2
    assert (await state(await reopen(path, make_client))) == expected


async def test_a_snapshot_with_its_customer_lists_in_meta_still_reads(
    make_client: ClientFactory,
) -> None:
    """Snapshots written before customer lists were records of their own kept them in meta."""
    client = await make_client()
    form = csv_form("identifier,tier\nann,A\n", "l.csv")
    headers = {**AUTH, **CONTROL}
    response = await client.post("/_emulator/customer-lists", data=form, headers=headers)
    assert response.status == 201
    current = await state(client)
    old = json.loads(json.dumps(current))
    tenant = old["tenants"][AUTH["X-App-Id"]]
    tenant["meta"]["customer_lists"] = list(tenant.pop("customer_lists").values())
    other = await make_client()
    assert (await other.put("/_emulator/state", json=old)).status == 200
    assert await state(other) == current
