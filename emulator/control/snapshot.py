"""Snapshots: a tenant's whole state (customers, activity, campaigns, vouchers, segments and their
categories, customer-list previews, jobs, clock, id stream) as JSON, and back, exactly."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from emulator.domain.bulk import BulkUpdate, MetadataUpdate
from emulator.domain.csvio import CsvTable
from emulator.domain.customer_import import CustomerImport
from emulator.domain.generation import VoucherGeneration
from emulator.domain.store import Tenant
from emulator.domain.vouchers import VoucherImport
from emulator.jobs.model import Work
from emulator.settings import JobTiming

Json = dict[str, Any]
VERSION = 1


class SnapshotError(ValueError):
    pass


def export_tenant(tenant: Tenant) -> Json:
    tenant.jobs.settle()
    return {
        "clock": tenant.clock.export(),
        "ids": tenant.ids.export(),
        "customers": tenant.customers.export(),
        "activity": tenant.activity.export(),
        "campaigns": tenant.campaigns.export(),
        "segments": list(tenant.segments.values()),
        "members": {sid: sorted(ids) for sid, ids in tenant.members.items()},
        "redeemables": tenant.redeemables,
        "publications": tenant.publications.export(),
        "timings": {kind: vars(timing) for kind, timing in tenant.timings.items()},
        "jobs": tenant.jobs.export(),
        "categories": tenant.categories.export(),
        "customer_lists": tenant.customer_lists.export(),
    }


def _work(tenant: Tenant, state: Json) -> Work:
    kind = state["kind"]
    if kind == "customer_import":
        return CustomerImport(CsvTable.load(state["table"]), tenant.customers)
    if kind == "voucher_import":
        campaign = tenant.campaigns.get(state["campaign_id"])
        work = VoucherImport(
            CsvTable.load(state["table"]), campaign, tenant.campaigns, tenant.ids, tenant.clock
        )
        work.load_seen(state["seen"])
        return work
    if kind == "voucher_generation":
        campaign = tenant.campaigns.get(state["campaign_id"])
        return VoucherGeneration(
            campaign, state["count"], tenant.campaigns, tenant.ids, tenant.clock
        )
    if kind == "bulk_update":
        bulk = BulkUpdate(state["items"], tenant.customers, state["report_url"])
        bulk.lines = [tuple(line) for line in state["lines"]]
        return bulk
    if kind == "metadata_update":
        meta = MetadataUpdate(
            state["source_ids"], state["metadata"], tenant.customers, state["report_url"]
        )
        meta.lines = [tuple(line) for line in state["lines"]]
        return meta
    raise SnapshotError(f"unknown async-action work kind {kind!r}")


def load_tenant(tenant: Tenant, state: Json) -> None:
    """Fill a bare tenant (no fixtures applied) from its exported state."""
    try:
        tenant.clock.load(state["clock"])
        tenant.ids.load(state["ids"])
        tenant.customers.load(state["customers"])
        tenant.activity.load(state["activity"])
        tenant.campaigns.load(state["campaigns"])
        tenant.segments.update({segment["id"]: segment for segment in state["segments"]})
        tenant.members.update({sid: set(ids) for sid, ids in state["members"].items()})
        tenant.redeemables.update(state["redeemables"])
        if "publications" in state:  # snapshots written before publications existed lack it
            tenant.publications.load(state["publications"])
        tenant.timings.update({k: JobTiming(**v) for k, v in state["timings"].items()})
        tenant.jobs.load(state["jobs"], lambda work: _work(tenant, work))
        if "categories" in state:  # absent from snapshots taken before customer-list uploads
            tenant.categories.load(state["categories"])
            tenant.customer_lists.load(state["customer_lists"])
    except (KeyError, TypeError, ValueError) as error:
        raise SnapshotError(f"tenant {tenant.app_id}: malformed snapshot ({error!r})") from None


def check_document(document: object) -> dict[str, Json]:
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise SnapshotError(f'a snapshot is {{"version": {VERSION}, "tenants": {{...}}}}')
    tenants = document.get("tenants")
    if not isinstance(tenants, dict):
        raise SnapshotError("a snapshot needs a 'tenants' mapping")
    return tenants


def document(tenants: list[Tenant]) -> Json:
    return {"version": VERSION, "tenants": {t.app_id: export_tenant(t) for t in tenants}}


def read_file(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SnapshotError(f"cannot read it ({error.strerror or error})") from None
    except ValueError as error:
        raise SnapshotError(f"not a JSON snapshot ({error})") from None


def check_target(path: Path) -> None:
    """At start, not at shutdown: the state file's folder exists and takes a new file (tried
    for real, which also catches read-only mounts). No folder is ever created for it."""
    folder = path.parent
    if not folder.is_dir():
        raise SnapshotError(f"state file {path}: folder {folder} does not exist")
    if path.is_dir():
        raise SnapshotError(f"state file {path}: is a folder")
    try:
        handle, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=folder)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SnapshotError(f"state file {path}: cannot write in {folder} ({reason})") from None
    os.close(handle)
    os.unlink(probe)


def write_file(path: Path, data: Json) -> None:
    """Atomically: a crash mid-write leaves the previous file whole."""
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, separators=(",", ":"))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
