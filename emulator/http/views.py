"""Stored objects in answers: each built, checked and serialised once per version.

A list answer (GET /v1/customers) carries stored objects (`Viewable`) where its items go. Each
is turned into its public object, checked against the list's items schema and serialised; the
text is kept, keyed by the object, for as long as its `version` is the same object. A customer
listed again unchanged is then neither rebuilt nor checked nor serialised again: the answer is
written around the kept texts (orjson fragments). Its envelope is checked on every answer
(contract/split.py says why the two parts together are the whole answer's check). The items
not kept yet are checked together, in one call into Rust.

Only the VIEWS most recently made are kept (a customer's text is about a kilobyte), the oldest
going first; an object is kept by identity, never confused with another tenant's. Each check
has its own cache: a text checked against one schema is never taken for another's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import cast

import orjson

from emulator.contract import strictjson
from emulator.contract.schema import Problem
from emulator.contract.split import SplitCheck
from emulator.routes.calls import Viewable

VIEWS = 4096


class ViewCache:
    def __init__(self, size: int = VIEWS) -> None:
        self._size = max(1, size)
        # Oldest first (an OrderedDict: a plain dict's first key is found by stepping over the
        # slots of every key deleted before it).
        self._kept: OrderedDict[Viewable, tuple[object, orjson.Fragment]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def fragments(
        self, items: Sequence[Viewable], split: SplitCheck | None
    ) -> tuple[list[orjson.Fragment], Problem | None]:
        """Each item's serialised public object, checked by `split` (None: unchecked) when it
        is made; a problem stops it (nothing is kept then)."""
        kept = self._kept
        made: list[orjson.Fragment | None] = []
        missing: list[tuple[int, Viewable, object]] = []  # place, item, version
        for place, item in enumerate(items):
            version = item.version
            hit = kept.get(item)
            if hit is not None and hit[0] is version:  # identity: equal may still differ
                made.append(hit[1])
            else:
                missing.append((place, item, version))
                made.append(None)
        if not missing:
            return cast(list[orjson.Fragment], made), None
        objects = [item.data for _, item, _ in missing]
        if split is not None:
            problem = split.items_problem(objects, [place for place, _, _ in missing])
            if problem is not None:
                return [], problem
        for (place, item, version), data in zip(missing, objects, strict=True):
            fragment = orjson.Fragment(strictjson.dumps(data))
            if item not in kept and len(kept) >= self._size:
                kept.popitem(last=False)
            kept[item] = (version, fragment)
            made[place] = fragment
        return cast(list[orjson.Fragment], made), None  # every place filled
