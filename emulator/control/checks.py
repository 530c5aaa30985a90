"""Checking what control routes receive. The spec does not cover /_emulator, so each route
declares a small JSON schema for its body, compiled once and checked by the same machinery as
the API's bodies: a bad body is a 400 in the vendor's shape naming the field."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from emulator.contract.schema import SchemaCheck
from emulator.control.routes import read_json
from emulator.http.errors import bad_payload, bad_query

Json = dict[str, Any]


def obj(required: tuple[str, ...] = (), **properties: Json) -> Json:
    """An object schema with only these properties."""
    schema: Json = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


class BodyCheck:
    def __init__(self, schema: Json) -> None:
        self._check = SchemaCheck(schema)

    async def read(self, request: web.Request) -> Json:
        """The JSON body, `{}` when there is none; anything the schema refuses is a 400."""
        body = await read_json(request)
        body = {} if body is None else body
        problem = self._check.problem(body)
        if problem is not None or not isinstance(body, dict):
            raise bad_payload(problem.describe() if problem else "Request body must be object")
        return body


def int_query(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise bad_query(f"Property .{name} must be an integer from {low} to {high}")
    return int(text)
