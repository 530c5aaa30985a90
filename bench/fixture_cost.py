"""Per-test cost of the `voucherify_emulator` pytest fixture: runs a generated suite of tests
that use it, timing each fixture set-up with a hook."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = 200
CONFTEST = """
import json, time, pytest
times = []

@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    start = time.perf_counter()
    yield
    if fixturedef.argname.startswith("voucherify_emulator"):
        times.append([fixturedef.argname, time.perf_counter() - start])

def pytest_sessionfinish(session):
    with open("fixture-times.json", "w") as handle:
        json.dump(times, handle)
"""
TEST = """
def test_{n}(voucherify_emulator):
    voucherify_emulator.seed(customers=[{{"source_id": "c{n}"}}])
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "conftest.py").write_text(CONFTEST)
        (root / "test_many.py").write_text("".join(TEST.format(n=n) for n in range(TESTS)))
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
            cwd=root, check=True, capture_output=True,
        )  # fmt: skip
        times = json.loads((root / "fixture-times.json").read_text())
    server = [t for name, t in times if name == "voucherify_emulator_url"]
    per_test = [t * 1000 for name, t in times if name == "voucherify_emulator"]
    later = sorted(per_test[1:])
    print(
        f"pytest fixture over {TESTS} tests: emulator start {server[0] * 1000:.0f} ms once per "
        f"session; first test {per_test[0]:.2f} ms; each further test median "
        f"{statistics.median(later):.2f} ms, p95 {later[int(len(later) * 0.95) - 1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
