"""The request journal: a bounded record of API requests and what the emulator answered,
so a failing test can show exactly what its client sent."""

from __future__ import annotations

import itertools
from collections import deque
from datetime import datetime
from typing import Any, NamedTuple

from emulator.jobs.clock import iso

Json = dict[str, Any]
BODY_LIMIT = 4096  # characters of each body kept


def clip(text: str) -> str:
    if len(text) <= BODY_LIMIT:
        return text
    return text[:BODY_LIMIT] + f"... ({len(text) - BODY_LIMIT} more characters)"


Body = str | bytes | None


# A body up to this many bytes is kept as it came, and clipped only when read: most entries
# never are, and copying (then decoding) 4,096 of a list page's 6,700 bytes on every request
# cost more than the rest of recording it.
KEPT_WHOLE = 2 * BODY_LIMIT


def kept(body: bytes) -> str | bytes:
    """A body as the journal keeps it: up to KEPT_WHOLE bytes as it came (shown clipped), a
    longer one clipped now."""
    if len(body) <= KEPT_WHOLE:
        return body
    if body.isascii():  # one character a byte: clip without decoding the whole
        return body[:BODY_LIMIT].decode("ascii") + f"... ({len(body) - BODY_LIMIT} more characters)"
    return clip(body.decode("utf-8", errors="replace"))


def text(body: Body) -> str | None:
    """A kept body as shown: at most BODY_LIMIT characters and a note of how many more."""
    return clip(body.decode("utf-8", errors="replace")) if isinstance(body, bytes) else body


class Entry(NamedTuple):  # a tuple: made on every request, and 3x cheaper than a frozen dataclass
    id: int
    at: datetime
    tenant: str | None
    method: str
    path: str
    query: str
    operation: str | None
    handler: str | None  # stateful, or example (answered from the spec's examples)
    request_body: Body
    status: int
    response_body: Body
    duration_ms: float
    outcome: str  # ok, request_rejected, contract_violation, fault:<kind>, error

    def view(self) -> Json:
        view = self._asdict()
        view["at"] = iso(self.at)
        view["duration_ms"] = round(self.duration_ms, 3)  # rounded when shown, not per request
        view["request_body"] = text(self.request_body)
        view["response_body"] = text(self.response_body)
        return view


_new = tuple.__new__


class Journal:
    def __init__(self, size: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)

    @property
    def size(self) -> int:
        return self._entries.maxlen or 0

    def record(self, *fields: Any) -> None:
        """An entry of `fields` in Entry's order after `id` (positional: on every request)."""
        # tuple.__new__: an Entry without NamedTuple's Python-level __new__ (half the cost)
        self._entries.append(_new(Entry, (next(self._ids), *fields)))

    def query(
        self,
        tenant: str | None = None,
        method: str | None = None,
        path: str | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Newest first; `path` matches a prefix of the request path."""
        found = []
        for entry in reversed(self._entries):
            if tenant is not None and entry.tenant != tenant:
                continue
            if method is not None and entry.method != method.upper():
                continue
            if path is not None and not entry.path.startswith(path):
                continue
            found.append(entry)
            if limit is not None and len(found) >= limit:
                break
        return found

    def clear(self, tenant: str | None = None) -> int:
        before = len(self._entries)
        if tenant is None:
            self._entries.clear()
        else:
            kept = [entry for entry in self._entries if entry.tenant != tenant]
            self._entries.clear()
            self._entries.extend(kept)
        return before - len(self._entries)
