"""Reading a request body exactly once: size limit, content type, JSON or multipart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from emulator.contract.spec import Operation
from emulator.control.journal import clip
from emulator.http.errors import PayloadTooLarge, bad_payload, unsupported_media
from emulator.http.keys import BODY_SEEN
from emulator.routes.calls import Form, Upload

JSON_TYPES = ("application/json",)
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"  # the vendor's OAuth token operations


def media_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Body:
    """What a request carried: `present` tells JSON `null` from no body at all."""

    present: bool = False
    value: Any = None
    media: str = ""


async def read_body(request: web.Request, op: Operation, limit: int) -> Body:
    """The parsed body; absent for an operation without one (its body is never read)."""
    if not op.has_body:
        return Body()
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(limit)
    media = media_type(request)
    if media == MULTIPART and media in op.body_checks:
        form = await _read_form(request, limit)
        request[BODY_SEEN] = describe_form(form)
        return Body(True, form, media)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(limit) from None
    request[BODY_SEEN] = clip(raw.decode("utf-8", errors="replace"))
    if not raw.strip():
        if op.body_required:
            raise bad_payload("Request body is required")
        return Body(media=media)
    if media not in op.body_checks:
        raise unsupported_media(media, sorted(op.body_checks))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_payload("Request body is not valid UTF-8") from None
    if media == URLENCODED:
        return Body(True, dict(parse_qsl(text, keep_blank_values=True)), media)
    try:
        return Body(True, json.loads(text), media)
    except ValueError as error:
        raise bad_payload(f"Invalid JSON: {error}") from None


async def read_form(request: web.Request, limit: int) -> Form:
    """A multipart/form-data body outside the spec's operations (control routes)."""
    media = media_type(request)
    if media != MULTIPART:
        raise unsupported_media(media, [MULTIPART])
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(limit)
    return await _read_form(request, limit)


async def _read_form(request: web.Request, limit: int) -> Form:
    form: Form = {}
    total = 0
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise bad_payload("Nested multipart bodies are not supported")
            data = bytearray()
            while chunk := await part.read_chunk(65536):
                total += len(chunk)
                if total > limit:
                    raise PayloadTooLarge(limit)
                data.extend(chunk)
            name = part.name or ""
            if part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                form[name] = Upload(part.filename, content_type, bytes(data))
            else:
                form[name] = data.decode("utf-8", errors="replace")
    except (ValueError, AssertionError, RuntimeError, HttpProcessingError) as error:
        reason = getattr(error, "message", None) or str(error)
        raise bad_payload(f"Malformed multipart/form-data body: {reason}") from None
    return form


def describe_form(form: Form) -> str:
    parts = [
        f"{name}: {value.filename} ({value.content_type}, {len(value.data)} bytes)"
        if isinstance(value, Upload) else f"{name}: {clip(value)}"
        for name, value in form.items()
    ]  # fmt: skip
    return "multipart/form-data; " + "; ".join(parts)


def form_instance(form: Form) -> dict[str, str]:
    """What the schema sees of a form: file parts stand for themselves by name."""
    return {
        name: value.filename if isinstance(value, Upload) else value for name, value in form.items()
    }
