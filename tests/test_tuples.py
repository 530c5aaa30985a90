"""The tuples made on every request and write skip NamedTuple's checks (they are built with
tuple.__new__, for speed): each must still have exactly its type's fields, in order."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import Client, call, tenant_of

from emulator.control.journal import Entry
from emulator.domain.customer_entry import Event
from emulator.http.endpoint import Endpoint
from emulator.http.keys import JOURNAL
from emulator.routes.calls import Call


async def test_journal_entries_events_and_calls_have_their_fields(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    run = Endpoint._run

    def spy(self: Endpoint, made: Call) -> Any:
        calls.append(made)
        return run(self, made)

    monkeypatch.setattr(Endpoint, "_run", spy)
    _, made = await call(client, "POST", "/v1/customers", json={"source_id": "t", "name": "T"})
    await call(client, "PUT", f"/v1/customers/{made['id']}", json={"name": "U"})
    await call(client, "GET", f"/v1/customers/{made['id']}")

    entries = client.app[JOURNAL].query()
    assert [entry.method for entry in entries] == ["GET", "PUT", "POST"]
    assert all(len(entry) == len(Entry._fields) for entry in entries)
    assert isinstance(entries[0].duration_ms, float) and entries[0].outcome == "passed"

    events = tenant_of(client).customers.entry("t").events
    assert [event.type for event in events] == ["customer.created", "customer.updated"]
    assert all(len(event) == len(Event._fields) for event in events)
    assert events[1].changes == {"name": "U"}

    assert len(calls) == 3 and all(len(made) == len(Call._fields) for made in calls)
    assert calls[0].body == {"source_id": "t", "name": "T"}
    assert calls[2].params == {"customerId": made["id"]}
