"""Property-based fuzzing of every operation in `openapi/customers.yaml` with Schemathesis.

Schemathesis reads the contract and sends each of the 18 operations its coverage cases
(boundary values, each constraint broken in turn, missing required parts, wrong types,
unexpected HTTP methods) and a fixed number of fuzzed requests, valid and invalid (generation
mode "all" = positive + negative), to an emulator running in a background thread on 127.0.0.1.
Nothing varies between runs: Hypothesis is derandomized and keeps no example database, and
the emulator runs on a manual clock with a fixed seed.

The emulator validates every response against the same contract and turns a breach into a 500
`emulator_contract_violation`, so "never a 5xx" covers both robustness (no unhandled error on
hostile input) and conformance. On top of that, each response must pass Schemathesis' own
conformance checks (status code, content type, headers, body schema), every client error must
carry the vendor's error shape, and every background job a request queued must run to an end
the contract can describe.

Run with `-s` to see how many requests each operation received, by status.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis.strategies as st
import pytest
import requests
import schemathesis
from helpers import AUTH, REPO, settings_for
from schemathesis import Case, CheckContext, HookContext, Response

from emulator.testing.inprocess import BackgroundEmulator

SPEC = REPO / "openapi" / "customers.yaml"
MAX_EXAMPLES = 25  # fuzzed requests per operation, on top of the coverage phase's cases
SEED = 20260115
TIMEOUT = 30  # seconds, for any single HTTP call

# Resources that exist before the first request. Half of the generated path parameters are
# swapped for these, so requests also reach the code behind the 404s (the known customer is
# recreated whenever a request deletes it).
KNOWN_CUSTOMER = "fuzz-known@example.com"
KNOWN_CAMPAIGN = "Fuzz known campaign"
KNOWN: dict[str, str] = {"customerId": KNOWN_CUSTOMER, "campaignId": KNOWN_CAMPAIGN}

# Columns the two CSV imports recognise; a generated file mixes them with arbitrary ones.
CSV_COLUMNS = {
    "/v1/customers/importCSV": [
        "Source_id", "Name", "Email", "Phone", "Birthdate", "Description", "Id",
        "Address_line_1", "Address_city", "Address_country",
    ],
    "/v1/campaigns/{campaignId}/importCSV": [
        "Code", "Category", "Active", "Gift Amount", "Redeemed Amount", "Loyalty Points",
        "Redeemed Quantity",
    ],
}  # fmt: skip

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        # The emulator below accepts only these credentials, so the requests Schemathesis
        # sends without them, or with mangled ones, must be answered 401.
        "auth": {
            "openapi": {
                "X-App-Id": {"api_key": AUTH["X-App-Id"]},
                "X-App-Token": {"api_key": AUTH["X-App-Token"]},
                "X-Voucherify-OAuth": {"bearer": AUTH["X-App-Token"]},
            }
        },
        # Only checks that hold for this API. Left out: positive_data_acceptance (a
        # schema-valid request can still be refused: a PNG where a CSV is expected, an
        # unknown id), negative_data_rejection (like the vendor, the emulator ignores
        # unknown query parameters and properties), missing_required_header and ignored_auth
        # (the contract offers two security schemes, so dropping one header can leave a
        # valid request), and the checks that need the stateful phase.
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)

SEEN: Counter[str] = Counter()  # "METHOD /path status" -> responses


class Emulator:
    """The running emulator. `session` sends the generated requests, which carry their own
    credentials (or, on purpose, none); `control` makes the test's own calls."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.control = requests.Session()
        self.control.headers.update({**AUTH, "X-Emulator-Client": "schemathesis"})

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        response = self.control.post(self.url + path, timeout=TIMEOUT, **kwargs)
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response

    def ensure_known_customer(self) -> None:
        self.post("/v1/customers", json={"source_id": KNOWN_CUSTOMER, "name": "Known"})

    def close(self) -> None:
        self.session.close()
        self.control.close()


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    credentials = {AUTH["X-App-Id"]: AUTH["X-App-Token"]}
    with BackgroundEmulator(settings_for(port=0, credentials=credentials)) as server:
        handle = Emulator(server.url)
        handle.ensure_known_customer()
        voucher = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 100}}
        handle.post("/v1/campaigns", json={"name": KNOWN_CAMPAIGN, "voucher": voucher})
        job = handle.post("/v1/customers/bulk/async", json=[{"source_id": "fuzz-bulk"}])
        KNOWN["asyncActionId"] = job.json()["async_action_id"]
        yield handle
        handle.close()
    print("\nresponses by operation and status:", json.dumps(dict(sorted(SEEN.items())), indent=1))
    print("requests in total:", sum(SEEN.values()))


@schema.hook
def flatmap_path_parameters(context: HookContext, path_parameters: dict[str, Any] | None) -> Any:
    """Half the time, aim the path parameters at resources that exist."""
    known = {name: KNOWN[name] for name in path_parameters or {} if name in KNOWN}
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **known}])


def _csv_files(path: str) -> st.SearchStrategy[bytes]:
    cell = st.text(max_size=12)
    key, *others = CSV_COLUMNS[path]  # the column that names each row comes first
    columns = st.lists(
        st.sampled_from(others) | st.text(min_size=1, max_size=8), max_size=4, unique=True
    ).map(lambda extra: [key, *(name for name in extra if name != key)])

    def write(header: list[str], rows: list[list[str]]) -> bytes:
        out = io.StringIO()
        csv.writer(out).writerows([header, *rows])
        return out.getvalue().encode("utf-8")

    rows = st.lists(st.lists(cell, min_size=0, max_size=6), max_size=4)
    return st.builds(write, columns, rows)


@schema.hook
def flatmap_body(context: HookContext, body: Any) -> Any:
    """Half the time, send a CSV import just a real CSV file with arbitrary cells, so that the
    request is accepted and the import job parses fuzzed rows."""
    operation = context.operation
    if operation is None or operation.path not in CSV_COLUMNS or not isinstance(body, dict):
        return st.just(body)
    with_csv = _csv_files(operation.path).map(lambda file: {"file": file})
    return st.just(body) | with_csv


def _is_parser_limit(response: Response) -> bool:
    """aiohttp's HTTP parser refuses a request line or header over 8190 bytes before any
    emulator code runs, with a plain-text 400; long fuzzed query strings reach that limit."""
    return (
        response.status_code == 400
        and response.headers.get("content-type", [""])[0].startswith("text/plain")
        and response.text.startswith("Got more than 8190 bytes when reading")
    )


@schema.hook
def filter_failure(context: HookContext, failure: Any, case: Case, response: Response) -> bool:
    """Drop failures about the one answer the emulator cannot shape (see _is_parser_limit)."""
    return not _is_parser_limit(response)


def error_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 4xx carries the vendor's `Error` body, or for a 413 the web framework's shape."""
    status = response.status_code
    if not 400 <= status < 500 or _is_parser_limit(response):
        return None
    try:
        body = json.loads(response.text)
    except ValueError:
        raise AssertionError(f"{status} body is not JSON: {response.text[:200]!r}") from None
    assert isinstance(body, dict), f"{status} body is not an object: {body!r}"
    if status == 413:
        assert body.get("statusCode") == 413, body
        assert isinstance(body.get("error"), str), body
        assert isinstance(body.get("message"), str), body
    else:
        code = body.get("code")
        assert type(code) is int and code == status, f"code {code!r} != status {status}: {body}"
        assert isinstance(body.get("message"), str), f"no string message: {body}"
    return True


def _run_queued_job(emulator: Emulator, response: Response) -> None:
    """Run the job a request queued, then read it back: it must end inside the contract."""
    if response.status_code >= 300:
        return
    try:
        action_id = json.loads(response.text).get("async_action_id")
    except (ValueError, AttributeError):
        return
    if not isinstance(action_id, str):
        return
    emulator.post("/_emulator/async-actions/run-until-idle")
    result = emulator.control.get(f"{emulator.url}/v1/async-actions/{action_id}", timeout=TIMEOUT)
    assert result.status_code == 200, (action_id, result.status_code, result.text)
    assert result.json()["status"] in ("DONE", "FAILED"), result.text


@schema.parametrize()
def test_no_server_errors_and_vendor_error_shapes(case: Case, emulator: Emulator) -> None:
    response = case.call(base_url=emulator.url, session=emulator.session, timeout=TIMEOUT)
    SEEN[f"{case.operation.label} {response.status_code}"] += 1
    case.validate_response(response, additional_checks=[error_shape])
    _run_queued_job(emulator, response)
    if case.operation.method.upper() in ("DELETE", "POST") and "customerId" in (
        case.path_parameters or {}
    ):
        emulator.ensure_known_customer()
