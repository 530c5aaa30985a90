"""Load the OpenAPI document once, repair what a vendor document needs, and turn it into a
table of operations with compiled checks and ready examples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.contract.doccache import DocumentCache, user_cache_folder
from emulator.contract.document import Resolver, SpecError, load_document, packaged_spec
from emulator.contract.example_repairs import ExampleRepairs
from emulator.contract.fastcheck import Compiler
from emulator.contract.params import ParamSpec, param_spec
from emulator.contract.recorded_repairs import repair_recorded
from emulator.contract.repairs import (
    METHODS,
    repair_date_params,
    repair_responses,
    repair_schemas,
    repair_servers,
)
from emulator.contract.report import SpecReport
from emulator.contract.routes import mark_shared_routes
from emulator.contract.samples import Samples
from emulator.contract.schema import SchemaCheck
from emulator.contract.security import KeyPair, security_of

Json = dict[str, Any]
__all__ = ["Operation", "Response", "Spec", "SpecError", "build_spec", "load_spec"]


@dataclass(frozen=True)
class Response:
    status: str
    checks: dict[str, SchemaCheck]  # media type -> check; empty when there is no body
    examples: dict[str, Any] = field(default_factory=dict)  # name -> value, for `media`
    media: str = ""  # the media type answered (JSON when declared)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    params: tuple[ParamSpec, ...]
    body_checks: dict[str, SchemaCheck]  # media type -> check
    body_required: bool
    responses: dict[str, Response]
    key_pairs: tuple[KeyPair, ...] = (KeyPair("X-App-Id", "X-App-Token"),)
    bearer: bool = True  # an Authorization: Bearer token is accepted too
    # Query parameters that select this operation when another shares its method and path
    # shape (the vendor's GET /v1/exports/{id} and its download twin); empty: the fallback.
    selector: tuple[str, ...] = ()

    @property
    def has_body(self) -> bool:
        return bool(self.body_checks)

    def response(self, status: int) -> Response | None:
        text = str(status)
        return (
            self.responses.get(text)
            or self.responses.get(f"{text[0]}XX")
            or (self.responses.get("default"))
        )


@dataclass(frozen=True)
class Spec:
    document: Json  # as repaired
    operations: dict[str, Operation]
    report: SpecReport = field(default_factory=SpecReport)
    samples: Samples = field(default_factory=Samples)  # bodies of example-backed answers

    @property
    def check_count(self) -> int:
        checks: set[int] = set()
        for op in self.operations.values():
            checks.update(id(p.check) for p in op.params)
            checks.update(id(c) for c in op.body_checks.values())
            for response in op.responses.values():
                checks.update(id(c) for c in response.checks.values())
        return len(checks)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations.values())


class _Checks:
    """One SchemaCheck per distinct (resolved) schema object."""

    def __init__(self) -> None:
        self._cache: dict[int, SchemaCheck] = {}
        self._compiler = Compiler()

    def __call__(self, schema: Json) -> SchemaCheck:
        key = id(schema)
        if key not in self._cache:
            self._cache[key] = SchemaCheck(schema, self._compiler)
        return self._cache[key]


def _response(status: str, raw: Json, check: _Checks) -> Response:
    content = raw.get("content") or {}
    checks = {media: check(m.get("schema", {})) for media, m in content.items()}
    media = "application/json" if "application/json" in content else next(iter(content), "")
    examples: dict[str, Any] = {}
    chosen = content.get(media) or {}
    if "example" in chosen:
        examples["example"] = chosen["example"]
    for name, entry in (chosen.get("examples") or {}).items():
        if isinstance(entry, dict) and "value" in entry:
            examples[str(name)] = entry["value"]
    return Response(status, checks, examples, media)


def _operation(method: str, path: str, op: Json, shared: list[Json], ctx: _Context) -> Operation:
    merged = {(p["name"], p["in"]): p for p in [*shared, *op.get("parameters", [])]}
    body = op.get("requestBody") or {}
    content = body.get("content", {})
    pairs, bearer = security_of(op.get("security", ctx.security), ctx.schemes)
    return Operation(
        operation_id=op.get("operationId") or f"{method} {path}",
        method=method.upper(),
        path=path,
        params=tuple(param_spec(p, ctx.check(p.get("schema", {}))) for p in merged.values()),
        body_checks={media: ctx.check(m.get("schema", {})) for media, m in content.items()},
        body_required=bool(body.get("required", False)),
        responses={
            str(status): _response(str(status), r, ctx.check)
            for status, r in op.get("responses", {}).items()
        },
        key_pairs=pairs,
        bearer=bearer,
    )


@dataclass
class _Context:
    security: Any
    schemes: Json
    check: _Checks = field(default_factory=_Checks)


def repair(document: Json) -> tuple[Resolver, SpecReport]:
    """Every load-time repair, in order: the document, its schemas, then its examples."""
    report = SpecReport()
    resolver = Resolver(document)
    repair_servers(document, report)
    repair_recorded(document, report)
    repair_schemas(document, resolver, report)
    repair_date_params(document, resolver, report)
    repair_responses(document, resolver, report)
    ExampleRepairs(resolver, report).run(document)
    return resolver, report


def build_spec(document: Json) -> Spec:
    resolver, report = repair(document)
    resolved = resolver.resolve(document["paths"])
    schemes = resolver.resolve((document.get("components") or {}).get("securitySchemes") or {})
    ctx = _Context(document.get("security"), schemes)
    operations: dict[str, Operation] = {}
    for path, item in resolved.items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            built = _operation(method, path, op, item.get("parameters", []), ctx)
            if built.operation_id in operations:
                raise SpecError(f"operationId {built.operation_id} is used twice")
            operations[built.operation_id] = built
    return Spec(document, mark_shared_routes(operations, report), report)


def load_spec(path: Path | None = None, cache: DocumentCache | None = None) -> Spec:
    """Load and compile a spec: the contract shipped in the package unless a path is given.
    A YAML document's parsed form is kept in `cache` (default: the user's cache folder).
    Whatever is wrong with the document surfaces as one SpecError naming it."""
    source = packaged_spec() if path is None else path
    if cache is None:
        folder = user_cache_folder()
        cache = None if folder is None else DocumentCache(folder)
    document = load_document(source, cache)
    try:
        return build_spec(document)
    except SpecError as error:
        raise SpecError(f"spec {source}: {error}") from None
    except Exception as error:  # any malformed part: the document is unusable as a contract
        raise SpecError(f"spec {source}: not a usable OpenAPI document ({error!r})") from None
