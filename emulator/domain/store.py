"""Tenants and their state. Every collection hangs off a tenant named by its X-App-Id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from emulator.control.fixtures import FixtureError, FixtureSet
from emulator.domain.activity import ActivityLog
from emulator.domain.campaigns import Campaigns
from emulator.domain.categories import SegmentCategories
from emulator.domain.customer_lists import CustomerLists
from emulator.domain.customers import Customers
from emulator.domain.errors import DomainError
from emulator.domain.generation import JOB_TYPE as GENERATE
from emulator.domain.generation import VoucherGeneration
from emulator.domain.publications import Publications
from emulator.jobs.clock import Clock
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
    customer_lists: CustomerLists = field(default_factory=CustomerLists)  # upload previews
    categories: SegmentCategories = field(init=False)  # segments made from list columns

    def __post_init__(self) -> None:
        self.categories = SegmentCategories(self.segments, self.members, self.ids)

    def revision(self) -> int:
        """Grows with every change to the tenant's customers or segments."""
        return self.customers.revision + self.categories.revision

    def segments_of(self, customer_id: str) -> list[Json]:
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
        try:
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


class TenantFactory(Protocol):
    def __call__(self, app_id: str, seeded: bool = True) -> Tenant: ...


def tenant_factory(
    make_clock: Callable[[], Clock],
    make_ids: Callable[[str], IdGenerator],
    fixtures: Sequence[FixtureSet],
    default_timing: Callable[[str], JobTiming],
) -> TenantFactory:
    def build(app_id: str, seeded: bool = True) -> Tenant:
        clock = make_clock()
        ids = make_ids(app_id)
        activity = ActivityLog(ids, app_id)
        timings: dict[str, JobTiming] = {}

        def timing(job_type: str) -> JobTiming:
            return timings.get(job_type) or default_timing(job_type)

        customers = Customers(ids, clock, activity)
        campaigns = Campaigns(ids, clock)
        tenant = Tenant(
            app_id=app_id,
            clock=clock,
            ids=ids,
            activity=activity,
            customers=customers,
            campaigns=campaigns,
            jobs=Engine(clock, ids, timing, tenant=app_id),
            publications=Publications(customers, campaigns, ids, clock),
            timings=timings,
        )
        for fixture in fixtures if seeded else ():
            if fixture.applies_to(app_id):
                tenant.apply(fixture)
        return tenant

    return build


class Tenants:
    """Tenants come into being on first use, seeded with the fixtures that apply to them."""

    def __init__(self, factory: TenantFactory) -> None:
        self._factory = factory
        self._tenants: dict[str, Tenant] = {}

    def get(self, app_id: str) -> Tenant:
        tenant = self._tenants.get(app_id)
        if tenant is None:
            tenant = self._tenants[app_id] = self._factory(app_id)
        return tenant

    def bare(self, app_id: str) -> Tenant:
        """A new tenant without fixtures, not yet registered (snapshots fill it)."""
        return self._factory(app_id, seeded=False)

    def put(self, tenant: Tenant) -> None:
        self._tenants[tenant.app_id] = tenant

    def existing(self) -> list[Tenant]:
        return [self._tenants[name] for name in sorted(self._tenants)]

    def reset(self, app_id: str) -> None:
        self._tenants.pop(app_id, None)

    def reset_all(self) -> None:
        self._tenants.clear()

    def ids(self) -> list[str]:
        return sorted(self._tenants)
