"""Lean installs: the runtime dependencies are exactly what the runtime imports, test tools sit
in the `test` extra, and `make run` installs the runtime only."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from helpers import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
HARNESS = {"pytest"}  # the pytest plugin runs inside the user's pytest, which brings it


def imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "emulator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def test_runtime_dependencies_are_exactly_what_the_runtime_imports() -> None:
    third_party = {
        module for module in imported_top_level_modules() - HARNESS
        if module not in sys.stdlib_module_names and module not in {"emulator", "__future__"}
    }  # fmt: skip
    distributions = packages_distributions()
    imported = {canonicalize_name(distributions[module][0]) for module in third_party}
    assert imported == names(PYPROJECT["project"]["dependencies"])
    assert imported == {
        "aiohttp", "jsonschema", "jsonschema-rs", "openapi-schema-validator", "orjson", "pyyaml",
        "sortedcontainers", "uvloop",
    }


def test_test_tools_are_an_extra() -> None:
    runtime = names(PYPROJECT["project"]["dependencies"])
    tools = names(PYPROJECT["project"]["optional-dependencies"]["test"])
    assert {"openapi-core", "schemathesis", "mypy", "ruff", "pytest", "voucherify"} <= tools
    assert not tools & runtime


def test_make_run_installs_the_runtime_only_and_make_test_the_extra() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^run: \$\(RUNTIME\)$", makefile, flags=re.M)
    assert re.search(r"^\$\(RUNTIME\):.*\n\t\$\(PIP\) -e \.\n", makefile, flags=re.M)
    assert re.search(r"^test: \$\(TOOLS\)$", makefile, flags=re.M)
    assert re.search(r"^\$\(TOOLS\):.*\n\t\$\(PIP\) -e '\.\[test\]'\n", makefile, flags=re.M)


def test_the_licence_is_an_spdx_expression() -> None:
    """A table here makes setuptools print a deprecation warning on every install."""
    assert PYPROJECT["project"]["license"] == "MIT"
