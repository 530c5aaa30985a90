"""The artifact users install, tested the way they meet it.

Once per session: build the sdist and, from it, the wheel (`python -m build`); install the wheel,
not editable, into a fresh virtualenv in a temporary folder outside the repository; then, from
another empty folder, run the console script until health answers 200, and run a user's pytest
files through the installed plugin: the README's own examples, read out of README.md so the two
cannot drift, and tests/test_handle_as_a_user.py. The Dockerfile's dependency list, install and
ENTRYPOINT + CMD run the same way (there is no Docker engine here to build the image itself).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import readme_text
from helpers import REPO, VENDOR_FULL
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from emulator import __version__

DOCKERFILE = REPO / "Dockerfile"
SLOW = 900  # seconds: a cold pip cache downloads every dependency


@dataclass(frozen=True)
class Installed:
    root: Path  # a temporary folder outside the repository
    wheel: Path
    sdist: Path
    venv: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def env(self, **extra: str) -> dict[str, str]:
        """A user's shell: the venv on PATH, nothing of this checkout on PYTHONPATH."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.pop("VOUCHERIFY_EMULATOR_SPEC", None)
        env.pop("VOUCHERIFY_EMULATOR_URL", None)
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return {**env, **extra}

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=SLOW
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("user")
    assert REPO not in root.parents
    dist = root / "dist"
    sh(sys.executable, "-m", "build", "--outdir", dist, REPO, cwd=root)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    venv = root / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)  # ensurepip: 5-9 s saved
    # This pip installs into the new venv (--python); its cache is the machine's, warm after the
    # first run. What lands in the venv is what `pip install <wheel>` gives any user.
    sh(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
       wheel, "pytest", "voucherify", cwd=root)  # fmt: skip
    return Installed(root, wheel, sdist, venv)


# -- the artifacts -------------------------------------------------------------------------
def test_the_wheel_and_the_sdist_carry_the_contract(installed: Installed) -> None:
    contract = (REPO / "openapi" / "customers.yaml").read_bytes()
    with zipfile.ZipFile(installed.wheel) as wheel:
        assert wheel.read("emulator/openapi/customers.yaml") == contract
        names = set(wheel.namelist())
    sources = {
        path.relative_to(REPO).as_posix() for path in (REPO / "emulator").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }  # fmt: skip
    assert sources <= names  # every module and file of the package (the dashboard's too)
    with tarfile.open(installed.sdist) as sdist:
        member = sdist.extractfile(f"voucherify_emulator-{__version__}/openapi/customers.yaml")
        assert member is not None and member.read() == contract
    assert installed.wheel.name == f"voucherify_emulator-{__version__}-py3-none-any.whl"


def test_the_installed_package_is_not_the_checkout(installed: Installed) -> None:
    where = sh(installed.bin("python"), "-c", "import emulator; print(emulator.__file__)",
               cwd=installed.folder("where"), env=installed.env())  # fmt: skip
    assert Path(where.strip()).is_relative_to(installed.venv)


def test_spec_drift_from_the_installed_package_uses_the_shipped_baseline(
    installed: Installed,
) -> None:
    """`python -m emulator.contract.drift` outside the checkout: the accepted differences ship
    with the contract (without them it listed 4,466 "new" differences of our own deviations)."""
    if not VENDOR_FULL.exists():
        pytest.skip("../shared/reference is absent; the vendor's full document is needed")
    done = subprocess.run(
        [installed.bin("python"), "-m", "emulator.contract.drift", str(VENDOR_FULL)],
        cwd=installed.folder("drift"), env=installed.env(), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "no new drift" in done.stdout


# -- the console script --------------------------------------------------------------------
class Server:
    """A running emulator process; its URL comes from the readiness line."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.ready = self.process.stdout.readline()
        match = re.search(r"ready on (http://[\d.]+:\d+)", self.ready)
        assert match, self.ready + self.stop()
        self.url = match[1].replace("0.0.0.0", "127.0.0.1")

    def health(self) -> int:
        """Wait (a bounded while) for /_emulator/health to answer; its status."""
        for _ in range(100):
            try:
                with urllib.request.urlopen(self.url + "/_emulator/health", timeout=5) as answer:
                    return int(answer.status)
            except OSError:
                time.sleep(0.1)
        return 0

    def call(self, method: str, path: str, body: object = None) -> object:
        headers = {"X-App-Id": "user", "X-App-Token": "t", "Content-Type": "application/json"}
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=60)
        return err


@pytest.fixture
def server_folder(installed: Installed) -> Iterator[Path]:
    yield installed.folder(f"run-{time.monotonic_ns()}")


def test_the_console_script_serves_from_any_folder(
    installed: Installed, server_folder: Path
) -> None:
    assert sh("voucherify-emulator", "--version", cwd=server_folder, env=installed.env()) == (
        f"voucherify-emulator {__version__}\n"
    )
    cache = server_folder / "cache"
    server = Server(["voucherify-emulator", "--port", "0", "--seed", "1"], server_folder,
                    installed.env(XDG_CACHE_HOME=str(cache)))  # fmt: skip
    try:
        assert server.health() == 200
        health = server.call("GET", "/_emulator/health")
        # uvloop came with the wheel (a runtime dependency), and the packaged contract's
        # parsed copy was kept for the next start.
        assert isinstance(health, dict) and health["event_loop"] == "uvloop"
        assert len(list((cache / "voucherify-emulator").glob("*.marshal"))) == 1
        created = server.call("POST", "/v1/customers", {"source_id": "ann", "name": "Ann"})
        assert isinstance(created, dict) and created["object"] == "customer"
        for name in ("Ann", "Anna"):  # a listed customer's kept text follows its write
            server.call("PUT", f"/v1/customers/{created['id']}", {"name": name})
            listed = server.call("GET", "/v1/customers")
            assert isinstance(listed, dict) and [c["name"] for c in listed["customers"]] == [name]
        (script,) = readme_text.blocks(
            "python", readme_text.section("Using the official Python SDK")
        )
        script = script.replace("http://127.0.0.1:8080", server.url)
        sh(installed.bin("python"), "-c", script, cwd=server_folder, env=installed.env())
    finally:
        err = server.stop()
    assert server.process.returncode == 0 and "Traceback" not in err


def test_python_m_emulator_and_a_bad_spec_from_the_environment(
    installed: Installed, server_folder: Path
) -> None:
    env = installed.env(VOUCHERIFY_EMULATOR_SPEC=str(server_folder / "mine.yaml"))
    done = subprocess.run([installed.bin("python"), "-m", "emulator"], cwd=server_folder,
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        f"voucherify-emulator: cannot read {server_folder}/mine.yaml: no such file\n"
    )


# -- the pytest plugin ---------------------------------------------------------------------
def pytest_in(installed: Installed, folder: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [installed.bin("python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder, env=installed.env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def test_the_readme_and_a_users_tests_pass_through_the_installed_plugin(
    installed: Installed,
) -> None:
    examples = readme_text.python_tests()
    assert len(examples) >= 3  # getting started, the whole handle, 429 with the SDK
    folder = installed.folder("users-project")
    for number, example in enumerate(examples, start=1):
        (folder / f"test_readme_{number}.py").write_text(example)
    user_tests = (REPO / "tests" / "test_handle_as_a_user.py").read_text()
    (folder / "test_handle_as_a_user.py").write_text(user_tests)
    expected = sum(len(re.findall(r"^def test_", text, flags=re.M))
                   for text in [*examples, user_tests])  # fmt: skip
    run = pytest_in(installed, folder)
    output, _ = run.communicate(timeout=SLOW)
    assert run.returncode == 0, output
    assert re.search(rf"^{expected} passed in ", output, flags=re.M), output


def test_the_fixture_obeys_the_spec_variable(installed: Installed) -> None:
    folder = installed.folder("spec-override")
    (folder / "test_one.py").write_text("def test_one(voucherify_emulator):\n    pass\n")
    run = pytest_in(installed, folder, VOUCHERIFY_EMULATOR_SPEC=str(folder / "nope.yaml"))
    output, _ = run.communicate(timeout=SLOW)
    assert run.returncode == 1 and "1 error" in output
    assert f"SpecError: cannot read {folder}/nope.yaml: no such file" in output


# -- the Dockerfile's path, without Docker -------------------------------------------------
def dockerfile() -> str:
    return re.sub(r"\\\n\s*", "", DOCKERFILE.read_text())  # continuation lines joined


def exec_form(instruction: str) -> list[str]:
    match = re.search(rf"^{instruction} (\[.*\])$", dockerfile(), flags=re.M)
    assert match, instruction
    return list(json.loads(match[1]))


def test_the_dockerfile_installs_exactly_the_wheels_dependencies(installed: Installed) -> None:
    text = dockerfile()
    deps_stage = text.split("FROM base AS deps", 1)[1].split("\nFROM ", 1)[0]
    copies = re.findall(r"^COPY (.*)$", deps_stage, flags=re.M)
    assert copies == ["pyproject.toml /build/pyproject.toml"]  # source changes keep this layer
    command = re.search(r'python -c "(.*?)" > /build/requirements.txt', deps_stage)
    assert command, deps_stage
    code = command[1].replace("/build/pyproject.toml", str(REPO / "pyproject.toml"))
    listed = sh(installed.bin("python"), "-c", code, cwd=installed.root).splitlines()
    with zipfile.ZipFile(installed.wheel) as wheel:
        metadata = wheel.read(f"voucherify_emulator-{__version__}.dist-info/METADATA").decode()
    required = [line.split(": ", 1)[1] for line in metadata.splitlines()
                if line.startswith("Requires-Dist: ") and "extra ==" not in line]  # fmt: skip
    assert requirements(listed) == requirements(required)
    assert "pip install --no-deps --no-cache-dir /wheels/*.whl" in text
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert listed == pyproject["project"]["dependencies"]


def requirements(lines: list[str]) -> dict[str, SpecifierSet]:
    return {r.name.lower(): r.specifier for r in map(Requirement, lines)}


def test_the_dockerfiles_entrypoint_and_cmd_keep_state_in_the_data_volume(
    installed: Installed,
) -> None:
    text = dockerfile()
    assert "mkdir /data && chown emulator:emulator /data" in text and "VOLUME /data" in text
    assert text.index("chown emulator:emulator /data") < text.index("USER emulator")
    data = installed.folder("data")  # stands for the image's /data volume
    command = [
        arg.replace("/data/", f"{data}/") for arg in exec_form("ENTRYPOINT") + exec_form("CMD")
    ]
    assert command[0] == "voucherify-emulator"
    env = installed.env(PORT="0")  # the image says PORT=8080; tests take a free port
    first = Server(command, installed.folder("app"), env)
    try:
        assert first.health() == 200
        first.call("POST", "/v1/customers", {"source_id": "kept", "name": "Kept"})
    finally:
        first.stop()
    assert (data / "state.json").is_file()
    second = Server(command, installed.folder("app-again"), env)
    try:
        customer = second.call("GET", "/v1/customers/kept")
        assert isinstance(customer, dict) and customer["name"] == "Kept"
    finally:
        second.stop()
