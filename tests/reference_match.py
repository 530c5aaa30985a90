"""Comparing the emulator's answers with material nobody on this team wrote: responses the
real API returned, and the vendor's documented examples. Read from ../shared, never copied."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from helpers import SHARED_REFERENCE

RECORDED = SHARED_REFERENCE / "recorded"
VENDOR_FULL = SHARED_REFERENCE / "voucherify-full.openapi.json"
MISSING = object()
# An id as the API writes them: a short lowercase prefix, an underscore, then letters/digits.
_ID = re.compile(r"^([a-z]{1,6})_[A-Za-z0-9]{6,}$")
FREE_FORM = (".metadata", ".loyalty.campaigns")  # maps keyed by the client's own data
_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/reference is not beside this checkout)")
    return path


@cache
def vendor_full() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(need(VENDOR_FULL).read_text(encoding="utf-8"))
    return data


def deep_match(
    recorded: Any, ours: Any, where: str = "", masked: frozenset[str] = frozenset()
) -> list[str]:
    """Differences between a recorded value and ours: ids and instants are masked (same kind,
    any value); `null` recorded means null or absent here; an empty object recorded as `[]`
    (the PHP SDK writes it so) matches `{}`; keys only we send are allowed (a field the SDK's
    model did not know cannot show up in its recording)."""
    if recorded is None:
        return [] if ours is None or ours is MISSING else [f"{where}: recorded null, ours {ours!r}"]
    if ours is MISSING:
        return [f"{where}: missing (recorded {recorded!r})"]
    if where.rsplit(".", 1)[-1] in masked:
        return [] if isinstance(ours, type(recorded)) else [f"{where}: {ours!r} is not a string"]
    if recorded == [] and ours == {}:
        return []
    if isinstance(recorded, dict):
        if not isinstance(ours, dict):
            return [f"{where}: ours {ours!r} is not an object"]
        found: list[str] = []
        for key, value in recorded.items():
            found += deep_match(value, ours.get(key, MISSING), f"{where}.{key}", masked)
        return found
    if isinstance(recorded, list):
        if not isinstance(ours, list) or len(ours) != len(recorded):
            return [f"{where}: ours {ours!r} vs recorded {recorded!r}"]
        return [d for i, (r, o) in enumerate(zip(recorded, ours, strict=True))
                for d in deep_match(r, o, f"{where}[{i}]", masked)]  # fmt: skip
    return _scalar(recorded, ours, where)


def _scalar(recorded: Any, ours: Any, where: str) -> list[str]:
    if isinstance(recorded, str) and _INSTANT.match(recorded):
        ok = isinstance(ours, str) and bool(_INSTANT.match(ours))
        return [] if ok else [f"{where}: ours {ours!r} is not a date-time"]
    if isinstance(recorded, str) and (kind := _ID.match(recorded)):
        ok = isinstance(ours, str) and ours.startswith(kind.group(1) + "_")
        return [] if ok else [f"{where}: ours {ours!r} is not a {kind.group(1)}_ id"]
    if recorded != ours or type(recorded) is not type(ours):
        return [f"{where}: ours {ours!r} vs recorded {recorded!r}"]
    return []


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}[type(value)]  # fmt: skip


def shape_differences(example: Any, ours: Any, where: str = "") -> list[str]:
    """Where our answer's shape differs from a vendor example: every key the example has is
    here with the same JSON type (null in the example: null or absent here), and `object`
    values are equal. Lists compare their first elements; maps keyed by the client's data
    (metadata, a customer's loyalty campaigns) only by type."""
    if example is None:
        return []
    if ours is MISSING:
        return [f"{where}: missing"]
    if _kind(example) != _kind(ours):
        return [f"{where}: {_kind(ours)} here, {_kind(example)} in the example"]
    if isinstance(example, dict):
        if where.endswith(FREE_FORM):
            return []
        found: list[str] = []
        for key, value in example.items():
            found += shape_differences(value, ours.get(key, MISSING), f"{where}.{key}")
        if "object" in example and example["object"] != ours.get("object"):
            found.append(f"{where}.object: {ours.get('object')!r} vs {example['object']!r}")
        return found
    if isinstance(example, list) and example and ours:
        return shape_differences(example[0], ours[0], f"{where}[0]")
    if isinstance(example, list) and example and not ours:
        return [f"{where}: empty here, not in the example"]
    return []
