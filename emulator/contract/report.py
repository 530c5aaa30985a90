"""What the loader changed in a vendor document so that it can serve and validate traffic."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

Json = dict[str, Any]

# Each kind of repair, in the order the report lists them, with what it means.
KINDS: dict[str, str] = {
    "server": "absolute server URL: a relative server '/' added, so any host matches",
    "one-of": "oneOf whose branches overlap (valid data matches several): made anyOf",
    "nullable": "nullable beside allOf/anyOf/$ref, which validators ignore: made anyOf with null",
    "bad-default": "a default that breaks its own schema",
    "date-param": "date-time parameter that the vendor documents with date-only values too",
    "response": "status the API sends but the operation does not declare: declared",
    "request": "request schema that rejects the vendor's own request example: loosened there",
    "route": "two operations on one method and path shape: told apart by a query parameter",
    "example": "example that breaks its own schema: fitted to the schema",
    "example-replaced": "example that could not be fitted: replaced by one made from the schema",
}


@dataclass(frozen=True)
class Repair:
    kind: str  # one of KINDS
    where: str  # a component, schema location, operation or example
    what: str  # the change, in a few words


@dataclass
class SpecReport:
    repairs: list[Repair] = field(default_factory=list)

    def add(self, kind: str, where: str, what: str) -> None:
        self.repairs.append(Repair(kind, where, what))

    def counts(self) -> dict[str, int]:
        counted = Counter(repair.kind for repair in self.repairs)
        return {kind: counted[kind] for kind in KINDS if counted[kind]}

    def of_kind(self, kind: str) -> list[Repair]:
        return [repair for repair in self.repairs if repair.kind == kind]

    def view(self) -> Json:
        return {
            "total": len(self.repairs),
            "by_kind": self.counts(),
            "kinds": {kind: KINDS[kind] for kind in self.counts()},
            "repairs": [asdict(repair) for repair in self.repairs],
        }

    def summary(self) -> str:
        """One line: '123 repairs (one-of 40, response 60, ...)'."""
        if not self.repairs:
            return "no repairs"
        parts = ", ".join(f"{kind} {count}" for kind, count in self.counts().items())
        return f"{len(self.repairs)} repairs ({parts})"

    def text(self, limit: int | None = None) -> str:
        """The report printed at start: each repair once, grouped by kind (at most `limit`
        per kind, then how many more: GET /_emulator/spec-report has them all)."""
        lines = [f"spec repairs: {self.summary()}"]
        for kind in self.counts():
            repairs = self.of_kind(kind)
            shown = repairs if limit is None else repairs[:limit]
            lines.append(f"  {kind} ({len(repairs)}): {KINDS[kind]}")
            lines += [f"    {repair.where}: {repair.what}" for repair in shown]
            if len(shown) < len(repairs):
                lines.append(f"    ... and {len(repairs) - len(shown)} more")
        return "\n".join(lines)
