"""Async actions through the official, unmodified Python SDK (`voucherify` on PyPI).

Each test starts a job the way an SDK user does (CSV import, bulk update, metadata update),
then polls `AsyncActionsApi.get_async_action` until the job is DONE. The tenant's clock is
manual: between two polls the test moves it on by POLL_STEP, which is what the wall clock
would do between two polls of a real client. Nothing sleeps.

These tests ask for a queue delay (0.3 s, 0.5 ms per item), as a test that wants to see the
queue at work does: a job submitted at T is ENQUEUED until T+0.3 s, starts then (IN_PROGRESS)
and finishes a millisecond or two later, so a poll every 0.1 s sees ENQUEUED three times,
IN_PROGRESS once (at exactly T+0.3 s) and then DONE. (With the default timings there is no
queue delay: see tests/test_queue_start.py.)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import voucherify
from helpers import START
from sdk_support import Sdk, SdkFactory

from emulator.settings import JobTiming

T = TypeVar("T")
POLL_STEP = 0.1  # seconds of tenant time between two polls
MAX_POLLS = 100
TIMING = JobTiming(queue_delay=0.3, item_seconds=0.0005)  # a queue delay, asked for
QUEUE_POLLS = 3  # polls at T, T+0.1, T+0.2 see ENQUEUED; T+0.3 sees IN_PROGRESS


@pytest.fixture
async def sdk(make_sdk: SdkFactory) -> Sdk:
    return await make_sdk(job_timing=TIMING)


async def poll_until_done(
    sdk: Sdk, action_id: str
) -> tuple[list[str], voucherify.AsyncActionGetResponseBody]:
    """Poll like an SDK user: get, and while not finished let POLL_STEP pass and get again.

    Returns every status seen (one per poll) and the final async action."""
    seen: list[str] = []
    for _ in range(MAX_POLLS):
        action = await sdk(sdk.async_actions.get_async_action, action_id)
        assert isinstance(action, voucherify.AsyncActionGetResponseBody)
        assert action.status is not None
        seen.append(action.status)
        if action.status in ("DONE", "FAILED"):
            return seen, action
        assert action.operation_status == "UNKNOWN", action.to_dict()
        assert action.result is None, action.to_dict()
        sdk.advance(POLL_STEP)
    raise AssertionError(f"async action {action_id} never finished; saw {seen}")


def assert_lifecycle(seen: list[str], action: voucherify.AsyncActionGetResponseBody) -> None:
    """ENQUEUED while the queue delay runs, IN_PROGRESS once it starts, then DONE / SUCCESS."""
    assert seen == ["ENQUEUED"] * QUEUE_POLLS + ["IN_PROGRESS", "DONE"], seen
    assert action.status == "DONE"
    assert action.operation_status == "SUCCESS"
    assert action.progress == 100
    assert action.object == "async_action"
    assert action.result is not None


async def create(sdk: Sdk, **fields: Any) -> voucherify.CustomersCreateResponseBody:
    created = await sdk(
        sdk.customers.create_customer, voucherify.CustomersCreateRequestBody(**fields)
    )
    assert isinstance(created, voucherify.CustomersCreateResponseBody)
    return created


async def get(sdk: Sdk, key: str) -> voucherify.CustomersGetResponseBody:
    customer = await sdk(sdk.customers.get_customer, key)
    assert isinstance(customer, voucherify.CustomersGetResponseBody)
    return customer


CSV = (
    "Source_id,Name,Email,Address_City,loyalty_tier\r\n"
    "ann@example.com,Ann Lee,ann@example.com,Warsaw,gold\r\n"
    "ben@example.com,Ben Ode,ben@example.com,Berlin,silver\r\n"
    'cat@example.com,"Cat, the Third",cat@example.com,Paris,bronze\r\n'
)


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "file-path"])
async def test_import_customers_using_csv(sdk: Sdk, tmp_path: Path, as_path: bool) -> None:
    # Ben already exists: the import updates him and merges the new column into his metadata.
    ben = await create(
        sdk, source_id="ben@example.com", name="Benjamin", phone="+1 555 0100",
        metadata={"plan": "pro"},
    )  # fmt: skip
    if as_path:
        path = tmp_path / "customers.csv"
        path.write_text(CSV, encoding="utf-8", newline="")
        upload: bytes | str = str(path)
    else:
        upload = CSV.encode("utf-8")

    accepted = await sdk(sdk.customers.import_customers_using_csv, file=upload)
    assert isinstance(accepted, voucherify.CustomersImportCsvCreateResponseBody)
    assert accepted.async_action_id and accepted.async_action_id.startswith("aa_")

    seen, action = await poll_until_done(sdk, accepted.async_action_id)
    assert_lifecycle(seen, action)
    assert action.id == accepted.async_action_id
    assert action.type == "CUSTOMERS.IMPORT_CSV"
    assert action.created_at == START
    assert action.result == {
        "message": "3 customer(s) imported successfully, 0 failed.",
        "failed": [],
        "done_count": 3,
        "failed_count": 0,
    }

    ann = await get(sdk, "ann@example.com")
    assert (ann.name, ann.email) == ("Ann Lee", "ann@example.com")
    assert ann.address is not None and ann.address.city == "Warsaw"
    assert ann.metadata == {"loyalty_tier": "gold"}
    # The row is applied when its portion completes: 0.3 s queue delay + 3 rows x 0.5 ms,
    # i.e. T+301.5 ms, which the wire format (milliseconds) writes as .301.
    assert ann.created_at == START + timedelta(seconds=0.301)

    cat = await get(sdk, "cat@example.com")
    assert cat.name == "Cat, the Third"  # a quoted comma stays in the cell
    assert cat.address is not None and cat.address.city == "Paris"
    assert cat.metadata == {"loyalty_tier": "bronze"}

    updated_ben = await get(sdk, "ben@example.com")
    assert updated_ben.id == ben.id
    assert (updated_ben.name, updated_ben.email) == ("Ben Ode", "ben@example.com")
    assert updated_ben.phone == "+1 555 0100"  # not in the file: untouched
    assert updated_ben.address is not None and updated_ben.address.city == "Berlin"
    assert updated_ben.metadata == {"plan": "pro", "loyalty_tier": "silver"}

    listing = await sdk(sdk.customers.list_customers, limit=10)
    assert listing.total == 3


async def test_update_customers_in_bulk(sdk: Sdk) -> None:
    old = await create(
        sdk, source_id="old@example.com", name="Old Name", email="old@example.com",
        metadata={"plan": "free"},
    )  # fmt: skip
    body = [
        voucherify.CustomersUpdateInBulkRequestBody(
            source_id="old@example.com",
            name="New Name",
            address=voucherify.CustomersUpdateInBulkRequestBodyAddress(city="Oslo"),
        ),
        voucherify.CustomersUpdateInBulkRequestBody(
            source_id="fresh@example.com",
            name="Fresh Face",
            email="fresh@example.com",
            metadata={"plan": "trial"},
        ),
    ]
    accepted = await sdk(sdk.customers.update_customers_in_bulk, body)
    assert isinstance(accepted, voucherify.CustomersUpdateInBulkResponseBody)
    assert accepted.async_action_id

    seen, action = await poll_until_done(sdk, accepted.async_action_id)
    assert_lifecycle(seen, action)
    assert action.type == "CUSTOMERS.BULK_UPDATE"
    assert action.result is not None
    result = action.result
    assert (result["done_count"], result["failed_count"], result["errors"]) == (2, 0, [])
    assert result["reports"] and result["reports"][0].endswith(f"/{action.id}")
    finished = START + timedelta(seconds=0.301)  # queue delay + 2 items x 0.5 ms
    till = finished + timedelta(days=1)
    assert result["reports_available_till"] == till.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    existing = await get(sdk, "old@example.com")
    assert existing.id == old.id
    assert existing.name == "New Name"
    assert existing.email == "old@example.com"  # not sent: untouched
    assert existing.metadata == {"plan": "free"}  # not sent: untouched
    assert existing.address is not None and existing.address.city == "Oslo"
    assert existing.updated_at == finished

    fresh = await get(sdk, "fresh@example.com")  # upserted
    assert fresh.id and fresh.id != old.id
    assert (fresh.name, fresh.email) == ("Fresh Face", "fresh@example.com")
    assert fresh.metadata == {"plan": "trial"}
    assert fresh.created_at == finished


async def test_update_customers_metadata_in_bulk(sdk: Sdk) -> None:
    await create(sdk, source_id="m1@example.com", name="Em One", metadata={"plan": "pro", "x": 1})
    await create(sdk, source_id="m2@example.com", name="Em Two")
    body = voucherify.CustomersMetadataUpdateInBulkRequestBody(
        source_ids=["m1@example.com", "m2@example.com", "m3@example.com"],
        metadata={"plan": "enterprise", "segment": "b2b"},
    )
    accepted = await sdk(sdk.customers.update_customers_metadata_in_bulk, body)
    assert isinstance(accepted, voucherify.CustomersMetadataUpdateInBulkResponseBody)
    assert accepted.async_action_id

    seen, action = await poll_until_done(sdk, accepted.async_action_id)
    assert_lifecycle(seen, action)
    assert action.type == "CUSTOMERS.METADATA_UPDATE"
    assert action.result is not None
    result = action.result
    assert (result["done_count"], result["failed_count"], result["errors"]) == (3, 0, [])
    assert result["reports"] and result["reports"][0].endswith(f"/{action.id}")

    m1 = await get(sdk, "m1@example.com")
    assert m1.name == "Em One"
    assert m1.metadata == {"plan": "enterprise", "x": 1, "segment": "b2b"}  # merged
    m2 = await get(sdk, "m2@example.com")
    assert m2.name == "Em Two"
    assert m2.metadata == {"plan": "enterprise", "segment": "b2b"}
    m3 = await get(sdk, "m3@example.com")  # unknown source_id: upserted
    assert m3.name is None
    assert m3.metadata == {"plan": "enterprise", "segment": "b2b"}


async def test_list_async_actions_newest_first(sdk: Sdk) -> None:
    first = await sdk(
        sdk.customers.import_customers_using_csv, file=b"source_id,name\nl1@example.com,L One\n"
    )
    sdk.advance(1)
    second = await sdk(
        sdk.customers.update_customers_in_bulk,
        [voucherify.CustomersUpdateInBulkRequestBody(source_id="l2@example.com", name="L Two")],
    )
    sdk.advance(1)
    third = await sdk(
        sdk.customers.update_customers_metadata_in_bulk,
        voucherify.CustomersMetadataUpdateInBulkRequestBody(
            source_ids=["l1@example.com"], metadata={"k": "v"}
        ),
    )
    ids = [first.async_action_id, second.async_action_id, third.async_action_id]
    assert all(ids) and len(set(ids)) == 3
    assert third.async_action_id is not None

    two = await sdk(sdk.async_actions.list_async_actions, limit=2)
    assert isinstance(two, voucherify.AsyncActionsListResponseBody)
    assert two.object == "list" and two.data_ref == "async_actions"
    assert two.async_actions is not None
    assert [a.id for a in two.async_actions] == [ids[2], ids[1]]
    assert [a.type for a in two.async_actions] == [
        "CUSTOMERS.METADATA_UPDATE", "CUSTOMERS.BULK_UPDATE",
    ]  # fmt: skip
    # The first two have had their time (>= 1 s each); the newest is still queued.
    assert [a.status for a in two.async_actions] == ["ENQUEUED", "DONE"]
    assert [a.created_at for a in two.async_actions] == [
        START + timedelta(seconds=2), START + timedelta(seconds=1),
    ]  # fmt: skip
    assert two.has_more is True

    everything = await sdk(sdk.async_actions.list_async_actions, limit=10)
    assert everything.async_actions is not None
    assert [a.id for a in everything.async_actions] == ids[::-1]
    assert [a.status for a in everything.async_actions] == ["ENQUEUED", "DONE", "DONE"]
    assert everything.has_more is False

    seen, action = await poll_until_done(sdk, third.async_action_id)
    assert_lifecycle(seen, action)
    assert action.result is not None and action.result["done_count"] == 1
    m = await get(sdk, "l1@example.com")
    assert (m.name, m.metadata) == ("L One", {"k": "v"})
