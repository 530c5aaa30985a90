"""Argument types for the command line: each turns one flag's text into a value, or explains
in a few words why it cannot."""

from __future__ import annotations

import argparse
import logging
import math
from datetime import UTC, datetime
from urllib.parse import urlsplit

ArgumentError = argparse.ArgumentTypeError
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def host_name(text: str) -> str:
    """An interface to listen on; an empty one (an unset variable?) would mean every one."""
    if not text.strip():
        raise ArgumentError("expected a host name or IP address (0.0.0.0 for every interface)")
    return text.strip()


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ArgumentError(f"expected a port number 0-65535, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise ArgumentError(f"expected a port number 0-65535, got {text!r}")
    return port


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ArgumentError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ArgumentError(f"expected a finite number, got {text!r}")
    return value


def finite_positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise ArgumentError(f"expected a number > 0, got {text!r}")
    return value


def finite_non_negative(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise ArgumentError(f"expected a number >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ArgumentError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise ArgumentError(f"expected a whole number >= 1, got {text!r}")
    return value


def log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in LOG_LEVELS or not isinstance(logging.getLevelName(level), int):
        raise ArgumentError(f"expected one of {', '.join(LOG_LEVELS)}, got {text!r}")
    return level


def instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ArgumentError(f"expected an ISO 8601 instant, got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def credentials(text: str) -> tuple[str, str]:
    app_id, sep, token = text.partition(":")
    if not sep or not app_id or not token:
        raise ArgumentError(f"expected APP_ID:TOKEN, got {text!r}")
    return app_id, token


def http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ArgumentError(f"expected an http:// or https:// URL, got {text!r}")
    return text.rstrip("/")
