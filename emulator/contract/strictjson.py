"""Strict JSON (RFC 8259) in and out, with orjson.

In: no `NaN`/`Infinity`, no number that overflows a double, no lone surrogate or invalid UTF-8,
and a nesting depth limit, so nothing stored can later fail to serialise. Numbers beyond 64-bit
integers become doubles, as the vendor's JavaScript parser reads them.

Out: always valid UTF-8 JSON; a string that somehow carries a lone surrogate is repaired with
U+FFFD rather than failing the response.
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_DEPTH = 64  # containers inside containers; the contract needs fewer than ten
_NOT_NUMBERS = (b"NaN", b"Infinity", b"-Infinity")


class JsonError(ValueError):
    """The text is not strict JSON; the message says why and where."""


def loads(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise JsonError(_describe(raw, error)) from None
    if _may_be_deeper(raw, max_depth) and too_deep(value, max_depth):
        raise JsonError(f"Invalid JSON: nested deeper than {max_depth} levels")
    return value


def _describe(raw: bytes | str, error: orjson.JSONDecodeError) -> str:
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"Request body is not valid UTF-8 (invalid byte at offset {bad.start})"
    start = max(0, int(getattr(error, "pos", 0)))
    if data[start : start + 9].startswith(_NOT_NUMBERS):
        where = f"line {getattr(error, 'lineno', 1)} column {getattr(error, 'colno', start + 1)}"
        return f"Invalid JSON: NaN and Infinity are not JSON numbers ({where})"
    return f"Invalid JSON: {error}"


def _may_be_deeper(raw: bytes | str, max_depth: int) -> bool:
    if isinstance(raw, str):
        return raw.count("[") + raw.count("{") > max_depth
    return raw.count(b"[") + raw.count(b"{") > max_depth


def too_deep(value: Any, max_depth: int) -> bool:
    """Whether containers nest more than `max_depth` levels (iteratively: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return orjson.dumps(_repaired(value), default=str)


def clean_text(value: str) -> str:
    """Text without lone surrogates: undecodable bytes and stray surrogates become U+FFFD."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _repaired(value: Any) -> Any:
    """A copy with lone surrogates replaced and out-of-range integers written as doubles."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if -(2**63) <= value < 2**64:
            return value
        return float(value) if abs(value) < 10**308 else str(value)
    if isinstance(value, dict):
        return {_repaired(str(key)): _repaired(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_repaired(item) for item in value]
    return value
