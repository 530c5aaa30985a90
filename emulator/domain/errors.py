"""Errors the domain raises; the HTTP layer maps them to the vendor's Error shape in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation the domain reports."""


class NotFound(DomainError):
    def __init__(self, resource_type: str, resource_id: str) -> None:
        super().__init__(f"Cannot find {resource_type} with id {resource_id}")
        self.resource_type = resource_type
        self.resource_id = resource_id


class Conflict(DomainError):
    def __init__(
        self, resource_type: str, resource_id: str, details: str, key: str = "duplicate_found"
    ) -> None:
        super().__init__(details)
        self.resource_type = resource_type
        self.resource_id = resource_id
        self.details = details
        self.key = key


class InvalidInput(DomainError):
    """Input that passes the schema but breaks a rule of the resource."""

    def __init__(self, details: str, key: str = "invalid_payload") -> None:
        super().__init__(details)
        self.details = details
        self.key = key


class Refused(DomainError):
    """The call is answered with this error status: an outcome asked for (a `Prefer: code=`
    header on an operation without state), rendered in the vendor's shape for that status."""

    def __init__(self, status: int, details: str) -> None:
        super().__init__(details)
        self.status = status
        self.details = details
