"""The domain (store, jobs, clock, ids, CSV, resources) never imports aiohttp."""

from __future__ import annotations

import ast

import pytest
from helpers import REPO

# The layers that must stay free of HTTP: the contract, the domain and the jobs-and-clock layer,
# plus the handlers' plain interface and the settings.
PURE = [
    *(path for layer in ("contract", "domain", "jobs") for path in sorted(
        (REPO / "emulator" / layer).glob("*.py"))),
    *(REPO / "emulator" / name for name in (
        "routes/calls.py", "control/fixtures.py", "control/faults.py", "control/journal.py",
        "settings.py", "http/auth.py",
    )),
]  # fmt: skip


@pytest.mark.parametrize("path", PURE, ids=lambda p: p.name)
def test_module_does_not_import_aiohttp(path: object) -> None:
    tree = ast.parse(path.read_text())  # type: ignore[attr-defined]
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0] for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }  # fmt: skip
    assert "aiohttp" not in imported
