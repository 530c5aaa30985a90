"""A corpus of bad requests: each gets the right status and the vendor's error shape, never a 500,
and none of them changes any state."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from conftest import ClientFactory
from helpers import AUTH, Client, call

REQUEST_ID = re.compile(r"^v-[0-9a-f]{18}$")
LIMIT = 10 * 1024 * 1024


def assert_error(body: dict[str, Any], status: int, key: str) -> None:
    assert body["code"] == status
    assert body["key"] == key
    assert isinstance(body["message"], str) and body["message"]
    assert REQUEST_ID.match(body["request_id"])


BAD_QUERIES = [
    ({"limit": "0"}, "Property .limit must be >= 1"),
    ({"limit": "101"}, "Property .limit must be <= 100"),
    ({"limit": "ten"}, "Property .limit must be integer"),
    ({"limit": "1.5"}, "Property .limit must be integer"),
    ({"page": "0"}, "Property .page must be >= 1"),
    ({"page": "100"}, "Property .page must be <= 99"),
    ({"order": "name"}, "Property .order must be equal to one of the allowed values"),
    ({"created_at[before]": "yesterday"}, "Property .created_at[before] cannot be recognized"),
    ({"updated_at[after]": "2026-13-45"}, "Property .updated_at[after] cannot be recognized"),
    ({"starting_after": "soon"}, "Property .starting_after cannot be recognized"),
]


@pytest.mark.parametrize(("params", "details"), BAD_QUERIES)
async def test_bad_list_parameters(client: Client, params: dict[str, str], details: str) -> None:
    status, body = await call(client, "GET", "/v1/customers", params=params)
    assert status == 400
    assert_error(body, 400, "invalid_query_params")
    assert body["message"] == "Invalid query params"
    assert body["details"].startswith(details)


async def test_bad_activity_parameters(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    for params, details in [
        ({"limit": "500"}, "Property .limit must be <= 100"),
        ({"category": "NOPE"}, "Property .category must be equal to one of the allowed values"),
        ({"order": "sideways"}, "Property .order must be equal to one of the allowed values"),
    ]:
        status, body = await call(client, "GET", "/v1/customers/a/activity", params=params)
        assert status == 400, params
        assert body["details"].startswith(details)


BAD_BODIES = [
    ({"email": 5}, "Property .email must be string"),
    ({"email": None}, "Property .email must be string"),
    ({"name": ["x"]}, "Property .name must be string"),
    ({"address": "Main St"}, "Property .address must be object"),
    ({"address": {"city": 7}}, "Property .address.city must be string"),
    ({"metadata": []}, "Property .metadata must be object"),
    ({"birthdate": "01/02/1990"}, "Property .birthdate cannot be recognized"),
    ([{"name": "x"}], "Request body must be object"),
    ("just text", "Request body must be object"),
]


@pytest.mark.parametrize(("payload", "details"), BAD_BODIES)
async def test_bad_create_bodies(client: Client, payload: Any, details: str) -> None:
    status, body = await call(client, "POST", "/v1/customers", json=payload)
    assert status == 400
    assert_error(body, 400, "invalid_payload")
    assert body["message"] == "Invalid payload"
    assert body["details"].startswith(details)
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 0


async def test_rejected_update_changes_nothing(client: Client) -> None:
    _, before = await call(client, "POST", "/v1/customers", json={"source_id": "a", "name": "A"})
    status, body = await call(
        client, "PUT", "/v1/customers/a", json={"name": "B", "address": {"city": 1}}
    )
    assert status == 400 and body["details"] == "Property .address.city must be string"
    _, after = await call(client, "GET", "/v1/customers/a")
    assert after.pop("assets")["cockpit_url"] and after == before


@pytest.mark.parametrize(
    ("raw", "details"),
    [
        (b"{", "Invalid JSON"),
        (b'{"name": "x",}', "Invalid JSON"),
        (b"\xff\xfe{}", "Request body is not valid UTF-8"),
        (b"", "Request body is required"),
    ],
)
async def test_malformed_json(client: Client, raw: bytes, details: str) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = await client.post("/v1/customers", data=raw, headers=headers)
    body = await response.json()
    assert response.status == 400
    assert_error(body, 400, "invalid_payload")
    assert body["details"].startswith(details)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
async def test_wrong_content_type_is_415(client: Client, content_type: str) -> None:
    response = await client.post(
        "/v1/customers", data=b'{"name": "x"}', headers={**AUTH, "Content-Type": content_type}
    )
    body = await response.json()
    assert response.status == 415
    assert_error(body, 415, "unsupported_media_type")
    assert content_type in body["details"]


async def test_json_with_charset_is_accepted(client: Client) -> None:
    response = await client.post(
        "/v1/customers", data=b'{"name": "x"}',
        headers={**AUTH, "Content-Type": "application/json; charset=utf-8"},
    )  # fmt: skip
    assert response.status == 200


async def test_oversized_body_gets_the_hapi_shaped_413(client: Client) -> None:
    payload = b'{"name": "' + b"x" * LIMIT + b'"}'
    response = await client.post(
        "/v1/customers",
        data=io.BytesIO(payload),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status == 413
    assert await response.json() == {
        "statusCode": 413,
        "error": "Request Entity Too Large",
        "message": f"Payload content length greater than maximum allowed: {LIMIT}",
    }


async def test_oversized_chunked_body_gets_413_too(client: Client) -> None:
    async def chunks() -> Any:
        yield b'{"name": "'
        for _ in range(11):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    response = await client.post(
        "/v1/customers", data=chunks(), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 413
    assert (await response.json())["statusCode"] == 413


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/customers/ghost"),
        ("PUT", "/v1/customers/ghost"),
        ("DELETE", "/v1/customers/ghost"),
        ("POST", "/v1/customers/ghost/permanent-deletion"),
        ("GET", "/v1/customers/ghost/activity"),
        ("GET", "/v1/customers/ghost/activities"),
        ("GET", "/v1/customers/ghost/redeemables"),
    ],
)  # segments of an unknown customer are not a 404 (test_customers_api.py)
async def test_unknown_customer_everywhere(client: Client, method: str, path: str) -> None:
    kwargs = {"json": {"name": "x"}} if method == "PUT" else {}
    status, body = await call(client, method, path, **kwargs)
    assert status == 404
    assert_error(body, 404, "not_found")
    assert body["details"] == "Cannot find customer with id ghost"


async def test_unknown_route_and_method(client: Client) -> None:
    status, body = await call(client, "GET", "/v1/no-such-thing")
    assert status == 404
    assert_error(body, 404, "not_found")
    response = await client.patch("/v1/customers", headers=AUTH)
    body = await response.json()
    assert response.status == 405
    assert_error(body, 405, "method_not_allowed")
    assert body["details"] == "PATCH is not supported by this endpoint. Did you mean GET or POST?"
    assert response.headers["Allow"] == "GET, POST"


async def test_bodyless_requests_with_a_json_content_type_are_fine(client: Client) -> None:
    await call(client, "POST", "/v1/customers", json={"source_id": "a"})
    headers = {"Content-Type": "application/json"}
    assert (await call(client, "GET", "/v1/customers/a", headers=headers))[0] == 200
    assert (await call(client, "GET", "/v1/customers", headers=headers))[0] == 200
    response = await client.post("/v1/customers/a/permanent-deletion", headers=AUTH, data=b"{}")
    assert response.status == 200


async def test_get_on_importcsv_path_is_a_customer_lookup(client: Client) -> None:
    status, body = await call(client, "GET", "/v1/customers/importCSV")
    assert status == 404 and body["resource_id"] == "importCSV"


MISSING_CREDENTIALS = [
    ({}, "Missing X-App-Id and X-App-Token"),
    ({"X-App-Id": "app-1"}, "Missing X-App-Token"),
    ({"X-App-Token": "token-1"}, "Missing X-App-Id"),
    ({"X-App-Id": " ", "X-App-Token": " "}, "Missing X-App-Id and X-App-Token"),
    ({"Authorization": "Basic abc"}, "Missing X-App-Id and X-App-Token"),
]


@pytest.mark.parametrize(("headers", "details"), MISSING_CREDENTIALS)
async def test_missing_credentials_are_401(
    client: Client, headers: dict[str, str], details: str
) -> None:
    response = await client.get("/v1/customers", headers=headers)
    body = await response.json()
    assert response.status == 401
    assert_error(body, 401, "unauthorized")
    assert body["details"].startswith(details)


async def test_auth_comes_before_validation(client: Client) -> None:
    response = await client.post(
        "/v1/customers", data=b"{", headers={"Content-Type": "application/json"}
    )
    assert response.status == 401


async def test_bearer_token_is_a_tenant_of_its_own(client: Client) -> None:
    bearer = {"Authorization": "Bearer tok-xyz"}
    response = await client.post("/v1/customers", json={"source_id": "b"}, headers=bearer)
    assert response.status == 200
    assert (await client.get("/v1/customers/b", headers=bearer)).status == 200
    assert (await call(client, "GET", "/v1/customers/b"))[0] == 404


async def test_restricted_credentials(make_client: ClientFactory) -> None:
    client = await make_client(credentials={"app-1": "token-1"})
    assert (await call(client, "GET", "/v1/customers"))[0] == 200
    status, body = await call(client, "GET", "/v1/customers", headers={"X-App-Token": "wrong"})
    assert status == 401 and body["details"] == "The X-App-Id / X-App-Token pair is not recognised"
    status, _ = await call(client, "GET", "/v1/customers", headers={"X-App-Id": "app-9"})
    assert status == 401
    ok = await client.get("/v1/customers", headers={"Authorization": "Bearer token-1"})
    assert ok.status == 200
    bad = await client.get("/v1/customers", headers={"Authorization": "Bearer nope"})
    assert bad.status == 401


@pytest.mark.parametrize(
    ("path", "details"),
    [
        ("/v1/customers", "Request body must be object"),
        ("/v1/campaigns", "Request body must be object"),
        ("/v1/customers/bulk/async", "Request body must be array"),
        ("/v1/customers/metadata/async", "Request body must be object"),
    ],
)
async def test_a_json_null_body_is_validated_not_ignored(
    client: Client, path: str, details: str
) -> None:
    response = await client.post(
        path, data=b"null", headers={**AUTH, "Content-Type": "application/json"}
    )
    body = await response.json()
    assert response.status == 400 and body["details"] == details
    _, listing = await call(client, "GET", "/v1/customers")
    assert listing["total"] == 0


@pytest.mark.parametrize("path", ["/v1/customers/importCSV", "/v1/campaigns/nope/importCSV"])
async def test_a_control_character_in_a_multipart_header_is_400(client: Client, path: str) -> None:
    raw = b'--XyZ\r\nContent-Disposition: form-data; name="a\x0bb"\r\n\r\nx\r\n--XyZ--\r\n'
    response = await client.post(
        path, data=raw, headers={**AUTH, "Content-Type": "multipart/form-data; boundary=XyZ"}
    )
    body = await response.json()
    assert response.status == 400
    assert body["details"].startswith("Malformed multipart/form-data body")


async def test_create_with_an_unknown_id_is_404(client: Client) -> None:
    status, body = await call(client, "POST", "/v1/customers", json={"id": "cust_nobody"})
    assert status == 404 and body["resource_id"] == "cust_nobody"
