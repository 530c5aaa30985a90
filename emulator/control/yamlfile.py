"""Reading a user's YAML file (fixtures, scenarios): every way it can fail becomes one line
that names the file, and YAML's dates come back as the text the author wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from emulator.contract.yamltext import parse_yaml


def _plain(node: Any) -> Any:
    """YAML reads 2026-01-01 as a date; the contract wants the string."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, dt.datetime | dt.date):
        return node.isoformat()
    return node


def read_yaml(path: Path, what: str, error: type[ValueError]) -> object:
    """The file's content, or `error` saying in one line why there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise error(f"{path}: cannot read this {what} ({problem.strerror or problem})") from None
    except UnicodeDecodeError:
        raise error(f"{path}: this {what} is not UTF-8 text") from None
    return _plain(parse_yaml(text, f"{path}: this {what}", error))
