"""Seed data: YAML files of metadata schemas, customers, campaigns, segments and redeemables for
chosen tenants, checked against the contract before anything is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.control.seed_schema import SeedSchemas
from emulator.control.yamlfile import read_yaml

Json = dict[str, Any]
EVERY_TENANT = "*"
COLLECTIONS = ("customers", "campaigns", "segments", "metadata_schemas")


class FixtureError(ValueError):
    pass


@dataclass(frozen=True)
class FixtureSet:
    source: str
    tenant: str = EVERY_TENANT
    customers: list[Json] = field(default_factory=list)
    campaigns: list[Json] = field(default_factory=list)
    segments: list[Json] = field(default_factory=list)
    metadata_schemas: list[Json] = field(default_factory=list)  # applied before the rest

    def applies_to(self, app_id: str) -> bool:
        return self.tenant in (EVERY_TENANT, app_id)


def _list(doc: Json, key: str, source: str) -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FixtureError(f"{source}: {key} must be a list")
    return value


def parse_fixture(
    doc: object, source: str, schemas: SeedSchemas, keys: Iterable[str] = ("tenant", *COLLECTIONS)
) -> FixtureSet:
    """A checked FixtureSet; the first problem raises FixtureError naming source and field."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise FixtureError(f"{source}: must be a mapping of {', '.join(keys)}")
    unknown = sorted(str(key) for key in set(doc) - set(keys))
    if unknown:
        raise FixtureError(f"{source}: unknown keys {unknown}; use {', '.join(keys)}")
    lists = {key: _list(doc, key, source) for key in COLLECTIONS}
    for key, items in lists.items():
        for index, item in enumerate(items):
            problem = schemas.problem(key, index, item)
            if problem is not None:
                raise FixtureError(f"{source}: {problem}")
    tenant = doc.get("tenant", EVERY_TENANT)
    if not isinstance(tenant, str) or not tenant:
        raise FixtureError(f'{source}: tenant must be an X-App-Id or "*"')
    return FixtureSet(source=source, tenant=tenant, **lists)


def load_fixtures(paths: Iterable[Path], schemas: SeedSchemas) -> list[FixtureSet]:
    """Each path is a YAML file or a folder of them (read in name order)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        elif path.exists():
            files.append(path)
        else:
            raise FixtureError(f"{path}: no such fixture file or folder")
    return [
        parse_fixture(read_yaml(file, "fixture", FixtureError), str(file), schemas)
        for file in files
    ]
