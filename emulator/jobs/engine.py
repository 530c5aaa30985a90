"""The async-action queue of one tenant, computed from the tenant's clock.

One worker serves the queue in arrival order. A job is worked in portions of `portion_size`
items; after a portion an unfinished job goes to the back of the queue, so small jobs run one
after another while a big one is processed round-robin and a small job enqueued behind it
finishes soon (the vendor's documented queue rules).

Nothing runs in the background: every read first calls `settle()`, which replays every event
whose time has come, in order. A portion's effects are applied exactly once, when it completes,
stamped with its completion time, whoever happens to read first. `settle()` can stop between
items when its caller says time is up (`should_yield`) and go on at the next call, so a big
import runs in short slices between other requests; the results are the same item for item,
whatever the slicing, because every item is applied at its portion's completion time.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from emulator.domain.changes import Changes
from emulator.domain.errors import Conflict, NotFound
from emulator.jobs.clock import LATEST, Clock, iso
from emulator.jobs.ids import IdGenerator
from emulator.jobs.model import Failure, FaultRule, Job, Json, RowFault, Work
from emulator.settings import JobTiming

ShouldYield = Callable[[], bool]
log = logging.getLogger("emulator.jobs")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A portion allocates many objects and no cycles; pausing the cyclic collector for its
    length saves the repeated full-heap scans that otherwise cost more than the work itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Engine:
    def __init__(
        self,
        clock: Clock,
        ids: IdGenerator,
        timing: Callable[[str], JobTiming],
        changes: Changes | None = None,
        tenant: str = "",
    ) -> None:
        self._clock = clock
        self._tenant = tenant
        self._ids = ids
        self.timing = timing
        self._changes = changes if changes is not None else Changes()
        self._jobs: dict[str, Job] = {}
        self._queue: list[Job] = []  # arrival order (few jobs: a list is smaller than a deque)
        self._parked: dict[str, Job] = {}
        # The portion under way: its job, when it completes, and the cursor it stops at.
        self._current: tuple[Job, datetime, int] | None = None
        self._free_at: datetime | None = None
        self.rules: list[FaultRule] = []

    # -- submitting and reading -------------------------------------------------------
    def submit(self, job_type: str, work: Work) -> Job:
        self.settle()
        now = self._clock.now()
        timing = self.timing(job_type)
        job = Job(
            id=self._ids.async_action(),
            type=job_type,
            request_id=self._ids.request(),
            created=now,
            ready=now + timedelta(seconds=timing.queue_delay),
            work=work,
            timing=timing,
            total=work.size(),
        )
        job.report.job_id = job.id
        job.apply_rules(self.rules)
        self.rules = [rule for rule in self.rules if rule.remaining != 0]
        self._jobs[job.id] = job
        self._queue.append(job)
        self._touch(job, work_changed=True)
        self._transition(job)
        # A job that may start now starts now (on an idle queue, at once), but its work waits
        # for the next slices: at most one item is done here.
        self.settle(lambda: True)
        return job

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound("async_action", job_id)
        return job

    def find(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def unfinished(self) -> list[Job]:
        return [job for job in self._jobs.values() if not job.finished]

    def busy(self) -> bool:
        """Whether a job is queued, under way or held."""
        return bool(self._queue or self._current or self._parked)

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def _touch(self, job: Job, work_changed: bool = False) -> None:
        self._changes.mark("job", job.id)
        if work_changed:
            self._changes.mark("work", job.id)

    def newest_first(self, end_date: datetime | None = None) -> list[Job]:
        jobs = [job for job in reversed(self._jobs.values())]
        return jobs if end_date is None else [job for job in jobs if job.created < end_date]

    # -- snapshots ------------------------------------------------------------------------
    def export(self) -> Json:
        """The queue's own state; the jobs themselves are saved one by one (Job.dump)."""
        current = self._current
        return {
            "queue": [job.id for job in self._queue],
            "parked": list(self._parked),
            "current": None if current is None else [current[0].id, current[1].isoformat(),
                                                     current[2]],
            "free_at": None if self._free_at is None else self._free_at.isoformat(),
            "rules": [rule.view() for rule in self.rules],
        }  # fmt: skip

    def load(self, state: Json, jobs: list[Job]) -> None:
        """Restore the queue around its jobs, given in submission order."""
        self._jobs = {job.id: job for job in jobs}
        self._queue = [self._jobs[job_id] for job_id in state["queue"]]
        self._parked = {job_id: self._jobs[job_id] for job_id in state["parked"]}
        current = state["current"]
        if current is not None:
            job_id, end, stop = current
            self._current = (self._jobs[job_id], datetime.fromisoformat(end), int(stop))
        self._free_at = None if state["free_at"] is None else datetime.fromisoformat(
            state["free_at"])  # fmt: skip
        self.rules = [FaultRule.load(rule) for rule in state["rules"]]

    # -- the clock-driven replay --------------------------------------------------------
    def settle(self, should_yield: ShouldYield | None = None) -> bool:
        """Replay every event due by now, in order. With `should_yield`, stop between two items
        once it answers True, and answer False: call again to go on. True: nothing is due."""
        if not self._queue and self._current is None:
            return True
        now = self._clock.now()
        while True:
            if self._current is not None:
                job, end, stop = self._current
                if end > now:
                    return True
                if not self._work_portion(job, end, stop, should_yield):
                    return False
                self._current = None
                self._free_at = end
                self._end_portion(job, end)
                continue
            chosen = self._next_start()
            if chosen is None or chosen[0] > now:
                return True
            self._start_portion(*chosen)

    def next_event(self) -> datetime | None:
        if self._current is not None:
            return self._current[1]
        chosen = self._next_start()
        return None if chosen is None else chosen[0]

    def run_until_idle(self, should_yield: ShouldYield | None = None) -> bool:
        """Move the clock just far enough for every runnable job to finish. With `should_yield`,
        answer False when time is up before that (call again to go on)."""
        while True:
            if not self.settle(should_yield):
                return False
            when = self.next_event()
            if when is None or when > LATEST:
                return True  # idle, or idle as far as any clock can go
            if when > self._clock.now():
                self._clock.set(when)
                self._changes.touch()

    def _next_start(self) -> tuple[datetime, Job] | None:
        if not self._queue:
            return None
        start = min(job.ready for job in self._queue)
        if self._free_at is not None and self._free_at > start:
            start = self._free_at
        job = next(job for job in self._queue if job.ready <= start)
        return start, job

    def _start_portion(self, start: datetime, job: Job) -> None:
        self._queue.remove(job)
        self._touch(job)
        if job.status == "ENQUEUED":
            job.status, job.started, job.updated = "IN_PROGRESS", start, start
            self._transition(job)
        if job.hold:
            self._parked[job.id] = job
            self._free_at = start
            return
        count = min(job.timing.portion_size, job.total - job.cursor)
        end = start + timedelta(seconds=count * job.timing.item_seconds)
        self._current = (job, end, job.cursor + count)

    def _work_portion(
        self, job: Job, end: datetime, stop: int, should_yield: ShouldYield | None
    ) -> bool:
        """Apply the portion's items from the job's cursor on; True once all are applied."""
        if job.doom is not None:
            return True
        self._touch(job)
        with self._clock.pinned(end), _gc_paused():
            while job.cursor < stop:
                self._process(job, job.cursor)
                job.cursor += 1
                if should_yield is not None and job.cursor < stop and should_yield():
                    return False
        return True

    def _end_portion(self, job: Job, end: datetime) -> None:
        if job.doom is not None:
            self._finish(job, end, "FAILED", job.doom)
            return
        job.updated = end
        if job.cursor >= job.total:
            self._finish(job, end, "DONE")
        elif job.hold:
            self._parked[job.id] = job
        else:
            self._queue.append(job)

    @staticmethod
    def _process(job: Job, index: int) -> None:
        """The item's key is read only when a fault needs it or the item failed (an item's key
        is what its input says, the same before and after it is applied)."""
        row, fault, key = index + 1, job.row_fault, None
        if fault is not None and fault.matches(row, key := job.work.key(index)):
            reason: str | None = fault.reason
            job.work.refused(index)
        else:
            reason = job.work.apply(index)
        if reason is None:
            job.report.done += 1
        else:
            failed = job.work.key(index) if key is None else key
            job.report.failures.append(Failure(row, failed, reason))

    def _finish(self, job: Job, at: datetime, status: str, reason: str | None = None) -> None:
        job.status, job.updated = status, at
        job.report.finished = at
        job.report.fail_reason = reason
        job.result = job.work.result(job.report)
        job.work.release()
        self._touch(job, work_changed=True)
        self._transition(job, reason)

    def _transition(self, job: Job, reason: str | None = None) -> None:
        """One INFO line per status change: id, type, tenant, status, items done of total, and
        when it happened on the tenant's clock (it is logged when the queue replays it)."""
        if not log.isEnabledFor(logging.INFO):
            return
        failed = len(job.report.failures)
        log.info(
            "async action %s %s tenant=%s %s %d/%d items%s at %s%s",
            job.id, job.type, self._tenant, job.status, job.cursor, job.total,
            f" ({failed} failed)" if failed else "", iso(job.updated or job.created),
            f" reason={reason!r}" if reason else "",
        )  # fmt: skip

    # -- faults on demand ------------------------------------------------------------------
    def _unfinished(self, job_id: str) -> Job:
        self.settle()
        job = self.get(job_id)
        if job.finished:
            raise Conflict("async_action", job_id, f"Async action {job_id} is already {job.status}",
                           key="async_action_finished")
        return job

    def fail(self, job_id: str, reason: str) -> Job:
        job = self._unfinished(job_id)
        now = self._clock.now()
        if self._current is not None and self._current[0] is job:
            self._current = None  # the portion under way is dropped: none of it is applied
            self._free_at = now
        if job in self._queue:
            self._queue.remove(job)
        self._parked.pop(job.id, None)
        self._finish(job, now, "FAILED", reason)
        return job

    def hold(self, job_id: str, hold: bool) -> Job:
        """Hold: nothing more of the job happens until it is released. A portion under way is
        put back (none of it is applied; it runs again after the release)."""
        job = self._unfinished(job_id)
        self._touch(job)
        job.hold = hold
        if hold and self._current is not None and self._current[0] is job:
            self._current = None
            self._free_at = self._clock.now()
            self._parked[job.id] = job
        if not hold and job.id in self._parked:
            del self._parked[job.id]
            job.ready = self._clock.now()
            self._queue.append(job)
        return job

    def fail_rows(self, job_id: str, fault: RowFault) -> Job:
        job = self._unfinished(job_id)
        self._touch(job)
        job.row_fault = fault
        return job
