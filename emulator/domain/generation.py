"""CAMPAIGN.VOUCHERS_GENERATE: the codes a new campaign asks for (`vouchers_count`), made from
its code_config as an async action on the tenant's queue.

Until the job ends the campaign's `creation_status` and `vouchers_generation_status` are
IN_PROGRESS and `vouchers_count` grows portion by portion; when it ends they become DONE (or
FAILED), as the vendor documents: "you can't read or modify a newly created campaign until the
code generation is completed. See the creation_status field".
"""

from __future__ import annotations

from typing import Any

from emulator.domain.campaigns import Campaigns
from emulator.domain.codes import complete_code_config, generate_code
from emulator.domain.voucher_model import new_voucher
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator
from emulator.jobs.model import Report

Json = dict[str, Any]
JOB_TYPE = "CAMPAIGN.VOUCHERS_GENERATE"
NO_ROOM = "Not possible to generate requested number of codes"


class VoucherGeneration:
    def __init__(
        self, campaign: Json, count: int, campaigns: Campaigns, ids: IdGenerator, clock: Clock
    ) -> None:
        self._campaign = campaign
        self._count = count
        self._campaigns = campaigns
        self._ids = ids
        self._clock = clock
        template = campaign.get("voucher") or {}
        self._config = template.get("code_config") or complete_code_config(None)

    def size(self) -> int:
        return self._count

    def key(self, index: int) -> Json:
        return {"code": ""}

    def apply(self, index: int) -> str | None:
        code = generate_code(self._config, self._ids, self._campaigns.codes())
        if code is None:
            return NO_ROOM
        now = iso(self._clock.now())
        voucher = new_voucher(self._campaign, code, self._ids.voucher(), now)
        self._campaigns.add_voucher(self._campaign["id"], voucher)
        return None

    def result(self, report: Report) -> Json:
        """Called once, when the job ends: the campaign's statuses follow it."""
        status = "DONE" if report.fail_reason is None else "FAILED"
        self._campaign["creation_status"] = status
        self._campaign["vouchers_generation_status"] = status
        self._campaigns.touch(self._campaign["id"])
        message = report.fail_reason or f"Generated {report.done} vouchers."
        result: Json = {"message": message, "done_count": report.done}
        if report.failures:
            result["failed_count"] = len(report.failures)
        return result

    def dump_input(self) -> Json:
        return {"kind": "voucher_generation", "campaign_id": self._campaign["id"],
                "count": self._count}  # fmt: skip

    def dump_progress(self) -> Json:
        return {}

    def refused(self, index: int) -> None:
        """Nothing to note: the failure is in the job's errors."""

    def release(self) -> None:
        """Nothing is held beyond the campaign itself."""
