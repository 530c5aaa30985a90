"""Every bad start-up input, as a real `python -m emulator` process: a non-zero exit, exactly one
line on stderr naming the problem, nothing on stdout, and never a traceback."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.server import listen_failure

Case = Callable[[Path], "Start"]


@dataclass
class Start:
    args: list[str]
    env: dict[str, str]
    code: int
    says: list[str]  # fragments of the one stderr line


def start(*args: str, code: int = 1, says: list[str], **env: str) -> Start:
    return Start(list(args), env, code, says)


Outcome = tuple[int, str, str]  # exit code, stdout, stderr


def run(case: Start, folder: Path) -> Outcome:
    env = {key: value for key, value in os.environ.items() if key != "VOUCHERIFY_EMULATOR_SPEC"}
    env["PORT"] = "0"  # should a broken case start after all, it must not take a real port
    env.update(case.env)
    done = subprocess.run(
        [sys.executable, "-m", "emulator", *case.args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def write(folder: Path, name: str, text: str | bytes) -> str:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


BROKEN_FIXTURE = "customers:\n  - {source_id: a}\n  - {source_id: b, email: 42}\n"
MISSPELT_FIXTURE = "customers:\n  - {source_id: a, emial: a@example.com}\n"
BROKEN_OPERATION = "openapi: 3.0.1\npaths:\n  /x:\n    get: {responses: 5}\n"

CASES: dict[str, Case] = {
    "spec missing": lambda d: start(
        "--spec", str(d / "nope.yaml"), says=["cannot read", "nope.yaml: no such file"]
    ),
    "spec is a folder": lambda d: start("--spec", str(d), says=["cannot read", "a folder"]),
    "spec not UTF-8": lambda d: start(
        "--spec", write(d, "latin.yaml", b"paths: {caf\xe9: 1}"), says=["not UTF-8"]
    ),
    "spec not YAML": lambda d: start(
        "--spec",
        write(d, "bad.yaml", "paths: [unclosed"),
        says=["bad.yaml is not valid JSON or YAML at line"],
    ),
    "spec not OpenAPI": lambda d: start(
        "--spec", write(d, "list.yaml", "- a\n- b\n"), says=["not an OpenAPI document"]
    ),
    "spec with a broken operation": lambda d: start(
        "--spec",
        write(d, "broken.yaml", BROKEN_OPERATION),
        says=["broken.yaml", "not a usable OpenAPI document"],
    ),
    "spec from the environment": lambda d: start(
        VOUCHERIFY_EMULATOR_SPEC=str(d / "env.yaml"), says=["env.yaml: no such file"]
    ),
    "spec of OpenAPI 3.1": lambda d: start(
        "--spec",
        write(d, "new.json", '{"openapi": "3.1.0", "paths": {}}'),
        says=["is OpenAPI 3.1.0; 3.0.x is supported"],
    ),
    "host not a host name": lambda d: start(
        "--host", "a..b", says=["cannot listen on a..b:0", "not a valid host name"]
    ),
    "host empty": lambda d: start("--host", "", code=2, says=["--host", "a host name or IP"]),
    "PORT not a number": lambda d: start(
        code=2, PORT="http", says=["environment variable PORT", "'http'"]
    ),
    "PORT out of range": lambda d: start(code=2, PORT="70000", says=["PORT", "0-65535"]),
    "port flag out of range": lambda d: start("--port", "-1", code=2, says=["--port"]),
    "log level": lambda d: start("--log-level", "loud", code=2, says=["--log-level", "'loud'"]),
    "clock scale zero": lambda d: start("--clock-scale", "0", code=2, says=["> 0"]),
    "clock scale negative": lambda d: start("--clock-scale", "-2", code=2, says=["> 0"]),
    "clock scale infinite": lambda d: start("--clock-scale", "inf", code=2, says=["finite"]),
    "clock scale nan": lambda d: start("--clock-scale", "nan", code=2, says=["finite"]),
    "clock start": lambda d: start("--clock-start", "soon", code=2, says=["ISO 8601"]),
    "queue delay negative": lambda d: start(
        "--job-queue-delay", "-1", code=2, says=["--job-queue-delay", ">= 0"]
    ),
    "queue delay infinite": lambda d: start(
        "--job-queue-delay", "Infinity", code=2, says=["finite"]
    ),
    "item seconds nan": lambda d: start("--job-item-seconds", "nan", code=2, says=["finite"]),
    "portion size zero": lambda d: start("--job-portion-size", "0", code=2, says=[">= 1"]),
    "fixture with a bad type": lambda d: start(
        "--fixtures",
        write(d, "people.yaml", BROKEN_FIXTURE),
        says=["people.yaml", "customers[1].email must be string"],
    ),
    "fixture with a misspelt field": lambda d: start(
        "--fixtures",
        write(d, "typo.yaml", MISSPELT_FIXTURE),
        says=["typo.yaml", "customers[0].emial is not a customer field"],
    ),
    "fixture not YAML": lambda d: start(
        "--fixtures", write(d, "broken.yaml", "customers: [{"), says=["broken.yaml", "YAML"]
    ),
    "fixture missing": lambda d: start(
        "--fixtures", str(d / "none.yaml"), says=["none.yaml", "no such fixture"]
    ),
    "scenario with a bad fault": lambda d: start(
        "--scenario",
        write(d, "flaky.yaml", "faults:\n  - {status: 200}\n"),
        says=["flaky.yaml", "faults[0]", "HTTP error status"],
    ),
    "scenario missing": lambda d: start(
        "--scenario", str(d / "gone.yaml"), says=["gone.yaml", "cannot read this scenario"]
    ),
    "state file folder missing": lambda d: start(
        "--state-file", str(d / "no" / "such" / "state.json"), says=["state file", "does not exist"]
    ),
    "state file not JSON": lambda d: start(
        "--state-file", write(d, "state.json", "{half"), says=["state.json", "not a JSON"]
    ),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Start, Outcome]]:
    """Every case started at once (each process spends most of its second importing)."""
    cases = {}
    for name, make in CASES.items():
        folder = tmp_path_factory.mktemp("start")
        cases[name] = (make(folder), folder)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run, case, folder) for name, (case, folder) in cases.items()}
        return {name: (cases[name][0], future.result()) for name, future in futures.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_start_up_input(name: str, outcomes: dict[str, tuple[Start, Outcome]]) -> None:
    case, (code, out, err) = outcomes[name]
    assert "Traceback" not in out + err
    assert code == case.code, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("voucherify-emulator: ")
    for fragment in case.says:
        assert fragment in lines[0]
    assert out == ""


def test_port_in_use(busy_port: int, tmp_path: Path) -> None:
    code, out, err = run(start("--port", str(busy_port), says=[]), tmp_path)
    assert "Traceback" not in out + err
    assert code == 1
    assert err == (
        f"voucherify-emulator: cannot listen on 127.0.0.1:{busy_port}: Address already in use\n"
    )


def test_the_state_file_folder_is_never_created(tmp_path: Path) -> None:
    code, _, err = run(start("--state-file", str(tmp_path / "new" / "s.json"), says=[]), tmp_path)
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "new").exists()


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in: root writes anywhere on a normal file
    system, but not in sysfs; anyone else is kept out by the permission bits."""
    if os.geteuid() == 0:
        if not Path("/sys/kernel").is_dir():
            pytest.skip("running as root without sysfs: no folder root cannot write")
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_a_state_file_folder_that_is_not_writable(tmp_path: Path) -> None:
    folder = unwritable_folder(tmp_path)
    code, out, err = run(start("--state-file", str(folder / "state.json"), says=[]), tmp_path)
    assert "Traceback" not in out + err
    assert code == 1
    assert err.startswith(f"voucherify-emulator: state file {folder}/state.json: cannot write")
    assert len(err.splitlines()) == 1


def test_a_host_that_does_not_resolve_is_named_in_words() -> None:
    """getaddrinfo's errors carry negative codes that os.strerror calls "Unknown error -2"."""
    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert listen_failure("nosuch.invalid", 8080, unknown) == (
        "cannot listen on nosuch.invalid:8080: Name or service not known"
    )
    busy = OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
    assert listen_failure("127.0.0.1", 80, busy) == (
        "cannot listen on 127.0.0.1:80: Address already in use"
    )
