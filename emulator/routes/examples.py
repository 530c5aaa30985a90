"""Operations without state: answered from the vendor's examples, as Prism does.

The answer is the example of the operation's first success status (or, without one, an
instance made from its schema). `Prefer: code=404` picks another declared status and
`Prefer: example=NAME` a named example. Ids in the path are echoed into the answer where its
schema has them, and ids of resources the emulator keeps (customers, campaigns, vouchers,
segments, async actions) must exist, so that both kinds of operation tell one story.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from emulator.contract.samples import Samples, UnknownExample
from emulator.contract.spec import Operation, Response
from emulator.domain.errors import InvalidInput, NotFound, Refused
from emulator.domain.store import Tenant
from emulator.routes.calls import Call, Reply

Json = dict[str, Any]
_PARAM = re.compile(r"\{([^}]+)\}")


def _voucher(tenant: Tenant, code: str) -> str:
    if tenant.campaigns.owner_of(code) is None:
        raise NotFound("voucher", code)
    return code


def _segment(tenant: Tenant, segment_id: str) -> str:
    if segment_id not in tenant.segments:
        raise NotFound("segment", segment_id)
    return segment_id


# Path parameters naming a resource the emulator keeps: the lookup returns its canonical id
# (a campaign named by its name answers with its id) or raises NotFound.
KNOWN: dict[str, Callable[[Tenant, str], str]] = {
    "customerId": lambda tenant, key: str(tenant.customers.get(key)["id"]),
    "campaignId": lambda tenant, key: str(tenant.campaigns.get(key)["id"]),
    "code": _voucher,
    "memberId": _voucher,  # a loyalty card or referral code
    "asyncActionId": lambda tenant, key: tenant.jobs.get(key).id,
    "segmentId": _segment,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().replace("__", "_")


def _fields(path: str, name: str) -> list[str]:
    """Where a path parameter shows in the answer: campaignId -> campaign_id, and the last
    one, the resource itself, -> id (code and memberId -> code)."""
    fields = [_snake(name)]
    if path.endswith("{" + name + "}"):
        fields.append("code" if name in ("code", "memberId") else "id")
    return fields


def _properties(schema: Any) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties") or {})
    for keyword in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(keyword) or []:
            names |= _properties(part)
    return names


class ExampleBacked:
    """The handler of one operation without state."""

    def __init__(self, op: Operation, samples: Samples) -> None:
        self.op = op
        self._samples = samples
        successes = sorted(s for s in op.responses if s.startswith("2"))
        self._default = successes[0] if successes else next(iter(op.responses), "200")
        self._path_names = _PARAM.findall(op.path)

    def __call__(self, call: Call) -> Reply:
        code, name = call.prefer.get("code"), call.prefer.get("example")
        status = self._status(code, name)
        ids = {name: str(call.param(name)) for name in self._path_names}
        if code is None and status.startswith("2"):
            ids.update(self._known(call))
        response = self.op.responses[status]
        number = int(status) if status.isdigit() else 200
        if not response.examples and number >= 400:
            raise Refused(number, f"{self.op.operation_id} answers {number} (Prefer: code)")
        try:
            body = self._samples.body(response, name)
        except UnknownExample:
            raise self._bad_prefer(f"example={name}", sorted(response.examples)) from None
        if body is not None and response.media == "application/json":
            body = self._echo(response, body, ids)
        return Reply(number, body, response.media)

    def _status(self, code: str | None, name: str | None) -> str:
        if code is not None:
            if code not in self.op.responses:
                raise self._bad_prefer(f"code={code}", list(self.op.responses))
            return code
        if name is not None and name not in self.op.responses[self._default].examples:
            for status, response in self.op.responses.items():
                if name in response.examples:
                    return status
        return self._default

    def _bad_prefer(self, asked: str, offered: list[str]) -> InvalidInput:
        choices = ", ".join(offered) or "none"
        return InvalidInput(
            f"Prefer: {asked} is not declared by {self.op.operation_id}; it declares: {choices}",
            key="invalid_prefer_header",
        )

    def _known(self, call: Call) -> dict[str, str]:
        """The canonical ids of the kept resources the path names (NotFound if unknown)."""
        found = {}
        for index, name in enumerate(self._path_names):
            lookup = KNOWN.get(name)
            last = index == len(self._path_names) - 1 and self.op.path.endswith("}")
            if lookup is None or (last and self.op.method == "POST" and name == "code"):
                continue  # POST .../vouchers/{code} creates that code
            found[name] = lookup(call.tenant, str(call.param(name)))
        return found

    def _echo(self, response: Response, body: Any, ids: dict[str, str]) -> Any:
        check = response.checks.get(response.media)
        if check is None or not isinstance(body, dict):
            return body
        if response.status.startswith(("4", "5")):
            echoed = self._echo_error(body, ids)
        else:
            known = _properties(check.schema)
            echoed = dict(body)
            for name, value in ids.items():
                for field in _fields(self.op.path, name):
                    if field in known:
                        echoed[field] = value
        return echoed if check.is_valid(echoed) else body

    def _echo_error(self, body: Json, ids: dict[str, str]) -> Json:
        """An error example names the resource the path names (resource_id, details)."""
        last = self._path_names[-1] if self._path_names else None
        old = body.get("resource_id")
        if last is None or not isinstance(old, str) or not self.op.path.endswith("}"):
            return body
        new = ids[last]
        echoed = {**body, "resource_id": new}
        if isinstance(body.get("details"), str):
            echoed["details"] = body["details"].replace(old, new)
        return echoed
