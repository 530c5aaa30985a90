"""Safe reports: bulk and metadata report CSVs quote every cell that needs it and neutralise
cells a spreadsheet would run as a formula (OWASP), and report links come from --public-url or
the address the client connected to, never from the Host header."""

from __future__ import annotations

import csv
import io

from conftest import ClientFactory
from helpers import AUTH, Client, call, run_until_idle

HOSTILE = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tstarts-with-tab",
    "\rstarts-with-cr",
    "a,b\r\nforged,true,true",
    'say "hi"',
    "plain@example.com",
]


async def report(client: Client, job: dict[str, object]) -> tuple[str, str]:
    url = job["result"]["reports"][0]  # type: ignore[index]
    path = "/_emulator/reports/" + url.split("/_emulator/reports/", 1)[1]
    response = await client.get(path, headers=AUTH)
    assert response.status == 200 and response.content_type == "text/csv"
    return url, await response.text()


async def test_report_cells_are_quoted_and_neutralised(client: Client) -> None:
    status, _ = await call(client, "POST", "/v1/customers/bulk/async",
                           json=[{"source_id": source_id} for source_id in HOSTILE])  # fmt: skip
    assert status == 202
    job = (await run_until_idle(client))["finished"][0]
    _, text = await report(client, job)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["source_id", "found", "updated"]
    assert len(rows) == 1 + len(HOSTILE)  # no forged row
    cells = [row[0] for row in rows[1:]]
    assert cells == [
        "'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1+1", "'-2+3", "'@SUM(A1:A2)",
        "'\tstarts-with-tab", "'\rstarts-with-cr", "a,b\r\nforged,true,true", 'say "hi"',
        "plain@example.com",
    ]  # fmt: skip
    assert all(row[1:] == ["false", "true"] for row in rows[1:])


async def test_report_links_ignore_the_host_header(client: Client) -> None:
    await call(client, "POST", "/v1/customers/metadata/async",
               json={"source_ids": ["a"], "metadata": {"k": 1}},
               headers={"Host": "attacker.localhost:666"})  # fmt: skip
    job = (await run_until_idle(client))["finished"][0]
    url, text = await report(client, job)
    assert url.startswith(f"http://127.0.0.1:{client.port}/_emulator/reports/app-1/")
    assert "attacker" not in url and text.startswith("source_id,found,updated")


async def test_report_links_use_the_public_url(make_client: ClientFactory) -> None:
    client = await make_client(public_url="https://emulator.ci.example:8443/")
    await call(client, "POST", "/v1/customers/bulk/async", json=[{"source_id": "a"}])
    job = (await run_until_idle(client))["finished"][0]
    url, _ = await report(client, job)
    assert url == f"https://emulator.ci.example:8443/_emulator/reports/app-1/{job['id']}"
