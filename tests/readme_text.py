"""Reading README.md the way the tests check it: its code blocks, its curl session, its CI
snippet. The README is the user's first contact; these keep it true."""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers import REPO

README = REPO / "README.md"
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def text() -> str:
    return README.read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The text under a `## heading` (or `### heading`) up to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", text(), flags=re.M | re.S)
    assert match, heading
    return match[1]


def blocks(language: str, within: str | None = None) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", within or text(), flags=re.S)


def python_tests() -> list[str]:
    """Every ```python block that defines a test."""
    return [block for block in blocks("python") if re.search(r"^def test_", block, flags=re.M)]


@dataclass(frozen=True)
class Step:
    command: str  # continuation lines joined
    output: str  # what the README shows


def console_steps(within: str) -> list[Step]:
    """`$ command` lines (with `\\` continuations) and the output shown under each."""
    (console,) = blocks("console", within)
    steps: list[Step] = []
    lines = console.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("$ "):
            index += 1
            continue
        command = lines[index][2:]
        while command.endswith("\\"):
            index += 1
            command = command[:-1] + " " + lines[index].strip()
        index += 1
        output = []
        while index < len(lines) and lines[index] and not lines[index].startswith("$ "):
            output.append(lines[index])
            index += 1
        steps.append(Step(command, "\n".join(output)))
    return steps


def normalized(output: str) -> str:
    return ISO_TIME.sub("<time>", output.strip())
