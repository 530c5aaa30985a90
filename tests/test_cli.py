"""The command line: flags, the PORT variable, help and version, the readiness line and a real
server started from a folder outside the repository."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from helpers import REPO

from emulator import __version__
from emulator.__main__ import build_parser, parse_settings
from emulator.settings import DEFAULT_PORT, JobTiming


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_defaults() -> None:
    settings = parse_settings([], env={})
    assert settings.host == "127.0.0.1" and settings.port == DEFAULT_PORT
    assert settings.credentials is None and settings.seed is None
    assert settings.spec_path is None  # the contract shipped in the package
    assert settings.validate_requests and settings.validate_responses
    assert not settings.access_log and settings.log_level == "INFO"


def test_port_variable_and_flags() -> None:
    env = {"PORT": "18123", "VOUCHERIFY_EMULATOR_SPEC": "/srv/spec.yaml"}
    assert parse_settings([], env=env).port == 18123
    assert parse_settings([], env=env).spec_path == Path("/srv/spec.yaml")
    settings = parse_settings([
        "--port", "9000", "--seed", "3", "--fixtures", "fixtures", "--credentials", "a:b",
        "--clock", "manual", "--clock-start", "2026-01-01T00:00:00Z", "--log-level", "debug",
        "--job-queue-delay", "0", "--job-item-seconds", "0.25", "--job-portion-size", "7",
        "--access-log", "--spec", "other.yaml",
    ], env=env)  # fmt: skip
    assert settings.port == 9000 and settings.seed == 3
    assert settings.fixtures == (Path("fixtures"),)
    assert settings.credentials == {"a": "b"}
    assert settings.clock_mode == "manual" and settings.clock_start is not None
    assert settings.clock_start.tzinfo is not None
    assert settings.log_level == "DEBUG" and settings.access_log
    assert settings.spec_path == Path("other.yaml")
    assert settings.job_timing == JobTiming(queue_delay=0, item_seconds=0.25, portion_size=7)


def test_every_flag_explains_itself() -> None:
    parser = build_parser({})
    flags = [action for action in parser._actions if action.option_strings]
    assert len(flags) >= 20
    for action in flags:
        assert action.help and action.help != argparse.SUPPRESS, action.option_strings


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_settings(["--version"], env={})
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"voucherify-emulator {__version__}\n"


def test_a_bad_flag_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_settings(["--credentials", "no-colon"], env={})
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "voucherify-emulator: error: argument --credentials: expected APP_ID:TOKEN, "
        "got 'no-colon' (see --help)\n"
    )


async def test_python_m_emulator_serves_from_another_folder(tmp_path: Path) -> None:
    """The packaged contract is found whatever the working directory."""
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    env.pop("VOUCHERIFY_EMULATOR_SPEC", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--fixtures", str(REPO / "fixtures"), "--seed", "1",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        match = re.fullmatch(
            rf"voucherify-emulator ready on http://127\.0\.0\.1:{port} "
            r"\(18 operations, (\d+) validators\)\n",
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
    assert process.returncode == 0
