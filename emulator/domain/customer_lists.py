"""The customer-list upload: a preview that changes nothing, then one confirmation that applies it.

The preview sorts the file's rows into new customers and existing ones (with what would change,
field by field), lists the troubleshooting errors and the categories found, and remembers the
tenant's revision. Confirming creates the new customers and, when asked to, updates the
existing ones. A preview with errors cannot be confirmed, a preview is confirmed at most once,
and a preview of a tenant that changed since (its revision moved) is refused as stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from emulator.domain.categories import SegmentCategories
from emulator.domain.changes import Changes
from emulator.domain.csvio import normalise
from emulator.domain.customer_list_file import FIELDS, MAX_POINTS, ListFile, ListRow, email_problem
from emulator.domain.customers import Customers
from emulator.domain.errors import Conflict, InvalidInput, NotFound
from emulator.jobs.clock import Clock, iso
from emulator.jobs.ids import IdGenerator

Json = dict[str, Any]
KEPT = 10  # previews kept per tenant; the oldest goes first
# Each list is a record of its own in snapshots and the state file, written when it changes:
# inside the tenant's meta record, up to ten 10,000-row previews were written on every save.
RECORD = "customer_list"


class ListTenant(Protocol):
    """What the flow needs of a tenant (emulator.domain.store.Tenant has it)."""

    customers: Customers
    categories: SegmentCategories
    ids: IdGenerator
    clock: Clock
    changes: Changes

    def revision(self) -> int: ...


@dataclass
class CustomerList:
    id: str
    created_at: str
    filename: str
    size: int
    revision: int  # the tenant's revision the preview was computed against
    preview: Json  # categories, new_customers, existing_customers, errors, summary
    confirmed_at: str | None = None
    result: Json | None = None

    def status(self, revision: int) -> str:
        if self.confirmed_at is not None:
            return "CONFIRMED"
        if self.preview["errors"]:
            return "INVALID"
        return "STALE" if revision != self.revision else "READY"

    def view(self, revision: int, full: bool = True) -> Json:
        body: Json = {
            "id": self.id, "object": "customer_list", "status": self.status(revision),
            "file": {"name": self.filename, "size": self.size},
            "created_at": self.created_at, "confirmed_at": self.confirmed_at,
            "summary": self.preview["summary"],
        }  # fmt: skip
        if full:
            body.update({k: v for k, v in self.preview.items() if k != "summary"})
        body["result"] = self.result
        return body

    def dump(self) -> Json:
        return dict(vars(self))


def _fields(row: ListRow) -> Json:
    fields: Json = {"name": row.name, "email": row.email, "loyalty_points": row.points}
    return {name: value for name, value in fields.items() if value is not None}


def _changes(row: ListRow, tenant: ListTenant, customer: Json) -> list[Json]:
    current = {"name": customer.get("name"), "email": customer.get("email"),
               "loyalty_points": customer["loyalty"]["points"]}  # fmt: skip
    changes = [{"field": name, "from": current[name], "to": value}
               for name, value in _fields(row).items() if current[name] != value]  # fmt: skip
    for category, value in row.segments.items():
        was = tenant.categories.value_of(category, customer["id"])
        if was != value:
            changes.append({"category": category, "from": was, "to": value})
    return changes


def build_preview(listing: ListFile, tenant: ListTenant) -> Json:
    new: list[Json] = []
    existing: list[Json] = []
    for row in listing.rows:
        entry = tenant.customers.by_source_id(row.identifier)
        if entry is None:
            new.append({"row": row.row, "identifier": row.identifier, **_fields(row),
                        "segments": row.segments})  # fmt: skip
        else:
            existing.append({"row": row.row, "identifier": row.identifier,
                             "id": entry.id,
                             "changes": _changes(row, tenant, entry.data)})  # fmt: skip
    categories = [{
        "name": name, "existing": tenant.categories.find(name) is not None,
        "values": sorted({row.segments[name] for row in listing.rows if name in row.segments}),
    } for name in listing.categories]  # fmt: skip
    errors = [trouble.view() for trouble in listing.troubles]
    summary = {
        "rows": listing.row_count, "new": len(new), "existing": len(existing),
        "unchanged": sum(1 for item in existing if not item["changes"]),
        "errors": len(errors), "rows_with_errors": len({e["row"] for e in errors}),
    }  # fmt: skip
    return {"categories": categories, "new_customers": new, "existing_customers": existing,
            "errors": errors, "summary": summary}  # fmt: skip


def create_customer(item: Json, tenant: ListTenant) -> Json:
    """A new customer from a preview item (or the dashboard's "Add new customer" form)."""
    fields: Json = {name: item[name] for name in ("name", "email") if name in item}
    customer, _ = tenant.customers.upsert(item["identifier"], fields, item.get("loyalty_points"))
    for category, value in item.get("segments", {}).items():
        tenant.categories.assign(customer["id"], category, value)
    return customer


def _update_customer(item: Json, tenant: ListTenant) -> None:
    changes = item["changes"]
    fields = {c["field"]: c["to"] for c in changes if c.get("field") in ("name", "email")}
    points = next((c["to"] for c in changes if c.get("field") == "loyalty_points"), None)
    if fields or points is not None:
        tenant.customers.update(item["id"], fields, points)
    for change in changes:
        if "category" in change:
            tenant.categories.assign(item["id"], change["category"], change["to"])


def _apply(preview: Json, tenant: ListTenant, update_existing: bool) -> Json:
    for item in preview["new_customers"]:
        create_customer(item, tenant)
    changed = [item for item in preview["existing_customers"] if item["changes"]]
    if update_existing:
        for item in changed:
            _update_customer(item, tenant)
    created, updated = len(preview["new_customers"]), len(changed) if update_existing else 0
    skipped = 0 if update_existing else len(changed)
    unchanged = len(preview["existing_customers"]) - len(changed)
    message = (f"{created} customer(s) created, {updated} updated, {unchanged} unchanged, "
               f"{skipped} not updated.")  # fmt: skip
    return {"message": message, "update_existing": update_existing, "created": created,
            "updated": updated, "unchanged": unchanged, "skipped": skipped}  # fmt: skip


class CustomerLists:
    """One tenant's previews, newest last, at most KEPT of them."""

    def __init__(self) -> None:
        self._lists: dict[str, CustomerList] = {}

    def preview(self, listing: ListFile, filename: str, size: int, tenant: ListTenant
                ) -> CustomerList:  # fmt: skip
        created = CustomerList(
            id=tenant.ids.customer_list(), created_at=iso(tenant.clock.now()),
            filename=filename, size=size, revision=tenant.revision(),
            preview=build_preview(listing, tenant),
        )  # fmt: skip
        self._lists[created.id] = created
        tenant.changes.mark(RECORD, created.id)
        while len(self._lists) > KEPT:
            oldest = next(iter(self._lists))
            del self._lists[oldest]
            tenant.changes.mark(RECORD, oldest)
        return created

    def get(self, list_id: str) -> CustomerList:
        found = self._lists.get(list_id)
        if found is None:
            raise NotFound("customer_list", list_id)
        return found

    def newest_first(self) -> list[CustomerList]:
        return list(reversed(self._lists.values()))

    def confirm(self, list_id: str, tenant: ListTenant, update_existing: bool) -> CustomerList:
        found = self.get(list_id)
        status = found.status(tenant.revision())
        if status == "CONFIRMED":
            raise Conflict("customer_list", list_id, (
                f"Customer list {list_id} was already confirmed at {found.confirmed_at}; "
                "upload the file again to apply it again"), key="customer_list_confirmed")
        if status == "INVALID":
            first = found.preview["errors"][0]
            where = ", ".join(f"{k} {first[k]}" for k in ("row", "column") if first[k])
            raise InvalidInput(
                f"Customer list {list_id} has {len(found.preview['errors'])} troubleshooting "
                f"error(s) and cannot be confirmed (first: {where + ': ' if where else ''}"
                f"{first['reason']}); fix the file and upload it again", "invalid_customer_list")
        if status == "STALE":
            raise Conflict("customer_list", list_id, (
                f"Customer list {list_id} is stale: the tenant's customers or segments changed "
                "after it was previewed; upload the file again for a fresh preview"),
                key="stale_customer_list")  # fmt: skip
        found.result = _apply(found.preview, tenant, update_existing)
        found.confirmed_at = iso(tenant.clock.now())
        tenant.changes.mark(RECORD, found.id)
        # The applied preview is history now: keep its summary, drop its rows.
        found.preview = {**found.preview, "new_customers": [], "existing_customers": []}
        return found

    def export(self) -> list[Json]:
        return [listing.dump() for listing in self._lists.values()]

    def find(self, list_id: str) -> CustomerList | None:
        return self._lists.get(list_id)

    def load(self, state: list[Json]) -> None:
        lists = {item["id"]: CustomerList(**item) for item in state}
        for listing in lists.values():
            check_preview(listing.preview)
        self._lists = lists

    def previewed_ids(self, revision: int) -> set[str]:
        """The customers the previews that can still be confirmed would update (they must
        exist; a stale preview is refused at confirm anyway)."""
        return {item["id"] for listing in self._lists.values()
                if listing.status(revision) == "READY"
                for item in listing.preview["existing_customers"]}  # fmt: skip


_PREVIEW = {"categories": list, "new_customers": list, "existing_customers": list,
            "errors": list, "summary": dict}  # fmt: skip
_CHANGED = ("name", "email", "loyalty_points")


def check_preview(preview: object) -> None:
    """A preview read from a snapshot holds what confirming it reads (ValueError if not): a
    confirm must never stop half-way on a malformed item."""
    if not isinstance(preview, dict) or any(
        not isinstance(preview.get(key), kind) for key, kind in _PREVIEW.items()
    ):
        raise ValueError(f"a customer-list preview needs {sorted(_PREVIEW)}")
    for item in preview["new_customers"]:
        _check_item(item)
        segments = item.get("segments", {})
        if not isinstance(segments, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in segments.items()
        ):
            raise ValueError("a preview item's segments map categories to values")
        _check_values(item)
    for item in preview["existing_customers"]:
        _check_item(item)
        if not isinstance(item.get("id"), str) or not isinstance(item.get("changes"), list):
            raise ValueError("an existing customer in a preview needs its id and changes")
        for change in item["changes"]:
            if not isinstance(change, dict) or not (
                change.get("field") in _CHANGED or isinstance(change.get("category"), str)
            ):
                raise ValueError(f"a preview change must name a field of {_CHANGED} or a category")
            _check_values({change["field"]: change.get("to")} if "field" in change
                          else {"category value": change.get("to")})  # fmt: skip


def _check_item(item: object) -> None:
    if not isinstance(item, dict) or not isinstance(item.get("identifier"), str) or not item[
        "identifier"
    ]:
        raise ValueError("a preview item needs a non-empty identifier")


def _check_values(item: Json) -> None:
    for name in ("name", "email", "category value"):
        if item.get(name) is not None and not isinstance(item[name], str):
            raise ValueError(f"a preview's {name} must be text")
    points = item.get("loyalty_points")
    if points is not None and (
        not isinstance(points, int) or isinstance(points, bool) or not 0 <= points <= MAX_POINTS
    ):
        raise ValueError("a preview's loyalty_points must be a non-negative integer")


def add_customer(item: Json, tenant: ListTenant) -> Json:
    """The dashboard's "Add new customer": one row of a list, checked by the same rules and
    applied at once. An identifier that exists already is a conflict."""
    identifier = str(item["identifier"]).strip()
    if not identifier:
        raise InvalidInput("Property .identifier must not be empty")
    if tenant.customers.by_source_id(identifier) is not None:
        raise Conflict("customer", identifier,
                       f"A customer with identifier {identifier} already exists")  # fmt: skip
    problem = email_problem(item["email"]) if item.get("email") else None
    if problem is not None:
        raise InvalidInput(f"Property .email: {problem}")
    segments = {str(k).strip(): str(v).strip() for k, v in item.get("segments", {}).items()}
    for category, value in segments.items():
        if not category or normalise(category) in FIELDS or not value:
            raise InvalidInput(f"Property .segments: '{category}' cannot be a category with "
                               f"value '{value}'")  # fmt: skip
    fields = {name: item[name] for name in ("name", "email", "loyalty_points") if item.get(name)}
    return create_customer({**fields, "identifier": identifier, "segments": segments}, tenant)
