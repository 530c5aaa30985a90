"""The state file (--state-file): every change is saved within about `save_interval` seconds.

The file's format and its reading are in `statelog`. A save takes what changed (cheaply: stored
objects are never changed in place, so it keeps references), serialises it in short slices
between requests, then a worker thread appends and fsyncs it. The file is rewritten whole once
it has grown to twice the size it had after the last rewrite: to a temporary file beside it,
fsync'd and renamed over it; temporary files a crash left behind are removed at start. A tenant
whose records cannot be written is logged, reported in /_emulator/health and skipped; the
others are saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from emulator.control import snapshot
from emulator.control.snapshot import SnapshotError
from emulator.control.statelog import HEADER, Lines, StateFileError, StateReader, line
from emulator.domain.changes import Key
from emulator.domain.store import Tenant, Tenants

log = logging.getLogger("emulator.state")
SLICE_SECONDS = 0.005  # the event loop serialises at most this long before serving others
TICK_SECONDS = 0.05  # how often the saver looks
BATCH_MARKS = 2000  # a save starts before its interval once this many records wait
CHUNK_BYTES = 4 << 20
MIN_REWRITE_BYTES = 16 << 20


Batch = tuple[Tenant, set[Key], list[tuple[str, str, Any]]]


class StateFile:
    def __init__(self, path: Path, tenants: Tenants, interval: float) -> None:
        self.path = path
        self.tenants = tenants
        self.interval = interval
        self._handle: BinaryIO | None = None
        self._size = 0
        self._rewritten_size = 0
        self._lock = asyncio.Lock()  # one save or rewrite at a time, in order
        self._commits = 0
        self._stopping = asyncio.Event()
        self.unsaved: dict[str, str] = {}  # tenant -> why it could not be saved
        self.last_error: str | None = None

    # -- start ------------------------------------------------------------------------------
    def load(self) -> int:
        """Read the file (if any) into the tenants; answer how many were restored."""
        try:
            return self._load()
        except OSError as error:
            raise StateFileError(f"state file {self.path}: {error.strerror or error}") from None

    def _load(self) -> int:
        folder = self.path.parent
        if not folder.is_dir():  # no folder is ever created for it
            raise StateFileError(f"state file {self.path}: folder {folder} does not exist")
        if self.path.is_dir():
            raise StateFileError(f"state file {self.path}: is a folder")
        self._probe(folder)
        self._remove_temporaries()
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._open(rewrite=True)
            return 0
        gc.disable()
        try:
            builders = StateReader(self.path, self.tenants.bare).read()
            for builder in builders.values():
                tenant = builder.build()
                tenant.changes.take()  # on disk already
                self.tenants.put(tenant)
        except SnapshotError as error:
            raise StateFileError(f"state file {self.path}: {error}") from None
        finally:
            gc.enable()
        gc.freeze()  # the restored state lives long: keep the collector from rescanning it
        self.tenants.removed.clear()
        self._open(rewrite=False)
        return len(builders)

    def _probe(self, folder: Path) -> None:
        """At start, not at the first save: the folder takes a new file (tried for real, which
        also catches read-only mounts)."""
        try:
            handle, probe = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=folder)
        except OSError as error:
            reason = error.strerror or str(error)
            message = f"state file {self.path}: cannot write in {folder} ({reason})"
            raise StateFileError(message) from None
        os.close(handle)
        os.unlink(probe)

    def _remove_temporaries(self) -> None:
        for leftover in self.path.parent.glob(f"{self.path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)
            log.warning("removed %s, left behind by an interrupted save", leftover)

    def _open(self, rewrite: bool) -> None:
        if rewrite:
            self._replace_with(orjson.dumps(HEADER) + b"\n")
        self._handle = self.path.open("ab")
        self._size = self._rewritten_size = self.path.stat().st_size

    def _replace_with(self, data: bytes) -> None:
        handle, temporary = tempfile.mkstemp(
            prefix=f"{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # -- while running ----------------------------------------------------------------------
    async def context(self, _app: object) -> AsyncIterator[None]:
        """aiohttp cleanup context: save every `interval`; save what is left at shutdown."""
        task = asyncio.create_task(self._run())
        yield
        self._stopping.set()
        await task  # a save under way finishes (a worker thread cannot be cancelled)
        await self.save()
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    async def _run(self) -> None:
        """Save every `interval`, or sooner once BATCH_MARKS records wait (so no save has to
        take very many at once)."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), TICK_SECONDS)
            waiting = self.tenants.tally.count if self.tenants.tally else 0
            if waiting < BATCH_MARKS and loop.time() - last < self.interval:
                continue
            last = loop.time()
            try:
                await self.save()
                if self._size > max(2 * self._rewritten_size, MIN_REWRITE_BYTES):
                    await self.rewrite()
                self.last_error = None
            except OSError as error:
                self.last_error = f"{type(error).__name__}: {error}"
                log.error("cannot write the state file %s: %s", self.path, error)

    @property
    def pending(self) -> bool:
        """Whether a change is not yet on disk."""
        tally = self.tenants.tally
        return self._lock.locked() or bool(self.tenants.removed) or bool(tally and tally.count)

    def status(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "bytes": self._size, "saves": self._commits,
            "pending": self.pending, "unsaved_tenants": dict(self.unsaved),
            "error": self.last_error,
        }  # fmt: skip

    async def save(self) -> None:
        """Append what changed since the last save, as one committed save."""
        async with self._lock:
            if not self.pending_marks():
                return
            removed, batches = await self._take()
            data = await self._serialise((removed, batches))
            try:
                await asyncio.to_thread(self._append, data)
            except OSError:
                self.tenants.removed.update(removed)  # all of it is saved again next time
                for tenant, keys, _ in batches:
                    tenant.changes.give_back(keys)
                raise

    def pending_marks(self) -> bool:
        tally = self.tenants.tally
        return bool(self.tenants.removed) or bool(tally and tally.count)

    async def _take(self) -> tuple[list[str], list[Batch]]:
        """What changed: each tenant's records taken in one go, so that it is saved as it was
        at one moment (taking is cheap: references to objects never changed in place)."""
        removed, self.tenants.removed = sorted(self.tenants.removed), set()
        batches: list[Batch] = []
        deadline = time.perf_counter() + SLICE_SECONDS
        for tenant in self.tenants.all():
            if not tenant.changes:
                continue
            keys = tenant.changes.take()
            keys.add(("meta", ""))
            try:
                values = [(kind, key, snapshot.record(tenant, kind, key)) for kind, key in keys]
            except Exception as error:  # any failure stays with this tenant
                self._unsaveable(tenant, keys, error)
                continue
            batches.append((tenant, keys, values))
            if time.perf_counter() > deadline:
                await asyncio.sleep(0)  # between tenants: each one is still taken whole
                deadline = time.perf_counter() + SLICE_SECONDS
        return removed, batches

    async def _serialise(self, taken: tuple[list[str], list[Batch]]) -> bytes:
        removed, batches = taken
        out = bytearray(b"".join(line(app_id, "*", "", None) for app_id in removed))
        deadline = time.perf_counter() + SLICE_SECONDS
        for tenant, keys, values in batches:
            start, lines = len(out), Lines(tenant.app_id)
            try:
                for kind, key, value in values:
                    lines.add(out, kind, key, value)
                    if time.perf_counter() > deadline:
                        await asyncio.sleep(0)
                        deadline = time.perf_counter() + SLICE_SECONDS
            except Exception as error:  # whatever fails stays with this tenant
                del out[start:]
                self._unsaveable(tenant, keys, error)
                continue
            if self.unsaved.pop(tenant.app_id, None) is not None:
                log.info("tenant %s is saved again", tenant.app_id)
        self._commits += 1
        return bytes(out + line("", "commit", "", self._commits))

    def _unsaveable(self, tenant: Tenant, keys: set[Key], error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}"
        if self.unsaved.get(tenant.app_id) != reason:
            log.error("tenant %s cannot be saved and is skipped: %s", tenant.app_id, reason)
        self.unsaved[tenant.app_id] = reason
        tenant.changes.give_back(keys)

    def _append(self, data: bytes) -> None:
        """Append a save whole; one that fails (a full disk) is cut off again, so the file
        never keeps part of a line, and the caller tries the save again later."""
        assert self._handle is not None
        try:
            self._handle.write(data)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError:
            with contextlib.suppress(OSError):
                self._handle.truncate(self._size)
            raise
        self._size += len(data)

    async def rewrite(self) -> None:
        """Write the whole state to a new file and rename it over the old one."""
        async with self._lock:
            handle, temporary = tempfile.mkstemp(
                prefix=f"{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
            try:
                with os.fdopen(handle, "wb") as stream:
                    await self._write_all(stream)
                    data = await self._serialise(await self._take())
                    await asyncio.to_thread(_finish, stream, data)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            assert self._handle is not None
            self._handle.close()
            self._handle = self.path.open("ab")
            self._size = self._rewritten_size = self.path.stat().st_size

    async def _write_all(self, stream: BinaryIO) -> None:
        """Every tenant's records, in slices. What was marked before is written with them; what
        changes meanwhile is marked again and saved by the commit that ends the rewrite."""
        stream.write(orjson.dumps(HEADER) + b"\n")
        tenants = self.tenants.all()
        self.tenants.removed.clear()
        for tenant in tenants:
            tenant.changes.take()
        for tenant in tenants:
            start = stream.tell()
            try:
                await self._write_tenant(stream, tenant)
            except Exception as error:  # whatever fails stays with this tenant
                stream.truncate(start)
                stream.seek(start)
                mark_all(tenant, snapshot.records(tenant))  # all of it is due once it can be
                self._unsaveable(tenant, set(), error)

    async def _write_tenant(self, stream: BinaryIO, tenant: Tenant) -> None:
        out = bytearray()
        deadline = time.perf_counter() + SLICE_SECONDS
        lines = Lines(tenant.app_id)
        for count, (kind, key, value) in enumerate(snapshot.records(tenant)):
            lines.add(out, kind, key, value)
            if count % 64 or (len(out) < CHUNK_BYTES and time.perf_counter() < deadline):
                continue
            if len(out) >= CHUNK_BYTES:
                chunk, out = out, bytearray()
                await asyncio.to_thread(stream.write, chunk)  # the disk, off the event loop
            else:
                await asyncio.sleep(0)
            deadline = time.perf_counter() + SLICE_SECONDS
        stream.write(out)


def _finish(stream: BinaryIO, data: bytes) -> None:
    stream.write(data)
    stream.flush()
    os.fsync(stream.fileno())


def mark_all(tenant: Tenant, records: Iterable[tuple[str, str, Any]]) -> None:
    for kind, key, _ in records:
        tenant.changes.mark(kind, key)
