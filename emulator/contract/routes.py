"""Operations that share a method and a path shape, and how a request picks between them."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from emulator.contract.report import SpecReport

if TYPE_CHECKING:
    from emulator.contract.spec import Operation


API_PREFIXES = ("/v1/", "/client/v1/", "/management/v1/")  # the vendor's path space
PATH_PARAM = re.compile(r"\{([^}]+)\}")


def shape(path: str) -> str:
    """/v1/exports/{exportId} and /v1/exports/{export_Id} have one shape: /v1/exports/{}."""
    return PATH_PARAM.sub("{}", path)


def _query_names(op: Operation) -> set[str]:
    return {p.name for p in op.params if p.location == "query"}


def mark_shared_routes(
    operations: dict[str, Operation], report: SpecReport
) -> dict[str, Operation]:
    """Give each operation that shares its route the query parameters that select it."""
    groups: dict[tuple[str, str], list[Operation]] = defaultdict(list)
    for op in operations.values():
        groups[(op.method, shape(op.path))].append(op)
    marked = dict(operations)
    for group in groups.values():
        if len(group) < 2:
            continue
        for op in group:
            others = set().union(*(_query_names(o) for o in group if o is not op))
            selector = tuple(sorted(_query_names(op) - others))
            marked[op.operation_id] = dataclasses.replace(op, selector=selector)
            rivals = ", ".join(o.operation_id for o in group if o is not op)
            how = f"when the query has {' or '.join(selector)}" if selector else "otherwise"
            what = f"shares its route with {rivals}; {op.operation_id} answers {how}"
            report.add("route", f"{op.method} {op.path}", what)
    return marked


def pick(candidates: list[Operation], query: Mapping[str, str]) -> Operation:
    """The operation a request means: one whose selector the query names, else the first
    without a selector."""
    for op in candidates:
        if op.selector and any(name in query for name in op.selector):
            return op
    return next((op for op in candidates if not op.selector), candidates[0])
