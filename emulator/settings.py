"""Every knob of the emulator, frozen once at start-up."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from emulator.jobs.clock import check_instant, check_scale

ClockMode = Literal["real", "scaled", "manual"]
EventLoop = Literal["auto", "uvloop", "asyncio"]
EVENT_LOOPS: tuple[EventLoop, ...] = ("auto", "uvloop", "asyncio")

DEFAULT_PORT = 8080
MAX_BODY_BYTES = 10 * 1024 * 1024  # the vendor's documented 10 MB payload limit
MAX_QUEUE_DELAY = 86_400.0  # a day in the queue at most
MAX_ITEM_SECONDS = 60.0  # a minute per item at most
MAX_PORTION_SIZE = 100_000


@dataclass(frozen=True)
class JobTiming:
    """How long an async action waits and works: queue delay, cost per item, portion size."""

    # Seconds from submission until the queue may start the job. The vendor starts a job on an
    # idle queue at once (clients poll "while IN_PROGRESS"), so the default is no delay: a job
    # is ENQUEUED only behind other work, or when a delay is asked for (flag, timings, rule).
    queue_delay: float = 0.0
    # Processing time per item (row, customer, code): 1,000 rows take 20 ms.
    item_seconds: float = 0.00002
    portion_size: int = 1000  # items per portion; larger jobs are processed round-robin

    def __post_init__(self) -> None:
        _seconds("queue_delay", self.queue_delay, MAX_QUEUE_DELAY)
        _seconds("item_seconds", self.item_seconds, MAX_ITEM_SECONDS)
        size = self.portion_size
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PORTION_SIZE:
            raise ValueError(f"portion_size must be a whole number from 1 to {MAX_PORTION_SIZE:,}")


def _seconds(name: str, value: object, most: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of seconds")
    if not 0 <= value <= most:
        raise ValueError(f"{name} must be between 0 and {most:g} seconds")


ZERO_DELAYS = JobTiming(queue_delay=0.0, item_seconds=0.0)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    spec_path: Path | None = None  # None: the contract shipped in the package
    fixtures: tuple[Path, ...] = ()
    seed: int | None = None
    log_level: str = "INFO"
    validate_requests: bool = True
    validate_responses: bool = True
    # None: any non-empty X-App-Id / X-App-Token pair is accepted.
    # Otherwise only these app id -> token pairs (bearer tokens must equal one of the tokens).
    credentials: dict[str, str] | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    clock_mode: ClockMode = "real"
    clock_scale: float = 1.0
    # Start instant of manual and scaled clocks (None: wall time at tenant creation).
    clock_start: datetime | None = None
    # Timings of async actions: one for every type, and overrides by type.
    state_file: Path | None = None  # loaded at start, written atomically at shutdown
    scenario: Path | None = None  # YAML file of HTTP faults applied from the start
    journal_size: int = 1000  # requests kept in the journal (oldest dropped first)
    access_log: bool = False  # one log line per request (method, path, status, ms, tenant)
    event_loop: EventLoop = "auto"  # the command line's loop: auto is uvloop where installed
    job_timing: JobTiming = JobTiming()
    job_timings: dict[str, JobTiming] = field(default_factory=dict)
    # The control plane: with a token, every /_emulator request (health aside) must carry
    # X-Emulator-Token; Host must be a localhost name, an IP address, `host` or one of these.
    admin_token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    public_url: str | None = None  # base of report URLs (default: the address the client reached)
    max_tenants: int = 10_000  # past it, the least recently used idle tenant is evicted
    activity_limit: int = 100_000  # customer events kept per tenant, oldest dropped first
    header_timeout: float = 10.0  # seconds a client has to send a request's line and headers
    keepalive_timeout: float = 60.0  # seconds an idle keep-alive connection stays open
    body_timeout: float = 60.0  # seconds a client has to send a request's body
    save_interval: float = 0.5  # the state file trails changes by about this much
    slice_seconds: float = 0.005  # async-action work runs in slices this long between requests

    def __post_init__(self) -> None:
        check_scale(self.clock_scale)
        if self.clock_start is not None:
            check_instant(self.clock_start)
        for name in ("header_timeout", "keepalive_timeout", "body_timeout", "save_interval"):
            value = getattr(self, name)
            if not math.isfinite(value) or not 0 < value <= 3600:
                raise ValueError(f"{name} must be more than 0 and at most 3600 seconds")
        if not 0 <= self.slice_seconds <= 1:
            raise ValueError("slice_seconds must be between 0 and 1")
        for name in ("max_tenants", "activity_limit"):
            if not 1 <= getattr(self, name) <= 10_000_000:
                raise ValueError(f"{name} must be a whole number from 1 to 10,000,000")

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
