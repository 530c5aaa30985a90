"""The README tells the truth: its curl session and error examples are replayed against the
current code, its flag list is the real --help, its handle test calls every method the handle
has, its CI snippet's health wait fails when nothing answers, its make targets exist.
(Its pytest examples run through the installed wheel: tests/test_installed_wheel.py.)"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from helpers import REPO
from readme_text import blocks, console_steps, normalized, section

from emulator.testing import EmulatorHandle
from emulator.testing.handle import EmulatorClock

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(*flags: str) -> Iterator[int]:
    """`make run ARGS="<flags>"`, on a free port."""
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", *flags],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert "ready on" in process.stdout.readline()
        yield port
    finally:
        process.terminate()
        process.communicate(timeout=60)


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    """The README's `make run ARGS="--seed 1 --fixtures fixtures"`."""
    with serving("--seed", "1", "--fixtures", "fixtures") as port:
        yield port


def shell(command: str, cwd: Path = REPO) -> str:
    done = subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    return done.stdout + done.stderr


@needs_curl
def test_the_curl_session_is_real_output(served: int) -> None:
    steps = console_steps(section("A curl session"))
    assert len(steps) >= 8
    for step in steps:
        shown = step.output
        got = shell(step.command.replace("localhost:18080", f"localhost:{served}"))
        assert normalized(got) == normalized(shown), step.command


def shows(shown: str, got: str) -> bool:
    """The output the README shows is the real one; where it writes ` ... `, the parts it does
    show appear in the real output in that order."""
    if " ... " not in shown:
        return normalized(got) == normalized(shown)
    rest = normalized(got)
    for part in normalized(shown).split(" ... "):
        found = rest.find(part)
        if found < 0:
            return False
        rest = rest[found + len(part) :]
    return True


@needs_curl
def test_the_customer_list_session_is_real_output(tmp_path: Path) -> None:
    """The upload, confirm, segment move and troubleshooting session, from `make run
    ARGS="--seed 1"`: files made by its own printf lines, in an empty folder."""
    steps = console_steps(section("The customer-list upload"))
    assert len(steps) >= 9
    with serving("--seed", "1") as port:
        for step in steps:
            got = shell(step.command.replace("localhost:18110", f"localhost:{port}"), tmp_path)
            assert shows(step.output, got), f"{step.command}\n{got}"


def masked_log(text: str) -> list[str]:
    """Log lines without what changes from run to run: wall times, ids, milliseconds."""
    lines = [line for line in text.splitlines() if " INFO emulator." in line]
    lines = [re.sub(r"^\S+ \S+ ", "", line) for line in lines]
    lines = [re.sub(r"aa_[0-9a-f]{18}", "<id>", line) for line in lines]
    lines = [re.sub(r"\d+\.\dms", "<ms>", line) for line in lines]
    return [normalized(line) for line in lines]


@needs_curl
def test_the_log_example_is_real_output(tmp_path: Path) -> None:
    """The Logs section's `--access-log` lines: a two-row import, then one poll."""
    (shown,) = re.findall(r"```\n(.*?)```", section("Logs"), flags=re.S)
    (tmp_path / "c.csv").write_text("source_id,name\nann,Ann\nbob,Bob\n")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), "--access-log"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None and "ready on" in process.stdout.readline()
        auth = "-H X-App-Id:ci -H X-App-Token:t"
        shell(f"curl -s -X POST localhost:{port}/v1/customers/importCSV {auth} -F file=@c.csv",
              tmp_path)  # fmt: skip
        shell(f"curl -s localhost:{port}/v1/async-actions {auth}", tmp_path)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=60)
    assert masked_log(err) == masked_log(shown)


def test_the_start_up_error_examples_are_real(tmp_path: Path) -> None:
    (tmp_path / "people.yaml").write_text("customers:\n  - {source_id: a}\n  - {email: 42}\n")
    steps = console_steps(section("Command line"))
    assert len(steps) >= 3
    for step in steps:
        command = step.command.replace("voucherify-emulator", f"{sys.executable} -m emulator", 1)
        assert shell(command, cwd=tmp_path).strip() == step.output, step.command


def test_the_command_line_block_is_the_real_help() -> None:
    (shown,) = re.findall(r"```\n(.*?)```", section("Command line"), flags=re.S)
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "--help"], capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "100"}, check=True,
    )  # fmt: skip
    assert shown == done.stdout


def test_the_handle_test_calls_every_method_the_handle_has() -> None:
    (example,) = [b for b in blocks("python", section("The handle, method by method"))]
    public = [name for name in vars(EmulatorHandle) if not name.startswith("_")]
    clock = [name for name in vars(EmulatorClock) if not name.startswith("_")]
    attributes = ["url", "app_id", "app_token", "clock"]
    for name in public + attributes:
        assert re.search(rf"\bemu\.{name}\b", example), name
    for name in clock:
        assert re.search(rf"\bemu\.clock\.{name}\(", example), name


def ci_steps() -> list[dict[str, object]]:
    (snippet,) = blocks("yaml", section("In CI"))
    steps = yaml.safe_load(snippet)["jobs"]["integration"]["steps"]
    assert isinstance(steps, list)
    return steps


def test_the_ci_snippet_keeps_the_emulators_checkout() -> None:
    checkouts = [s for s in ci_steps() if str(s.get("uses", "")).startswith("actions/checkout")]
    assert len(checkouts) == 2
    first, second = checkouts
    assert "with" not in first  # the workspace root: any later root checkout would empty it
    path = second["with"]["path"]  # type: ignore[index]
    runs = " ".join(str(s.get("run", "")) for s in ci_steps())
    assert f"docker build -t voucherify-emulator {path}" in runs
    assert f"pip install -r requirements.txt ./{path}" in runs


@needs_curl
def test_the_ci_health_wait_fails_the_job_when_nothing_answers(served: int) -> None:
    start = next(s for s in ci_steps() if s.get("name") == "Start the Voucherify emulator")
    (wait,) = [line for line in str(start["run"]).splitlines() if "/_emulator/health" in line]
    quick = wait.replace("--retry 30", "--retry 1")
    nobody = free_port()
    failed = subprocess.run(["bash", "-e", "-c", quick.replace(":8080", f":{nobody}")],
                            capture_output=True, timeout=60)  # fmt: skip
    assert failed.returncode != 0  # GitHub runs `run:` with bash -e: the step fails
    passed = subprocess.run(["bash", "-e", "-c", quick.replace(":8080", f":{served}")],
                            capture_output=True, timeout=60)  # fmt: skip
    assert passed.returncode == 0


def test_the_make_targets_the_readme_names_exist() -> None:
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z]+):", makefile, flags=re.M))
    named = set(re.findall(r"`make ([a-z]+)", section("Quick start")))
    assert named == {"run", "test", "lint", "bench", "clean"}
    assert named <= targets
    clean = re.search(r"^clean:\n\t(.*)$", makefile, flags=re.M)
    assert clean and "$(VENV)" in clean[1]
