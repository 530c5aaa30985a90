"""openapi-core as an independent oracle for answers given on a loaded (repaired) spec."""

from __future__ import annotations

import json

from openapi_core import Config, OpenAPI

from emulator.contract.routes import shape
from emulator.contract.spec import Operation, Spec

ORACLES: dict[tuple[int, str], OpenAPI] = {}


def oracle(spec: Spec, op: Operation | None = None) -> OpenAPI:
    """openapi-core on the repaired document (its own spec check skipped: 3 s). An operation
    sharing its route with another (the export download) gets a document without its rival:
    openapi-core tells operations apart by path only."""
    rivals = () if op is None else tuple(
        other.path for other in spec
        if other.path != op.path and shape(other.path) == shape(op.path)
        and other.method == op.method
    )  # fmt: skip
    key = (id(spec), "|".join(rivals))
    if key not in ORACLES:
        document = json.loads(json.dumps(spec.document))
        for path in rivals:
            del document["paths"][path]
        ORACLES[key] = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
    return ORACLES[key]
