"""YAML text to data, with every failure as one line: where in the text, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml


def where_and_why(error: yaml.YAMLError) -> str:
    """` at line 3, column 7 (found a tab)`: PyYAML's several-line message in one line."""
    mark = getattr(error, "problem_mark", None)
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"{at} ({getattr(error, 'problem', None) or 'unreadable'})"


def parse_yaml(text: str, name: str, error: type[ValueError], kind: str = "YAML") -> object:
    """`name` says what the text is (`fixtures/a.yaml: this fixture`); `kind`, what it should
    have been, in the message of a failure."""
    import yaml  # here: a start with no fixtures or scenario never needs it

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as problem:
        raise error(f"{name} is not valid {kind}{where_and_why(problem)}") from None
    except ValueError as problem:  # a scalar YAML cannot build, such as the date 2026-13-45
        raise error(f"{name} is not valid {kind} ({problem})") from None
