"""The request journal: what each client sent and got, its filters, and its bounds."""

from __future__ import annotations

from typing import Any

from conftest import ClientFactory
from helpers import AUTH, CONTROL, OTHER, Client, call, csv_form


async def journal(client: Client, **params: str) -> list[dict[str, Any]]:
    response = await client.get("/_emulator/requests", params=params)
    assert response.status == 200
    return list((await response.json())["requests"])


async def test_each_request_and_answer_is_recorded_newest_first(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "j1", "name": "J"})
    await call(client, "GET", "/v1/customers/j1")
    newest, oldest = await journal(client)
    assert (newest["method"], newest["path"], newest["status"]) == ("GET", "/v1/customers/j1", 200)
    assert newest["operation"] == "get-customer" and newest["outcome"] == "passed"
    assert newest["tenant"] == "app-1" and newest["request_body"] is None
    assert '"source_id":"j1"' in newest["response_body"]
    assert oldest["request_body"] == '{"source_id": "j1", "name": "J"}'
    assert oldest["id"] < newest["id"] and newest["duration_ms"] >= 0


async def test_validation_outcomes_are_recorded(client: Client) -> None:
    await call(client, "GET", "/v1/customers", params={"limit": "0"})
    await call(client, "GET", "/v1/customers/ghost")
    await client.get("/v1/nowhere", headers=AUTH)
    entries = await journal(client)
    assert [(e["status"], e["outcome"]) for e in entries] == [
        (404, "no_operation"), (404, "passed"), (400, "request_rejected"),
    ]  # fmt: skip
    assert entries[2]["query"] == "limit=0"


async def test_contract_violations_are_marked(client: Client) -> None:
    from helpers import tenant_of

    await call(client, "POST", "/v1/customers", json={"source_id": "v"})
    tenant_of(client).customers.entry("v").own["object"] = "bogus"
    await call(client, "GET", "/v1/customers/v")
    assert (await journal(client, limit="1"))[0]["outcome"] == "contract_violation"


async def test_filters_by_tenant_method_and_path(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    await call(client, "GET", "/v1/customers/a")
    await call(client, "GET", "/v1/customers", headers=OTHER)
    assert [e["tenant"] for e in await journal(client, tenant="app-2")] == ["app-2"]
    assert [e["method"] for e in await journal(client, method="post")] == ["POST"]
    assert [e["path"] for e in await journal(client, path="/v1/customers/")] == ["/v1/customers/a"]
    assert len(await journal(client, limit="2")) == 2
    response = await client.get("/_emulator/requests", params={"limit": "many"})
    assert response.status == 400


async def test_a_bearer_callers_tenant_is_recorded(client: Client) -> None:
    await client.get("/v1/customers", headers={"Authorization": "Bearer tok-9"})
    assert [e["tenant"] for e in await journal(client)] == ["tok-9"]


async def test_multipart_bodies_are_summarised(client: Client) -> None:
    await client.post("/v1/customers/importCSV", data=csv_form("Source_id\nx\n"), headers=AUTH)
    (entry,) = await journal(client)
    assert entry["request_body"] == "multipart/form-data; file: data.csv (text/csv, 12 bytes)"
    assert entry["status"] == 202


async def test_control_routes_are_not_journaled(client: Client) -> None:
    await client.get("/_emulator/health")
    await client.post("/_emulator/reset", headers={**AUTH, **CONTROL})
    assert await journal(client) == []


async def test_clearing_all_or_one_tenant(client: Client) -> None:
    await call(client, "GET", "/v1/customers")
    await call(client, "GET", "/v1/customers", headers=OTHER)
    response = await client.delete(
        "/_emulator/requests", params={"tenant": "app-1"}, headers=CONTROL
    )
    assert await response.json() == {"cleared": 1}
    assert [e["tenant"] for e in await journal(client)] == ["app-2"]
    response = await client.delete("/_emulator/requests", headers=CONTROL)
    assert await response.json() == {"cleared": 1}
    assert await journal(client) == []


async def test_memory_is_bounded(make_client: ClientFactory) -> None:
    client = await make_client(journal_size=3)
    for n in range(5):
        await call(client, "GET", f"/v1/customers/n{n}")
    assert [e["path"] for e in await journal(client)] == [
        "/v1/customers/n4", "/v1/customers/n3", "/v1/customers/n2",
    ]  # fmt: skip
    big = "x" * 10_000
    await call(client, "POST", "/v1/customers", json={"name": big})
    entry = (await journal(client, limit="1"))[0]
    assert len(entry["request_body"]) < 4200 and entry["request_body"].endswith("more characters)")


def test_bodies_are_shown_clipped_however_they_were_kept() -> None:
    """A body up to KEPT_WHOLE bytes is kept as it came (no copy on the request's path) and
    clipped when read; a longer one is clipped when recorded. Either way the journal shows at
    most BODY_LIMIT characters and counts the rest in characters, not bytes."""
    from emulator.control.journal import BODY_LIMIT, KEPT_WHOLE, kept, text

    short = b'{"a": 1}'
    assert kept(short) is short and text(kept(short)) == '{"a": 1}'
    page = b"x" * (BODY_LIMIT + 2_600)  # a list page of ten
    assert kept(page) is page  # kept as it came
    assert text(kept(page)) == "x" * BODY_LIMIT + "... (2600 more characters)"
    big = b"y" * (KEPT_WHOLE + 1)
    assert isinstance(kept(big), str)  # clipped when recorded
    more = KEPT_WHOLE + 1 - BODY_LIMIT
    assert text(kept(big)) == "y" * BODY_LIMIT + f"... ({more} more characters)"
    for size in (BODY_LIMIT + 10, KEPT_WHOLE + 10):  # two bytes a character
        accented = ("é" * size).encode()
        shown = "é" * BODY_LIMIT + f"... ({size - BODY_LIMIT} more characters)"
        assert text(kept(accented)) == shown
    assert text(kept(b"\xff" * 5)) == "\ufffd" * 5  # not UTF-8: shown, not refused


async def test_a_list_page_is_journaled_clipped(client: Client) -> None:
    for n in range(12):
        await call(client, "POST", "/v1/customers", json={"source_id": f"p{n}", "name": "N" * 300})
    status, page = await call(client, "GET", "/v1/customers", params={"limit": "12"})
    assert status == 200
    [entry] = await journal(client, method="GET")
    whole = entry["response_body"]
    head, _, rest = whole.partition("... (")
    assert len(head) == 4096 and page["customers"][0]["source_id"] in head
    assert rest.endswith(" more characters)") and int(rest.split()[0]) > 0
