"""The domain (store, jobs, clock, ids, CSV, resources) never imports aiohttp."""

from __future__ import annotations

import ast

import pytest
from helpers import REPO

PURE = [
    *sorted((REPO / "emulator" / "domain").glob("*.py")),
    *(REPO / "emulator" / name for name in (
        "store.py", "jobs.py", "engine.py", "csvio.py", "clock.py", "ids.py", "calls.py",
        "fixtures.py", "settings.py", "auth.py", "schema.py", "params.py",
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
