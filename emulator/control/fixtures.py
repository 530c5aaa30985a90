"""Seed data: YAML files of customers, campaigns, segments and redeemables for chosen tenants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Json = dict[str, Any]
EVERY_TENANT = "*"


class FixtureError(ValueError):
    pass


@dataclass(frozen=True)
class FixtureSet:
    source: str
    tenant: str = EVERY_TENANT
    customers: list[Json] = field(default_factory=list)
    campaigns: list[Json] = field(default_factory=list)
    segments: list[Json] = field(default_factory=list)

    def applies_to(self, app_id: str) -> bool:
        return self.tenant in (EVERY_TENANT, app_id)


def _list_of_objects(doc: Json, key: str, source: str) -> list[Json]:
    value = doc.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise FixtureError(f"{source}: '{key}' must be a list of mappings")
    return value


def parse_fixture(doc: object, source: str) -> FixtureSet:
    if not isinstance(doc, dict):
        raise FixtureError(f"{source}: a fixture file must be a mapping")
    unknown = set(doc) - {"tenant", "customers", "campaigns", "segments"}
    if unknown:
        raise FixtureError(f"{source}: unknown keys {sorted(unknown)}")
    for index, segment in enumerate(_list_of_objects(doc, "segments", source)):
        if "id" not in segment or "name" not in segment:
            raise FixtureError(f"{source}: segment #{index + 1} needs an id and a name")
    for index, campaign in enumerate(_list_of_objects(doc, "campaigns", source)):
        if "name" not in campaign:
            raise FixtureError(f"{source}: campaign #{index + 1} needs a name")
    return FixtureSet(
        source=source,
        tenant=str(doc.get("tenant", EVERY_TENANT)),
        customers=_list_of_objects(doc, "customers", source),
        campaigns=_list_of_objects(doc, "campaigns", source),
        segments=_list_of_objects(doc, "segments", source),
    )


def load_fixtures(paths: Iterable[Path]) -> list[FixtureSet]:
    """Each path is a YAML file or a folder of them (read in name order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        elif path.exists():
            files.append(path)
        else:
            raise FixtureError(f"{path}: no such fixture file or folder")
    sets = []
    for file in files:
        with file.open(encoding="utf-8") as handle:
            sets.append(parse_fixture(yaml.safe_load(handle), str(file)))
    return sets
