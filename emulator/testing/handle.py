"""A handle on one tenant of a running emulator, for tests: its credentials, clock, queue,
faults and journal, all through the emulator's control routes (so it works in-process and
against a server elsewhere, e.g. a CI service container)."""

from __future__ import annotations

import json
import os
import urllib.parse
import weakref
from typing import Any

from emulator.testing.connection import ControlConnection

Json = dict[str, Any]


class ControlError(Exception):
    """A control call the emulator refused: its status, error key and details, and the whole
    answer in `body`."""

    def __init__(self, method: str, path: str, status: int, body: Json) -> None:
        self.method, self.path, self.status, self.body = method, path, status, body
        self.key = str(body.get("key", ""))
        self.details = str(body.get("details") or body.get("message") or "")
        super().__init__(f"{method} {path} -> {status} {self.key}: {self.details}")


def _answer(raw: bytes) -> Json:
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return {"message": raw.decode("utf-8", errors="replace")}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


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
    """What a test gets from the `voucherify_emulator` fixture.

    Control calls go over `connection`, a keep-alive ControlConnection to `url` that handles
    may share (the pytest plugin passes one per session); without one, the handle opens its
    own, closed when the handle is garbage-collected. A connection serves one thread at a time.
    A refused call raises ControlError; a transport failure raises an OSError subclass (see
    ControlConnection), no longer urllib's URLError."""

    def __init__(
        self,
        url: str,
        app_id: str,
        app_token: str = "test-token",
        admin_token: str | None = None,
        connection: ControlConnection | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        if connection is None:
            connection = ControlConnection(self.url)
            weakref.finalize(self, connection.close)
        elif connection.url != self.url:
            raise ValueError(f"the connection goes to {connection.url}, not to {self.url}")
        self._connection = connection
        self.app_id = app_id
        self.app_token = app_token
        # The emulator's --admin-token, if it has one (default: VOUCHERIFY_EMULATOR_ADMIN_TOKEN).
        self.admin_token = admin_token or os.environ.get("VOUCHERIFY_EMULATOR_ADMIN_TOKEN")
        self.clock = EmulatorClock(self)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-App-Id": self.app_id, "X-App-Token": self.app_token}

    def control(
        self, method: str, path: str, body: object = None, query: dict[str, Any] | None = None
    ) -> Json:
        """One control call as this tenant; a refusal raises ControlError."""
        present = {key: value for key, value in (query or {}).items() if value is not None}
        target = path + (f"?{urllib.parse.urlencode(present)}" if present else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {**self.headers, "Content-Type": "application/json"}
        headers["X-Emulator-Client"] = "pytest"  # the control plane's guard asks for it
        if self.admin_token:
            headers["X-Emulator-Token"] = self.admin_token
        status, raw = self._connection.request(method, target, data, headers)
        if status >= 300:  # control routes never redirect: a 3xx is from something else
            raise ControlError(method, path, status, _answer(raw))
        return _answer(raw)

    # -- the tenant ------------------------------------------------------------------------
    def reset(self) -> None:
        self.control("POST", "/_emulator/reset")

    def seed(
        self,
        customers: list[Json] | None = None,
        campaigns: list[Json] | None = None,
        segments: list[Json] | None = None,
        metadata_schemas: list[Json] | None = None,
    ) -> Json:
        body = {
            "customers": customers or [],
            "campaigns": campaigns or [],
            "segments": segments or [],
        }
        if metadata_schemas:
            body["metadata_schemas"] = metadata_schemas
        return self.control("POST", "/_emulator/seed", body)

    def requests(
        self,
        method: str | None = None,
        path: str | None = None,
        tenant: str | None = None,
        limit: int | None = None,
    ) -> list[Json]:
        """The journal, newest first: this tenant's requests unless `tenant` names another
        ("*" for all); `method` and `path` (a prefix) narrow it down."""
        chosen = tenant or self.app_id
        query = {"tenant": None if chosen == "*" else chosen, "method": method, "path": path,
                 "limit": limit}  # fmt: skip
        return list(self.control("GET", "/_emulator/requests", query=query)["requests"])

    # -- async actions ---------------------------------------------------------------------
    def run_until_idle(self) -> list[Json]:
        return list(self.control("POST", "/_emulator/async-actions/run-until-idle")["finished"])

    def _job(self, action_id: str, body: Json) -> Json:
        return self.control("POST", f"/_emulator/async-actions/{action_id}", body)

    def hold(self, action_id: str) -> Json:
        """Keep the action IN_PROGRESS (without blocking the queue) until `release`."""
        return self._job(action_id, {"hold": True})

    def release(self, action_id: str) -> Json:
        return self._job(action_id, {"hold": False})

    def fail(self, action_id: str, reason: str) -> Json:
        """End the action FAILED now; portions already done stay applied."""
        return self._job(action_id, {"fail": reason})

    def fail_rows(
        self,
        action_id: str,
        *,
        source_ids: list[str] | None = None,
        codes: list[str] | None = None,
        rows: list[int] | None = None,
        reason: str | None = None,
    ) -> Json:
        """Make these rows fail when processed: by customer source_id, voucher code or 1-based
        row number, with `reason` in the result."""
        rule = {"reason": reason, "source_ids": source_ids, "codes": codes, "rows": rows}
        return self._job(action_id, {"fail_rows": {k: v for k, v in rule.items() if v}})

    def rules(
        self,
        job_type: str | None = None,
        *,
        fail: str | None = None,
        hold: bool = False,
        fail_rows: Json | None = None,
        count: int | None = None,
    ) -> list[Json]:
        """The tenant's rules for future actions; with a `job_type` ("*" for any), first add
        one: fail them, hold them or fail some of their rows, for the next `count` ones."""
        if job_type is None:
            return list(self.control("GET", "/_emulator/async-actions/rules")["rules"])
        rule = {"type": job_type, "fail": fail, "hold": hold or None, "fail_rows": fail_rows,
                "count": count}  # fmt: skip
        body = {key: value for key, value in rule.items() if value is not None}
        return list(self.control("POST", "/_emulator/async-actions/rules", body)["rules"])

    def clear_rules(self) -> None:
        self.control("DELETE", "/_emulator/async-actions/rules")

    def fail_next(self, job_type: str, reason: str, count: int = 1) -> None:
        self.rules(job_type, fail=reason, count=count)

    def timings(
        self,
        job_type: str,
        *,
        queue_delay: float | None = None,
        item_seconds: float | None = None,
        portion_size: int | None = None,
    ) -> Json:
        """This tenant's timings for one job type; the ones not given stay as they are."""
        given = {"queue_delay": queue_delay, "item_seconds": item_seconds,
                 "portion_size": portion_size}  # fmt: skip
        body = {"type": job_type, **{k: v for k, v in given.items() if v is not None}}
        return self.control("POST", "/_emulator/async-actions/timings", body)

    # -- HTTP faults -----------------------------------------------------------------------
    def fault(self, **spec: Any) -> Json:
        """An HTTP fault for this tenant's requests (see /_emulator/faults)."""
        return dict(self.control("POST", "/_emulator/faults", spec)["faults"][0])

    def clear_faults(self) -> None:
        self.control("DELETE", "/_emulator/faults")
