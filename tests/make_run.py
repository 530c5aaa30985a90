"""`make run` as users start it: a real subprocess with default settings, on a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from helpers import REPO

START_TIMEOUT = 60.0  # seconds for `make run` to answer its health check


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2) as response:
            return bool(json.load(response)["status"] == "ok")
    except OSError:
        return False


@contextmanager
def make_run() -> Iterator[str]:
    """Start `make run` (default settings, PORT chosen free) and yield its base URL."""
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"], cwd=REPO, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"`make run` did not come up on {url}:\n{output}")
            time.sleep(0.1)  # waiting for a server to start, not for a job
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # make and the emulator: the group we started
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()
