"""Strict input at the door: JSON nested too deep, lone surrogates and invalid UTF-8, NaN and
Infinity, over-long request lines and headers, and the 10 MB limit counted on the same bytes
whether a body is chunked or not. Each is a 4xx in the vendor's shape, every response is strict
JSON, and the corpus as a whole leaves its tenant exactly as it was."""

from __future__ import annotations

import contextlib
import io
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import pytest
from helpers import AUTH, CONTROL, START, Client, call

from emulator import Settings
from emulator.testing.inprocess import BackgroundEmulator

LIMIT = 10 * 1024 * 1024
JSON = {**AUTH, "Content-Type": "application/json"}


def nested(depth: int) -> bytes:
    """A customer body whose objects nest `depth` levels deep, itself included."""
    return b'{"metadata": ' + b'{"a": ' * (depth - 2) + b"{}" + b"}" * (depth - 2) + b"}"


BAD_JSON = [
    (nested(65), "nested deeper than 64 levels"),
    (b'{"metadata": ' + b"[" * 1000 + b"]" * 1000 + b"}", "Invalid JSON"),
    (b'{"name": "\\ud800"}', "surrogate"),
    (b'{"name": "\\udc00x"}', "surrogate"),
    (b'{"\\ud83d": 1}', "surrogate"),
    (b'{"name": "\xed\xa0\x80"}', "not valid UTF-8"),
    (b'{"name": "\xff"}', "not valid UTF-8"),
    (b'{"metadata": {"x": NaN}}', "NaN and Infinity are not JSON numbers"),
    (b'{"metadata": {"x": Infinity}}', "NaN and Infinity are not JSON numbers"),
    (b'{"metadata": {"x": -Infinity}}', "NaN and Infinity are not JSON numbers"),
    (b'{"metadata": {"x": 1e400}}', "infinity"),
]


@pytest.mark.parametrize(("raw", "details"), BAD_JSON)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v1/customers"), ("PUT", "/v1/customers/keeper"),
     ("POST", "/v1/customers/metadata/async")],
)  # fmt: skip
async def test_bad_json_is_a_400_naming_the_problem(
    client: Client, method: str, path: str, raw: bytes, details: str
) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "keeper"})
    response = await client.request(method, path, data=raw, headers=JSON)
    body = orjson.loads(await response.read())
    assert response.status == 400, body
    assert body["key"] == "invalid_payload" and details in body["details"]
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 1 and "metadata" not in listing["customers"][0]


async def test_json_as_deep_as_the_limit_is_accepted(client: Client) -> None:
    json_type = {"Content-Type": "application/json"}
    status, body = await call(client, "POST", "/v1/customers", data=nested(64), headers=json_type)
    assert status == 200 and body["metadata"]["a"]["a"]["a"] is not None


async def test_control_routes_read_json_as_strictly(client: Client) -> None:
    for raw in (b'{"advance_seconds": NaN}', b'{"set": "\\ud800"}', nested(70)):
        response = await client.post("/_emulator/clock", data=raw, headers=JSON)
        assert response.status == 400, raw
    response = await client.put("/_emulator/state", data=b'{"version": Infinity}', headers=JSON)
    assert response.status == 400


async def test_credentials_that_are_not_text_are_401(client: Client) -> None:
    headers = {"X-App-Id": "tab\tbed", "X-App-Token": "t"}
    response = await client.get("/v1/customers", headers=headers)
    assert response.status == 401
    body = await response.json()
    assert "control characters" in body["details"]
    health = await (await client.get("/_emulator/health")).json()
    assert health["tenants"] == 0


def chunks(payload: bytes) -> Any:
    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 1 << 20):
            yield payload[start : start + (1 << 20)]

    return stream()


def sized_json(size: int) -> bytes:
    head, tail = b'{"name": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def sized_multipart(size: int) -> tuple[bytes, str]:
    boundary = "limitboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\nCode\n").encode()  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"A" * (size - len(head) - len(tail)) + tail
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize(("size", "status"), [(LIMIT + 1, 413), (LIMIT, 404)])
async def test_the_size_limit_counts_the_same_bytes_chunked_or_not(
    client: Client, chunked: bool, size: int, status: int
) -> None:
    """Exactly 10 MB is read (and the unknown ids answer 404); one byte more is a 413, framed
    with a Content-Length or chunked, JSON or multipart (boundaries and part headers count)."""
    payload = sized_json(size)
    response = await client.put(
        "/v1/customers/nobody", data=chunks(payload) if chunked else io.BytesIO(payload),
        headers=JSON,
    )
    assert response.status == status
    form, content_type = sized_multipart(size)
    response = await client.post(
        "/v1/campaigns/nothing/importCSV", data=chunks(form) if chunked else io.BytesIO(form),
        headers={**AUTH, "Content-Type": content_type},
    )  # fmt: skip
    assert response.status == status
    if status == 413:
        assert (await response.json())["statusCode"] == 413


# -- over-long request lines and headers: answered before any handler, by the real server -------
@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundEmulator]:
    settings = Settings(port=0, seed=1, clock_mode="manual", clock_start=START)
    with BackgroundEmulator(settings) as emulator:
        yield emulator


def exchange(emulator: BackgroundEmulator, raw: bytes) -> tuple[int, bytes, bytes]:
    """Send raw bytes; the status, headers and body of the answer."""
    host, port = emulator.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        with contextlib.suppress(OSError):  # refused early (413): the server closed
            sock.sendall(raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    return int(head.split(b" ", 2)[1]), head, body


def dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out, data = out + rest[:size], rest[size + 2 :]
    return out


def request(line: bytes, headers: bytes = b"", body: bytes = b"") -> bytes:
    auth = b"X-App-Id: corpus\r\nX-App-Token: t\r\nConnection: close\r\n"
    chunked = b"Transfer-Encoding: chunked" in headers
    length = b"Content-Length: %d\r\n" % len(body) if body and not chunked else b""
    return line + b"\r\nHost: 127.0.0.1\r\n" + auth + headers + length + b"\r\n" + body


EARLY = [
    (request(b"GET /v1/customers?email=" + b"a" * 9000 + b" HTTP/1.1"), "uri_too_long"),
    (request(b"GET /v1/customers HTTP/1.1", b"X-Big: " + b"b" * 9000 + b"\r\n"),
     "headers_too_large"),
    (request(b"GET /v1/customers HTTP/1.1", b"".join(b"X-%d: y\r\n" % n for n in range(200))),
     "headers_too_large"),
    (request(b"GET /v1/customers/\xed\xa0\x80 HTTP/1.1"), "bad_request"),
    (request(b"GET /v1/customers?x=\xff HTTP/1.1"), "bad_request"),
    (b"NOT-HTTP\r\n\r\n", "bad_request"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "key"), EARLY)
def test_requests_refused_before_any_handler_get_json(
    server: BackgroundEmulator, raw: bytes, key: str
) -> None:
    status, head, body = exchange(server, raw)
    assert status == 400
    assert b"application/json" in head
    error = orjson.loads(body)
    assert error["code"] == 400 and error["key"] == key and error["request_id"].startswith("v-")


@pytest.mark.parametrize(("size", "status"), [(65, 413), (64, 200)])
def test_a_whole_chunked_body_in_one_packet_meets_the_limit_too(size: int, status: int) -> None:
    """A chunked body that has all arrived with its head (taken without waiting) is held to the
    limit as one still arriving: no Content-Length announced it."""
    settings = Settings(port=0, seed=1, clock_mode="manual", clock_start=START, max_body_bytes=64)
    prefix = b'{"source_id": "chunked", "name": "'
    payload = prefix + b"n" * (size - len(prefix) - 2) + b'"}'
    framed = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    headers = b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
    with BackgroundEmulator(settings) as emulator:
        raw = request(b"POST /v1/customers HTTP/1.1", headers, framed)
        answer, _, body = exchange(emulator, raw)
    assert answer == status, body
    if status == 413:
        assert orjson.loads(body)["statusCode"] == 413
    else:
        assert orjson.loads(body)["name"] == "n" * (size - len(prefix) - 2)


# -- the whole corpus, then the tenant is read back ------------------------------------------
def corpus() -> list[bytes]:
    post, clock = b"POST /v1/customers HTTP/1.1", b"POST /_emulator/clock HTTP/1.1"
    json_type = b"Content-Type: application/json\r\n"
    bodies = [raw for raw, _ in BAD_JSON] + [b'[{"source_id": "x", "metadata": {"n": NaN}}]']
    requests = [request(post, json_type, body) for body in bodies]
    requests += [request(b"POST /v1/customers/bulk/async HTTP/1.1", json_type, body)
                 for body in bodies]  # fmt: skip
    requests += [request(b"PUT /v1/customers/keeper HTTP/1.1", json_type, body) for body in bodies]
    requests += [raw for raw, _ in EARLY]
    requests += [
        request(b"GET /v1/customers HTTP/1.1", b"X-Other: \xed\xa0\x80\xff\r\n"),
        b"POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nX-App-Id: \xed\xa0\x80\xff\r\n"
        b"X-App-Token: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
        b"Connection: close\r\n\r\n{}",
        request(b"GET /v1/customers/%ED%A0%80 HTTP/1.1"),
        request(b"GET /v1/customers?email=%ED%A0%80 HTTP/1.1"),
        request(b"POST /v1/customers HTTP/1.1", json_type + b"Transfer-Encoding: chunked\r\n",
                b"5\r\n{\"nam\r\n0\r\n\r\n"),
        request(b"POST /v1/customers/importCSV HTTP/1.1",
                b"Content-Type: multipart/form-data; boundary=B\r\n",
                b'--B\r\nContent-Disposition: form-data; name="file"; filename="\xed\xa0\x80.csv"'
                b"\r\n\r\nSource_id\n\xff\xfe\n\r\n--B--\r\n"),
        request(clock, json_type, b'{"set": "9999-12-31T23:59:58Z"}'),
        request(clock, json_type, b'{"mode": "scaled", "scale": 1e300}'),
        request(b"POST /_emulator/seed HTTP/1.1", json_type,
                b'{"customers": [{"name": "\\ud800"}]}'),
        request(post, json_type, sized_json(LIMIT + 1)),
        request(post, json_type + b"Transfer-Encoding: chunked\r\n",
                b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                         for part in (sized_json(LIMIT + 1)[:LIMIT], b"x}")) + b"0\r\n\r\n"),
    ]  # fmt: skip
    return requests


def test_the_bad_input_corpus_changes_nothing_and_breaks_nothing(
    server: BackgroundEmulator,
) -> None:
    create = request(b"POST /v1/customers HTTP/1.1", b"Content-Type: application/json\r\n",
                     b'{"source_id": "keeper", "name": "Keeper"}')  # fmt: skip
    assert exchange(server, create)[0] == 200
    state = request(b"GET /_emulator/state?tenant=corpus HTTP/1.1")
    before = exchange(server, state)[2]
    refused = set()
    for raw in corpus():
        status, head, body = exchange(server, raw)
        refused.add(status)
        assert status < 500, (raw[:80], body)
        if not raw.startswith(b"GET "):
            assert 400 <= status < 500, (raw[:80], body)  # every write is refused
        if b"application/json" in head:
            orjson.loads(body)  # strict JSON: no NaN, no lone surrogate
    assert {400, 401, 404, 413} <= refused
    assert exchange(server, request(b"GET /_emulator/health HTTP/1.1"))[0] == 200
    status, _, listing = exchange(server, request(b"GET /v1/customers HTTP/1.1"))
    assert status == 200 and orjson.loads(listing)["total"] == 1
    status, _, keeper = exchange(server, request(b"GET /v1/customers/keeper HTTP/1.1"))
    assert status == 200 and orjson.loads(keeper)["name"] == "Keeper"
    assert exchange(server, state)[2] == before  # nothing stored, nothing moved


async def test_responses_stay_strict_json_whatever_came_in(client: Client) -> None:
    # A header with bytes that are not UTF-8 reaches the journal; reading it back is still JSON.
    await client.get("/v1/customers", headers={**AUTH, "X-Note": "caf\udce9"})
    response = await client.get("/_emulator/requests")
    assert response.status == 200
    orjson.loads(await response.read())
    response = await client.post("/_emulator/reset", headers={**AUTH, **CONTROL})
    assert response.status == 200
