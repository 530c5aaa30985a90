"""Real emulator traffic, checked by an independent validator (openapi-core) against our spec and,
where ../shared is present, against the vendor's validation-patched spec."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import FormData
from conftest import ClientFactory
from helpers import AUTH, REPO, SHARED_REFERENCE, Client
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from oracle import oracle

from emulator.contract.spec import Spec

OUR_SPEC = REPO / "openapi" / "customers.yaml"
VENDOR_PATCHED = SHARED_REFERENCE / "voucherify-subset.validation-patched.openapi.json"
DEMO = REPO / "fixtures" / "demo.yaml"


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: dict[str, str]
    body: bytes | None
    status: int
    response: bytes
    content_type: str


class Recorder:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.exchanges: list[Exchange] = []

    async def __call__(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = None if json_body is None else json.dumps(json_body).encode()
        sent = {**AUTH, **({"Content-Type": "application/json"} if data else {}), **(headers or {})}
        response = await self.client.request(method, path, data=data, params=params, headers=sent)
        raw = await response.read()
        self.exchanges.append(
            Exchange(method, path, params or {}, data, response.status, raw,
                     response.headers.get("Content-Type", "").split(";")[0])
        )  # fmt: skip
        return json.loads(raw) if raw else None


async def scenario(client: Client) -> list[Exchange]:
    """Touch every implemented operation on its happy path and its main error paths."""
    api = Recorder(client)
    alice = await api("POST", "/v1/customers", json_body={
        "source_id": "alice@example.com", "name": "Alice", "email": "alice@example.com",
        "birthdate": "1990-01-01", "address": {"city": "Paris"}, "metadata": {"vip": True},
    })  # fmt: skip
    await api("POST", "/v1/customers", json_body={})
    await api("GET", f"/v1/customers/{alice['id']}")
    await api("GET", "/v1/customers/alice%40example.com")
    await api("PUT", "/v1/customers/alice%40example.com", json_body={"phone": "+48 1"})
    await api("GET", "/v1/customers", params={"limit": "2", "order": "-updated_at"})
    await api("GET", "/v1/customers", params={"created_at[before]": "2030-01-01"})
    await api("GET", "/v1/customers", params={"segment_id": "seg_gold_customers"})
    await api("GET", f"/v1/customers/{alice['id']}/activity", params={"limit": "1"})
    await api("GET", f"/v1/customers/{alice['id']}/activities")
    await api("GET", "/v1/customers/alice.morgan%40example.com/segments")
    await api("GET", f"/v1/customers/{alice['id']}/redeemables")
    await api("POST", "/v1/campaigns", json_body={
        "name": "Spring", "voucher": {"type": "DISCOUNT_VOUCHER",
                                      "discount": {"type": "AMOUNT", "amount_off": 100}},
    })  # fmt: skip
    await api("GET", "/v1/campaigns/Spring")
    await api("GET", "/v1/campaigns/Summer%20Sale")
    await api("POST", "/v1/campaigns", json_body={"name": "Spring"})  # 409
    await api("GET", "/v1/campaigns/nope")  # 404
    await api("GET", "/v1/customers/nobody")  # 404
    await api("GET", "/v1/customers", params={"limit": "1000"})  # 400
    await api("POST", "/v1/customers", json_body={"email": 1})  # 400
    await api("GET", "/v1/customers", headers={"X-App-Id": "", "X-App-Token": ""})  # 401
    await async_scenario(api)
    await api("DELETE", f"/v1/customers/{alice['id']}")  # 204
    await api("POST", f"/v1/customers/{alice['id']}/permanent-deletion")
    return api.exchanges


async def async_scenario(api: Recorder) -> None:
    """Every async-action operation, each result shape, and a FAILED one."""
    client = api.client
    form = FormData()
    form.add_field(
        "file", b"Source_id,Name,Birthdate\nz1,Z,1990-01-01\nz2,Y,bad\n", filename="c.csv"
    )
    response = await client.post("/v1/customers/importCSV", data=form, headers=AUTH)
    assert response.status == 202
    imported = (await response.json())["async_action_id"]
    bulk = await api(
        "POST", "/v1/customers/bulk/async", json_body=[{"source_id": "z1", "name": "B"}]
    )
    meta = await api("POST", "/v1/customers/metadata/async",
                     json_body={"source_ids": ["z1"], "metadata": {"m": 1}})  # fmt: skip
    form = FormData()
    form.add_field("file", b"Code,Category\nC1,x\nC1,y\n", filename="v.csv")
    response = await client.post("/v1/campaigns/Spring/importCSV", data=form, headers=AUTH)
    assert response.status == 200
    vouchers = (await response.json())["async_action_id"]
    doomed = await api("POST", "/v1/customers/bulk/async", json_body=[{"source_id": "z9"}])
    await api("GET", f"/v1/async-actions/{imported}")  # ENQUEUED, no result yet
    await client.post(f"/_emulator/async-actions/{doomed['async_action_id']}",
                      json={"fail": "boom"}, headers=AUTH)  # fmt: skip
    await client.post("/_emulator/async-actions/run-until-idle", headers=AUTH)
    for action_id in (imported, bulk["async_action_id"], meta["async_action_id"], vouchers,
                      doomed["async_action_id"]):  # fmt: skip
        await api("GET", f"/v1/async-actions/{action_id}")
    await api("GET", "/v1/async-actions", params={"limit": "3"})
    await api("GET", "/v1/async-actions/aa_missing")  # 404
    await api("POST", "/v1/campaigns/nope/importCSV", json_body={})  # 415
    await api("POST", "/v1/customers/metadata/async", json_body={"source_ids": []})  # 400


@cache
def _openapi(path: Path) -> OpenAPI:
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return OpenAPI.from_dict(document)


def _check(spec: OpenAPI, exchange: Exchange) -> None:
    request = MockRequest(
        "http://localhost", exchange.method.lower(), exchange.path.replace("%40", "@")
        .replace("%20", " "), args=exchange.query, data=exchange.body,
    )  # fmt: skip
    response = MockResponse(exchange.response, exchange.status, content_type=exchange.content_type)
    spec.validate_response(request, response)


@pytest.fixture
async def traffic(make_client: ClientFactory) -> list[Exchange]:
    return await scenario(await make_client(fixtures=(DEMO,)))


async def test_scenario_covers_what_it_claims(traffic: list[Exchange]) -> None:
    statuses = {e.status for e in traffic}
    assert statuses == {200, 202, 204, 400, 401, 404, 409, 415}
    actions = [json.loads(e.response) for e in traffic if "async-actions/aa_" in e.path]
    finished = {a["type"] for a in actions if "result" in a}
    assert finished == {
        "CUSTOMERS.IMPORT_CSV", "CUSTOMERS.BULK_UPDATE", "CUSTOMERS.METADATA_UPDATE",
        "CAMPAIGN.VOUCHERS_IMPORT_CSV",
    }  # fmt: skip
    assert {a.get("status") for a in actions} >= {"ENQUEUED", "DONE", "FAILED"}
    assert any(a.get("result", {}).get("errors") for a in actions)  # the FAILED bulk job


async def test_every_response_passes_openapi_core_on_our_spec(traffic: list[Exchange]) -> None:
    for exchange in traffic:
        _check(_openapi(OUR_SPEC), exchange)


async def test_every_response_passes_the_vendor_patched_spec(traffic: list[Exchange]) -> None:
    if not VENDOR_PATCHED.exists():
        pytest.skip("../shared/reference is absent; the vendor comparison needs it")
    for exchange in traffic:
        _check(_openapi(VENDOR_PATCHED), exchange)


async def test_every_response_passes_the_repaired_full_vendor_document(
    make_client: ClientFactory, vendor_full_spec: Spec
) -> None:
    """The same traffic from an app started on the vendor's whole document: its customers,
    async-action and campaign operations keep their state and satisfy the vendor's schemas."""
    traffic = await scenario(await make_client(fixtures=(DEMO,), spec=vendor_full_spec))
    for exchange in traffic:
        _check(oracle(vendor_full_spec), exchange)


async def test_the_oracle_does_reject_a_broken_response(traffic: list[Exchange]) -> None:
    get = next(
        e for e in traffic if e.method == "GET" and e.status == 200 and "customers/" in e.path
    )
    body = json.loads(get.response)
    body["object"] = "not-a-customer"
    broken = Exchange(**{**get.__dict__, "response": json.dumps(body).encode()})
    with pytest.raises(Exception, match="is not one of \\['customer'\\]"):
        _check(_openapi(OUR_SPEC), broken)
