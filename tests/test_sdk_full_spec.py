"""The official, unmodified Python SDK against the emulator started on the vendor's full
published document (../shared/reference; skipped when absent): calls beyond customers get
parsable answers, and an unknown voucher code is a 404."""

from __future__ import annotations

import json

import pytest
import voucherify
from sdk_support import Sdk, SdkFactory
from voucherify.exceptions import NotFoundException

from emulator.contract.spec import Spec

UNKNOWN = "NO-SUCH-CODE"


@pytest.fixture
async def sdk(make_sdk: SdkFactory, vendor_full_spec: Spec) -> Sdk:
    return await make_sdk(spec=vendor_full_spec)


async def test_validate_stacked_discounts_parses(sdk: Sdk) -> None:
    validations = voucherify.ValidationsApi(sdk.api_client)
    body = voucherify.ValidationsValidateRequestBody(
        redeemables=[voucherify.ValidationsValidateRequestBodyRedeemablesItem(
            object="voucher", id=UNKNOWN,
        )],
    )  # fmt: skip
    answer = await sdk(validations.validate_stacked_discounts, body)
    assert isinstance(answer, voucherify.ValidationsValidateResponseBody)
    assert answer.valid is False  # the vendor's first example: an unknown code is INAPPLICABLE
    assert answer.redeemables and answer.redeemables[0].status == "INAPPLICABLE"


async def test_redeem_stacked_discounts_parses(sdk: Sdk) -> None:
    redemptions = voucherify.RedemptionsApi(sdk.api_client)
    body = voucherify.RedemptionsRedeemRequestBody(
        redeemables=[voucherify.RedemptionsRedeemRequestBodyRedeemablesItem(
            object="voucher", id=UNKNOWN,
        )],
    )  # fmt: skip
    answer = await sdk(redemptions.redeem_stacked_discounts, body)
    assert isinstance(answer, voucherify.RedemptionsRedeemResponseBody)
    assert answer.redemptions and answer.redemptions[0].object == "redemption"


async def test_get_voucher_on_an_unknown_code_is_a_404(sdk: Sdk) -> None:
    vouchers = voucherify.VouchersApi(sdk.api_client)
    with pytest.raises(NotFoundException) as raised:
        await sdk(vouchers.get_voucher, UNKNOWN)
    assert raised.value.body is not None
    error = json.loads(raised.value.body)
    assert (error["code"], error["key"], error["resource_type"]) == (404, "not_found", "voucher")
    assert error["resource_id"] == UNKNOWN


async def test_get_voucher_on_an_imported_code_answers_that_code(sdk: Sdk) -> None:
    campaign = await sdk(sdk.campaigns.create_campaign, voucherify.CampaignsCreateRequestBody(
        name="Cards", campaign_type="LOYALTY_PROGRAM",
        voucher=voucherify.CampaignsCreateRequestBodyVoucher(
            type="LOYALTY_CARD", loyalty_card=voucherify.CampaignLoyaltyCard(points=10),
        ),
    ))  # fmt: skip
    job = await sdk(
        sdk.campaigns.import_vouchers_to_campaign_using_csv, campaign.id, file=b"Code\nCARD-1\n"
    )
    sdk.advance(60)
    done = await sdk(sdk.async_actions.get_async_action, job.async_action_id)
    assert done.status == "DONE"
    voucher = await sdk(voucherify.VouchersApi(sdk.api_client).get_voucher, "CARD-1")
    assert isinstance(voucher, voucherify.VouchersGetResponseBody)
    assert voucher.code == "CARD-1"


async def test_a_loyalty_call_on_a_campaign_created_with_state(sdk: Sdk) -> None:
    campaign = await sdk(sdk.campaigns.create_campaign, voucherify.CampaignsCreateRequestBody(
        name="Points", campaign_type="LOYALTY_PROGRAM",
        voucher=voucherify.CampaignsCreateRequestBodyVoucher(
            type="LOYALTY_CARD", loyalty_card=voucherify.CampaignLoyaltyCard(points=10),
        ),
    ))  # fmt: skip
    loyalties = voucherify.LoyaltiesApi(sdk.api_client)
    # The SDK marks the v1 loyalty operations deprecated, and warns when one is called.
    with pytest.warns(DeprecationWarning, match="deprecated"):
        program = await sdk(loyalties.get_loyalty_program, campaign.id)
    assert isinstance(program, voucherify.LoyaltiesGetCampaignResponseBody)
    assert program.id == campaign.id  # the path id, echoed into the vendor's example
    with pytest.warns(DeprecationWarning, match="deprecated"):
        pending = await sdk(loyalties.list_campaign_pending_points, campaign.id)
    assert isinstance(pending, voucherify.LoyaltiesPendingPointsListResponseBody)
    assert pending.object == "list"
    with pytest.raises(NotFoundException), pytest.warns(DeprecationWarning):
        await sdk(loyalties.get_loyalty_program, "camp_unknown")
