"""Spec drift: what a vendor document says differently from the project's contract.

Both documents are reduced to facts, one line each: an operation, a parameter, a declared
status, a field of a request or response body (type, format, nullability, enum, required).
The drift is the facts only one side has, less the differences already accepted (a baseline
file, `openapi/drift-baseline.txt`: our listed deviations and the vendor operations the
emulator does not cover), so a new vendor release is a short diff to read.

    python -m emulator.contract.drift VENDOR.json [--ours openapi/customers.yaml]
        [--baseline openapi/drift-baseline.txt] [--write-baseline]

Exit status 0 without new drift, 1 with it, 2 when a document cannot be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from emulator.contract.document import Resolver, SpecError, load_document, packaged_spec
from emulator.contract.repairs import operations

Json = dict[str, Any]
# Shipped beside the contract (openapi/ in a checkout), so an installed package compares too.
BASELINE = Path(str(resources.files("emulator.openapi").joinpath("drift-baseline.txt")))
MAX_DEPTH = 12


def _describe(schema: Json, required: bool) -> str:
    parts = [str(schema.get("type", "any"))]
    for key in ("format", "minimum", "maximum", "minItems", "maxItems"):
        if key in schema:
            parts.append(f"{key}={schema[key]}")
    if "enum" in schema:
        parts.append("enum=" + "|".join(sorted(map(str, schema["enum"]))))
    if schema.get("nullable"):
        parts.append("nullable")
    if required:
        parts.append("required")
    return " ".join(parts)


def _fields(
    schema: Any, where: str, required: bool, depth: int = 0, inherited: frozenset[str] = frozenset()
) -> Iterator[str]:
    """`.a.b[]: type ...` for the schema and every field under it; the branches of
    allOf / anyOf / oneOf all contribute (a field any branch has is a field)."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return
    if any(key in schema for key in ("type", "enum", "format")):
        yield f"{where or '(body)'}: {_describe(schema, required)}"
    needed = inherited | frozenset(schema.get("required") or [])
    for name, sub in (schema.get("properties") or {}).items():
        yield from _fields(sub, f"{where}.{name}", name in needed, depth + 1)
    yield from _fields(schema.get("items"), f"{where}[]", False, depth + 1)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _fields(extra, f"{where}{{*}}", False, depth + 1)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(keyword) or []:
            yield from _fields(part, where, required, depth + 1, needed)


def _op_facts(method: str, path: str, op: Json, item: Json) -> Iterator[str]:
    label = f"{method.upper()} {path}"
    yield f"operation {label} {op.get('operationId')}"
    for param in [*item.get("parameters", []), *op.get("parameters", [])]:
        schema = param.get("schema") or {}
        yield f"parameter {label} {param.get('in')} {param.get('name')}: " + _describe(
            schema, bool(param.get("required"))
        )
    body = op.get("requestBody") or {}
    for media, content in (body.get("content") or {}).items():
        yield f"request {label} {media}" + (" required" if body.get("required") else "")
        for fact in _fields(content.get("schema"), "", False):
            yield f"field {label} request {fact}"
    for status, response in (op.get("responses") or {}).items():
        media_types = sorted(response.get("content") or {})
        yield f"status {label} {status} {' '.join(media_types) or '(no body)'}"
        for content in (response.get("content") or {}).values():
            for fact in _fields(content.get("schema"), "", False):
                yield f"field {label} {status} {fact}"


def facts(document: Json, scope: Json | None = None) -> set[str]:
    """The document's facts. With `scope` (the other document): only its operations under
    the same path roots, and of those it lacks, only that they exist."""
    resolved = {"paths": Resolver(document).resolve(document.get("paths") or {})}
    found: set[str] = set()
    if scope is None:
        for method, path, op, item in operations(resolved):
            found.update(_op_facts(method, path, op, item))
        return found
    roots, theirs = scope_of(scope), scope.get("paths") or {}
    for method, path, op, item in operations(resolved):
        if method in theirs.get(path, {}):
            found.update(_op_facts(method, path, op, item))
        elif any(path == root or path.startswith(root + "/") for root in roots):
            found.add(f"operation {method.upper()} {path} {op.get('operationId')}")
    return found


def scope_of(document: Json) -> list[str]:
    """Our paths' roots (/v1/customers, /v1/async-actions, /v1/campaigns): the vendor's
    operations under them are compared, so a new customers operation shows up."""
    return sorted({"/".join(path.split("/")[:3]) for path in document.get("paths") or {}})


@dataclass(frozen=True)
class Drift:
    added: list[str]  # the vendor says it, we do not (and it is not accepted)
    removed: list[str]  # we say it, the vendor does not (and it is not accepted)
    stale: list[str]  # accepted differences that no longer differ

    @property
    def new(self) -> bool:
        return bool(self.added or self.removed)


def _statuses(found: set[str]) -> set[tuple[str, ...]]:
    return {tuple(fact.split(" ", 4)[1:4]) for fact in found if fact.startswith("status ")}


def _without_fields_of(found: set[str], statuses: set[tuple[str, ...]]) -> set[str]:
    """Drop the field facts of statuses only one side declares: the status says it all."""
    return {
        fact for fact in found
        if not fact.startswith("field ") or tuple(fact.split(" ", 4)[1:4]) not in statuses
    }  # fmt: skip


def differences(ours: Json, vendor: Json) -> set[str]:
    """`+ fact` for what only the vendor says, `- fact` for what only we say."""
    mine, theirs = facts(ours), facts(vendor, ours)
    one_sided = _statuses(mine) ^ _statuses(theirs)
    mine, theirs = _without_fields_of(mine, one_sided), _without_fields_of(theirs, one_sided)
    return {f"+ {fact}" for fact in theirs - mine} | {f"- {fact}" for fact in mine - theirs}


def _glob(line: str) -> re.Pattern[str]:
    """Only `*` is special (field paths are full of brackets)."""
    return re.compile(".*".join(re.escape(part) for part in line.split("*")) + r"\Z")


def compare(ours: Json, vendor: Json, accepted: set[str]) -> Drift:
    """`accepted` lines may be globs (`*`), for a whole subtree we deliberately leave out."""
    found = differences(ours, vendor)
    globs = {line: _glob(line) for line in accepted if "*" in line}
    exact = accepted - set(globs)
    new = {d for d in found - exact if not any(g.match(d) for g in globs.values())}
    unused = {line for line, g in globs.items() if not any(g.match(d) for d in found)}
    return Drift(
        added=sorted(d for d in new if d.startswith("+")),
        removed=sorted(d for d in new if d.startswith("-")),
        stale=sorted((exact - found) | unused),
    )


def read_baseline(path: Path) -> set[str]:
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line.startswith(("+ ", "- "))}


def write_baseline(path: Path, ours: Json, vendor: Json) -> int:
    """Accept every current difference: the baseline's comments and globs are kept, and the
    differences no glob covers are written out one per line."""
    kept = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    head = [line for line in kept if line.startswith("#") or "*" in line]
    drift = compare(ours, vendor, {line for line in head if "*" in line})
    lines = [*head, *drift.added, *drift.removed]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(drift.added) + len(drift.removed)


def render(drift: Drift, ours: Path | Traversable, vendor: Path) -> str:
    lines = [f"spec drift: {ours.name} against {vendor.name}"]
    if not drift.new:
        lines.append("  no new drift: every difference is an accepted one (the baseline)")
    for title, items in (
        ("in the vendor document, not in ours", drift.added),
        ("in ours, no longer in the vendor document", drift.removed),
        ("accepted differences that are gone (drop them from the baseline)", drift.stale),
    ):
        if items:
            lines.append(f"  {title} ({len(items)}):")
            lines += [f"    {item}" for item in items]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.contract.drift", description=(
        "Compare openapi/customers.yaml with a vendor OpenAPI document and list what changed."
    ))  # fmt: skip
    parser.add_argument("vendor", type=Path, help="the vendor's document (JSON or YAML)")
    parser.add_argument("--ours", type=Path, default=None, help="default: the packaged contract")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument(
        "--write-baseline", action="store_true",
        help="accept every current difference (write them to the baseline file)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        ours_source = args.ours or packaged_spec()
        ours, vendor = load_document(ours_source), load_document(args.vendor)
    except SpecError as error:
        print(f"spec drift: {error}", file=sys.stderr)
        return 2
    if args.write_baseline:
        count = write_baseline(args.baseline, ours, vendor)
        print(f"spec drift: {count} differences accepted in {args.baseline}")
        return 0
    drift = compare(ours, vendor, read_baseline(args.baseline))
    print(render(drift, ours_source, args.vendor))
    return 1 if drift.new else 0


if __name__ == "__main__":
    sys.exit(main())
