"""Reading a request body exactly once: size limit, content type, strict JSON or multipart.

The size limit counts the body's bytes the same way whatever its framing: a Content-Length over
the limit is refused before reading, and a chunked body is refused as soon as the bytes received
pass it (multipart included: its boundaries and part headers count, as they do in a
Content-Length).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from emulator.contract import strictjson
from emulator.contract.spec import Operation
from emulator.contract.strictjson import clean_text
from emulator.control.journal import clip, kept
from emulator.http.errors import PayloadTooLarge, bad_payload, request_timeout, unsupported_media
from emulator.http.keys import facts
from emulator.routes.calls import Form, Upload

T = TypeVar("T")
JSON_TYPES = ("application/json",)
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"  # the vendor's OAuth token operations


def media_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


class Body(NamedTuple):
    """What a request carried: `present` tells JSON `null` from no body at all (a tuple: made
    on every request with a body)."""

    present: bool = False
    value: Any = None
    media: str = ""


async def read_body(request: web.Request, op: Operation, limit: int, timeout: float) -> Body:
    """The parsed body; absent for an operation without one (its body is never read)."""
    if not op.has_body:
        return Body()
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(limit)
    media = media_type(request)
    if media == MULTIPART and media in op.body_checks:
        form = await within(timeout, _read_form(request, limit))
        facts(request).body_seen = describe_form(form)
        return Body(True, form, media)
    raw = await read_raw(request, limit, timeout)
    facts(request).body_seen = kept(raw)
    if not raw.strip():
        if op.body_required:
            raise bad_payload("Request body is required")
        return Body(media=media)
    if media not in op.body_checks:
        raise unsupported_media(media, sorted(op.body_checks))
    if media == URLENCODED:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_payload("Request body is not valid UTF-8") from None
        return Body(True, dict(parse_qsl(text, keep_blank_values=True)), media)
    try:
        return Body(True, strictjson.loads(raw), media)
    except strictjson.JsonError as error:
        raise bad_payload(str(error)) from None


async def within(timeout: float, reading: Awaitable[T]) -> T:
    """A body that stalls longer than `timeout` seconds is a 408, and its connection closes."""
    try:
        async with asyncio.timeout(timeout):
            return await reading
    except TimeoutError:
        raise request_timeout(f"The request body did not arrive within {timeout:g} s") from None


async def read_raw(request: web.Request, limit: int, timeout: float) -> bytes:
    """The whole body, at most `limit` bytes, within `timeout` seconds."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(limit)
    content = request.content
    try:
        if content.is_eof():  # all of it is here already: nothing to wait for or time
            # (taken as it lies: request.read() awaits twice and copies it twice)
            raw = content.read_nowait()
            if len(raw) > limit:  # a chunked body: no Content-Length said so before
                raise PayloadTooLarge(limit)
            return raw
        return await within(timeout, request.read())
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(limit) from None


async def read_form(request: web.Request, limit: int, timeout: float = 60.0) -> Form:
    """A multipart/form-data body outside the spec's operations (control routes)."""
    media = media_type(request)
    if media != MULTIPART:
        raise unsupported_media(media, [MULTIPART])
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(limit)
    return await within(timeout, _read_form(request, limit))


async def _read_form(request: web.Request, limit: int) -> Form:
    form: Form = {}
    content = request.content

    def check() -> None:
        if content.total_bytes > limit:
            raise PayloadTooLarge(limit)

    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            check()
            if not isinstance(part, BodyPartReader):
                raise bad_payload("Nested multipart bodies are not supported")
            data = bytearray()
            while chunk := await part.read_chunk(65536):
                check()
                data.extend(chunk)
            name = clean_text(part.name or "")
            if part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                filename, content_type = clean_text(part.filename), clean_text(content_type)
                form[name] = Upload(filename, content_type, bytes(data))
            else:
                form[name] = data.decode("utf-8", errors="replace")
        while not content.at_eof():  # the epilogue counts too
            await content.readany()
            check()
    except web.HTTPRequestEntityTooLarge:
        raise PayloadTooLarge(limit) from None
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
