"""A handle on one tenant of a running emulator, for tests: its credentials, clock, queue,
faults and journal, all through the emulator's control routes (so it works in-process and
against a server elsewhere, e.g. a CI service container)."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from typing import Any

Json = dict[str, Any]


class EmulatorClock:
    def __init__(self, handle: EmulatorHandle) -> None:
        self._handle = handle

    def now(self) -> str:
        return str(self._handle.control("GET", "/_emulator/clock")["now"])

    def advance(self, seconds: float) -> str:
        return str(
            self._handle.control("POST", "/_emulator/clock", {"advance_seconds": seconds})["now"]
        )

    def set(self, instant: str) -> str:
        return str(self._handle.control("POST", "/_emulator/clock", {"set": instant})["now"])

    def mode(self, mode: str, scale: float | None = None) -> Json:
        body: Json = {"mode": mode} if scale is None else {"mode": mode, "scale": scale}
        return self._handle.control("POST", "/_emulator/clock", body)


class EmulatorHandle:
    """What a test gets from the `voucherify_emulator` fixture."""

    def __init__(
        self,
        url: str,
        app_id: str,
        app_token: str = "test-token",
        admin_token: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.app_id = app_id
        self.app_token = app_token
        # The emulator's --admin-token, if it has one (default: VOUCHERIFY_EMULATOR_ADMIN_TOKEN).
        self.admin_token = admin_token or os.environ.get("VOUCHERIFY_EMULATOR_ADMIN_TOKEN")
        self.clock = EmulatorClock(self)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-App-Id": self.app_id, "X-App-Token": self.app_token}

    def control(self, method: str, path: str, body: object = None, **query: str) -> Json:
        url = self.url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {
            "X-App-Id": self.app_id, "Content-Type": "application/json",
            "X-Emulator-Client": "pytest",
        }  # fmt: skip
        if self.admin_token:
            headers["X-Emulator-Token"] = self.admin_token
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return dict(json.loads(response.read() or b"{}"))

    def reset(self) -> None:
        self.control("POST", "/_emulator/reset")

    def run_until_idle(self) -> list[Json]:
        return list(self.control("POST", "/_emulator/async-actions/run-until-idle")["finished"])

    def seed(
        self,
        customers: list[Json] | None = None,
        campaigns: list[Json] | None = None,
        segments: list[Json] | None = None,
    ) -> Json:
        body = {
            "customers": customers or [],
            "campaigns": campaigns or [],
            "segments": segments or [],
        }
        return self.control("POST", "/_emulator/seed", body)

    def fail_next(self, job_type: str, reason: str, count: int = 1) -> None:
        rule = {"type": job_type, "fail": reason, "count": count}
        self.control("POST", "/_emulator/async-actions/rules", rule)

    def fault(self, **spec: Any) -> Json:
        """An HTTP fault limited to this tenant (see /_emulator/faults)."""
        return dict(
            self.control("POST", "/_emulator/faults", {"tenant": self.app_id, **spec})["faults"][0]
        )

    def requests(self, **filters: str) -> list[Json]:
        return list(
            self.control("GET", "/_emulator/requests", tenant=self.app_id, **filters)["requests"]
        )
