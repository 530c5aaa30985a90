"""The routes the dashboard reads and writes besides the upload: "Add new customer", the
searchable customer table, every async action, tenants; the pages themselves; snapshots of
what the upload stores."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, OTHER, REPO, Client, call, csv_form
from test_customer_lists import LIST, SEGMENT_LIST, confirm, preview, segments

from emulator.settings import JobTiming
from emulator.ui.routes import page_weight

STATIC = REPO / "emulator" / "ui" / "static"


async def post(client: Client, path: str, body: Any) -> tuple[int, Any]:
    response = await client.post(path, json=body, headers=AUTH)
    return response.status, await response.json()


async def test_add_new_customer(client: Client) -> None:
    status, customer = await post(client, "/_emulator/customers", {
        "identifier": " vip-1 ", "name": "Vera", "email": "vera@example.com",
        "loyalty_points": 120, "segments": {"customer segment test": "New"},
    })  # fmt: skip
    assert status == 201, customer
    assert (customer["source_id"], customer["loyalty"]["points"]) == ("vip-1", 120)
    status, read = await call(client, "GET", "/v1/customers/vip-1")
    assert read["email"] == "vera@example.com" and read["loyalty"]["points"] == 120
    assert await segments(client, "vip-1") == ["customer segment test: New"]
    status, body = await post(client, "/_emulator/customers", {"identifier": "vip-1"})
    assert (status, body["key"]) == (409, "duplicate_found")


@pytest.mark.parametrize(("body", "details"), [
    ({}, "Request body must have required property 'identifier'"),
    ({"identifier": ""}, "Property .identifier must NOT have fewer than 1 characters"),
    ({"identifier": "   "}, "Property .identifier must not be empty"),
    ({"identifier": "a", "loyalty_points": -1}, "Property .loyalty_points must be >= 0"),
    ({"identifier": "a", "loyalty_points": 1.5}, "Property .loyalty_points must be integer"),
    ({"identifier": "a", "email": "no"}, "Property .email: 'no' is not a valid email address"),
    ({"identifier": "a", "segments": {"email": "x"}}, "Property .segments: 'email' cannot be"),
    ({"identifier": "a", "segments": {"tier": 3}}, "Property .segments.tier must be string"),
    ({"identifier": "a", "id": "c"}, "Request body must NOT have additional properties ('id')"),
    ([1], "Request body must be object"),
])  # fmt: skip
async def test_add_new_customer_checks_its_body(client: Client, body: Any, details: str) -> None:
    status, answer = await post(client, "/_emulator/customers", body)
    assert (status, answer["key"]) == (400, "invalid_payload")
    assert answer["details"].startswith(details)
    status, page = await call(client, "GET", "/v1/customers")
    assert page["total"] == 0


async def test_customer_table_search_paging_and_segments(client: Client) -> None:
    await confirm(client, (await preview(client, SEGMENT_LIST))["id"])
    for n in range(25):
        body = {"source_id": f"p{n:02}", "name": f"P {n}"}
        await call(client, "POST", "/v1/customers", json=body)
    response = await client.get("/_emulator/customers", params={"limit": "10"}, headers=AUTH)
    page = await response.json()
    assert (page["total"], page["page"], page["has_more"]) == (27, 1, True)
    assert page["customers"][0]["source_id"] == "p24"  # newest first
    response = await client.get("/_emulator/customers", params={"search": "ANN"}, headers=AUTH)
    found = (await response.json())["customers"]
    assert len(found) == 1
    assert found[0] | {"id": "", "created_at": ""} == {
        "id": "", "source_id": "ann", "name": "Ann", "email": "ann@example.com",
        "loyalty_points": 10, "created_at": "", "segments": [{
            "id": found[0]["segments"][0]["id"], "name": "customer segment test: New",
            "category": "customer segment test", "value": "New"}],
    }  # fmt: skip
    response = await client.get("/_emulator/customers", params={"page": "3", "limit": "10"},
                                headers=AUTH)  # fmt: skip
    last = await response.json()
    assert [c["source_id"] for c in last["customers"]] == ["p04", "p03", "p02", "p01", "p00",
                                                           "bob", "ann"]
    assert last["has_more"] is False
    assert last["categories"][0]["values"][0]["customers"] == 2
    for bad in ({"page": "0"}, {"limit": "101"}, {"page": "x"}):
        response = await client.get("/_emulator/customers", params=bad, headers=AUTH)
        assert response.status == 400
        assert (await response.json())["key"] == "invalid_query_params"


async def test_every_async_action_with_progress_and_hold(make_client: ClientFactory) -> None:
    client = await make_client(job_timing=JobTiming(queue_delay=0, item_seconds=1, portion_size=2))
    rows = "Source_id\n" + "".join(f"s{n}\n" for n in range(4))
    response = await client.post("/v1/customers/importCSV", data=csv_form(rows), headers=AUTH)
    first = (await response.json())["async_action_id"]
    response = await client.post("/v1/customers/bulk/async", json=[{"source_id": "b"}],
                                 headers=AUTH)  # fmt: skip
    second = (await response.json())["async_action_id"]
    await client.post(f"/_emulator/async-actions/{second}", json={"hold": True}, headers=AUTH)
    await client.post("/_emulator/clock", json={"advance_seconds": 2}, headers=AUTH)
    response = await client.get("/_emulator/async-actions", headers=AUTH)
    listed = {a["id"]: a for a in (await response.json())["async_actions"]}
    assert listed[first]["progress"] == 50 and listed[first]["status"] == "IN_PROGRESS"
    assert listed[second]["hold"] is True and listed[first]["hold"] is False
    await client.post("/_emulator/async-actions/run-until-idle", headers=AUTH)
    response = await client.get("/_emulator/async-actions", headers=AUTH)
    listed = {a["id"]: a for a in (await response.json())["async_actions"]}
    assert listed[first]["progress"] == 100 and listed[first]["result"]["done_count"] == 4


async def test_tenants_are_listed(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "x"})
    await call(client, "POST", "/v1/customers", json={"source_id": "y"}, headers=OTHER)
    response = await client.get("/_emulator/tenants")
    assert (await response.json())["tenants"] == [
        {"app_id": "app-1", "customers": 1, "async_actions": 0},
        {"app_id": "app-2", "customers": 1, "async_actions": 0},
    ]


async def test_snapshots_keep_previews_and_categories(make_client: ClientFactory) -> None:
    original = await make_client()
    await confirm(original, (await preview(original, SEGMENT_LIST))["id"])
    pending = await preview(original, "identifier,customer segment test\nann,Existing\n")
    exported = await (await original.get("/_emulator/state")).json()
    restored = await make_client()
    assert (await restored.put("/_emulator/state", json=exported)).status == 200
    assert await (await restored.get("/_emulator/state")).json() == exported
    for client in (original, restored):
        status, done = await confirm(client, pending["id"], update_existing=True)
        assert status == 200, done
        assert await segments(client, "ann") == ["customer segment test: Existing"]
    assert await (await restored.get("/_emulator/state")).json() == await (
        await original.get("/_emulator/state")).json()  # fmt: skip


async def test_browsers_asking_for_root_go_to_the_dashboard(client: Client) -> None:
    response = await client.get("/", headers={"Accept": "text/html,*/*"}, allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/_emulator/ui")
    response = await client.get("/", headers={"Accept": "application/json"})
    assert response.status == 404 and (await response.json())["key"] == "not_found"
    for path in ("/customers", "/dashboard"):
        assert (await client.get(path, headers={"Accept": "text/html"})).status == 404


@pytest.mark.parametrize(("path", "kind", "name"), [
    ("/_emulator/ui", "text/html", "index.html"), ("/_emulator/ui/", "text/html", "index.html"),
    ("/_emulator/ui/app.js", "text/javascript", "app.js"),
    ("/_emulator/ui/app.css", "text/css", "app.css"),
])  # fmt: skip
async def test_pages_are_served_with_a_strict_policy(
    client: Client, path: str, kind: str, name: str
) -> None:
    response = await client.get(path)  # the test client asks for gzip, and gets it
    assert response.status == 200 and response.content_type == kind
    assert response.headers["Content-Encoding"] == "gzip"
    assert await response.read() == (STATIC / name).read_bytes()
    plain = await client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert await plain.read() == (STATIC / name).read_bytes()
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = await client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    assert (await client.get("/_emulator/ui/../settings.py")).status == 404


def test_pages_load_nothing_from_elsewhere_and_never_parse_html() -> None:
    html = (STATIC / "index.html").read_text()
    script = (STATIC / "app.js").read_text()
    assert re.findall(r'(?:src|href)="([^"#]+)"', html) == [
        "data:,", "/_emulator/ui/app.css", "/_emulator/ui/app.js"]  # fmt: skip
    assert "<script>" not in html and " style=" not in html  # nothing inline: the CSP forbids it
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "X-Emulator-Client" in script


def test_page_weight_budget() -> None:
    # Every byte the dashboard loads; the README reports this figure.
    assert page_weight() == sum(path.stat().st_size for path in STATIC.iterdir())
    assert page_weight() < 64 * 1024
    assert page_weight(compressed=True) < 16 * 1024


async def test_upload_list_is_listed(client: Client) -> None:
    listing = await preview(client, SEGMENT_LIST)
    response = await client.get(LIST, headers=AUTH)
    lists = (await response.json())["customer_lists"]
    assert [(item["id"], item["status"], item["summary"]["new"]) for item in lists] == [
        (listing["id"], "READY", 2)]  # fmt: skip
    assert "new_customers" not in lists[0]
