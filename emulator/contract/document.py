"""Reading an OpenAPI document (JSON or YAML) and inlining its local `$ref`s."""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from emulator.contract.doccache import DocumentCache
from emulator.contract.yamltext import parse_yaml

Json = dict[str, Any]


class SpecError(ValueError):
    pass


def parse_document(text: str, source: str) -> Json:
    """JSON is parsed as JSON (30x faster than a YAML parser on the vendor's 3.9 MB file)."""
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError as error:  # JSON's own message
            raise SpecError(f"{source} is not valid JSON or YAML ({error})") from None
    else:
        document = parse_yaml_document(text, source)
    return check_document(document, source)


def parse_yaml_document(text: str, source: str) -> Any:
    return parse_yaml(text, source, SpecError, "JSON or YAML")


def check_document(document: Any, source: str) -> Json:
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise SpecError(f"{source} is not an OpenAPI document (no paths)")
    version = str(document.get("openapi", ""))
    if not version.startswith("3.0"):
        raise SpecError(f"{source} is OpenAPI {version or '(no version)'}; 3.0.x is supported")
    return document


def packaged_spec() -> Traversable:
    """The contract shipped inside the package (the repository's openapi/customers.yaml)."""
    return resources.files("emulator.openapi").joinpath("customers.yaml")


def load_document(path: Path | Traversable, cache: DocumentCache | None = None) -> Json:
    """`cache` keeps a YAML document's parsed form between runs (JSON parses fast enough)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise SpecError(f"cannot read {path}: it is a folder") from None
    except OSError as error:
        raise SpecError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SpecError(f"cannot read {path}: not UTF-8 text") from None
    source = str(path)
    if cache is None or text.lstrip().startswith("{"):
        return parse_document(text, source)
    # A kept copy is checked as a fresh parse is (the cache keeps only dictionaries).
    return check_document(cache.load(text, lambda text: parse_yaml_document(text, source)), source)


def pointer(ref: str) -> list[str]:
    if not ref.startswith("#/"):
        raise SpecError(f"only local references are supported: {ref}")
    return [part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/")]


class Resolver:
    """Inlines every local $ref once; equal refs share one object, so checks compile once.

    A recursive reference becomes a cycle in the resulting structure (the node is registered
    before its children are resolved), which the validators handle: they follow the instance,
    and an instance is finite.
    """

    def __init__(self, document: Json) -> None:
        self._document = document
        self._done: dict[str, Any] = {}
        # Plain nodes already resolved, by id: a node reached twice (or a schema that a repair
        # placed in the document already resolved, cycles included) is resolved once. The
        # node itself is kept with its result, so that its id cannot be reused meanwhile.
        self._nodes: dict[int, tuple[Any, Any]] = {}

    def target(self, ref: str) -> Any:
        node: Any = self._document
        try:
            for part in pointer(ref):
                node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise SpecError(f"unresolvable reference {ref}") from None
        return node

    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self._ref(ref)
            done = self._nodes.get(id(node))
            if done is not None and done[0] is node:
                return done[1]
            result: Json = {}
            self._nodes[id(node)] = (node, result)
            result.update({key: self.resolve(value) for key, value in node.items()})
            return result
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        return node

    def _ref(self, ref: str) -> Any:
        if ref in self._done:
            return self._done[ref]
        raw = self.target(ref)
        if isinstance(raw, dict) and not isinstance(raw.get("$ref"), str):
            shell: Json = {}
            self._done[ref] = shell  # visible to the children: a cycle closes on it
            shell.update({key: self.resolve(value) for key, value in raw.items()})
            return shell
        if isinstance(raw, dict):  # a reference to a reference
            self._done[ref] = {}  # a placeholder, in case the chain loops
            if raw["$ref"] == ref:
                raise SpecError(f"reference {ref} points at itself")
        self._done[ref] = self.resolve(raw)
        return self._done[ref]
