"""The command-line server on a chosen event loop, for bench/deps.py:
`python bench/uvloop_run.py uvloop|asyncio [emulator flags...]`."""

from __future__ import annotations

import asyncio
import sys

from emulator.__main__ import parse_settings
from emulator.server import serve

if __name__ == "__main__":
    loop, flags = sys.argv[1], sys.argv[2:]
    settings = parse_settings(flags)
    if loop == "uvloop":
        import uvloop

        uvloop.run(serve(settings))
    else:
        asyncio.run(serve(settings))
