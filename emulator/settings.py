"""Every knob of the emulator, frozen once at start-up."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

ClockMode = Literal["real", "scaled", "manual"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO_ROOT / "openapi" / "customers.yaml"
DEFAULT_PORT = 8080
MAX_BODY_BYTES = 10 * 1024 * 1024  # the vendor's documented 10 MB payload limit


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    spec_path: Path = DEFAULT_SPEC
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

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
