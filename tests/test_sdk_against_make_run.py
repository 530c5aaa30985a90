"""The official Python SDK (`voucherify` on PyPI, unmodified) against `make run` with its
default settings: a real subprocess on the real clock, as users meet the product.

The flows are those of the vendor's and the JS SDK's own live tests: a CSV import polled only
while IN_PROGRESS, a voucher import read back with list_vouchers(campaign_id=...), a
publication that shows up in the customer's redeemables, and a bulk update with null address
fields. Each test is its own tenant (its own X-App-Id).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
import voucherify
from make_run import make_run

POLL_PAUSE = 0.01  # the client's pause between two polls
MAX_POLLS = 500


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with make_run() as base_url:
        yield base_url


@pytest.fixture
def client(url: str) -> Iterator[voucherify.ApiClient]:
    configuration = voucherify.Configuration(
        host=url, api_key={"X-App-Id": f"sdk-{secrets.token_hex(4)}", "X-App-Token": "t"}
    )
    with voucherify.ApiClient(configuration) as api_client:
        yield api_client
        api_client.rest_client.pool_manager.clear()


def poll_while_in_progress(actions: voucherify.AsyncActionsApi, action_id: str) -> list[str]:
    """The JS SDK's live test: `while (status === 'IN_PROGRESS') wait`; every status seen."""
    seen = [actions.get_async_action(action_id).status]
    while seen[-1] == "IN_PROGRESS" and len(seen) < MAX_POLLS:
        time.sleep(POLL_PAUSE)
        seen.append(actions.get_async_action(action_id).status)
    return seen


def test_csv_import_polled_while_in_progress_then_the_customer(
    client: voucherify.ApiClient,
) -> None:
    customers = voucherify.CustomersApi(client)
    actions = voucherify.AsyncActionsApi(client)
    source_id = f"csv-{secrets.token_hex(4)}"
    started = customers.import_customers_using_csv(
        file=f"Source_id,Name,Email\n{source_id},Csv Person,{source_id}@example.com\n".encode()
    )
    seen = poll_while_in_progress(actions, started.async_action_id)
    assert seen[0] != "ENQUEUED"  # an idle queue starts the job at once
    assert seen[-1] == "DONE", seen
    imported = customers.get_customer(source_id)
    assert (imported.source_id, imported.name) == (source_id, "Csv Person")


def test_voucher_import_then_list_vouchers_by_campaign(client: voucherify.ApiClient) -> None:
    campaigns = voucherify.CampaignsApi(client)
    vouchers = voucherify.VouchersApi(client)
    actions = voucherify.AsyncActionsApi(client)
    campaign = campaigns.create_campaign(voucherify.CampaignsCreateRequestBody(
        name=f"Import {secrets.token_hex(3)}",
        voucher=voucherify.CampaignsCreateRequestBodyVoucher(
            type="DISCOUNT_VOUCHER", discount=voucherify.Discount(type="AMOUNT", amount_off=1000)),
    ))  # fmt: skip
    started = campaigns.import_vouchers_to_campaign_using_csv(
        campaign.id, file=b"Code,Category\nSDK-ONE,vip\nSDK-TWO,\n"
    )
    seen = poll_while_in_progress(actions, started.async_action_id)
    assert seen[-1] == "DONE", seen
    listed = vouchers.list_vouchers(campaign_id=campaign.id)
    assert listed.total == 2 and listed.vouchers
    assert sorted(v.code for v in listed.vouchers) == ["SDK-ONE", "SDK-TWO"]
    one = vouchers.get_voucher("SDK-ONE")
    assert one.campaign_id == campaign.id and one.category == "vip"
    assert one.discount is not None


def test_published_voucher_is_in_the_customers_redeemables(client: voucherify.ApiClient) -> None:
    campaigns = voucherify.CampaignsApi(client)
    customers = voucherify.CustomersApi(client)
    publications = voucherify.PublicationsApi(client)
    name = f"Publish {secrets.token_hex(3)}"
    campaigns.create_campaign(voucherify.CampaignsCreateRequestBody(
        name=name, type="AUTO_UPDATE",
        voucher=voucherify.CampaignsCreateRequestBodyVoucher(
            type="DISCOUNT_VOUCHER", discount=voucherify.Discount(type="AMOUNT", amount_off=0),
            code_config=voucherify.CodeConfig(length=3)),
    ))  # fmt: skip
    customer = customers.create_customer(
        voucherify.CustomersCreateRequestBody(source_id=f"holder-{secrets.token_hex(3)}")
    )
    published = publications.create_publication(
        publications_create_request_body=voucherify.PublicationsCreateRequestBody(
            campaign=voucherify.CreatePublicationCampaign(name=name),
            customer=voucherify.Customer(id=customer.id),
        )
    )
    assert published.customer_id == customer.id and published.voucher is not None
    redeemables = customers.list_customer_redeemables(customer.id)
    assert redeemables.total == 1 and redeemables.data
    held = redeemables.data[0]
    assert held.redeemable_id == published.voucher.id and held.holder_role == "OWNER"
    listing = publications.list_publications(customer=customer.id)
    assert [p.id for p in listing.publications] == [published.id]


def test_bulk_update_with_null_address_fields_is_accepted(client: voucherify.ApiClient) -> None:
    customers = voucherify.CustomersApi(client)
    actions = voucherify.AsyncActionsApi(client)
    source_id = f"bulk-{secrets.token_hex(4)}"
    customers.create_customer(voucherify.CustomersCreateRequestBody(source_id=source_id))

    def bulk(address: Any) -> list[str]:
        started = customers.update_customers_in_bulk([
            voucherify.CustomersUpdateInBulkRequestBody(source_id=source_id, address=address)
        ])  # fmt: skip
        statuses = [actions.get_async_action(started.async_action_id).status]
        while statuses[-1] not in ("DONE", "FAILED") and len(statuses) < MAX_POLLS:
            time.sleep(POLL_PAUSE)  # the other polling style: until DONE or FAILED
            statuses.append(actions.get_async_action(started.async_action_id).status)
        return statuses

    address = voucherify.CustomersUpdateInBulkRequestBodyAddress
    assert bulk(address(city="New York", country="US"))[-1] == "DONE"
    assert bulk(address(city=None, country=None))[-1] == "DONE"
    stored = customers.get_customer(source_id)
    assert stored.address is not None
    assert (stored.address.city, stored.address.country) == (None, None)
    assert stored.address.model_fields_set >= {"city", "country"}  # sent as nulls, not left out
