"""A real emulator process for tests: started with flags, stopped by a signal, and waited on by
polling (its readiness line, its health, its exit), never by sleeping for a fixed time."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from typing import Any

import aiohttp
from helpers import REPO

START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Emulator:
    def __init__(self, *flags: str) -> None:
        self.flags = flags
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: asyncio.subprocess.Process | None = None
        self.stderr = b""

    async def start(self) -> Emulator:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "emulator", "--port", str(self.port), *self.flags,
            cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout=START_TIMEOUT)
        if b"ready on" not in line:
            await self.wait()
            raise AssertionError(f"did not start: {line!r} {self.stderr!r}")
        return self

    async def wait(self) -> int:
        assert self.process is not None
        _, stderr = await asyncio.wait_for(self.process.communicate(), timeout=60)
        self.stderr = stderr
        return int(self.process.returncode or 0)

    async def stop(self, signum: int = signal.SIGTERM) -> int:
        assert self.process is not None
        self.process.send_signal(signum)
        return await self.wait()

    async def saved(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """Poll health until the state file has every change (the write-behind caught up)."""
        for _ in range(2000):
            async with session.get(f"{self.url}/_emulator/health") as response:
                status = dict((await response.json())["state_file"])
            if not status["pending"]:
                return status
            await asyncio.sleep(0.01)
        raise AssertionError("the state file never caught up")


async def run_to_exit(*flags: str) -> tuple[int, str]:
    """Start an emulator that is expected to refuse to start: its exit code and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--port", str(free_port()), *flags,
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return int(process.returncode or 0), stderr.decode()


__all__ = ["Emulator", "free_port", "run_to_exit", "signal"]
