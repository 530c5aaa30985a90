"""A parsed YAML document kept between runs, so that a start does not parse the contract again.

Parsing `openapi/customers.yaml` takes about 60 ms (libyaml builds the events, Python the
objects); reading back its marshal copy takes under 1 ms. The YAML file stays the source of
truth: a copy is found by the digest of the document's text, of the Python version and of the
installed YAML parser, so a changed document (or parser) never meets an old copy. A copy is
checked before it is used (its own digest, then marshal, then the caller's checks); whatever is
wrong with it, or with the folder, means parsing the text as if there were no cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = b"voucherify-emulator parsed document 1\n"
KEEP = 8  # copies kept in the folder; older ones are removed when a new one is written
SUFFIX = ".marshal"
_DIGEST = hashlib.sha256().digest_size


def user_cache_folder(env: Mapping[str, str] | None = None) -> Path | None:
    """$XDG_CACHE_HOME/voucherify-emulator, else ~/.cache/voucherify-emulator (a relative
    XDG_CACHE_HOME is ignored, as the XDG specification says). None when there is no home
    folder to find (no HOME, a uid the password database does not know: expanduser leaves
    "~" as it is, and the copies would land in the working folder)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "voucherify-emulator"


def _parser_identity() -> bytes:
    """Which YAML parser would read the text: its installed files, without importing it."""
    spec = importlib.util.find_spec("yaml")
    origin = spec.origin if spec is not None and spec.origin else ""
    try:
        found = os.stat(origin)
    except OSError:
        return origin.encode()
    return f"{origin} {found.st_size} {found.st_mtime_ns}".encode()


@dataclass(frozen=True)
class DocumentCache:
    folder: Path

    def key(self, text: str) -> bytes:
        digest = hashlib.sha256(FORMAT)
        for part in (sys.version.encode(), bytes([marshal.version]), _parser_identity()):
            digest.update(part + b"\0")
        digest.update(text.encode("utf-8"))
        return digest.digest()

    def load(self, text: str, parse: Callable[[str], Any]) -> Any:
        """`parse(text)`, or the copy a run before this one kept of its result."""
        key = self.key(text)
        path = self.folder / f"{key.hex()[:32]}{SUFFIX}"
        found = self._read(path, key)
        if found is not None:
            return found
        document = parse(text)
        self._write(path, key, document)  # before the caller changes it: repairs work in place
        return document

    @staticmethod
    def _read(path: Path, key: bytes) -> Any:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head = len(FORMAT) + 2 * _DIGEST
        if data[: len(FORMAT)] != FORMAT or data[len(FORMAT) : len(FORMAT) + _DIGEST] != key:
            return None
        payload = data[head:]
        if hashlib.sha256(payload).digest() != data[head - _DIGEST : head]:
            return None  # truncated or damaged
        try:
            document = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        return document if isinstance(document, dict) else None

    def _write(self, path: Path, key: bytes, document: Any) -> None:
        try:
            payload = marshal.dumps(document)
        except ValueError:  # something marshal cannot keep, e.g. a YAML date: no copy
            return
        data = FORMAT + key + hashlib.sha256(payload).digest() + payload
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
                os.replace(temporary, path)  # readers see the whole copy or none
            except BaseException:
                os.unlink(temporary)
                raise
            self._prune(path)
        except OSError:  # a folder that cannot be made or written: parse every time
            return

    def _prune(self, kept: Path) -> None:
        copies = sorted(
            (entry.stat().st_mtime_ns, entry)
            for entry in self.folder.glob(f"*{SUFFIX}")
            if entry != kept
        )
        for _, entry in copies[: max(0, len(copies) - (KEEP - 1))]:
            entry.unlink(missing_ok=True)
