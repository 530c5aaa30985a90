"""Valid requests for every operation of a loaded spec, and the state they name.

Bodies are the vendor's own request examples (as repaired at load) or, where an operation has
none, an instance made from its schema. Path ids of resources the emulator keeps name real
ones, seeded by `seed_world`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiohttp import FormData
from helpers import Client

from emulator.contract.examples import Generator
from emulator.contract.instance import MISSING, Validity
from emulator.contract.spec import Operation, Spec

Json = dict[str, Any]
APP = {"id": "vendor-app", "token": "vendor-token"}
CSV_BY_OPERATION = {
    "import-vouchers-to-campaign-using-csv": b"Code,Category\nIMPORTED-1,First\n",
    "import-customers-using-csv": b"Source_id,Name\ncsv-1,From CSV\n",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json_body: Any = MISSING
    form: dict[str, Any] | None = None  # multipart: name -> bytes (a file) or str
    urlencoded: dict[str, str] | None = None

    async def send(self, client: Client) -> tuple[int, bytes, str]:
        data: Any = None
        headers = dict(self.headers)
        if self.json_body is not MISSING:
            data = json.dumps(self.json_body).encode()
            headers["Content-Type"] = "application/json"
        elif self.form is not None:
            data = FormData()
            for name, value in self.form.items():
                if isinstance(value, bytes):
                    data.add_field(name, value, filename="data.csv", content_type="text/csv")
                else:
                    data.add_field(name, value)
        elif self.urlencoded is not None:
            data = self.urlencoded
        response = await client.request(
            self.method, self.path, params=self.query, data=data, headers=headers
        )
        raw = await response.read()
        return response.status, raw, response.headers.get("Content-Type", "").split(";")[0]


class Builder:
    def __init__(self, spec: Spec, world: dict[str, str]) -> None:
        self.spec = spec
        self.world = world
        self._generate = Generator(Validity())

    def value(self, schema: Json, name: str) -> Any:
        made = self._generate(schema)
        return f"{name}-1" if made is MISSING or made == "string" else made

    def credentials(self, op: Operation) -> dict[str, str]:
        pair = op.key_pairs[0]
        return {pair.id_header: APP["id"], pair.token_header: APP["token"]}

    def build(self, op: Operation) -> Request:
        path = op.path
        request = Request(op.method, path, headers=self.credentials(op))
        for param in op.params:
            if param.location == "path":
                value = self.world.get(param.name) or self.value(param.check.schema, param.name)
                path = path.replace("{" + param.name + "}", quote(str(value), safe=""))
            elif param.location == "query" and (param.required or param.name in op.selector):
                request.query[param.name] = str(self.value(param.check.schema, param.name))
            elif param.required and param.location == "header":
                request.headers[param.name] = str(self.value(param.check.schema, param.name))
        request.path = path
        if op.has_body:
            self._body(op, request)
        return request

    def _body(self, op: Operation, request: Request) -> None:
        media = next(iter(op.body_checks))
        schema = op.body_checks[media].schema
        if media == "multipart/form-data":
            csv = CSV_BY_OPERATION.get(op.operation_id, b"Name\nrow\n")
            request.form = {"file": csv}
        elif media == "application/x-www-form-urlencoded":
            made = self._generate(schema)
            request.urlencoded = {k: str(v) for k, v in (made or {}).items()}
        else:
            request.json_body = self.example(op, media)
            if request.json_body is MISSING:
                request.json_body = self._generate(schema)

    def example(self, op: Operation, media: str) -> Any:
        """The vendor's first request example for the operation, as repaired at load."""
        raw = self.spec.document["paths"][op.path][op.method.lower()]["requestBody"]
        content = raw["content"][media]
        if "example" in content:
            return content["example"]
        for entry in (content.get("examples") or {}).values():
            if "$ref" in entry:
                entry = self._ref(entry["$ref"])
            if "value" in entry:
                return entry["value"]
        return MISSING

    def _ref(self, ref: str) -> Json:
        node: Any = self.spec.document
        for part in ref[2:].split("/"):
            node = node[part]
        return dict(node)


async def seed_world(client: Client) -> dict[str, str]:
    """A customer, a loyalty campaign with an imported card, a segment and a finished async
    action in the vendor app's tenant; the path values that name them."""
    headers = {"X-App-Id": APP["id"], "X-App-Token": APP["token"]}
    seeded = await client.post("/_emulator/seed", headers=headers, json={
        "customers": [{"source_id": "world-customer", "name": "World"},
                      {"source_id": "world-customer-2", "name": "Spare"}],
        "campaigns": [{"name": "World Loyalty", "campaign_type": "LOYALTY_PROGRAM",
                       "voucher": {"type": "LOYALTY_CARD", "loyalty_card": {"points": 10}}}],
        "segments": [{"id": "seg_world", "name": "World", "customers": ["world-customer"]}],
    })  # fmt: skip
    assert seeded.status == 200, await seeded.text()
    form = FormData()
    form.add_field("file", b"Code\nWORLD-CARD\n", filename="v.csv", content_type="text/csv")
    imported = await client.post(
        "/v1/campaigns/World%20Loyalty/importCSV", data=form, headers=headers
    )
    assert imported.status == 200, await imported.text()
    action = (await imported.json())["async_action_id"]
    idle = await client.post("/_emulator/async-actions/run-until-idle", headers=headers)
    assert idle.status == 200
    campaign = await client.get("/v1/campaigns/World%20Loyalty", headers=headers)
    return {
        "customerId": "world-customer",
        "campaignId": (await campaign.json())["id"],
        "code": "WORLD-CARD",
        "memberId": "WORLD-CARD",
        "asyncActionId": action,
        "segmentId": "seg_world",
    }
