"""Which credentials an operation accepts, read from its security requirements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class KeyPair:
    """Two headers sent together: an id (which names the tenant) and its secret."""

    id_header: str
    token_header: str


APP_KEYS = KeyPair("X-App-Id", "X-App-Token")
DEFAULT: tuple[tuple[KeyPair, ...], bool] = ((APP_KEYS,), True)


def _pair(headers: list[str]) -> KeyPair | None:
    if len(headers) != 2:
        return None
    token = next((h for h in headers if "token" in h.lower()), headers[1])
    ident = next(h for h in headers if h != token)
    return KeyPair(ident, token)


def security_of(requirements: Any, schemes: Json) -> tuple[tuple[KeyPair, ...], bool]:
    """The key pairs accepted, and whether a bearer token is (OAuth or HTTP bearer).
    Without requirements the API's usual X-App-Id / X-App-Token (or bearer) apply."""
    if not isinstance(requirements, list) or not requirements:
        return DEFAULT
    pairs: list[KeyPair] = []
    bearer = False
    for requirement in requirements:
        headers = []
        for name in requirement if isinstance(requirement, dict) else ():
            scheme = schemes.get(name) or {}
            kind = scheme.get("type")
            if kind == "apiKey" and scheme.get("in") == "header":
                headers.append(str(scheme.get("name")))
            elif kind in ("oauth2", "openIdConnect") or (
                kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
            ):
                bearer = True
        pair = _pair(headers)
        if pair is not None and pair not in pairs:
            pairs.append(pair)
    if not pairs and not bearer:
        return DEFAULT
    return tuple(pairs), bearer
