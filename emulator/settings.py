"""Every knob of the emulator, frozen once at start-up."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

ClockMode = Literal["real", "scaled", "manual"]

DEFAULT_PORT = 8080
MAX_BODY_BYTES = 10 * 1024 * 1024  # the vendor's documented 10 MB payload limit


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
        seconds = (self.queue_delay, self.item_seconds)
        if not all(math.isfinite(value) and value >= 0 for value in seconds):
            raise ValueError("timings need finite queue_delay >= 0 and item_seconds >= 0")
        if self.portion_size < 1:
            raise ValueError("timings need portion_size >= 1")


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
    job_timing: JobTiming = JobTiming()
    job_timings: dict[str, JobTiming] = field(default_factory=dict)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
