"""What a handler receives and returns. Plain data: handlers never see aiohttp."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.domain.store import Tenant

Json = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart/form-data body."""

    filename: str
    content_type: str
    data: bytes


Form = dict[str, "Upload | str"]


@dataclass(frozen=True)
class Call:
    tenant: Tenant
    params: Json  # path and query parameters, typed by the spec
    body: Any = None  # parsed JSON, a Form, or None
    base_url: str = ""  # scheme://host the client used, for links such as report URLs
    # The Prefer header's choices (code=404, example=NAME), for example-backed operations.
    prefer: Mapping[str, str] = field(default_factory=dict)

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


JSON = "application/json"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    media: str = JSON  # a str body with another media type is sent as text


Handler = Callable[[Call], Reply]


def ok(body: Any) -> Reply:
    return Reply(200, body)
