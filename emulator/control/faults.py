"""HTTP faults on demand: added latency, forced errors, rate limits and dropped connections,
per route and tenant, optionally for the next N matching requests only. Pure: the HTTP layer
asks `plan()` what to do with a request and carries it out."""

from __future__ import annotations

import fnmatch
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from emulator.control.yamlfile import read_yaml

Json = dict[str, Any]
KEYS = {"path", "method", "tenant", "latency_ms", "status", "body", "rate_limit", "drop", "times"}
EVERY_TENANT = "*"


class FaultError(ValueError):
    pass


@dataclass
class TokenBucket:
    capacity: float
    refill_per_second: float
    tokens: float = -1.0
    updated: datetime | None = None

    def take(self, now: datetime) -> float | None:
        """Take one token; None when granted, else the seconds until one is available
        (infinite for a bucket that never refills)."""
        if self.updated is None:
            self.tokens = self.capacity
        else:
            elapsed = max(0.0, (now - self.updated).total_seconds())
            self.tokens = min(self.capacity, self.tokens + elapsed * self.refill_per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        if self.refill_per_second <= 0:
            return math.inf
        return (1 - self.tokens) / self.refill_per_second


@dataclass
class Fault:
    id: str
    path: str = "/v1/*"
    method: str | None = None
    tenant: str | None = None  # None: every tenant
    latency_ms: tuple[float, float] | None = None
    status: int | None = None
    body: Json | None = None
    rate_limit: TokenBucket | None = None
    drop: bool = False
    times: int | None = None  # None: every matching request

    def matches(self, method: str, path: str, tenant: str | None) -> bool:
        return (
            (self.times is None or self.times > 0)
            and (self.method is None or self.method == method)
            and (self.tenant is None or self.tenant == tenant)
            and fnmatch.fnmatchcase(path, self.path)
        )

    def view(self) -> Json:
        body: Json = {"id": self.id, "path": self.path, "method": self.method,
                      "tenant": self.tenant or EVERY_TENANT, "times": self.times}  # fmt: skip
        if self.latency_ms is not None:
            body["latency_ms"] = list(self.latency_ms)
        if self.status is not None:
            body["status"] = self.status
        if self.body is not None:
            body["body"] = self.body
        if self.rate_limit is not None:
            bucket = self.rate_limit
            body["rate_limit"] = {
                "capacity": bucket.capacity, "refill_per_second": bucket.refill_per_second,
            }  # fmt: skip
        if self.drop:
            body["drop"] = True
        return body


MAX_LATENCY_MS = 300_000.0  # five minutes
MAX_NUMBER = 1e9


def _number(value: object, name: str, minimum: float = 0, maximum: float = MAX_NUMBER) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not minimum <= value <= maximum
    ):
        raise FaultError(f"{name} must be a finite number from {minimum:g} to {maximum:g}")
    return float(value)


METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
BUCKET_KEYS = {"capacity", "refill_per_second"}


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise FaultError(f"{name} must be a non-empty string")
    return value


def _method(value: object) -> str | None:
    if value is None:
        return None
    method = _text(value, "method").upper()
    if method not in METHODS:
        raise FaultError(f"method must be one of {', '.join(sorted(METHODS))}")
    return method


def _latency(value: object) -> tuple[float, float] | None:
    if value is None:
        return None
    low, high = value if isinstance(value, list) and len(value) == 2 else (value, value)
    span = (_number(low, "latency_ms", maximum=MAX_LATENCY_MS),
            _number(high, "latency_ms", maximum=MAX_LATENCY_MS))  # fmt: skip
    if span[0] > span[1]:
        raise FaultError("latency_ms range must be [low, high]")
    return span


def _status(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or not 400 <= value <= 599):
        raise FaultError("status must be an HTTP error status (400-599)")
    return value


def _bucket(value: object) -> TokenBucket | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FaultError("rate_limit must be {capacity, refill_per_second}")
    unknown = sorted(set(value) - BUCKET_KEYS)
    if unknown:  # a misspelt refill_per_second would be a bucket that never refills
        raise FaultError(f"unknown rate_limit keys {unknown}; use {sorted(BUCKET_KEYS)}")
    return TokenBucket(
        _number(value.get("capacity"), "rate_limit.capacity", 1),
        _number(value.get("refill_per_second", 0), "rate_limit.refill_per_second"),
    )


def _times(value: object) -> int | None:
    if value is None:
        return None
    times = _number(value, "times", 1)
    if not times.is_integer():
        raise FaultError("times must be a whole number of requests")
    return int(times)


def parse_fault(spec: object, fault_id: str) -> Fault:
    """A fault from its spec, every key checked: nothing is guessed at or dropped."""
    if not isinstance(spec, dict):
        raise FaultError("a fault must be an object")
    unknown = set(spec) - KEYS
    if unknown:
        raise FaultError(f"unknown fault keys {sorted(unknown)}; use {sorted(KEYS)}")
    tenant = spec.get("tenant", EVERY_TENANT)
    if not isinstance(tenant, str) or not tenant:
        raise FaultError('tenant must be an X-App-Id, or "*" for every tenant')
    body, drop = spec.get("body"), spec.get("drop", False)
    if body is not None and not isinstance(body, dict):
        raise FaultError("body must be an object")
    if not isinstance(drop, bool):
        raise FaultError("drop must be true or false")
    fault = Fault(
        id=fault_id, path=_text(spec.get("path", "/v1/*"), "path"),
        method=_method(spec.get("method")), tenant=None if tenant == EVERY_TENANT else tenant,
        latency_ms=_latency(spec.get("latency_ms")), status=_status(spec.get("status")),
        body=body, rate_limit=_bucket(spec.get("rate_limit")), drop=drop,
        times=_times(spec.get("times")),
    )  # fmt: skip
    effects = (fault.latency_ms, fault.status, fault.rate_limit)
    if all(effect is None for effect in effects) and not fault.drop:
        raise FaultError("a fault needs latency_ms, status, rate_limit or drop")
    return fault


@dataclass(frozen=True)
class Plan:
    """What to do with one request: wait, then drop it, answer for it, or let it through."""

    delay_seconds: float = 0.0
    drop: bool = False
    status: int | None = None
    body: Json | None = None
    retry_after: int | None = None  # whole seconds until the bucket has a token; None: never
    kinds: tuple[str, ...] = ()


@dataclass
class FaultBook:
    random: Callable[[], float]
    faults: list[Fault] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, spec: object) -> Fault:
        fault = parse_fault(spec, f"fault_{next(self._ids)}")
        self.faults.append(fault)
        return fault

    def remove(self, fault_id: str) -> bool:
        before = len(self.faults)
        self.faults = [fault for fault in self.faults if fault.id != fault_id]
        return len(self.faults) < before

    def plan(self, method: str, path: str, tenant: str | None, now: datetime) -> Plan | None:
        matched = [fault for fault in self.faults if fault.matches(method, path, tenant)]
        if not matched:
            return None
        for fault in matched:
            if fault.times is not None:
                fault.times -= 1
        self.faults = [f for f in self.faults if f.times is None or f.times > 0]
        return self._combine(matched, now)

    def _combine(self, matched: list[Fault], now: datetime) -> Plan:
        delay, kinds = 0.0, []
        for fault in matched:
            if fault.latency_ms is not None:
                low, high = fault.latency_ms
                delay += (low + (high - low) * self.random()) / 1000
                kinds.append("latency")
            if fault.drop:
                return Plan(delay, drop=True, kinds=(*kinds, "drop"))
            if fault.rate_limit is not None:
                wait = fault.rate_limit.take(now)
                if wait is not None:
                    return Plan(
                        delay, status=429, retry_after=retry_after(wait),
                        kinds=(*kinds, "rate_limit"),
                    )  # fmt: skip
            if fault.status is not None:
                return Plan(delay, status=fault.status, body=fault.body, kinds=(*kinds, "status"))
        return Plan(delay, kinds=tuple(kinds))


def retry_after(wait: float) -> int | None:
    """Retry-After for a dry bucket: the real wait rounded up to whole seconds (at least 1), or
    None when no token will ever come back, so that a client obeying the header does not sleep
    for nothing."""
    if math.isinf(wait):
        return None
    return max(1, math.ceil(wait - 1e-9))


def load_scenario(path: Path | None) -> list[Json]:
    """Fault specs from a YAML scenario file: `faults: [ {path, method, latency_ms, ...}, ... ]`."""
    if path is None:
        return []
    document = read_yaml(path, "scenario", FaultError) or {}
    if not isinstance(document, dict) or not isinstance(document.get("faults", []), list):
        raise FaultError(f"{path}: a scenario is a mapping with a 'faults' list")
    unknown = sorted(str(key) for key in set(document) - {"faults"})
    if unknown:
        raise FaultError(f"{path}: unknown keys {unknown}; a scenario holds only 'faults'")
    specs = list(document.get("faults") or [])
    for index, spec in enumerate(specs):
        try:
            parse_fault(spec, "check")
        except FaultError as error:
            raise FaultError(f"{path}: faults[{index}]: {error}") from None
    return specs
