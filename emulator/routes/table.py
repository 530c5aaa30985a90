"""Handlers by operationId: thin translations between a Call and the domain."""

from __future__ import annotations

from emulator.domain.publications import check_source
from emulator.routes import async_actions, campaigns, customers, imports, publications, vouchers
from emulator.routes.calls import Handler, Precheck

HANDLERS: dict[str, Handler] = {
    **customers.HANDLERS,
    **campaigns.HANDLERS,
    **async_actions.HANDLERS,
    **imports.HANDLERS,
    **vouchers.HANDLERS,
    **publications.HANDLERS,
}

PRECHECKS: dict[str, Precheck] = {
    "create-campaign": campaigns.precheck_create_campaign,
    "create-publication": check_source,
}
