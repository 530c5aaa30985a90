"""The flags of the guard, the tenant and activity caps, report links and timeouts: parsed into
Settings, and refused with a clear message (no traceback) when their values make no sense."""

from __future__ import annotations

import pytest

from emulator.__main__ import parse_settings


def test_the_new_flags_reach_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOUCHERIFY_EMULATOR_ADMIN_TOKEN", raising=False)
    settings = parse_settings([
        "--admin-token", "t0k", "--allowed-host", "ci-service", "--allowed-host", ".example.com",
        "--public-url", "https://emu.example/", "--max-tenants", "50", "--activity-limit", "7",
        "--header-timeout", "2.5", "--body-timeout", "30", "--keepalive-timeout", "15",
    ])  # fmt: skip
    assert settings.admin_token == "t0k"
    assert settings.allowed_hosts == ("ci-service", ".example.com")
    assert settings.public_url == "https://emu.example"
    assert (settings.max_tenants, settings.activity_limit) == (50, 7)
    assert (settings.header_timeout, settings.body_timeout, settings.keepalive_timeout) == (
        2.5, 30.0, 15.0,
    )  # fmt: skip
    monkeypatch.setenv("VOUCHERIFY_EMULATOR_ADMIN_TOKEN", "from-env")
    assert parse_settings([]).admin_token == "from-env"


def test_the_defaults() -> None:
    settings = parse_settings([])
    assert settings.max_tenants == 10_000 and settings.activity_limit == 100_000
    assert (settings.header_timeout, settings.body_timeout, settings.keepalive_timeout) == (
        10.0, 60.0, 60.0,
    )  # fmt: skip
    assert settings.public_url is None and settings.allowed_hosts == ()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-tenants", "0"], "--max-tenants"),
        (["--max-tenants", "lots"], "--max-tenants"),
        (["--activity-limit", "-5"], "--activity-limit"),
        (["--header-timeout", "inf"], "--header-timeout"),
        (["--keepalive-timeout", "nan"], "--keepalive-timeout"),
        (["--body-timeout", "7200"], "body_timeout"),
        (["--public-url", "emu.example"], "--public-url"),
        (["--clock-scale", "1e300"], "clock scale"),
        (["--job-item-seconds", "1e300"], "item_seconds"),
        (["--clock", "manual", "--clock-start", "9999-12-31T00:00:00+00:00"], "1970"),
    ],
)
def test_bad_values_are_refused_clearly(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_settings(flags)
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


def test_the_event_loop_flag() -> None:
    assert parse_settings([]).event_loop == "auto"
    assert parse_settings(["--event-loop", "asyncio"]).event_loop == "asyncio"
    assert parse_settings(["--event-loop", "uvloop"]).event_loop == "uvloop"


def test_an_unknown_event_loop_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_settings(["--event-loop", "trio"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "--event-loop" in error and "Traceback" not in error
