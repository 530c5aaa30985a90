"""create_app(settings): wiring only. Everything the emulator holds hangs off the app it returns."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from emulator.contract.routes import PATH_PARAM, pick, shape
from emulator.contract.spec import Operation, Spec, load_spec
from emulator.control.customer_list_routes import add_customer_list_routes
from emulator.control.fault_routes import add_fault_routes
from emulator.control.faults import FaultBook, load_scenario
from emulator.control.fixtures import EVERY_TENANT, FixtureSet, load_fixtures
from emulator.control.job_routes import add_job_control_routes
from emulator.control.journal import Journal
from emulator.control.link_routes import add_link_routes
from emulator.control.read_routes import add_read_routes
from emulator.control.routes import add_control_routes
from emulator.control.seed_schema import SeedSchemas
from emulator.control.state_routes import add_state_routes
from emulator.control.statefile import StateFile
from emulator.domain.changes import Tally
from emulator.domain.store import Tenants, tenant_factory
from emulator.http.endpoint import Endpoint
from emulator.http.keys import (
    COVERAGE,
    FAULTS,
    JOURNAL,
    REQUEST_IDS,
    SEEDS,
    SETTINGS,
    SLEEP,
    SPEC,
    STATE_FILE,
    TENANTS,
    WALL,
)
from emulator.http.middleware import Front, access_log_middleware
from emulator.jobs.clock import Clock
from emulator.jobs.ids import IdGenerator, tenant_seed
from emulator.routes.examples import ExampleBacked
from emulator.routes.table import HANDLERS, PRECHECKS
from emulator.settings import JobTiming, Settings
from emulator.ui.routes import add_ui_routes

log = logging.getLogger("emulator")


def _check_fixtures(tenants: Tenants, fixtures: Iterable[FixtureSet]) -> None:
    """Seed each named tenant once at start-up, so a broken fixture fails now, not mid-test."""
    for name in {fixture.tenant for fixture in fixtures}:
        probe = "__fixture_check__" if name == EVERY_TENANT else name
        tenants.get(probe)
        tenants.reset(probe)


def _route_order(path: str) -> tuple[tuple[bool, str], ...]:
    # Literal segments before parameters, segment by segment, so that
    # POST /v1/customers/importCSV is not taken for a customer id.
    return tuple(("{" in segment, segment) for segment in path.split("/"))


def _endpoint(app: web.Application, op: Operation, tenants: Tenants, ids: IdGenerator) -> Endpoint:
    spec, settings = app[SPEC], app[SETTINGS]
    handler = HANDLERS.get(op.operation_id)
    if handler is not None:
        return Endpoint(
            op, handler, settings, tenants, ids, "stateful", PRECHECKS.get(op.operation_id)
        )
    return Endpoint(op, ExampleBacked(op, spec.samples), settings, tenants, ids, "example")


def _dispatch(endpoints: list[Endpoint]) -> Handler:
    """One route for operations that share a method and path shape: the query picks one, and
    the path's values are passed on under that operation's own parameter names."""

    async def handle(request: web.Request) -> web.StreamResponse:
        op = pick([e.op for e in endpoints], request.query)
        endpoint = next(e for e in endpoints if e.op is op)
        values = request.match_info.values()
        path = dict(zip(PATH_PARAM.findall(op.path), values, strict=False))
        return await endpoint.answer(request, path)

    return handle


def add_api_routes(app: web.Application, spec: Spec, tenants: Tenants, ids: IdGenerator) -> None:
    """Every operation of the spec gets a route: its own handler by operationId when the
    emulator keeps its state, else the example-backed one."""
    coverage: dict[str, str] = {}
    by_route: dict[str, dict[str, list[Endpoint]]] = defaultdict(lambda: defaultdict(list))
    for op in spec:
        endpoint = _endpoint(app, op, tenants, ids)
        coverage[op.operation_id] = endpoint.kind
        by_route[shape(op.path)][op.method].append(endpoint)
    app[COVERAGE] = coverage
    for route in sorted(by_route, key=_route_order):
        methods = by_route[route]
        first = next(iter(methods.values()))[0].op.path
        resource = app.router.add_resource(first)
        for method, endpoints in methods.items():
            if len(endpoints) == 1 and endpoints[0].op.path == first:
                resource.add_route(method, endpoints[0].answer)
            else:
                resource.add_route(method, _dispatch(endpoints))


def create_app(settings: Settings | None = None, spec: Spec | None = None) -> web.Application:
    """`spec` skips loading settings.spec_path (an already loaded document can serve many
    apps: tests build one app per test on the vendor's 3.9 MB document)."""
    settings = settings or Settings()
    spec = spec or load_spec(settings.spec_path)
    seeds = SeedSchemas(spec)
    fixtures = load_fixtures(settings.fixtures, seeds)

    def clock() -> Clock:
        return Clock(settings.clock_mode, settings.clock_scale, settings.clock_start)

    def ids(app_id: str) -> IdGenerator:
        return IdGenerator(tenant_seed(settings.seed, app_id))

    def timing(job_type: str) -> JobTiming:
        return settings.job_timings.get(job_type, settings.job_timing)

    tally = Tally() if settings.state_file is not None else None
    factory = tenant_factory(clock, ids, fixtures, timing, settings.activity_limit, tally)
    tenants = Tenants(factory, settings.max_tenants, tally)
    _check_fixtures(tenants, fixtures)
    request_ids = IdGenerator(tenant_seed(settings.seed, "__requests__"))

    journal, wall = Journal(settings.journal_size), Clock("real")
    faults = FaultBook(IdGenerator(tenant_seed(settings.seed, "__faults__")).random)
    for fault in load_scenario(settings.scenario):
        faults.add(fault)
    middlewares: list[Middleware] = [Front(settings, journal, wall, faults, request_ids)]
    if settings.access_log:
        middlewares.insert(0, access_log_middleware)
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=middlewares)
    app[SETTINGS] = settings
    app[JOURNAL] = journal
    app[WALL] = wall  # real time, for the journal and rate limits of unknown tenants
    app[SLEEP] = asyncio.sleep
    app[FAULTS] = faults
    app[SPEC] = spec
    app[SEEDS] = seeds
    app[TENANTS] = tenants
    app[REQUEST_IDS] = request_ids
    add_control_routes(app)
    add_job_control_routes(app)
    add_fault_routes(app)
    add_state_routes(app)
    add_link_routes(app)
    add_customer_list_routes(app)
    add_read_routes(app)
    add_ui_routes(app)
    add_api_routes(app, spec, tenants, request_ids)
    if settings.state_file is not None:
        state_file = StateFile(settings.state_file, tenants, settings.save_interval)
        app[STATE_FILE] = state_file
        restored = state_file.load()
        log.info("state file %s: %d tenants restored", settings.state_file, restored)
        app.cleanup_ctx.append(state_file.context)
    return app
