"""Load the OpenAPI document once and turn it into a table of operations with compiled checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from emulator.contract.params import ParamSpec, param_spec
from emulator.contract.schema import SchemaCheck
from emulator.contract.yamltext import parse_yaml

Json = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class SpecError(ValueError):
    pass


def packaged_spec() -> Traversable:
    """The contract shipped inside the package (the repository's openapi/customers.yaml)."""
    return resources.files("emulator.openapi").joinpath("customers.yaml")


def _read(source: Path | Traversable) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec {source}: no such file") from None
    except IsADirectoryError:
        raise SpecError(f"spec {source}: is a folder, not a file") from None
    except OSError as error:
        raise SpecError(f"spec {source}: cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise SpecError(f"spec {source}: not UTF-8 text") from None


def load_document(source: Path | Traversable) -> Json:
    document = parse_yaml(_read(source), f"spec {source}", SpecError)
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecError(f"spec {source}: not an OpenAPI document (no 'paths' mapping)")
    return document


class _Resolver:
    """Inlines every local $ref once; equal refs share one object, so checks compile once."""

    def __init__(self, document: Json) -> None:
        self._document = document
        self._done: dict[str, Any] = {}
        self._active: set[str] = set()

    def target(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise SpecError(f"only local references are supported: {ref}")
        node: Any = self._document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                if ref in self._done:
                    return self._done[ref]
                if ref in self._active:
                    raise SpecError(f"recursive reference {ref} is not supported")
                self._active.add(ref)
                self._done[ref] = self.resolve(self.target(ref))
                self._active.discard(ref)
                return self._done[ref]
            return {key: self.resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        return node


@dataclass(frozen=True)
class Response:
    status: str
    checks: dict[str, SchemaCheck]  # media type -> check; empty when there is no body


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    params: tuple[ParamSpec, ...]
    body_checks: dict[str, SchemaCheck]  # media type -> check
    body_required: bool
    responses: dict[str, Response]

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
    document: Json
    operations: dict[str, Operation]

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


def build_spec(document: Json) -> Spec:
    resolver = _Resolver(document)
    resolved = resolver.resolve(document["paths"])
    cache: dict[int, SchemaCheck] = {}

    def check(schema: Json) -> SchemaCheck:
        key = id(schema)
        if key not in cache:
            cache[key] = SchemaCheck(schema)
        return cache[key]

    operations: dict[str, Operation] = {}
    for path, item in resolved.items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            operation_id = op.get("operationId") or f"{method} {path}"
            merged = {(p["name"], p["in"]): p for p in [*shared, *op.get("parameters", [])]}
            body = op.get("requestBody") or {}
            content = body.get("content", {})
            responses = {
                str(status): Response(
                    str(status),
                    {
                        media: check(m.get("schema", {}))
                        for media, m in r.get("content", {}).items()
                    },
                )
                for status, r in op.get("responses", {}).items()
            }
            operations[operation_id] = Operation(
                operation_id=operation_id,
                method=method.upper(),
                path=path,
                params=tuple(param_spec(p, check(p.get("schema", {}))) for p in merged.values()),
                body_checks={media: check(m.get("schema", {})) for media, m in content.items()},
                body_required=bool(body.get("required", False)),
                responses=responses,
            )
    return Spec(document, operations)


def load_spec(path: Path | None = None) -> Spec:
    """Load and compile a spec: the packaged contract unless a path is given. Whatever is wrong
    with the document surfaces as one SpecError naming it."""
    source = packaged_spec() if path is None else path
    document = load_document(source)
    try:
        return build_spec(document)
    except SpecError as error:
        raise SpecError(f"spec {source}: {error}") from None
    except Exception as error:  # any malformed part: the document is unusable as a contract
        raise SpecError(f"spec {source}: not a usable OpenAPI document ({error!r})") from None
