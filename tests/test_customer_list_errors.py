"""Troubleshooting errors of the customer-list upload (each names its row and column, and a list
with errors cannot be confirmed), and bad requests to the upload's control routes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiohttp import FormData
from helpers import AUTH, CONTROL, Client, call, csv_form
from test_customer_lists import LIST, confirm, preview, total

# file content -> the troubleshooting errors expected: (code, row, line, column)
CASES: dict[str, tuple[bytes, list[tuple[str, int | None, int | None, str | None]]]] = {
    "no identifier column": (b"email,name\na@example.com,A\n",
                             [("missing_identifier", None, 1, "identifier")]),
    "empty identifier": (b"identifier,name\n  ,Nobody\nok,Fine\n",
                         [("empty_identifier", 1, 2, "identifier")]),
    "duplicate identifier": (b"identifier\nsame\nother\nsame\n",
                             [("duplicate_identifier", 3, 4, "identifier")]),
    "negative points": (b"identifier,Loyalty_Points\na,-5\n",
                        [("invalid_loyalty_points", 1, 2, "Loyalty_Points")]),
    "fractional points": (b"identifier,loyalty_points\na,1.5\n",
                          [("invalid_loyalty_points", 1, 2, "loyalty_points")]),
    "text points": (b"identifier,loyalty_points\na,ten\n",
                    [("invalid_loyalty_points", 1, 2, "loyalty_points")]),
    "malformed email": (b"identifier,email\na,a@example.com\nb,not-an-email\nc,c@x\n",
                        [("invalid_email", 2, 3, "email"), ("invalid_email", 3, 4, "email")]),
    "several problems in one row": (b"identifier,email,loyalty_points\n,bad,-1\n", [
        ("empty_identifier", 1, 2, "identifier"), ("invalid_email", 1, 2, "email"),
        ("invalid_loyalty_points", 1, 2, "loyalty_points")]),
    "wrong field count": (b"identifier,name\na,A,extra\n", [("wrong_field_count", 1, 2, None)]),
    "line numbers after quoted newlines": (b'identifier,name\na,"two\nlines"\n,x\n',
                                           [("empty_identifier", 2, 4, "identifier")]),
    "empty file": (b"", [("empty_file", None, 1, None)]),
    "blank lines only": (b"\n\r\n  \n", [("empty_file", None, 1, None)]),
    "not UTF-8": (b"identifier,name\na,Zo\xe9\n", [("not_utf8", None, 2, None)]),
    "not CSV (binary)": (b"PK\x03\x04\x00\x00binary", [("not_csv", None, None, None)]),
    "not comma-separated": (b"identifier;name\na;A\n", [("not_comma_separated", None, 1, None)]),
    "malformed CSV": (b'identifier,name\na,"unclosed\n', [("not_csv", None, 2, None)]),
    "duplicate column": (b"identifier,Email,email\n", [("duplicate_column", None, 1, None)]),
    "nameless column": (b"identifier,,name\n", [("unnamed_column", None, 1, None)]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
async def test_troubleshooting_errors_name_row_and_column(client: Client, case: str) -> None:
    content, expected = CASES[case]
    listing = await preview(client, content)
    assert listing["status"] == "INVALID"
    found = [(e["code"], e["row"], e["line"], e["column"]) for e in listing["errors"]]
    assert found == expected
    assert all(e["reason"] for e in listing["errors"])
    status, body = await confirm(client, listing["id"], update_existing=True)
    assert status == 400 and body["key"] == "invalid_customer_list"
    assert "fix the file and upload it again" in body["details"]
    assert await total(client) == 0


async def test_error_reasons_are_readable(client: Client) -> None:
    listing = await preview(client, b"identifier,email,loyalty_points\na,nope,-3\na,,\n")
    reasons = [e["reason"] for e in listing["errors"]]
    assert reasons == [
        "'nope' is not a valid email address",
        "must be a non-negative integer up to 2,147,483,647 (got '-3')",
        "Identifier 'a' already appears in row 1",
    ]
    _, body = await confirm(client, listing["id"])
    assert body["details"].startswith(
        f"Customer list {listing['id']} has 3 troubleshooting error(s) and cannot be confirmed "
        "(first: row 1, column email: 'nope' is not a valid email address)"
    )


async def test_points_bounds(client: Client) -> None:
    content = b"identifier,loyalty_points\nzero,0\nbig,2147483647\nover,2147483648\n"
    listing = await preview(client, content)
    assert [(e["row"], e["code"]) for e in listing["errors"]] == [(3, "invalid_loyalty_points")]


async def post(client: Client, path: str, headers: dict[str, str] | None = None,
               **kwargs: Any) -> tuple[int, Any]:  # fmt: skip
    response = await client.post(path, headers={**(headers or AUTH), **CONTROL}, **kwargs)
    return response.status, await response.json()


def sized(total: int) -> bytes:
    """A customer list of 10,000 rows, exactly `total` bytes long."""
    rows = [b"identifier,name\n"] + [b"id%05d,%s\n" % (n, b"n" * 1030) for n in range(10_000)]
    rows[-1] = rows[-1][:-1] + b"n" * (total - sum(map(len, rows))) + b"\n"
    data = b"".join(rows)
    assert len(data) == total
    return data


async def test_upload_request_errors(client: Client) -> None:
    form = FormData()
    form.add_field("other", io.BytesIO(b"identifier\na\n"), filename="x.csv")
    status, body = await post(client, LIST, data=form)  # the part is not called `file`
    assert (status, body["key"]) == (400, "invalid_payload")
    assert body["details"] == "Request body must have required property 'file'"
    status, body = await post(client, LIST, json={"file": "identifier\na\n"})
    assert (status, body["key"]) == (415, "unsupported_media_type")
    status, body = await post(client, LIST, data=csv_form(sized(10 * 1024 * 1024)))
    assert status == 201 and body["errors"] == [] and body["summary"]["new"] == 10_000
    status, body = await post(client, LIST, data=csv_form(sized(10 * 1024 * 1024 + 1)))
    assert status == 201 and [e["code"] for e in body["errors"]] == ["file_too_large"]
    huge = b"identifier\n" + b"x" * (10 * 1024 * 1024 + 64 * 1024)  # past the body limit
    status, body = await post(client, LIST, data=csv_form(huge))
    assert status == 413
    assert body == {
        "statusCode": 413, "error": "Request Entity Too Large",
        "message": "Payload content length greater than maximum allowed: 10551296",
    }  # fmt: skip
    status, body = await call(client, "GET", f"{LIST}/custlist_unknown")
    assert (status, body["resource_type"], body["resource_id"]) == (
        404, "customer_list", "custlist_unknown")  # fmt: skip


@pytest.mark.parametrize(("raw", "details"), [
    (b'{"update_existing": "yes"}', "Property .update_existing must be boolean"),
    (b'{"update_existing": true, "force": 1}',
     "Request body must NOT have additional properties ('force')"),
    (b"[true]", "Request body must be object"),
    (b"null", None),
    (b"{not json", "Invalid JSON"),
])  # fmt: skip
async def test_confirm_bodies_are_checked(client: Client, raw: bytes, details: str | None) -> None:
    listing = await preview(client, "identifier\na\n")
    headers = {**AUTH, "Content-Type": "application/json"}
    status, body = await post(client, f"{LIST}/{listing['id']}/confirm", headers, data=raw)
    if details is None:  # JSON null is no body: confirm with the default (update_existing false)
        assert status == 200
        return
    assert status == 400 and body["key"] == "invalid_payload"
    assert body["details"].startswith(details)
    assert set(body) == {"code", "key", "message", "details", "request_id"}
    assert await total(client) == 0


async def test_a_loyalty_points_cell_of_thousands_of_digits_is_a_troubleshooting_error(
    client: Client,
) -> None:
    """int() refuses more than 4,300 digits: the upload was a 500 (found in review)."""
    body = await preview(client, "identifier,loyalty_points\nann," + "9" * 5000 + "\n")
    [error] = body["errors"]
    assert (error["code"], error["column"]) == ("invalid_loyalty_points", "loyalty_points")
    assert error["reason"].endswith("(got '" + "9" * 40 + "...')")
