"""The fixture handle, written as a user of the package writes tests: only the
`voucherify_emulator` fixture, the official SDK (`voucherify`, unmodified) and
`emulator.testing`. Nothing from this repository's test helpers, so that
tests/test_installed_wheel.py can run this very file through the plugin of the installed wheel,
from a folder outside the repository."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import voucherify

from emulator.testing import ControlError, EmulatorHandle

RATE_LIMITED = {"code": 429, "message": "Too many requests hit the API too quickly."}
Apis = tuple[voucherify.CustomersApi, voucherify.AsyncActionsApi]


@pytest.fixture
def sdk(voucherify_emulator: EmulatorHandle) -> Iterator[Callable[..., Apis]]:
    """sdk(**configuration) -> the official SDK's customers and async-actions APIs."""
    clients: list[voucherify.ApiClient] = []

    def make(**configuration: Any) -> Apis:
        config = voucherify.Configuration(
            host=voucherify_emulator.url,
            api_key={"X-App-Id": voucherify_emulator.app_id,
                     "X-App-Token": voucherify_emulator.app_token},
            **configuration,
        )  # fmt: skip
        client = voucherify.ApiClient(config)
        clients.append(client)
        return voucherify.CustomersApi(client), voucherify.AsyncActionsApi(client)

    yield make
    for client in clients:
        client.rest_client.pool_manager.clear()


def new(source_id: str, **fields: Any) -> voucherify.CustomersCreateRequestBody:
    return voucherify.CustomersCreateRequestBody(source_id=source_id, **fields)


# -- the journal ---------------------------------------------------------------------------
def test_requests_filters_by_method_path_and_tenant(
    voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]
) -> None:
    customers, _ = sdk()
    customers.create_customer(new("ann", name="Ann"))
    customers.get_customer("ann")
    customers.list_customers()
    mine = voucherify_emulator.requests()
    assert [(r["method"], r["path"]) for r in mine] == [
        ("GET", "/v1/customers"), ("GET", "/v1/customers/ann"), ("POST", "/v1/customers"),
    ]  # fmt: skip
    assert [r["method"] for r in voucherify_emulator.requests(method="POST")] == ["POST"]
    assert [
        r["path"] for r in voucherify_emulator.requests(method="get", path="/v1/customers/")
    ] == ["/v1/customers/ann"]
    assert len(voucherify_emulator.requests(limit=1)) == 1

    other = f"{voucherify_emulator.app_id}-other"
    request = urllib.request.Request(
        voucherify_emulator.url + "/v1/customers", headers={"X-App-Id": other, "X-App-Token": "t"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    theirs = voucherify_emulator.requests(tenant=other)
    assert [(r["tenant"], r["path"]) for r in theirs] == [(other, "/v1/customers")]
    assert len(voucherify_emulator.requests()) == 3  # still only mine
    everyone = {r["tenant"] for r in voucherify_emulator.requests(tenant="*")}
    assert {voucherify_emulator.app_id, other} <= everyone


# -- control errors --------------------------------------------------------------------------
def test_a_refused_control_call_raises_with_the_emulators_answer(
    voucherify_emulator: EmulatorHandle,
) -> None:
    with pytest.raises(ControlError) as raised:
        voucherify_emulator.seed(customers=[{"source_id": "a", "email": 42}])
    error = raised.value
    assert (error.status, error.key) == (400, "invalid_payload")
    assert error.details == "seed body: customers[0].email must be string"
    assert error.body["code"] == 400 and error.body["request_id"].startswith("v-")
    assert str(error) == (
        "POST /_emulator/seed -> 400 invalid_payload: seed body: customers[0].email must be string"
    )
    with pytest.raises(ControlError) as raised:
        voucherify_emulator.hold("aa_0000000000000000ff")
    assert (raised.value.status, raised.value.key) == (404, "not_found")
    with pytest.raises(ControlError) as raised:
        voucherify_emulator.clock.advance(-5)
    assert raised.value.status == 400 and "negative" in raised.value.details


# -- seed data: a metadata schema ----------------------------------------------------------
def test_seeded_metadata_schema_refuses_bad_metadata(
    voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]
) -> None:
    schema = {"related_object": "customer",
              "properties": {"tier": {"type": "string", "eq": ["gold", "silver"]}}}  # fmt: skip
    counts = voucherify_emulator.seed(metadata_schemas=[schema])
    assert counts["metadata_schemas"] == 1
    customers, actions = sdk()
    with pytest.raises(voucherify.ApiException) as refused:
        customers.create_customer(new("ann", metadata={"tier": "tin"}))
    body = json.loads(refused.value.body or "{}")
    assert (refused.value.status, body["key"]) == (400, "metadata_validation_failed")
    assert body["details"] == "tier: must be equal to one of gold,silver (actual value is 'tin')"
    job = customers.update_customers_in_bulk([
        voucherify.CustomersUpdateInBulkRequestBody(source_id="ok", metadata={"tier": "gold"}),
        voucherify.CustomersUpdateInBulkRequestBody(source_id="no", metadata={"tier": "tin"}),
    ]).async_action_id  # fmt: skip
    voucherify_emulator.run_until_idle()
    result = actions.get_async_action(job).result or {}
    assert (result["done_count"], result["failed_count"]) == (1, 1)
    assert [(e["source_id"], e["key"]) for e in result["errors"]] == [
        ("no", "metadata_validation_failed")]  # fmt: skip


# -- job faults ------------------------------------------------------------------------------
CSV = b"Source_id,Name\nann,Ann\nbob,Bob\ncid,Cid\n"


def test_hold_and_release(voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]) -> None:
    customers, actions = sdk()
    job = customers.import_customers_using_csv(file=CSV).async_action_id
    # an idle queue starts it at once; the hold puts its portion back
    assert voucherify_emulator.hold(job)["status"] == "IN_PROGRESS"
    assert voucherify_emulator.run_until_idle() == []
    assert actions.get_async_action(job).status == "IN_PROGRESS"
    assert voucherify_emulator.release(job)["id"] == job
    assert [done["id"] for done in voucherify_emulator.run_until_idle()] == [job]
    assert actions.get_async_action(job).status == "DONE"


def test_fail(voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]) -> None:
    customers, actions = sdk()
    job = customers.import_customers_using_csv(file=CSV).async_action_id
    failed = voucherify_emulator.fail(job, "Upstream storage unavailable")
    assert failed["status"] == "FAILED"
    seen = actions.get_async_action(job)
    assert seen.status == "FAILED" and seen.operation_status == "FAILED"
    assert seen.result["message"] == "Upstream storage unavailable"
    assert customers.list_customers().total == 0


def test_fail_rows(voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]) -> None:
    customers, actions = sdk()
    job = customers.import_customers_using_csv(file=CSV).async_action_id
    voucherify_emulator.fail_rows(job, source_ids=["bob"], rows=[3], reason="Rejected by CRM")
    voucherify_emulator.run_until_idle()
    result = actions.get_async_action(job).result
    assert result["failed"] == [
        {"source_id": "bob", "row": 2, "reason": "Rejected by CRM"},
        {"source_id": "cid", "row": 3, "reason": "Rejected by CRM"},
    ]
    assert [c.source_id for c in customers.list_customers().customers] == ["ann"]


def test_rules(voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]) -> None:
    customers, actions = sdk()
    rules = voucherify_emulator.rules("CUSTOMERS.BULK_UPDATE", hold=True, count=1)
    assert [(r["type"], r["hold"], r["remaining"]) for r in rules] == [
        ("CUSTOMERS.BULK_UPDATE", True, 1)
    ]
    item = voucherify.CustomersUpdateInBulkRequestBody(source_id="ann", name="Ann")
    held = customers.update_customers_in_bulk([item]).async_action_id
    assert voucherify_emulator.rules() == []  # the one rule was used up
    voucherify_emulator.run_until_idle()
    assert actions.get_async_action(held).status == "IN_PROGRESS"
    voucherify_emulator.rules("*", fail_rows={"source_ids": ["bob"], "reason": "No"})
    assert len(voucherify_emulator.rules()) == 1
    voucherify_emulator.clear_rules()
    assert voucherify_emulator.rules() == []


def test_timings(voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]) -> None:
    customers, actions = sdk()
    timing = voucherify_emulator.timings("CUSTOMERS.BULK_UPDATE", queue_delay=10)
    assert timing["type"] == "CUSTOMERS.BULK_UPDATE" and timing["queue_delay"] == 10
    item = voucherify.CustomersUpdateInBulkRequestBody(source_id="ann", name="Ann")
    job = customers.update_customers_in_bulk([item]).async_action_id
    voucherify_emulator.clock.advance(9.9)
    assert actions.get_async_action(job).status == "ENQUEUED"
    voucherify_emulator.clock.advance(0.2)
    assert actions.get_async_action(job).status == "DONE"


# -- 429 and the official SDK ---------------------------------------------------------------
def test_429_with_retries_off_reaches_the_code(
    voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]
) -> None:
    customers, _ = sdk(retries=False)
    voucherify_emulator.fault(
        path="/v1/customers", rate_limit={"capacity": 1, "refill_per_second": 0.5}
    )
    customers.list_customers()
    with pytest.raises(voucherify.ApiException) as raised:
        customers.list_customers()
    assert raised.value.status == 429
    assert raised.value.headers["Retry-After"] == "2"  # one token per 2 s
    assert json.loads(raised.value.body) == RATE_LIMITED


def test_429_default_retry_waits_retry_after_then_succeeds(
    voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]
) -> None:
    customers, _ = sdk()  # default: urllib3 retries a GET's 429 after sleeping Retry-After
    voucherify_emulator.fault(
        path="/v1/customers", rate_limit={"capacity": 1, "refill_per_second": 1}
    )
    customers.list_customers()
    started = time.monotonic()
    assert customers.list_customers().total == 0  # the code never sees the 429
    assert time.monotonic() - started >= 0.9  # it waited the Retry-After: 1 it was sent
    assert [r["status"] for r in voucherify_emulator.requests()] == [200, 429, 200]


def test_429_default_retry_leaves_posts_and_plain_429s_to_the_code(
    voucherify_emulator: EmulatorHandle, sdk: Callable[..., Apis]
) -> None:
    customers, _ = sdk()
    voucherify_emulator.fault(path="/v1/customers", method="POST", status=429, times=1)
    with pytest.raises(voucherify.ApiException) as raised:
        customers.create_customer(new("ann"))
    assert raised.value.status == 429 and "Retry-After" not in raised.value.headers
    voucherify_emulator.fault(
        path="/v1/customers", method="GET", rate_limit={"capacity": 1, "refill_per_second": 0}
    )
    customers.list_customers()
    with pytest.raises(voucherify.ApiException) as raised:
        customers.list_customers()  # a bucket that never refills: no Retry-After, no wait
    assert raised.value.status == 429 and "Retry-After" not in raised.value.headers
    assert [r["status"] for r in voucherify_emulator.requests()] == [429, 200, 429]
