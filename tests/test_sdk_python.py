"""The official, unmodified Python SDK (`voucherify` on PyPI) against a real emulator server.

The SDK is synchronous (urllib3), so every SDK call runs in a worker thread while the
server keeps serving on the test's event loop.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import voucherify
from helpers import AUTH, START
from sdk_support import Sdk, SdkFactory
from voucherify.exceptions import NotFoundException, UnauthorizedException

T = TypeVar("T")
EMAIL = "alice.sdk@example.com"


@pytest.fixture
async def sdk(make_sdk: SdkFactory) -> Sdk:
    return await make_sdk()


def alice_body(**changes: Any) -> voucherify.CustomersCreateRequestBody:
    fields: dict[str, Any] = {
        "source_id": EMAIL,
        "name": "Alice Morgan",
        "email": EMAIL,
        "address": voucherify.CustomersCreateRequestBodyAddress(city="New York", country="US"),
        "metadata": {"tier": "gold", "visits": 3},
        **changes,
    }
    return voucherify.CustomersCreateRequestBody(**fields)


def error_body(error: voucherify.ApiException) -> dict[str, Any]:
    assert error.body, "the SDK kept no response body"
    parsed: dict[str, Any] = json.loads(error.body)
    return parsed


async def test_create_and_get_by_id_and_by_email_source_id(sdk: Sdk) -> None:
    created = await sdk(sdk.customers.create_customer, alice_body())
    assert isinstance(created, voucherify.CustomersCreateResponseBody)
    assert created.id and created.id.startswith("cust_")
    assert created.object == "customer"
    assert (created.source_id, created.name, created.email) == (EMAIL, "Alice Morgan", EMAIL)
    assert created.address is not None
    assert (created.address.city, created.address.country) == ("New York", "US")
    assert created.metadata == {"tier": "gold", "visits": 3}
    assert created.created_at == START

    by_id = await sdk(sdk.customers.get_customer, created.id)
    assert isinstance(by_id, voucherify.CustomersGetResponseBody)
    assert by_id.to_dict() == {**created.to_dict(), "assets": by_id.to_dict()["assets"]}

    # The SDK url-encodes the path parameter: GET /v1/customers/alice.sdk%40example.com
    by_source_id = await sdk(sdk.customers.get_customer, EMAIL)
    assert by_source_id.id == created.id
    assert by_source_id.source_id == EMAIL


async def test_update_changes_only_what_is_sent(sdk: Sdk) -> None:
    created = await sdk(sdk.customers.create_customer, alice_body())
    sdk.advance(30)
    body = voucherify.CustomersUpdateRequestBody(name="Alice M.")
    assert body.to_dict() == {"name": "Alice M."}  # the SDK really sends a partial body
    updated = await sdk(sdk.customers.update_customer, EMAIL, body)
    assert isinstance(updated, voucherify.CustomersUpdateResponseBody)
    assert updated.id == created.id
    assert updated.name == "Alice M."
    assert updated.email == EMAIL
    assert updated.metadata == {"tier": "gold", "visits": 3}
    assert updated.updated_at == START + timedelta(seconds=30)
    fetched = await sdk(sdk.customers.get_customer, created.id)
    assert (fetched.name, fetched.email) == ("Alice M.", EMAIL)


async def test_list_customers_with_limit_order_and_created_at_before(sdk: Sdk) -> None:
    made = []
    for index in range(3):
        made.append(
            await sdk(
                sdk.customers.create_customer,
                voucherify.CustomersCreateRequestBody(
                    source_id=f"user{index}@example.com", name=f"User {index}"
                ),
            )
        )
        sdk.advance(60)
    ids = [customer.id for customer in made]

    page = await sdk(sdk.customers.list_customers, limit=2, order="-created_at")
    assert isinstance(page, voucherify.CustomersListResponseBody)
    assert page.object == "list" and page.data_ref == "customers"
    assert page.total == 3
    assert page.customers is not None
    assert [customer.id for customer in page.customers] == [ids[2], ids[1]]

    everyone = await sdk(sdk.customers.list_customers, limit=10, order="created_at")
    assert everyone.customers is not None
    assert [customer.id for customer in everyone.customers] == ids
    assert everyone.customers[0].source_id == "user0@example.com"

    # Strictly between the second and the third customer's created_at.
    cut = START + timedelta(seconds=90)
    older = await sdk(
        sdk.customers.list_customers, created_at_before=cut, order="created_at", limit=10
    )
    assert older.total == 2
    assert older.customers is not None
    assert [customer.id for customer in older.customers] == ids[:2]


async def test_delete_then_get_is_a_vendor_404(sdk: Sdk) -> None:
    created = await sdk(sdk.customers.create_customer, alice_body())
    assert created.id
    assert await sdk(sdk.customers.delete_customer, created.id) is None
    with pytest.raises(NotFoundException) as caught:
        await sdk(sdk.customers.get_customer, created.id)
    error = caught.value
    assert isinstance(error, voucherify.ApiException)
    assert error.status == 404
    body = error_body(error)
    assert body["key"] == "not_found"
    assert body["code"] == 404
    listing = await sdk(sdk.customers.list_customers)
    assert listing.total == 0


async def test_permanent_deletion(sdk: Sdk) -> None:
    created = await sdk(sdk.customers.create_customer, alice_body())
    deletion = await sdk(sdk.customers.customer_permanently_deletion, created.id)
    assert isinstance(deletion, voucherify.CustomersPermanentDeletionCreateResponseBody)
    assert deletion.object == "pernament_deletion"
    assert deletion.related_object_id == created.id
    assert deletion.related_object == "customer"
    assert deletion.id
    with pytest.raises(NotFoundException) as caught:
        await sdk(sdk.customers.get_customer, EMAIL)
    assert caught.value.status == 404
    assert error_body(caught.value)["key"] == "not_found"


async def test_list_customer_activity(sdk: Sdk) -> None:
    created = await sdk(sdk.customers.create_customer, alice_body())
    sdk.advance(5)
    await sdk(
        sdk.customers.update_customer, created.id, voucherify.CustomersUpdateRequestBody(phone="1")
    )
    activity = await sdk(sdk.customers.list_customer_activity, created.id)
    assert isinstance(activity, voucherify.CustomersActivityListResponseBody)
    assert activity.object == "list" and activity.data_ref == "data"
    assert activity.data is not None
    assert [event.type for event in activity.data] == ["customer.updated", "customer.created"]
    assert activity.data[1].created_at == START
    assert activity.data[0].created_at == START + timedelta(seconds=5)
    assert activity.has_more is False

    oldest_first = await sdk(
        sdk.customers.list_customer_activity, EMAIL, limit=1, order="created_at"
    )
    assert oldest_first.data is not None
    assert [event.type for event in oldest_first.data] == ["customer.created"]
    assert oldest_first.has_more is True

    only_created = await sdk(
        sdk.customers.list_customer_activity, created.id, type="customer.created"
    )
    assert only_created.data is not None
    assert [event.id for event in only_created.data] == [oldest_first.data[0].id]


async def test_list_customer_segments(make_sdk: SdkFactory, tmp_path: Path) -> None:
    fixture = tmp_path / "segments.yaml"
    fixture.write_text(
        "customers:\n"
        "  - {source_id: vip@example.com, name: Vip}\n"
        "  - {source_id: plain@example.com}\n"
        "segments:\n"
        "  - {id: seg_vip, name: VIP customers, customers: [vip@example.com]}\n"
    )
    sdk = await make_sdk(fixtures=(fixture,))
    vip = await sdk(sdk.customers.list_customer_segments, "vip@example.com")
    assert isinstance(vip, voucherify.CustomersSegmentsListResponseBody)
    assert vip.object == "list" and vip.data_ref == "data"
    assert vip.total == 1
    assert vip.data is not None
    assert [(s.id, s.name, s.object) for s in vip.data] == [("seg_vip", "VIP customers", "segment")]

    plain = await sdk(sdk.customers.list_customer_segments, "plain@example.com")
    assert plain.total == 0 and plain.data == []


async def test_campaign_without_campaign_type_as_the_sdk_tests_create_it(sdk: Sdk) -> None:
    body = voucherify.CampaignsCreateRequestBody(
        name="SDK campaign",
        voucher=voucherify.CampaignsCreateRequestBodyVoucher(
            type="DISCOUNT_VOUCHER",
            discount=voucherify.Discount(type="AMOUNT", amount_off=1000),
        ),
    )
    assert "campaign_type" not in body.to_dict()
    created = await sdk(sdk.campaigns.create_campaign, body)
    assert isinstance(created, voucherify.CampaignsCreateResponseBody)
    assert created.id and created.name == "SDK campaign"
    assert created.campaign_type == "DISCOUNT_COUPONS"
    assert created.object == "campaign"
    assert created.voucher is not None and created.voucher.discount is not None
    assert created.voucher.type == "DISCOUNT_VOUCHER"
    assert (created.voucher.discount.type, created.voucher.discount.amount_off) == ("AMOUNT", 1000)

    by_id = await sdk(sdk.campaigns.get_campaign, created.id)
    assert isinstance(by_id, voucherify.CampaignsGetResponseBody)
    assert by_id.to_dict() == created.to_dict()
    by_name = await sdk(sdk.campaigns.get_campaign, "SDK campaign")
    assert by_name.id == created.id

    with pytest.raises(NotFoundException) as caught:
        await sdk(sdk.campaigns.get_campaign, "no such campaign")
    assert error_body(caught.value)["key"] == "not_found"


async def test_wrong_credentials_are_a_401(make_sdk: SdkFactory) -> None:
    restricted = {AUTH["X-App-Id"]: AUTH["X-App-Token"]}
    intruder = await make_sdk(token="not-the-token", credentials=restricted)
    with pytest.raises(voucherify.ApiException) as caught:
        await intruder(intruder.customers.list_customers)
    assert caught.value.status == 401
    assert isinstance(caught.value, UnauthorizedException)
    assert error_body(caught.value)["key"] == "unauthorized"

    # Same server, right token: accepted.
    rightful = Sdk(intruder.server, AUTH["X-App-Id"], AUTH["X-App-Token"])
    try:
        listing = await rightful(rightful.customers.list_customers)
    finally:
        rightful.close()
    assert listing.total == 0


async def test_list_customer_redeemables_pages_and_filters_published_vouchers(sdk: Sdk) -> None:
    """limit, order, starting_after_id and the filters model, as the SDK sends them (it writes
    every filter field it was not given as `None`), on vouchers really published."""
    publications = voucherify.PublicationsApi(sdk.api_client)
    kinds = {"Coupons": voucherify.CampaignsCreateRequestBodyVoucher(
        type="DISCOUNT_VOUCHER", discount=voucherify.Discount(type="AMOUNT", amount_off=100),
        code_config=voucherify.CodeConfig(length=6)),
        "Cards": voucherify.CampaignsCreateRequestBodyVoucher(
        type="GIFT_VOUCHER", gift=voucherify.Gift(amount=1000),
        code_config=voucherify.CodeConfig(length=6))}  # fmt: skip
    for name, template in kinds.items():
        await sdk(sdk.campaigns.create_campaign, voucherify.CampaignsCreateRequestBody(
            name=name, type="AUTO_UPDATE", voucher=template))  # fmt: skip
    holder = await sdk(sdk.customers.create_customer,
                       voucherify.CustomersCreateRequestBody(source_id="holder"))  # fmt: skip
    for name in ("Coupons", "Cards", "Coupons"):
        await sdk(publications.create_publication, publications_create_request_body=(
            voucherify.PublicationsCreateRequestBody(
                campaign=voucherify.CreatePublicationCampaign(name=name),
                customer=voucherify.Customer(id=holder.id))))  # fmt: skip
        sdk.advance(1)

    everything = await sdk(sdk.customers.list_customer_redeemables, "holder")
    assert isinstance(everything, voucherify.CustomersRedeemablesListResponseBody)
    assert everything.total == 3 and everything.data is not None
    ids = [item.id for item in everything.data]
    assert ids == sorted(ids)
    first = await sdk(sdk.customers.list_customer_redeemables, holder.id, limit=2, order="-id")
    assert first.data is not None and [item.id for item in first.data] == ids[::-1][:2]
    assert first.has_more is True and first.more_starting_after == ids[1]
    rest = await sdk(sdk.customers.list_customer_redeemables, holder.id, limit=2, order="-id",
                     starting_after_id=first.more_starting_after)  # fmt: skip
    assert rest.data is not None and [item.id for item in rest.data] == [ids[0]]
    assert rest.has_more is False

    cards_only = voucherify.ParameterFiltersListCustomerRedeemables.from_dict({
        "campaign_type": {"conditions": {"$is": "GIFT_VOUCHERS"}}, "junction": "and"})
    gifts = await sdk(sdk.customers.list_customer_redeemables, holder.id, filters=cards_only)
    assert gifts.total == 1 and gifts.data is not None
    assert gifts.data[0].voucher_type == "GIFT_VOUCHER" and gifts.data[0].campaign_type == (
        "GIFT_VOUCHERS")  # fmt: skip
    two = voucherify.ParameterFiltersListCustomerRedeemables.from_dict(
        {"id": {"conditions": {"$in": ids[:2]}}})
    listed = await sdk(sdk.customers.list_customer_redeemables, holder.id, filters=two)
    assert listed.data is not None and [item.id for item in listed.data] == ids[:2]
