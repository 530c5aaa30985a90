"""Tenants and their state. Every collection hangs off a tenant named by its X-App-Id.

Tenants are capped (`max_tenants`): making room evicts the least recently used tenant that has
no job queued, under way or held, and is not being served; when every tenant is busy, a new one
is refused (TenantLimit).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from emulator.control.fixtures import FixtureError, FixtureSet
from emulator.domain.activity import DEFAULT_LIMIT, ActivityLog
from emulator.domain.campaigns import Campaigns
from emulator.domain.categories import SegmentCategories
from emulator.domain.changes import Changes, Tally
from emulator.domain.customer_lists import CustomerLists
from emulator.domain.customers import Customers
from emulator.domain.errors import DomainError, TenantLimit
from emulator.domain.generation import JOB_TYPE as GENERATE
from emulator.domain.generation import VoucherGeneration
from emulator.domain.metadata_schemas import MetadataSchemas
from emulator.domain.publications import Publications
from emulator.jobs.clock import Clock, iso
from emulator.jobs.engine import Engine
from emulator.jobs.ids import IdGenerator
from emulator.settings import JobTiming

Json = dict[str, Any]


@dataclass
class Tenant:
    app_id: str
    clock: Clock
    ids: IdGenerator
    activity: ActivityLog
    customers: Customers
    campaigns: Campaigns
    jobs: Engine
    publications: Publications  # vouchers published to customers, and what they hold
    segments: dict[str, Json] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # segment id -> customer ids
    redeemables: dict[str, list[Json]] = field(default_factory=dict)  # customer id -> items
    timings: dict[str, JobTiming] = field(default_factory=dict)  # per job type, set at run time
    changes: Changes = field(default_factory=Changes)  # what to save next (state file)
    # One request (or save, or snapshot) works on a tenant at a time; others wait here.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    customer_lists: CustomerLists = field(default_factory=CustomerLists)  # upload previews
    categories: SegmentCategories = field(init=False)  # segments made from list columns
    metadata_schemas: MetadataSchemas = field(init=False)  # seeded; checked on metadata writes

    def __post_init__(self) -> None:
        self.categories = SegmentCategories(self.segments, self.members, self.ids)
        self.metadata_schemas = MetadataSchemas(self.ids)

    @property
    def idle(self) -> bool:
        return not self.jobs.busy() and not self.lock.locked()

    def revision(self) -> int:
        """Grows with every change to the tenant's customers or segments."""
        return self.customers.revision + self.categories.revision

    def segments_of(self, customer_id: str | None) -> list[Json]:
        """The customer's segments. A customer the tenant does not store (None) is in none:
        every segment here is a static list (seeded, or made by a customer-list upload), and a
        static list holds only customers that were put in it; no segment has a rule that a
        customer with no data could meet."""
        if customer_id is None:
            return []
        return [self.segments[sid] for sid, ids in self.members.items() if customer_id in ids]

    def create_campaign(self, body: Json) -> Json:
        """Create a campaign and start generating the codes it asks for, if any."""
        campaign = self.campaigns.create(body)
        count = self.campaigns.pending.pop(campaign["id"], 0)
        if count:
            work = VoucherGeneration(campaign, count, self.campaigns, self.ids, self.clock)
            self.jobs.submit(GENERATE, work)
        return campaign

    def erase_customer(self, key: str) -> Json:
        """Permanent deletion: the customer, its activity, its segment memberships and what it
        holds; the receipt counts the memberships erased."""
        self.changes.touch()  # memberships, redeemables and publications live in meta
        receipt = self.customers.delete_permanently(key)
        customer_id = receipt["related_object_id"]
        memberships = [ids for ids in self.members.values() if customer_id in ids]
        for ids in memberships:
            ids.discard(customer_id)
        if memberships:
            self.categories.touch()
        receipt["data_json"]["segments"] = len(memberships)
        self.redeemables.pop(customer_id, None)
        self.publications.forget_customer(customer_id)
        return receipt

    def apply(self, fixture: FixtureSet) -> None:
        """Seed a checked fixture. It may fail part-way (a campaign name already taken, a
        segment member that does not exist): callers apply it to a copy when that matters."""
        where = ""
        self.changes.touch()
        try:
            now = iso(self.clock.now())
            for index, schema in enumerate(fixture.metadata_schemas):
                where = f"metadata_schemas[{index}]"
                self.metadata_schemas.define(schema, now)
            for index, body in enumerate(fixture.customers):
                where = f"customers[{index}]"
                self._seed_customer(body)
            for index, campaign in enumerate(fixture.campaigns):
                where = f"campaigns[{index}]"
                self.create_campaign(campaign)
            if fixture.segments:
                self.categories.touch()
            for index, segment in enumerate(fixture.segments):
                where = f"segments[{index}]"
                self._seed_segment(segment)
        except DomainError as error:
            raise FixtureError(f"{fixture.source}: {where}: {error}") from error

    def _seed_customer(self, body: Json) -> None:
        fields = {k: v for k, v in body.items() if k != "redeemables"}
        creates = self.customers.find(_seed_key(fields)) is None
        self.metadata_schemas.check_write(
            "customer", fields.get("metadata"), "metadata" in fields, creates
        )
        customer = self.customers.seed(fields)
        if "redeemables" in body:
            self.redeemables[customer["id"]] = list(body["redeemables"])

    def _seed_segment(self, segment: Json) -> None:
        self.segments[segment["id"]] = {
            "id": segment["id"], "name": segment["name"], "object": "segment",
        }  # fmt: skip
        members = self.members.setdefault(segment["id"], set())
        for key in segment.get("customers", []):
            members.add(self.customers.get(str(key))["id"])


def _seed_key(body: Json) -> str:
    return str(body.get("id") or body.get("source_id") or "")


class TenantFactory(Protocol):
    def __call__(self, app_id: str, seeded: bool = True) -> Tenant: ...


def tenant_factory(
    make_clock: Callable[[], Clock],
    make_ids: Callable[[str], IdGenerator],
    fixtures: Sequence[FixtureSet],
    default_timing: Callable[[str], JobTiming],
    activity_limit: int = DEFAULT_LIMIT,
    tally: Tally | None = None,
) -> TenantFactory:
    """Tenants are made by this; with a tally, they mark what they change (for a state file)."""

    def build(app_id: str, seeded: bool = True) -> Tenant:
        clock = make_clock()
        ids = make_ids(app_id)
        changes = Changes(tally)
        changes.touch()
        activity = ActivityLog(ids, app_id, activity_limit, changes)
        timings: dict[str, JobTiming] = {}

        def timing(job_type: str) -> JobTiming:
            return timings.get(job_type) or default_timing(job_type)

        customers = Customers(ids, clock, activity, changes)
        campaigns = Campaigns(ids, clock, changes)
        tenant = Tenant(
            app_id=app_id,
            clock=clock,
            ids=ids,
            activity=activity,
            customers=customers,
            campaigns=campaigns,
            jobs=Engine(clock, ids, timing, changes, tenant=app_id),
            publications=Publications(customers, campaigns, ids, clock, changes),
            timings=timings,
            changes=changes,
        )
        for fixture in fixtures if seeded else ():
            if fixture.applies_to(app_id):
                tenant.apply(fixture)
        return tenant

    return build


class Tenants:
    """Tenants come into being on first use, seeded with the fixtures that apply to them."""

    def __init__(
        self, factory: TenantFactory, limit: int = 10_000, tally: Tally | None = None
    ) -> None:
        self._factory = factory
        self.limit = limit
        self.tally = tally  # with one, removals are noted for the state file
        self._tenants: OrderedDict[str, Tenant] = OrderedDict()  # least recently used first
        self.evicted = 0
        self.removed: set[str] = set()  # gone since the state file last heard of them

    def get(self, app_id: str) -> Tenant:
        tenant = self._tenants.get(app_id)
        if tenant is None:
            self._make_room()
            tenant = self._tenants[app_id] = self._factory(app_id)
        else:
            self._tenants.move_to_end(app_id)
        return tenant

    def find(self, app_id: str) -> Tenant | None:
        """The tenant if it exists; never creates one."""
        return self._tenants.get(app_id)

    def bare(self, app_id: str, seeded: bool = False) -> Tenant:
        """A new tenant, not registered: without fixtures for snapshots to fill, or with them
        to show how a tenant would start."""
        return self._factory(app_id, seeded=seeded)

    def put(self, tenant: Tenant) -> None:
        if tenant.app_id not in self._tenants:
            self._make_room()
        self._drop(tenant.app_id)
        self._tenants[tenant.app_id] = tenant

    def existing(self) -> list[Tenant]:
        return [self._tenants[name] for name in sorted(self._tenants)]

    def reset(self, app_id: str) -> None:
        self._drop(app_id)

    def reset_all(self) -> None:
        for name in list(self._tenants):
            self._drop(name)

    def ids(self) -> list[str]:
        return sorted(self._tenants)

    def all(self) -> list[Tenant]:
        """Every tenant, least recently used first."""
        return list(self._tenants.values())

    def __len__(self) -> int:
        return len(self._tenants)

    def _drop(self, app_id: str) -> None:
        if self._tenants.pop(app_id, None) is not None and self.tally is not None:
            self.removed.add(app_id)

    def _make_room(self) -> None:
        if len(self._tenants) < self.limit:
            return
        for name, tenant in self._tenants.items():
            if tenant.idle:
                self._drop(name)
                self.evicted += 1
                return
        raise TenantLimit(self.limit)
