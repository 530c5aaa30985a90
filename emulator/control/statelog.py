"""The state file's format: an append-only log of records, each save ended by a commit line,
and reading it back (up to the last commit; a save a crash cut short is ignored).

    {"format":"voucherify-emulator-state","version":2}      the header
    ["tenant","customer","cust_..."]<TAB>{...}              a record (null: it is gone)
    ["tenant","*",""]<TAB>null                              the tenant is gone
    ["","commit",""]<TAB>17                                 the save before this line is whole

A snapshot document (GET /_emulator/state) is also read as a starting state.
"""

from __future__ import annotations

import logging
import mmap
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from emulator.control import snapshot
from emulator.control.snapshot import Builder, SnapshotError
from emulator.domain.store import Tenant

log = logging.getLogger("emulator.state")
HEADER = {"format": "voucherify-emulator-state", "version": snapshot.VERSION}
COMMIT = b'\n["","commit",""]\t'


class StateFileError(Exception):
    """The state file cannot be used; the message is one line naming the file and the problem."""


def line(app_id: str, kind: str, key: str, value: Any) -> bytes:
    out = bytearray()
    Lines(app_id).add(out, kind, key, value)
    return bytes(out)


class Lines:
    """Appends one tenant's record lines to a buffer (the same bytes as `line`, faster)."""

    def __init__(self, app_id: str) -> None:
        head = b"[" + orjson.dumps(app_id) + b',"'
        kinds = (*snapshot.KINDS, "*", "commit")
        self._prefixes = {kind: head + kind.encode() + b'",' for kind in kinds}

    def add(self, out: bytearray, kind: str, key: str, value: Any) -> None:
        out += self._prefixes[kind]
        out += orjson.dumps(key)
        out += b"]\t"
        out += orjson.dumps(snapshot.stored(value))
        out += b"\n"


class StateReader:
    """Reads a state file into tenant builders; `bare` makes an empty tenant to fill."""

    def __init__(self, path: Path, bare: Callable[[str], Tenant]) -> None:
        self.path = path
        self._bare = bare

    def read(self) -> dict[str, Builder]:
        try:
            with self.path.open("rb") as stream:
                first = stream.readline()
                if not first.startswith(b'{"format"'):
                    return self._read_document(first + stream.read())
                try:
                    header = _json(first)
                except ValueError:
                    header = None
                if header != HEADER:
                    raise StateFileError(f"state file {self.path}: not a version-2 state file")
                return self._read_lines(stream)
        except OSError as error:
            raise StateFileError(f"state file {self.path}: {error.strerror}") from None

    def _read_document(self, data: bytes) -> dict[str, Builder]:
        """A snapshot document (GET /_emulator/state) as a starting state."""
        try:
            tenants = snapshot.check_document(orjson.loads(data))
        except (orjson.JSONDecodeError, SnapshotError) as error:
            raise StateFileError(
                f"state file {self.path}: not a JSON state file or snapshot ({error})"
            ) from None
        builders = {}
        for app_id, grouped in tenants.items():
            builder = builders[app_id] = Builder(self._bare(app_id))
            snapshot.fill(builder, grouped)
        return builders

    def _read_lines(self, stream: BinaryIO) -> dict[str, Builder]:
        """Every record up to the last commit line (a save cut short by a crash is ignored)."""
        end = _last_commit(stream)
        builders: dict[str, Builder] = {}
        number = 1
        while stream.tell() < end:
            raw = stream.readline()
            number += 1
            app_id, kind, key, value = self._record(raw, number)
            if kind == "commit":
                continue
            if kind == "*":
                builders.pop(app_id, None)
                continue
            builder = builders.get(app_id)
            if builder is None:
                builder = builders[app_id] = Builder(self._bare(app_id))
            builder.add(kind, key, value)
        self._check_tail(stream, number)
        return builders

    def _record(self, raw: bytes, number: int) -> tuple[str, str, str, Any]:
        head, _, body = raw.partition(b"\t")
        try:
            app_id, kind, key = _json(head)
            return app_id, kind, key, _json(body)
        except (ValueError, TypeError):
            raise StateFileError(f"state file {self.path}: line {number} is corrupt") from None

    def _check_tail(self, stream: BinaryIO, number: int) -> None:
        """Past the last commit there may be a save a crash cut short: whole lines of records,
        then perhaps part of one. Anything else is damage."""
        tail = stream.readlines()
        for offset, raw in enumerate(tail, start=number + 1):
            if raw.endswith(b"\n"):
                self._record(raw, offset)
        if tail:
            log.warning("state file %s: ignoring a save cut short by a crash", self.path)


def _last_commit(stream: BinaryIO) -> int:
    """Where the last commit line ends (0: there is none)."""
    start = stream.tell()
    with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view:
        limit = len(view)
        while (at := view.rfind(COMMIT, 0, limit)) >= start - 1:
            newline = view.find(b"\n", at + 1)
            if newline >= 0:
                return newline + 1
            limit = at  # the commit line itself was cut short
        return start


def _json(data: bytes) -> Any:
    return orjson.loads(data)
