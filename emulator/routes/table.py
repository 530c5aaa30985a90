"""Handlers by operationId: thin translations between a Call and the domain."""

from __future__ import annotations

from emulator.routes import async_actions, campaigns, customers, imports
from emulator.routes.calls import Handler

HANDLERS: dict[str, Handler] = {
    **customers.HANDLERS,
    **campaigns.HANDLERS,
    **async_actions.HANDLERS,
    **imports.HANDLERS,
}
