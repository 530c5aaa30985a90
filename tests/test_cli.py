"""The command line: flags, the PORT variable, the readiness line and a real server."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from helpers import REPO

from emulator.__main__ import parse_settings
from emulator.settings import DEFAULT_PORT, JobTiming


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORT", raising=False)
    settings = parse_settings([])
    assert settings.host == "127.0.0.1" and settings.port == DEFAULT_PORT
    assert settings.credentials is None and settings.seed is None
    assert settings.validate_requests and settings.validate_responses


def test_port_variable_and_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "18123")
    monkeypatch.setenv("VOUCHERIFY_EMULATOR_SPEC", "/srv/spec.yaml")
    assert parse_settings([]).port == 18123
    assert parse_settings([]).spec_path == Path("/srv/spec.yaml")
    settings = parse_settings([
        "--port", "9000", "--seed", "3", "--fixtures", "fixtures", "--credentials", "a:b",
        "--clock", "manual", "--clock-start", "2026-01-01T00:00:00+00:00", "--log-level", "debug",
        "--job-queue-delay", "0", "--job-item-seconds", "0.25", "--job-portion-size", "7",
    ])  # fmt: skip
    assert settings.port == 9000 and settings.seed == 3
    assert settings.fixtures == (Path("fixtures"),)
    assert settings.credentials == {"a": "b"}
    assert settings.clock_mode == "manual" and settings.clock_start is not None
    assert settings.log_level == "DEBUG"
    assert settings.job_timing == JobTiming(queue_delay=0, item_seconds=0.25, portion_size=7)


def test_bad_credentials_flag_is_refused() -> None:
    with pytest.raises(SystemExit, match="APP_ID:TOKEN"):
        parse_settings(["--credentials", "no-colon"])


async def test_python_m_emulator_serves_and_reports_ready() -> None:
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--fixtures", str(REPO / "fixtures"), "--seed", "1",
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        match = re.fullmatch(
            rf"voucherify-emulator ready on http://127\.0\.0\.1:{port} "
            r"\(22 operations, (\d+) validators\)\n",
            line,
        )
        assert match, line
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/_emulator/health") as response:
                assert response.status == 200
                health = await response.json()
            headers = {"X-App-Id": "ci", "X-App-Token": "t"}
            url = f"http://127.0.0.1:{port}/v1/customers/alice.morgan%40example.com"
            async with session.get(url, headers=headers) as response:
                assert response.status == 200  # the fixture folder was loaded
        assert health["validators"] == int(match[1])
    finally:
        process.terminate()
        await process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                await stream.read()
