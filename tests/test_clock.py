"""The clock: real, scaled and manual modes over an injected wall time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emulator.jobs.clock import LATEST, Clock, ClockError, iso, parse_instant

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Wall:
    def __init__(self) -> None:
        self.seconds = 1_000.0

    def __call__(self) -> float:
        return self.seconds


def test_manual_clock_moves_only_when_told() -> None:
    wall = Wall()
    clock = Clock("manual", start=START, wall=wall)
    wall.seconds += 3600
    assert clock.now() == START
    assert clock.advance(1.5) == START + timedelta(seconds=1.5)
    assert clock.set(START + timedelta(days=1)) == START + timedelta(days=1)


def test_real_and_scaled_clocks_follow_the_wall() -> None:
    wall = Wall()
    real = Clock("real", start=START, wall=wall)
    scaled = Clock("scaled", scale=60, start=START, wall=wall)
    wall.seconds += 2
    assert real.now() == START + timedelta(seconds=2)
    assert scaled.now() == START + timedelta(minutes=2)
    scaled.advance(10)  # an offset on top of the rate
    wall.seconds += 1
    assert scaled.now() == START + timedelta(minutes=3, seconds=10)


def test_switching_modes_never_jumps() -> None:
    wall = Wall()
    clock = Clock("scaled", scale=10, start=START, wall=wall)
    wall.seconds += 5
    frozen_at = clock.switch("manual")
    assert frozen_at == START + timedelta(seconds=50)
    wall.seconds += 100
    assert clock.now() == frozen_at
    clock.switch("real")
    wall.seconds += 1
    assert clock.now() == frozen_at + timedelta(seconds=1)


def test_pinned_time_is_temporary() -> None:
    clock = Clock("manual", start=START)
    with clock.pinned(START - timedelta(hours=1)):
        assert clock.now() == START - timedelta(hours=1)
    assert clock.now() == START


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda c: c.advance(-1), "negative"),
        (lambda c: c.set(START - timedelta(seconds=1)), "back in time"),
        (lambda c: c.switch("warp"), "unknown clock mode"),
        (lambda c: c.switch("scaled", 0), "between 0.001 and 10000"),
        (lambda c: c.switch("scaled", 1e300), "between 0.001 and 10000"),
        (lambda c: c.switch("scaled", float("nan")), "finite"),
        (lambda c: c.switch("scaled", "2"), "must be a number"),
        (lambda c: c.advance(float("inf")), "finite"),
        (lambda c: c.advance(1e300), "past 3000-01-01"),
        (lambda c: c.set(datetime(9999, 12, 31, tzinfo=UTC)), "between 1970"),
    ],
)
def test_refusals(action: object, message: str) -> None:
    clock = Clock("manual", start=START)
    with pytest.raises(ClockError, match=message):
        action(clock)  # type: ignore[operator]


def test_a_scaled_clock_stops_at_the_latest_instant() -> None:
    wall = Wall()
    clock = Clock("scaled", 10_000, start=START, wall=wall)
    wall.seconds += 1e12  # far longer than the clock can count
    assert clock.now() == LATEST
    assert iso(clock.now()) == "3000-01-01T00:00:00.000Z"


def test_iso_and_parse() -> None:
    assert iso(datetime(2022, 8, 30, 6, 32, 7, 380_999, tzinfo=UTC)) == "2022-08-30T06:32:07.380Z"
    # four-digit years, as RFC 3339 and toISOString write them (strftime writes "530")
    assert iso(datetime(530, 9, 8, 3, 14, 27, 970_000, tzinfo=UTC)) == "0530-09-08T03:14:27.970Z"
    assert parse_instant("2016-11-16") == datetime(2016, 11, 16, tzinfo=UTC)
    assert parse_instant("2022-08-30T06:32:07.380Z").microsecond == 380_000
