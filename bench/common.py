"""What the benchmarks share: real emulator processes, their CPU and memory from /proc, and the
load generator (wrk when it is installed, else bench/loadgen.py in a process of its own), and a
small JSON client for one emulator."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "reference"
AUTH = {"X-App-Id": "bench", "X-App-Token": "bench"}
CONTROL = {**AUTH, "X-Emulator-Client": "bench"}  # the control API's headers
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Emulator:
    """`python -m emulator` on a free port, as users run it."""

    def __init__(self, *flags: str, launcher: tuple[str, ...] = ("-m", "emulator")) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.flags = flags
        self.launcher = launcher  # what follows the interpreter on the command line
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 120) -> float:
        """Seconds from spawning the process to its ready line."""
        began = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *self.launcher, "--port", str(self.port), "--log-level", "WARNING",
            *self.flags, cwd=REPO, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout=timeout)
        assert b"ready on" in line, line
        return time.perf_counter() - began

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime

    def memory_mb(self, field: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await self.proc.wait()

    async def stop_timed(self, signum: int = signal.SIGTERM) -> float:
        """Seconds from sending `signum` to the process's exit."""
        assert self.proc is not None
        began = time.perf_counter()
        self.proc.send_signal(signum)
        await self.proc.wait()
        return time.perf_counter() - began

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


class Client:
    """JSON requests to one emulator (tenant `bench`), asserting a 2xx answer."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", AUTH)
        async with self.session.request(method, self.url + path, headers=headers,
                                        **kwargs) as reply:  # fmt: skip
            body = await reply.read()
            assert reply.status < 300, (reply.status, body[:300])
            return await reply.json() if body else None

    async def journal(self, count: int) -> list[dict[str, Any]]:
        """The tenant's last `count` journal entries, oldest first."""
        found = await self.json("GET", f"/_emulator/requests?tenant=bench&limit={count}",
                                headers=CONTROL)  # fmt: skip
        return list(reversed(found["requests"]))

    async def clear_journal(self) -> None:
        await self.json("DELETE", "/_emulator/requests?tenant=bench", headers=CONTROL)


@dataclass(frozen=True)
class Load:
    """What a load generator measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # connection errors and statuses other than 2xx


WRK_SCRIPT = """
local kind = os.getenv("BENCH_KIND")
local counter = 0
wrk.headers["X-App-Id"] = "bench"
wrk.headers["X-App-Token"] = "bench"
request = function()
  if kind == "post" then
    counter = counter + 1
    local body = '{"source_id":"w' .. counter .. '-' .. math.random(1, 1000000000) ..
      '@example.com","name":"Load","metadata":{"n":' .. counter .. '}}'
    return wrk.format("POST", nil, {["Content-Type"] = "application/json",
      ["X-App-Id"] = "bench", ["X-App-Token"] = "bench"}, body)
  end
  return wrk.format("GET")
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"p50":%d,"p99":%d,' ..
    '"failed":%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk() -> str | None:
    """wrk's path; installed from Debian's packages when missing and we may (root, apt)."""
    found = shutil.which("wrk")
    if found or os.environ.get("BENCH_INSTALL", "1") == "0":
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True)
    return shutil.which("wrk")


def generate(url: str, kind: str, seconds: float = SECONDS) -> Load:
    """Load `url` (kind get: GETs; post: POSTs of new customers) from another process."""
    tool = wrk()
    if tool is None:
        command = [sys.executable, str(REPO / "bench" / "loadgen.py"), url, kind, str(seconds),
                   str(CONNECTIONS)]  # fmt: skip
        return _parse(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        env = {**os.environ, "BENCH_KIND": kind}
        command = [tool, "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", script.name, url]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        return _parse(done.stdout)
    finally:
        os.unlink(script.name)


def _parse(output: str) -> Load:
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    found = json.loads(line[6:])
    return Load(
        rps=found["requests"] / (found["duration_us"] / 1e6), p50_ms=found["p50"] / 1000,
        p99_ms=found["p99"] / 1000, requests=found["requests"], failed=found["failed"],
    )  # fmt: skip


def generator_name() -> str:
    return "wrk" if wrk() else "bench/loadgen.py"
