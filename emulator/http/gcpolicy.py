"""The cyclic garbage collector on the server's schedule (the command-line server only; an
emulator embedded in someone's test process leaves their collector alone).

A full collection walks every object: with 100,000 customers in memory that stops the event loop
for 100-250 ms, and CPython starts one whenever the long-lived objects have grown by a quarter,
which a big import does again and again. Instead the young generations, where nearly every
garbage cycle dies, are collected every YOUNG_SECONDS (under a millisecond), and a full
collection runs only once IDLE_SECONDS have passed without a request, when no one waits for it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

YOUNG_SECONDS = 0.1
IDLE_SECONDS = 5.0


async def collect_garbage(requests: Callable[[], int]) -> None:
    """Run until cancelled; `requests` counts the requests served so far."""
    gc.disable()
    try:
        seen, quiet, dirty = requests(), 0.0, False
        while True:
            await asyncio.sleep(YOUNG_SECONDS)
            gc.collect(1)
            count = requests()
            if count != seen:
                seen, quiet, dirty = count, 0.0, True
                continue
            quiet += YOUNG_SECONDS
            if dirty and quiet >= IDLE_SECONDS:
                gc.collect()
                dirty = False
    finally:
        gc.enable()
