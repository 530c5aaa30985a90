"""Stored objects in answers: each built, checked and serialised once per version.

A list answer (GET /v1/customers) carries stored objects (`Viewable`) where its items go. Each
is turned into its public object, checked against the list's items schema and serialised; the
text is kept, keyed by the object, for as long as its `version` stays the same. A customer
listed again unchanged is then neither rebuilt nor checked nor serialised again: the answer is
written around the kept texts (orjson fragments). Its envelope is checked on every answer
(contract/split.py says why the two parts together are the whole answer's check).

Only the VIEWS most recently made are kept (a customer's text is about a kilobyte), the oldest
going first; an object is kept by identity, never confused with another tenant's.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from emulator.contract import strictjson
from emulator.contract.schema import Problem
from emulator.contract.split import SplitCheck
from emulator.routes.calls import Viewable

VIEWS = 4096


class ViewCache:
    def __init__(self, size: int = VIEWS) -> None:
        self._size = size
        self._kept: dict[Viewable, tuple[object, orjson.Fragment]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def fragments(
        self, items: Sequence[Viewable], split: SplitCheck | None
    ) -> tuple[list[orjson.Fragment], Problem | None]:
        """Each item's serialised public object, checked by `split` (None: unchecked) when it
        is made; the first item's problem stops it (nothing broken is kept)."""
        kept, made = self._kept, []
        for index, item in enumerate(items):
            version = item.version
            hit = kept.get(item)
            if hit is not None and hit[0] == version:
                made.append(hit[1])
                continue
            data = item.data
            if split is not None:
                problem = split.item_problem(index, data)
                if problem is not None:
                    return made, problem
            fragment = orjson.Fragment(strictjson.dumps(data))
            if hit is None and len(kept) >= self._size:
                del kept[next(iter(kept))]
            kept[item] = (version, fragment)
            made.append(fragment)
        return made, None
