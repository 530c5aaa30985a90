"""Command line: flags and environment -> Settings -> a running emulator."""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from emulator.contract.document import SpecError
from emulator.control.routes import summary
from emulator.control.snapshot import SnapshotError
from emulator.control.statefile import StateFileError
from emulator.http.app import create_app
from emulator.http.gcpolicy import collect_garbage
from emulator.http.keys import SPEC
from emulator.http.server import make_runner
from emulator.settings import DEFAULT_PORT, DEFAULT_SPEC, JobTiming, Settings

REPORT_LINES = 4  # repairs shown per kind at start; GET /_emulator/spec-report has them all


def _credentials(pairs: Sequence[str]) -> dict[str, str] | None:
    if not pairs:
        return None
    result = {}
    for pair in pairs:
        app_id, sep, token = pair.partition(":")
        if not sep or not app_id or not token:
            raise SystemExit(f"--credentials expects APP_ID:TOKEN, got {pair!r}")
        result[app_id] = token
    return result


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    env_port = os.environ.get("PORT")
    env_spec = os.environ.get("VOUCHERIFY_EMULATOR_SPEC")
    parser = argparse.ArgumentParser(
        prog="voucherify-emulator", description="Emulate the Voucherify Customers API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(env_port) if env_port else DEFAULT_PORT)
    parser.add_argument(
        "--spec", type=Path, default=Path(env_spec) if env_spec else DEFAULT_SPEC,
        help="OpenAPI document (default: the repository's; VOUCHERIFY_EMULATOR_SPEC overrides)",
    )  # fmt: skip
    parser.add_argument(
        "--fixtures", type=Path, action="append", default=[],
        help="YAML fixture file or folder (repeatable)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=None, help="seed for ids (deterministic)")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--scenario", type=Path, default=None, help="YAML file of HTTP faults")
    parser.add_argument(
        "--state-file", type=Path, default=None,
        help="JSON snapshot loaded at start and written atomically at shutdown",
    )  # fmt: skip
    parser.add_argument(
        "--credentials", action="append", default=[], metavar="APP_ID:TOKEN",
        help="accept only these key pairs (repeatable); default: any non-empty pair",
    )  # fmt: skip
    parser.add_argument("--clock", choices=("real", "scaled", "manual"), default="real")
    parser.add_argument("--clock-scale", type=float, default=1.0)
    parser.add_argument("--clock-start", type=datetime.fromisoformat, default=None)
    default = JobTiming()
    parser.add_argument(
        "--job-queue-delay", type=float, default=default.queue_delay, metavar="SECONDS",
        help="time an async action waits in the queue before it may start",
    )  # fmt: skip
    parser.add_argument(
        "--job-item-seconds", type=float, default=default.item_seconds, metavar="SECONDS",
        help="processing time per CSV row / bulk item",
    )  # fmt: skip
    parser.add_argument(
        "--job-portion-size", type=int, default=default.portion_size, metavar="ITEMS",
        help="items per portion; bigger jobs are worked round-robin",
    )  # fmt: skip
    parser.add_argument("--no-validate-requests", action="store_true")
    parser.add_argument("--no-validate-responses", action="store_true")
    _add_guard_flags(parser)
    args = parser.parse_args(argv)
    try:
        return _settings(args)
    except ValueError as error:
        parser.error(str(error))


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
        return value

    return parse


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s):// URL")
    return text.rstrip("/")


def _add_guard_flags(parser: argparse.ArgumentParser) -> None:
    env_token = os.environ.get("VOUCHERIFY_EMULATOR_ADMIN_TOKEN") or None
    parser.add_argument(
        "--admin-token", default=env_token, metavar="TOKEN",
        help="control routes (/_emulator) require the header X-Emulator-Token: TOKEN "
        "(default: VOUCHERIFY_EMULATOR_ADMIN_TOKEN)",
    )  # fmt: skip
    parser.add_argument(
        "--allowed-host", action="append", default=[], metavar="NAME",
        help="also serve requests whose Host is NAME (repeatable; .example.com allows "
        "subdomains, * any host); localhost names, IP addresses and --host always are",
    )  # fmt: skip
    parser.add_argument(
        "--public-url", type=_url, default=None, metavar="URL",
        help="base URL clients reach the emulator at, for report links "
        "(default: the address a client connected to)",
    )  # fmt: skip
    default = Settings.__dataclass_fields__
    parser.add_argument(
        "--max-tenants", type=_positive(int), default=default["max_tenants"].default,
        metavar="N", help="tenants kept; past it the least recently used idle one is evicted",
    )  # fmt: skip
    parser.add_argument(
        "--activity-limit", type=_positive(int), default=default["activity_limit"].default,
        metavar="N", help="customer activity events kept per tenant, oldest dropped first",
    )  # fmt: skip
    for flag, field, what in (
        ("--header-timeout", "header_timeout", "to send a request's line and headers"),
        ("--body-timeout", "body_timeout", "to send a request's body"),
        ("--keepalive-timeout", "keepalive_timeout", "an idle keep-alive connection stays open"),
    ):
        parser.add_argument(
            flag, type=_positive(float), default=default[field].default, metavar="SECONDS",
            help=f"seconds a client has {what}" if "to send" in what else f"seconds {what}",
        )  # fmt: skip


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host,
        port=args.port,
        spec_path=args.spec,
        fixtures=tuple(args.fixtures),
        seed=args.seed,
        log_level=args.log_level.upper(),
        scenario=args.scenario,
        state_file=args.state_file,
        credentials=_credentials(args.credentials),
        clock_mode=args.clock,
        clock_scale=args.clock_scale,
        clock_start=args.clock_start,
        validate_requests=not args.no_validate_requests,
        validate_responses=not args.no_validate_responses,
        job_timing=JobTiming(args.job_queue_delay, args.job_item_seconds, args.job_portion_size),
        admin_token=args.admin_token,
        allowed_hosts=tuple(args.allowed_host),
        public_url=args.public_url,
        max_tenants=int(args.max_tenants),
        activity_limit=int(args.activity_limit),
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        keepalive_timeout=args.keepalive_timeout,
    )


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    runner = make_runner(app, settings)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    server = runner.server
    assert server is not None
    collector = asyncio.create_task(collect_garbage(lambda: server.requests_count))
    report = app[SPEC].report
    if report.repairs:  # on stderr: stdout's first line stays the ready line
        print(report.text(limit=REPORT_LINES), file=sys.stderr, flush=True)
    print(f"voucherify-emulator ready on {site.name} ({summary(app)})", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        collector.cancel()
        await runner.cleanup()  # runs the app's cleanup: the state file is written here
    print("voucherify-emulator stopped", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    settings = parse_settings(argv)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    try:
        asyncio.run(serve(settings))
    except (SpecError, StateFileError, SnapshotError) as error:  # say so, no traceback
        raise SystemExit(f"voucherify-emulator: {error}") from None


if __name__ == "__main__":
    main()
