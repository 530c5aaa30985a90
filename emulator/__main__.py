"""Command line: flags and environment -> Settings -> a running emulator."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from aiohttp import web

from emulator.contract.document import SpecError
from emulator.control.routes import summary
from emulator.http.app import create_app
from emulator.http.keys import SPEC
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
    args = parser.parse_args(argv)
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
    )


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
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
        await runner.cleanup()  # runs the app's cleanup: the state file is written here
    print("voucherify-emulator stopped", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    settings = parse_settings(argv)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    try:
        asyncio.run(serve(settings))
    except SpecError as error:  # an unreadable or unsupported --spec: say so, no traceback
        raise SystemExit(f"voucherify-emulator: {error}") from None


if __name__ == "__main__":
    main()
