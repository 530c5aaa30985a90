"""Serving one emulator until SIGINT or SIGTERM; whatever stops it from starting becomes a
StartupError with a one-line message."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable

from aiohttp import web

from emulator.contract.document import SpecError
from emulator.control.faults import FaultError
from emulator.control.fixtures import FixtureError
from emulator.control.routes import summary
from emulator.control.snapshot import SnapshotError
from emulator.control.statelog import StateFileError
from emulator.http.app import create_app
from emulator.http.gcpolicy import collect_garbage
from emulator.http.keys import SPEC
from emulator.http.server import make_runner
from emulator.jobs.clock import ClockError
from emulator.settings import Settings

PROG = "voucherify-emulator"
REPORT_LINES = 4  # repairs shown per kind at start; GET /_emulator/spec-report has them all
# What a user's input can break at start: the spec, fixtures, scenario, state file, clock.
KNOWN = (SpecError, FixtureError, FaultError, SnapshotError, StateFileError, ClockError)


class StartupError(Exception):
    """Found while starting; the message is one line."""


def listen_failure(host: str, port: int, error: Exception) -> str:
    """One line for a failed listen: bind's errors, and getaddrinfo's (negative codes, which
    os.strerror would call "Unknown error -2"), in the words their own message has."""
    if isinstance(error, UnicodeError):  # a name the IDNA codec refuses, e.g. "a..b"
        reason = "not a valid host name"
    elif isinstance(error, OSError) and error.errno and error.errno > 0:
        reason = os.strerror(error.errno)  # asyncio's message repeats the address
    elif isinstance(error, OSError) and error.strerror:
        reason = error.strerror
    else:
        reason = str(error)
    return f"cannot listen on {host}:{port}: {reason}"


async def _listen(runner: web.AppRunner, settings: Settings) -> web.TCPSite:
    site = web.TCPSite(runner, settings.host, settings.port)
    try:
        await site.start()
    except (OSError, UnicodeError) as error:
        raise StartupError(listen_failure(settings.host, settings.port, error)) from None
    return site


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    runner = make_runner(app, settings)
    await runner.setup()
    site = await _listen(runner, settings)
    server = runner.server
    assert server is not None
    collector = asyncio.create_task(collect_garbage(lambda: server.requests_count))
    report = app[SPEC].report
    if report.repairs:  # on stderr: stdout's first line stays the ready line
        print(report.text(limit=REPORT_LINES), file=sys.stderr, flush=True)
    print(f"{PROG} ready on {site.name} ({summary(app)})", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        collector.cancel()
        await runner.cleanup()  # runs the app's cleanup: the state file's last save
    print(f"{PROG} stopped", file=sys.stderr, flush=True)


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop to serve on: uvloop (its transports are written in C: measured in the
    README, a request costs less) unless asyncio's is asked for, or uvloop is not installed
    (Windows) and `auto` was asked for. None: asyncio's default."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise StartupError("--event-loop uvloop: uvloop is not installed") from None
        return None
    return uvloop.new_event_loop


def run(settings: Settings) -> None:
    factory = loop_factory(settings.event_loop)
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(serve(settings))
    except KNOWN as error:
        raise StartupError(" ".join(str(error).split())) from None
