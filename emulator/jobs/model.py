"""Async actions: what one job is, what it reports, and the faults a test can inject into it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from emulator.jobs.clock import iso
from emulator.settings import JobTiming

Json = dict[str, Any]
FINISHED = frozenset({"DONE", "FAILED"})
# Every kind of async action the emulator runs (rules and timings name one, or "*").
JOB_TYPES = ("CUSTOMERS.IMPORT_CSV", "CUSTOMERS.BULK_UPDATE", "CUSTOMERS.METADATA_UPDATE",
             "CAMPAIGN.VOUCHERS_IMPORT_CSV", "CAMPAIGN.VOUCHERS_GENERATE")  # fmt: skip
MAX_ROW = 10_000_000
OPERATION_STATUS = {"DONE": "SUCCESS", "FAILED": "FAILED"}


@dataclass(frozen=True)
class Failure:
    row: int
    key: Json  # what identifies the item: {"source_id": ...} or {"code": ...}
    reason: str


@dataclass
class Report:
    """What a job has done so far."""

    job_id: str = ""
    done: int = 0
    failures: list[Failure] = field(default_factory=list)
    fail_reason: str | None = None  # set when the whole job failed
    finished: datetime | None = None


class Work(Protocol):
    """The items of one job and what processing each of them does. Its dumps are copies: the
    state file may write them out later, while the job goes on."""

    def size(self) -> int: ...

    def key(self, index: int) -> Json: ...

    def apply(self, index: int) -> str | None:
        """Process item `index`; return None when it succeeded, or the reason it failed."""
        ...

    def result(self, report: Report) -> Json: ...

    def dump_input(self) -> Json:
        """What the job was given (with a "kind"): saved once, and again when released."""
        ...

    def dump_progress(self) -> Json:
        """What processing has added so far (saved with the job as it moves)."""
        ...

    def release(self) -> None:
        """Drop what only processing needed, once the job has finished."""
        ...

    def refused(self, index: int) -> None:
        """Item `index` failed without being applied (a fault injected on its row)."""
        ...


@dataclass(frozen=True)
class RowFault:
    """Rows chosen to fail on purpose: by 1-based row number or by key (source_id, code)."""

    reason: str = "Row failed on purpose (emulator fault)"
    rows: frozenset[int] = frozenset()
    keys: frozenset[str] = frozenset()

    def matches(self, row: int, key: Json) -> bool:
        return row in self.rows or any(str(value) in self.keys for value in key.values())

    @classmethod
    def parse(cls, spec: Json) -> RowFault:
        unknown = set(spec) - {"source_ids", "codes", "rows", "reason"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        keys = [*_list(spec, "source_ids"), *_list(spec, "codes")]
        rows = _list(spec, "rows")
        if not all(isinstance(k, str) for k in keys):
            raise ValueError("source_ids and codes must be lists of strings")
        if not all(type(row) is int and 1 <= row <= MAX_ROW for row in rows):
            raise ValueError(f"rows must be a list of row numbers from 1 to {MAX_ROW:,}")
        reason = spec.get("reason") or cls.reason
        if not isinstance(reason, str) or len(reason) > 1000:
            raise ValueError("reason must be text of at most 1000 characters")
        return cls(reason=reason, rows=frozenset(rows), keys=frozenset(keys))


def _list(spec: Json, name: str) -> list[Any]:
    value = spec.get(name, [])
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list")
    return value


@dataclass
class FaultRule:
    """Faults for future jobs of a type ("*" for every type); `remaining` None means all."""

    type: str
    fail: str | None = None
    hold: bool = False
    rows: RowFault | None = None
    remaining: int | None = None
    queue_delay: float | None = None  # seconds the job waits in the queue before it may start

    def applies_to(self, job_type: str) -> bool:
        return self.type in ("*", job_type) and (self.remaining is None or self.remaining > 0)

    @classmethod
    def load(cls, state: Json) -> FaultRule:
        rows = state.get("fail_rows")
        return cls(
            type=state["type"], fail=state["fail"], hold=state["hold"],
            rows=None if rows is None else RowFault(
                rows["reason"], frozenset(rows["rows"]), frozenset(rows["keys"])
            ),
            remaining=state["remaining"], queue_delay=state.get("queue_delay"),
        )  # fmt: skip

    def view(self) -> Json:
        body: Json = {"type": self.type, "fail": self.fail, "hold": self.hold}
        if self.rows is not None:
            body["fail_rows"] = {
                "reason": self.rows.reason, "rows": sorted(self.rows.rows),
                "keys": sorted(self.rows.keys),
            }  # fmt: skip
        body["remaining"] = self.remaining
        if self.queue_delay is not None:
            body["queue_delay"] = self.queue_delay
        return body


@dataclass
class Job:
    id: str
    type: str
    request_id: str
    created: datetime
    ready: datetime  # when the queue may first start it
    work: Work
    timing: JobTiming
    total: int = 0  # items in the job, fixed at submission
    status: str = "ENQUEUED"
    started: datetime | None = None
    updated: datetime | None = None
    cursor: int = 0  # items processed (applied or failed), in order
    report: Report = field(default_factory=Report)
    result: Json | None = None
    hold: bool = False
    doom: str | None = None  # fail with this reason when the current portion ends
    row_fault: RowFault | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def progress(self) -> int:
        if self.status == "DONE":
            return 100
        return 0 if self.total == 0 else min(100, self.cursor * 100 // self.total)

    def processing_ms(self, now: datetime) -> int:
        if self.started is None:
            return 0
        end = self.report.finished or now
        return max(0, round((end - self.started).total_seconds() * 1000))

    def apply_rules(self, rules: Iterable[FaultRule]) -> None:
        for rule in rules:
            if not rule.applies_to(self.type):
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            self.doom = rule.fail or self.doom
            self.hold = self.hold or rule.hold
            self.row_fault = rule.rows or self.row_fault
            if rule.queue_delay is not None:
                self.ready = max(self.ready, self.created + timedelta(seconds=rule.queue_delay))

    def dump(self) -> Json:
        def when(instant: datetime | None) -> str | None:
            return None if instant is None else instant.isoformat()

        report = self.report
        return {
            "id": self.id, "type": self.type, "request_id": self.request_id,
            "created": when(self.created), "ready": when(self.ready), "status": self.status,
            "started": when(self.started), "updated": when(self.updated), "cursor": self.cursor,
            "total": self.total,
            "report": {
                "job_id": report.job_id, "done": report.done, "fail_reason": report.fail_reason,
                "finished": when(report.finished),
                "failures": [[f.row, f.key, f.reason] for f in report.failures],
            },
            "result": self.result, "hold": self.hold, "doom": self.doom,
            "row_fault": None if self.row_fault is None else {
                "reason": self.row_fault.reason, "rows": sorted(self.row_fault.rows),
                "keys": sorted(self.row_fault.keys),
            },
            "timing": asdict(self.timing), "work": self.work.dump_progress(),
        }  # fmt: skip

    @classmethod
    def load(cls, state: Json, work: Work) -> Job:
        def when(text: str | None) -> datetime | None:
            return None if text is None else datetime.fromisoformat(text)

        saved = state["report"]
        fault = state["row_fault"]
        return cls(
            id=state["id"], type=state["type"], request_id=state["request_id"],
            created=datetime.fromisoformat(state["created"]),
            ready=datetime.fromisoformat(state["ready"]), work=work,
            timing=JobTiming(**state["timing"]), status=state["status"],
            started=when(state["started"]), updated=when(state["updated"]),
            cursor=state["cursor"], total=state["total"],
            report=Report(
                job_id=saved["job_id"], done=saved["done"], fail_reason=saved["fail_reason"],
                finished=when(saved["finished"]),
                failures=[Failure(row, key, reason) for row, key, reason in saved["failures"]],
            ),
            result=state["result"], hold=state["hold"], doom=state["doom"],
            row_fault=None if fault is None else RowFault(
                fault["reason"], frozenset(fault["rows"]), frozenset(fault["keys"])
            ),
        )  # fmt: skip

    def view(self, now: datetime, with_result: bool) -> Json:
        body: Json = {
            "id": self.id,
            "type": self.type,
            "status": self.status,
            "operation_status": OPERATION_STATUS.get(self.status, "UNKNOWN"),
        }
        if with_result and self.result is not None:
            body["result"] = self.result
        body.update(
            created_at=iso(self.created),
            updated_at=iso(self.updated or self.created),
            request_id=self.request_id,
            progress=self.progress(),
            processing_time=self.processing_ms(now),
            object="async_action",
        )
        return body
