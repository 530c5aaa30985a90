"""Who is calling: a key pair the operation accepts (X-App-Id + X-App-Token for the API;
the vendor's spec also has client-side and management pairs), or an `Authorization: Bearer`
token where the operation accepts one.

The answer is the tenant name that namespaces all state. Pure: it reads a header mapping.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence

from emulator.contract.security import APP_KEYS, KeyPair


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
    if value.isascii():  # nearly every credential: one C call instead of a loop
        return value.isprintable()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)


def _check_text(name: str, value: str) -> None:
    if value and not printable(value):
        raise AuthError(f"{name} must be UTF-8 text without control characters")


def _by_pair(app_id: str, token: str, allowed: Mapping[str, str] | None, pair: KeyPair) -> str:
    if allowed is None:
        return app_id
    expected = allowed.get(app_id)
    if expected is not None and hmac.compare_digest(expected, token):
        return app_id
    raise AuthError(f"The {pair.id_header} / {pair.token_header} pair is not recognised")


def _by_bearer(bearer: str, app_id: str, allowed: Mapping[str, str] | None) -> str:
    if allowed is None:
        return app_id or bearer
    for known_id, known_token in allowed.items():
        if hmac.compare_digest(known_token, bearer) and app_id in ("", known_id):
            return known_id
    raise AuthError("The bearer token is not recognised")


def authenticate(
    headers: Mapping[str, str],
    allowed: Mapping[str, str] | None,
    pairs: Sequence[KeyPair] = (APP_KEYS,),
    bearer_ok: bool = True,
) -> str:
    """Return the tenant (the id of the pair) or raise AuthError with the reason."""
    for pair in pairs:
        app_id = headers.get(pair.id_header, "").strip()
        token = headers.get(pair.token_header, "").strip()
        _check_text(pair.id_header, app_id)
        _check_text(pair.token_header, token)
        if app_id and token:
            return _by_pair(app_id, token, allowed, pair)
    bearer = _bearer(headers) if bearer_ok else None
    _check_text("Bearer token", bearer or "")
    if bearer:
        first = pairs[0] if pairs else APP_KEYS
        return _by_bearer(bearer, headers.get(first.id_header, "").strip(), allowed)
    for pair in pairs:
        app_id = headers.get(pair.id_header, "").strip()
        token = headers.get(pair.token_header, "").strip()
        if app_id or token:
            missing = pair.token_header if app_id else pair.id_header
            raise AuthError(f"Missing {missing} header")
    wanted = " or ".join(f"{p.id_header} and {p.token_header}" for p in pairs)
    extra = " (or an Authorization: Bearer token)" if bearer_ok else ""
    raise AuthError(f"Missing {wanted} headers{extra}")
