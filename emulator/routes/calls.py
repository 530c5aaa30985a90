"""What a handler receives and returns. Plain data: handlers never see aiohttp."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from emulator.domain.csvio import CsvError, CsvTable, read_csv
from emulator.domain.store import Tenant

Json = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart/form-data body."""

    filename: str
    content_type: str
    data: bytes
    _parsed: list[CsvTable | CsvError] = field(default_factory=list, compare=False, repr=False)

    def table(self) -> CsvTable:
        """The file read as CSV (once: `prepare` may do it ahead, off the event loop)."""
        if not self._parsed:
            try:
                self._parsed.append(read_csv(self.data))
            except CsvError as error:
                self._parsed.append(error)
        parsed = self._parsed[0]
        if isinstance(parsed, CsvError):
            raise parsed
        return parsed


def prepare(form: dict[str, Upload | str]) -> None:
    """Read every uploaded file as CSV now, so a handler finds it read (errors included)."""
    for value in form.values():
        if isinstance(value, Upload):
            with suppress(CsvError):  # kept: the handler raises it as the import's error
                value.table()


Form = dict[str, "Upload | str"]


EMPTY: Mapping[str, str] = MappingProxyType({})  # no query, no Prefer choices


class Call(NamedTuple):
    """One call of a handler (a tuple: made on every request, and cheaper than a frozen
    dataclass)."""

    tenant: Tenant
    params: Json  # path and query parameters, typed by the spec
    body: Any = None  # parsed JSON, a Form, or None
    base_url: str = ""  # where clients reach the emulator, for links such as report URLs
    # The Prefer header's choices (code=404, example=NAME), for example-backed operations.
    prefer: Mapping[str, str] = EMPTY

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


JSON = "application/json"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    media: str = JSON  # a str body with another media type is sent as text
    # The key of `body` whose list holds stored objects (Viewable) in place of their public
    # objects: the HTTP layer builds, checks and serialises each once per version.
    views: str | None = None


class Viewable(Protocol):
    """A stored object whose public object is built on demand."""

    @property
    def version(self) -> object:
        """The same object (by identity) for as long as `data` would build the same object,
        and a new one whenever it may not."""

    @property
    def data(self) -> Json:
        """The public object (a new dict each time)."""


Handler = Callable[[Call], Reply]
# A business rule the vendor applies before schema validation; raises a DomainError.
Precheck = Callable[[Any], None]


def ok(body: Any) -> Reply:
    return Reply(200, body)
