"""Command line: flags and environment -> Settings -> a running emulator.

Every bad start-up input ends the same way: one line on stderr naming what is wrong, and a
non-zero exit (2 for a bad flag or variable, 1 for anything found while starting), never a
traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from emulator import __version__
from emulator.cli_types import (
    ArgumentError,
    credentials,
    finite_non_negative,
    finite_positive,
    host_name,
    http_url,
    instant,
    log_level,
    port_number,
    positive_int,
)
from emulator.settings import DEFAULT_PORT, EVENT_LOOPS, JobTiming, Settings

PROG = "voucherify-emulator"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block: the flag, what is wrong, where to look."""
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def _server_flags(parser: Parser, env: Mapping[str, str]) -> None:
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--host", type=host_name, default="127.0.0.1", help="interface to listen on"
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT,
        help=f"TCP port, 0 for any free one (default: $PORT, else {DEFAULT_PORT})",
    )  # fmt: skip
    parser.add_argument(
        "--spec", type=Path, metavar="FILE", default=Path(env["VOUCHERIFY_EMULATOR_SPEC"])
        if env.get("VOUCHERIFY_EMULATOR_SPEC") else None,
        help="OpenAPI 3.0 document, JSON or YAML, to serve (default: $VOUCHERIFY_EMULATOR_SPEC, "
        "else the contract shipped in the package)",
    )  # fmt: skip
    parser.add_argument(
        "--log-level", type=log_level, default="INFO", metavar="LEVEL",
        help="DEBUG, INFO (default: start-up, async-action transitions), WARNING, ERROR or "
        "CRITICAL",
    )  # fmt: skip
    parser.add_argument(
        "--event-loop", choices=EVENT_LOOPS, default="auto",
        help="auto (default: uvloop where it is installed, as it is on Linux and macOS), "
        "uvloop or asyncio",
    )  # fmt: skip
    parser.add_argument(
        "--access-log", action="store_true",
        help="log one line per request: method, path, status, ms, tenant, validation outcome",
    )  # fmt: skip
    parser.add_argument(
        "--credentials", type=credentials, action="append", default=[], metavar="APP_ID:TOKEN",
        help="accept only these key pairs (repeatable); default: any non-empty pair",
    )  # fmt: skip
    parser.add_argument(
        "--no-validate-requests", action="store_true",
        help="pass requests that break the contract to the handlers instead of answering 400",
    )  # fmt: skip
    parser.add_argument(
        "--no-validate-responses", action="store_true",
        help="skip checking responses against the contract (faster; hides emulator bugs)",
    )  # fmt: skip


def _data_flags(parser: Parser) -> None:
    parser.add_argument(
        "--fixtures", type=Path, action="append", default=[], metavar="PATH",
        help="YAML fixture file or folder of them, seeded into every tenant it names "
        "(repeatable; checked against the contract at start)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, default=None, metavar="N",
        help="seed for ids and random draws: same seed, same requests, same ids",
    )  # fmt: skip
    parser.add_argument(
        "--scenario", type=Path, default=None, metavar="FILE",
        help="YAML file of HTTP faults active from the start (every tenant unless one is named)",
    )  # fmt: skip
    parser.add_argument(
        "--state-file", type=Path, default=None, metavar="PATH",
        help="keep the state in this file: every change saved within about half a second, "
        "read back at start (or a snapshot from GET /_emulator/state to start from); its "
        "folder must exist and be writable",
    )  # fmt: skip


def _clock_flags(parser: Parser) -> None:
    parser.add_argument(
        "--clock", choices=("real", "scaled", "manual"), default="real",
        help="each tenant's clock: real (default), scaled (see --clock-scale) or manual "
        "(moves only through /_emulator/clock)",
    )  # fmt: skip
    parser.add_argument(
        "--clock-scale", type=finite_positive, default=1.0, metavar="X",
        help="how many times faster than real time a scaled clock runs (> 0)",
    )  # fmt: skip
    parser.add_argument(
        "--clock-start", type=instant, default=None, metavar="ISO",
        help="start instant of manual and scaled clocks, e.g. 2026-01-01T00:00:00Z",
    )  # fmt: skip


def _job_flags(parser: Parser) -> None:
    default = JobTiming()
    parser.add_argument(
        "--job-queue-delay", type=finite_non_negative, default=default.queue_delay,
        metavar="SECONDS",
        help="time an async action waits in the queue before it may start (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--job-item-seconds", type=finite_non_negative, default=default.item_seconds,
        metavar="SECONDS",
        help="processing time per CSV row / bulk item (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--job-portion-size", type=positive_int, default=default.portion_size, metavar="ITEMS",
        help="items per portion; bigger jobs are worked round-robin (default: %(default)s)",
    )  # fmt: skip


def _guard_flags(parser: Parser, env: Mapping[str, str]) -> None:
    parser.add_argument(
        "--admin-token", default=env.get("VOUCHERIFY_EMULATOR_ADMIN_TOKEN") or None,
        metavar="TOKEN",
        help="control routes (/_emulator, health aside) need this token in the "
        "X-Emulator-Token header (default: $VOUCHERIFY_EMULATOR_ADMIN_TOKEN)",
    )  # fmt: skip
    parser.add_argument(
        "--allowed-host", action="append", default=[], metavar="NAME",
        help="also serve requests whose Host is NAME (repeatable; .example.com allows its "
        "subdomains, * any name); localhost names, IP addresses and --host always are",
    )  # fmt: skip
    parser.add_argument(
        "--public-url", type=http_url, default=None, metavar="URL",
        help="base URL clients reach the emulator at, for report links (default: the address "
        "a client's connection reached)",
    )  # fmt: skip


def _limit_flags(parser: Parser) -> None:
    default = Settings.__dataclass_fields__
    parser.add_argument(
        "--max-tenants", type=positive_int, default=default["max_tenants"].default, metavar="N",
        help="tenants kept; past it the least recently used idle one is evicted "
        "(default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--activity-limit", type=positive_int, default=default["activity_limit"].default,
        metavar="N", help="customer activity events kept per tenant, oldest dropped first "
        "(default: %(default)s)",
    )  # fmt: skip
    for flag, what in (
        ("--header-timeout", "a client has to send a request's line and headers"),
        ("--body-timeout", "a client has to send a request's body"),
        ("--keepalive-timeout", "an idle keep-alive connection stays open"),
    ):
        field = flag.removeprefix("--").replace("-", "_")
        parser.add_argument(
            flag, type=finite_positive, default=default[field].default, metavar="SECONDS",
            help=f"seconds {what} (default: %(default)s)",
        )  # fmt: skip


def build_parser(env: Mapping[str, str]) -> Parser:
    parser = Parser(prog=PROG, description="Emulate the Voucherify Customers API.")
    _server_flags(parser, env)
    _data_flags(parser)
    _clock_flags(parser)
    _job_flags(parser)
    _guard_flags(parser, env)
    _limit_flags(parser)
    return parser


def parse_settings(
    argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    env = os.environ if env is None else env
    parser = build_parser(env)
    if env.get("PORT"):
        try:
            parser.set_defaults(port=port_number(env["PORT"]))
        except ArgumentError as error:
            parser.error(f"environment variable PORT: {error}")
    args = parser.parse_args(argv)
    try:
        return _settings(args)
    except ValueError as error:  # a value each flag accepts alone, refused as a whole
        parser.error(str(error))


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host,
        port=args.port,
        spec_path=args.spec,
        fixtures=tuple(args.fixtures),
        seed=args.seed,
        log_level=args.log_level,
        access_log=args.access_log,
        event_loop=args.event_loop,
        scenario=args.scenario,
        state_file=args.state_file,
        credentials=dict(args.credentials) or None,
        clock_mode=args.clock,
        clock_scale=args.clock_scale,
        clock_start=args.clock_start,
        validate_requests=not args.no_validate_requests,
        validate_responses=not args.no_validate_responses,
        job_timing=JobTiming(args.job_queue_delay, args.job_item_seconds, args.job_portion_size),
        admin_token=args.admin_token,
        allowed_hosts=tuple(args.allowed_host),
        public_url=args.public_url,
        max_tenants=args.max_tenants,
        activity_limit=args.activity_limit,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        keepalive_timeout=args.keepalive_timeout,
    )


def main(argv: Sequence[str] | None = None) -> None:
    settings = parse_settings(argv)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from emulator.server import StartupError, run  # aiohttp and the contract: after the flags

    try:
        run(settings)
    except StartupError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        raise SystemExit(130) from None
    _leave()


def _leave() -> None:
    """Stopped cleanly: the server is closed and the state file saved and closed. Exit without
    freeing the heap object by object, which took 2-3.7 s of a SIGTERM's budget at 200,000
    customers (the stop itself took 5 s)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
