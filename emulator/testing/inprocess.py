"""Running the emulator inside another program: a background thread with its own event loop,
on a free port. Used by the pytest plugin and by anyone embedding the emulator."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

from emulator.http.app import create_app
from emulator.http.server import make_runner
from emulator.settings import Settings


class BackgroundEmulator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> str:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.url = future.result(timeout=60)
        return self.url

    async def _start(self) -> str:
        self._runner = make_runner(create_app(self.settings), self.settings)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(60)
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(60)
        self._loop.close()

    def __enter__(self) -> BackgroundEmulator:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
