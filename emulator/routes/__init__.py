"""Handlers by operationId: thin translations between a Call and the domain."""

from __future__ import annotations

from emulator.calls import Handler
from emulator.routes import async_actions, campaigns, customers, imports

HANDLERS: dict[str, Handler] = {
    **customers.HANDLERS,
    **campaigns.HANDLERS,
    **async_actions.HANDLERS,
    **imports.HANDLERS,
}
