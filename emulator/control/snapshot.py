"""A tenant's whole state as records, and back, exactly.

A record is (kind, key, value). Kinds: "meta" (clock, ids, counters, segments and their
categories, customer-list previews, timings, the queue and the order of jobs), "customer",
"event", "campaign", "voucher", "job" (what moves) and "work" (what a job was given). The snapshot
document of GET /_emulator/state groups them by kind under each tenant; the state file holds
them as lines. Whoever adds state to a tenant adds it here (a field of meta, or a kind of its
own) and marks it in Changes when it is written (`tenant.changes.touch()` for meta).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from emulator.domain.bulk import BulkUpdate, MetadataUpdate
from emulator.domain.csvio import CsvTable
from emulator.domain.customer_entry import Entry, Event, instant
from emulator.domain.customer_import import CustomerImport
from emulator.domain.customer_lists import RECORD as LIST_RECORD
from emulator.domain.customers import CustomerRecord
from emulator.domain.generation import VoucherGeneration
from emulator.domain.store import Tenant
from emulator.domain.vouchers import VoucherImport
from emulator.http.auth import printable
from emulator.jobs.clock import check_instant
from emulator.jobs.model import Job, Work
from emulator.settings import JobTiming

Json = dict[str, Any]
Record = tuple[str, str, Any]
VERSION = 2
KINDS = ("meta", "customer", "event", "campaign", "voucher", "work", "job", LIST_RECORD)
GROUPS = {"customer": "customers", "event": "events", "campaign": "campaigns",
          "voucher": "vouchers", "work": "work", "job": "jobs",
          LIST_RECORD: "customer_lists"}  # fmt: skip


class SnapshotError(ValueError):
    pass


# -- out ----------------------------------------------------------------------------------
def meta(tenant: Tenant) -> Json:
    return {
        "clock": tenant.clock.export(),
        "ids": tenant.ids.export(),
        "customer_seq": tenant.customers.counter,
        "customer_revision": tenant.customers.revision,
        "event_seq": tenant.activity.seq,
        "segments": list(tenant.segments.values()),
        "members": {sid: sorted(ids) for sid, ids in tenant.members.items()},
        "redeemables": dict(tenant.redeemables),
        "publications": tenant.publications.export(),
        "campaign_categories": list(tenant.campaigns.categories.values()),
        "timings": {kind: vars(timing) for kind, timing in tenant.timings.items()},
        "queue": tenant.jobs.export(),
        "jobs": [job.id for job in tenant.jobs.jobs()],
        "categories": _categories(tenant),
        "metadata_schemas": tenant.metadata_schemas.all(),
    }


def _categories(tenant: Tenant) -> Json:
    state = tenant.categories.export()  # its values change in place: a copy, for writing later
    return {**state, "values": {name: dict(values) for name, values in state["values"].items()}}


def _event(entry: Entry, event: Event) -> Callable[[], list[Any]]:
    # A creation shares the live object until the customer is next written: saved as null.
    return partial(_event_record, event, event.changes is entry.own)


def _event_record(event: Event, shared: bool) -> list[Any]:
    changes = None if shared else event.changes
    return [event.id, event.type, event.when, event.group_id, changes,
            event.changes is None]  # fmt: skip


def _voucher(tenant: Tenant, campaign_id: str, code: str) -> Any:
    """A voucher (a copy: it changes in place) and its place among the project's codes."""
    voucher = tenant.campaigns.vouchers.get(campaign_id, {}).get(code)
    return None if voucher is None else [tenant.campaigns.order[code], dict(voucher)]


def made(value: Any) -> Any:
    """A record's JSON value: some records are taken as functions that make it later."""
    return value() if callable(value) else value


def stored(value: Any) -> Any:
    """A record's JSON value in the state file: customers in their compact form."""
    return value.compact() if isinstance(value, CustomerRecord) else made(value)


def records(tenant: Tenant) -> Iterator[Record]:
    """Every record of the tenant, kind by kind in the order of KINDS. Each value is taken when
    it is yielded, so a consumer that pauses between records sees some taken later than others
    (the state file saves whatever changed meanwhile again, see statefile)."""
    yield "meta", "", meta(tenant)
    entries = tenant.customers.every_entry()
    for entry in entries:
        yield "customer", entry.id, tenant.customers.dump(entry)
    for entry in entries:
        customer_id = entry.id
        for event in list(entry.events):
            yield "event", f"{customer_id}/{event.seq}", _event(entry, event)
    campaigns = tenant.campaigns.all()
    for campaign in campaigns:
        yield "campaign", campaign["id"], dict(campaign)
    for code, campaign_id in list(tenant.campaigns.codes().items()):
        yield "voucher", f"{campaign_id}/{code}", _voucher(tenant, campaign_id, code)
    jobs = tenant.jobs.jobs()
    for job in jobs:
        yield "work", job.id, job.work.dump_input()
    for job in jobs:
        yield "job", job.id, job.dump()
    for listing in tenant.customer_lists.export():
        yield LIST_RECORD, listing["id"], listing


def record(tenant: Tenant, kind: str, key: str) -> Any:
    """The current value of one record (None when it no longer exists), safe to serialise
    later: what the domain changes in place is copied, the rest is never changed in place;
    customers and events come as functions that make their JSON later (see `made`)."""
    if kind == "meta":
        return meta(tenant)
    if kind == "customer":
        entry = tenant.customers.by_id(key)
        return None if entry is None else tenant.customers.dump(entry)
    if kind == "event":
        customer_id, _, seq = key.rpartition("/")
        entry = tenant.customers.by_id(customer_id)
        if entry is None:
            return None
        at = bisect.bisect_left(entry.events, int(seq), key=lambda event: event.seq)
        found = at < len(entry.events) and entry.events[at].seq == int(seq)
        return _event(entry, entry.events[at]) if found else None
    if kind == "campaign":
        campaign = tenant.campaigns.by_id(key)
        return None if campaign is None else dict(campaign)
    if kind == "voucher":
        campaign_id, _, code = key.partition("/")
        return _voucher(tenant, campaign_id, code)
    if kind == LIST_RECORD:
        listing = tenant.customer_lists.find(key)
        return None if listing is None else listing.dump()
    job = tenant.jobs.find(key)
    if job is None:
        return None
    return job.work.dump_input() if kind == "work" else job.dump()


# -- in -----------------------------------------------------------------------------------
def _check_references(tenant: Tenant) -> None:
    """What the records name must exist: a membership or a category value of an unknown
    segment, or a preview that would update an unknown customer, left the tenant answering
    500 on later reads or confirms."""
    for segment_id in [*tenant.members, *tenant.categories.segment_ids()]:
        if segment_id not in tenant.segments:
            raise ValueError(f"segment {segment_id} is named but not defined")
    for customer_id in tenant.customer_lists.previewed_ids(tenant.revision()):
        if not tenant.customers.is_live(customer_id):
            raise ValueError(f"a customer-list preview names the unknown customer {customer_id}")


SHARED = object()  # stands for "the customer's object" in a creation event being read


class Builder:
    """Takes a tenant's records in any order, the last of each key winning (None deletes),
    then builds the tenant. Customers and their events are put together as they come, so a big
    state is never held twice."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self._records: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
        self._entries: dict[str, Entry] = {}
        # customer id -> its events as read, in any order; a later one with the same seq wins,
        # and a (seq, None) pair deletes
        self._events: dict[str, list[Event | tuple[int, None]]] = {}

    def add(self, kind: str, key: str, value: Any) -> None:
        try:
            if kind == "customer":
                self._customer(key, value)
            elif kind == "event":
                self._event(key, value)
            elif kind not in self._records:
                raise SnapshotError(f"unknown record kind {kind!r}")
            elif value is None:
                self._records[kind].pop(key, None)
            else:
                self._records[kind][key] = value
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            raise self._malformed(error, f"{kind} record {key!r}") from None

    def _malformed(self, error: Exception, where: str = "") -> SnapshotError:
        if isinstance(error, KeyError):
            reason = f"{error.args[0]!r} is missing" if error.args else "a field is missing"
        else:
            reason = str(error) or type(error).__name__
        place = f"{where}: " if where else ""
        return SnapshotError(f"tenant {self.tenant.app_id}: malformed snapshot ({place}{reason})")

    def _customer(self, key: str, value: Any) -> None:
        if value is None:
            self._entries.pop(key, None)
            return
        entry = self.tenant.customers.revive(value)
        if entry.id != key:  # two keys naming one customer would index it twice
            raise ValueError(f"the customer record {key!r} holds customer {entry.id!r}")
        check_instant(entry.created)
        self._entries[key] = entry

    def _event(self, key: str, value: Any) -> None:
        customer_id, _, seq_text = key.rpartition("/")
        seq = int(seq_text)
        events = self._events.setdefault(customer_id, [])
        if value is None:
            events.append((seq, None))
            return
        event_id, kind, when, group, changes, nothing = value
        if changes is None and not nothing:
            changes = SHARED
        moment = check_instant(instant(when))
        events.append(Event(seq, event_id, kind, moment, group, changes))

    def build(self) -> Tenant:
        try:
            self._build()
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            raise self._malformed(error) from None
        return self.tenant

    def _build(self) -> None:
        tenant, records = self.tenant, self._records
        state = records["meta"].get("")
        if not isinstance(state, dict):
            raise KeyError("meta")
        tenant.clock.load(state["clock"])
        tenant.ids.load(state["ids"])
        tenant.segments.update({segment["id"]: segment for segment in state["segments"]})
        tenant.members.update({sid: set(ids) for sid, ids in state["members"].items()})
        tenant.redeemables.update(state["redeemables"])
        if "publications" in state:  # snapshots written before publications existed lack it
            tenant.publications.load(state["publications"])
        tenant.timings.update({k: JobTiming(**v) for k, v in state["timings"].items()})
        tenant.customers.counter = int(state["customer_seq"])
        tenant.customers.revision = int(state["customer_revision"])
        entries = sorted(self._entries.values(), key=lambda entry: entry.seq)
        for entry in entries:
            entry.events = self._history(entry)
            tenant.customers.put(entry)
        tenant.activity.restore(entries, int(state["event_seq"]))
        self._campaigns(state["campaign_categories"])
        tenant.publications.load(state["publications"])
        jobs = [self._job(job_id) for job_id in state["jobs"]]
        tenant.jobs.load(state["queue"], jobs)
        tenant.categories.load(state["categories"])
        # lists were kept inside meta before they became records of their own
        lists = [*state.get("customer_lists", []), *self._records[LIST_RECORD].values()]
        tenant.customer_lists.load(lists)
        # snapshots written before metadata schemas existed lack them
        tenant.metadata_schemas.load(state.get("metadata_schemas", []))
        _check_references(tenant)

    def _history(self, entry: Entry) -> list[Event]:
        read = self._events.pop(entry.id, [])
        if len(read) > 1:
            read.sort(key=lambda event: event[0])  # stable: the later of one seq stays later
            latest = {item[0]: item for item in read}
            read = [item for item in latest.values()]
        events = [item for item in read if isinstance(item, Event)]
        return [e._replace(changes=entry.own) if e.changes is SHARED else e for e in events]

    def _campaigns(self, categories: list[Json]) -> None:
        campaigns = self.tenant.campaigns
        for campaign in self._records["campaign"].values():
            campaigns.restore(campaign)
        placed = sorted((place, key.partition("/")[0], voucher)
                        for key, (place, voucher) in self._records["voucher"].items())  # fmt: skip
        for _, campaign_id, voucher in placed:
            campaigns.add_voucher(campaign_id, voucher)
        campaigns.categories.update({category["id"]: category for category in categories})

    def _job(self, job_id: str) -> Job:
        state = self._records["job"][job_id]
        work = self._work(self._records["work"][job_id], state["work"])
        job = Job.load(state, work)
        for moment in (job.created, job.ready, job.started, job.updated, job.report.finished):
            if moment is not None:
                check_instant(moment)
        return job

    def _work(self, given: Json, progress: Json) -> Work:
        tenant, kind = self.tenant, given["kind"]
        if kind == "customer_import":
            return CustomerImport(
                CsvTable.load(given["table"]), tenant.customers, tenant.metadata_schemas
            )
        if kind == "voucher_import":
            campaign = tenant.campaigns.get(given["campaign_id"])
            work = VoucherImport(
                CsvTable.load(given["table"]), campaign, tenant.campaigns, tenant.ids, tenant.clock,
                tenant.metadata_schemas,
            )  # fmt: skip
            work.load_seen(progress["seen"])
            return work
        if kind == "voucher_generation":
            campaign = tenant.campaigns.get(given["campaign_id"])
            return VoucherGeneration(
                campaign, given["count"], tenant.campaigns, tenant.ids, tenant.clock
            )
        if kind == "bulk_update":
            bulk = BulkUpdate(given["items"], tenant.customers, given["report_url"],
                              tenant.metadata_schemas)  # fmt: skip
            bulk.load_progress(progress)
            return bulk
        if kind == "metadata_update":
            meta = MetadataUpdate(
                given["source_ids"], given["metadata"], tenant.customers, given["report_url"],
                tenant.metadata_schemas,
            )  # fmt: skip
            meta.load_progress(progress)
            return meta
        raise SnapshotError(f"unknown async-action work kind {kind!r}")


# -- the snapshot document (GET / PUT /_emulator/state) -------------------------------------
# {"version": 2, "tenants": {"<app id>": {"meta": {...}, "customers": {"<id>": {...}}, ...}}}
def tenant_document(tenant: Tenant) -> Json:
    grouped: Json = {group: {} for group in GROUPS.values()}
    for kind, key, value in records(tenant):
        if kind == "meta":
            grouped["meta"] = value
        else:
            grouped[GROUPS[kind]][key] = made(value)
    return grouped


def document(tenants: list[Tenant]) -> Json:
    return {"version": VERSION, "tenants": {t.app_id: tenant_document(t) for t in tenants}}


def check_document(document: object) -> dict[str, Json]:
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise SnapshotError(f'a snapshot is {{"version": {VERSION}, "tenants": {{...}}}}')
    tenants = document.get("tenants")
    if not isinstance(tenants, dict) or not all(isinstance(t, dict) for t in tenants.values()):
        raise SnapshotError("a snapshot needs a 'tenants' mapping of tenant objects")
    for name in tenants:
        if not name.strip() or name != name.strip() or not printable(name):
            raise SnapshotError(f"tenant id {name!r} is no X-App-Id a client could send")
    return tenants


def fill(builder: Builder, grouped: Json) -> None:
    """Hand a tenant's snapshot document to its builder."""
    builder.add("meta", "", grouped.get("meta"))
    for kind, group in GROUPS.items():
        records = grouped.get(group, {})
        if not isinstance(records, dict):
            raise SnapshotError(f"tenant {builder.tenant.app_id}: '{group}' must be a mapping")
        for key, value in records.items():
            builder.add(kind, key, value)
