"""The only sources of time: real, scaled and manual clocks.

Every timestamp a tenant sees comes from its clock; nothing else in the emulator reads
the wall clock, so a manual clock makes every response reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

WallTime = Callable[[], float]


class Clock(Protocol):
    mode: str

    def now(self) -> datetime: ...


class RealClock:
    mode = "real"

    def __init__(self, wall: WallTime = time.time) -> None:
        self._wall = wall

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)


class ScaledClock:
    """Runs `scale` times faster than wall time, starting at `start`."""

    mode = "scaled"

    def __init__(self, scale: float, start: datetime | None = None, wall: WallTime = time.time):
        if scale <= 0:
            raise ValueError("clock scale must be positive")
        self.scale = scale
        self._wall = wall
        self._origin_wall = wall()
        self._origin = start or datetime.fromtimestamp(self._origin_wall, UTC)

    def now(self) -> datetime:
        elapsed = (self._wall() - self._origin_wall) * self.scale
        return self._origin + timedelta(seconds=elapsed)


class ManualClock:
    """Frozen at an instant; moves only when told to."""

    mode = "manual"

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("a clock cannot be advanced by a negative amount")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, instant: datetime) -> datetime:
        self._now = _aware(instant)
        return self._now


def make_clock(mode: str, scale: float = 1.0, start: datetime | None = None) -> Clock:
    if mode == "real":
        return RealClock()
    if mode == "scaled":
        return ScaledClock(scale, start)
    if mode == "manual":
        return ManualClock(start or datetime.now(UTC).replace(microsecond=0))
    raise ValueError(f"unknown clock mode {mode!r}")


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def iso(instant: datetime) -> str:
    """ISO 8601 with milliseconds and a Z, as the vendor writes it: 2022-08-30T06:32:07.380Z."""
    utc = instant.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """A date-time or a bare date (midnight UTC), as the vendor's query parameters accept."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return _aware(parsed)
