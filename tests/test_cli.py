"""The command line: flags, the PORT variable, help and version, the readiness line and a real
server started from a folder outside the repository."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from helpers import REPO, VENDOR_FULL
from processes import Emulator

from emulator import __version__
from emulator.__main__ import build_parser, parse_settings
from emulator.routes.table import HANDLERS
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
    assert process.returncode == 0


async def test_starts_on_the_vendors_full_document_and_reports_its_repairs() -> None:
    if not VENDOR_FULL.exists():
        pytest.skip("../shared/reference is absent; the vendor's full document is needed")
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--spec", str(VENDOR_FULL), "--port", str(port),
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stderr is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        stateful = len(HANDLERS)  # handlers by operationId: all are vendor operations
        match = re.fullmatch(
            rf"voucherify-emulator ready on http://127\.0\.0\.1:{port} \(258 operations, "
            rf"\d+ validators; {stateful} stateful, {258 - stateful} example-backed; "
            r"(\d+) spec repairs\)\n",
            line,
        )
        assert match, line
        report = (await process.stderr.readline()).decode()
        assert report.startswith(f"spec repairs: {match[1]} repairs (server 1, ")
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as session:
            async with session.get("/_emulator/spec-report") as response:
                assert (await response.json())["total"] == int(match[1])
            headers = {"X-App-Id": "ci", "X-App-Token": "t"}
            async with session.get("/v1/products/prod_1", headers=headers) as response:
                assert response.status == 200
                assert (await response.json())["id"] == "prod_1"
    finally:
        process.terminate()
        await process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                await stream.read()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ('{"openapi": "3.1.0", "paths": {}}', "is OpenAPI 3.1.0; 3.0.x is supported"),
        ("{not json", "is not valid JSON or YAML"),
        ("just: [yaml", "is not valid JSON or YAML"),
        ('{"openapi": "3.0.1"}', "is not an OpenAPI document (no paths)"),
    ],
)
def test_a_bad_spec_is_a_one_line_error(tmp_path: Path, content: str | None, message: str) -> None:
    spec = tmp_path / "spec.json"
    if content is not None:
        spec.write_text(content, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "--spec", str(spec), "--port", "0"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("voucherify-emulator: ") and message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("flags", "expected"), [
    ((), "uvloop"),  # auto: uvloop is a runtime dependency wherever it installs
    (("--event-loop", "uvloop"), "uvloop"),
    (("--event-loop", "asyncio"), "asyncio"),
])  # fmt: skip
async def test_the_command_line_serves_on_the_event_loop_chosen(
    flags: tuple[str, ...], expected: str
) -> None:
    """The same API, validated, on either loop; health says which loop it is on, and SIGTERM
    stops either cleanly."""
    server = await Emulator(*flags).start()
    headers = {"X-App-Id": "loop", "X-App-Token": "t"}
    try:
        async with aiohttp.ClientSession(server.url) as session:
            async with session.get("/_emulator/health") as response:
                assert (await response.json())["event_loop"] == expected
            body = {"source_id": "loop@example.com", "name": "Loop"}
            async with session.post("/v1/customers", json=body, headers=headers) as response:
                assert response.status == 200
                created = await response.json()
            async with session.get(f"/v1/customers/{created['id']}", headers=headers) as response:
                assert (await response.json())["source_id"] == "loop@example.com"
            bad = {"email": 42}
            async with session.post("/v1/customers", json=bad, headers=headers) as response:
                assert response.status == 400
                assert (await response.json())["details"] == "Property .email must be string"
    finally:
        assert await server.stop() == 0
