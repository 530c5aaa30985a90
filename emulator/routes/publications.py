"""Publications: publish a voucher to a customer, and list publications."""

from __future__ import annotations

from emulator.domain.publication_views import PublicationQuery, PublicationViews
from emulator.routes.calls import Call, Handler, Reply, ok
from emulator.routes.vouchers import campaign_ids, holder, links


def views(call: Call) -> PublicationViews:
    tenant = call.tenant
    return PublicationViews(tenant.customers, tenant.campaigns, links(call))


def create_publication(call: Call) -> Reply:
    record = call.tenant.publications.publish(call.body, bool(call.param("join_once", False)))
    return ok(views(call).created(record))


def list_publications(call: Call) -> Reply:
    tenant = call.tenant
    query = PublicationQuery(
        limit=call.param("limit", 10), page=call.param("page", 1),
        order=call.param("order") or "-created_at", campaign_ids=campaign_ids(call),
        customer_id=holder(call, "customer"), voucher=call.param("voucher"),
        result=call.param("result"), voucher_type=call.param("voucher_type"),
        is_referral_code=call.param("is_referral_code"), source_id=call.param("source_id"),
        filters=call.param("filters") or {},
    )  # fmt: skip
    records = tenant.publications.items.values()
    page, total = views(call).listing(records, query, tenant.clock.now())
    return ok({"object": "list", "data_ref": "publications", "publications": page,
               "total": total})  # fmt: skip


HANDLERS: dict[str, Handler] = {
    "create-publication": create_publication,
    "list-publications": list_publications,
}
