"""Prism 5.16 (Stoplight's mock server), side by side: fetched from the npm registry into the
git-ignored bench/.prism on first use, run in its fastest configuration (`prism mock -v warn`)
on the vendor's subset spec from ../shared/reference. Skipped, with the reason, when npm or
../shared is absent, or when BENCH_PRISM=0."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp
from common import AUTH, REPO, SHARED, free_port

VERSION = "5.16"
FOLDER = REPO / "bench" / ".prism"
SPEC = SHARED / "voucherify-subset.openapi.json"


class PrismError(Exception):
    """Prism was installed but did not come up."""


def _runs(path: Path) -> bool:
    done = subprocess.run([str(path), "--version"], capture_output=True, text=True)
    return done.returncode == 0


def binary() -> Path | None:
    """Prism's executable, installed first if need be (again when an earlier install is broken
    and cannot even print its version); None when it cannot be had."""
    found = FOLDER / "node_modules" / ".bin" / "prism"
    if found.exists() and _runs(found):
        return found
    npm = shutil.which("npm")
    if npm is None:
        return None
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(FOLDER),
         f"@stoplight/prism-cli@{VERSION}"], capture_output=True, text=True,
    )  # fmt: skip
    return found if done.returncode == 0 and found.exists() else None


def why_not() -> str | None:
    """Why the comparison cannot run here, or None."""
    if os.environ.get("BENCH_PRISM", "1") == "0":
        return "BENCH_PRISM=0"
    if not SPEC.exists():
        return "../shared/reference is absent"
    if binary() is None:
        return f"npm could not install @stoplight/prism-cli@{VERSION}"
    return None


class Prism:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: asyncio.subprocess.Process | None = None
        self.ready_seconds = 0.0
        # its stderr: a pipe nobody reads could stall it; closed by __aexit__
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    async def __aenter__(self) -> Prism:
        path = binary()
        assert path is not None
        began = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            str(path), "mock", "-v", "warn", "-p", str(self.port), str(SPEC),
            stdout=asyncio.subprocess.DEVNULL, stderr=self.log,
            start_new_session=True,
        )  # fmt: skip
        async with aiohttp.ClientSession() as session:
            for _ in range(600):
                try:
                    async with session.get(f"{self.url}/v1/customers/x", headers=AUTH) as reply:
                        await reply.read()
                        break
                except aiohttp.ClientConnectionError:
                    if self.proc.returncode is not None:
                        break
                    await asyncio.sleep(0.05)
            else:
                await self.__aexit__()
                raise PrismError("not ready after 30 s")
        if self.proc.returncode is not None:
            self.log.seek(0)
            said = self.log.read().decode(errors="replace").strip().splitlines()
            await self.__aexit__()
            raise PrismError(f"exited {self.proc.returncode}: {said[-1] if said else ''}")
        self.ready_seconds = time.perf_counter() - began
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            os.killpg(self.proc.pid, 15)  # its own session: node and what it started
            await self.proc.wait()
        self.log.close()
