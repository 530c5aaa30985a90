"""Who is calling: X-App-Id + X-App-Token, or an `Authorization: Bearer` token.

The answer is the tenant name that namespaces all state. Pure: it reads a header mapping.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping


class AuthError(Exception):
    pass


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def printable(value: str) -> bool:
    """Valid Unicode text without control characters (a tenant name must be savable)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)


def authenticate(headers: Mapping[str, str], allowed: Mapping[str, str] | None) -> str:
    """Return the tenant (the app id) or raise AuthError with the reason."""
    app_id = headers.get("X-App-Id", "").strip()
    token = headers.get("X-App-Token", "").strip()
    bearer = _bearer(headers)
    for name, value in (("X-App-Id", app_id), ("X-App-Token", token), ("Bearer token", bearer)):
        if value and not printable(value):
            raise AuthError(f"{name} must be UTF-8 text without control characters")
    if app_id and token:
        if allowed is None:
            return app_id
        expected = allowed.get(app_id)
        if expected is not None and hmac.compare_digest(expected, token):
            return app_id
        raise AuthError("The X-App-Id / X-App-Token pair is not recognised")
    if bearer:
        if allowed is None:
            return app_id or bearer
        for known_id, known_token in allowed.items():
            if hmac.compare_digest(known_token, bearer) and app_id in ("", known_id):
                return known_id
        raise AuthError("The bearer token is not recognised")
    if app_id or token:
        missing = "X-App-Token" if app_id else "X-App-Id"
        raise AuthError(f"Missing {missing} header")
    raise AuthError("Missing X-App-Id and X-App-Token headers (or an Authorization: Bearer token)")
