"""The guard in front of everything: which Host names are served, and who may use /_emulator.

- Every request: `Host` must be a localhost name (localhost, *.localhost), an IP address, the
  address the emulator was bound to, or an `--allowed-host` value (`*` allows any; `.example.com`
  allows its subdomains). A page whose DNS name is rebound to 127.0.0.1 gets a 403 and cannot
  read or change anything.
- /_emulator/*: an `Origin` header (browsers send one on cross-site requests) must name an
  allowed host; a state-changing request must carry `Content-Type: application/json` or an
  `X-Emulator-Client` header. Neither can be sent cross-site without a CORS preflight, which the
  emulator never grants, so a form on another site cannot reset or seed anything.
- With `--admin-token T`, /_emulator/* needs `X-Emulator-Token: T`; with `--credentials`, a valid
  X-App-Id + X-App-Token pair (a report only to its own tenant). `GET /_emulator/health` and the
  dashboard's static files stay open for health checks and browsers.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from aiohttp import web

from emulator.http.auth import AuthError, authenticate
from emulator.http.body import media_type
from emulator.http.errors import ApiError, forbidden, unauthorized
from emulator.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
CONTROL = "/_emulator"
CONTROL_PREFIX = CONTROL + "/"
OPEN_PATHS = ("/_emulator/health",)
OPEN_PREFIXES = ("/_emulator/ui",)


def host_name(value: str) -> str:
    """The name in a Host header or URL authority, without port and brackets, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rpartition(":")[0] if value.count(":") == 1 else value


def host_allowed(name: str, settings: Settings) -> bool:
    if name in LOCAL_NAMES or name.endswith(".localhost") or name == settings.host.lower():
        return True
    if _is_address(name):
        return True
    for allowed in settings.allowed_hosts:
        allowed = allowed.lower()
        if allowed in ("*", name) or (allowed.startswith(".") and name.endswith(allowed)):
            return True
    return False


@lru_cache(maxsize=256)
def _is_address(name: str) -> bool:
    """Whether `name` is an IP address (asked on every request: remembered per name)."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _host_refused(name: str) -> ApiError:
    return forbidden(
        f"Host {name!r} is not served; use localhost or an IP address, or start the emulator "
        f"with --allowed-host {name}"
    )


def _origin_host(origin: str) -> str:
    """The host an Origin header names; "" for "null" and for what is no URL at all."""
    if origin == "null":
        return ""
    try:
        return host_name(urlsplit(origin).netloc)
    except ValueError:  # e.g. "http://[::1": a broken IPv6 literal
        return ""


def _control_problem(request: web.Request, settings: Settings) -> ApiError | None:
    origin = request.headers.get("Origin")
    if origin is not None:
        name = _origin_host(origin)
        if not name or not host_allowed(name, settings):
            return forbidden(f"Requests from the web origin {origin!r} are refused")
    if request.method not in SAFE_METHODS and not (
        media_type(request) == "application/json" or "X-Emulator-Client" in request.headers
    ):
        return forbidden(
            "Control requests that change state need Content-Type: application/json "
            "or an X-Emulator-Client header (cross-site forms are refused)"
        )
    open_path = request.method in ("GET", "HEAD") and (
        request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIXES)
    )
    return None if open_path else _auth_problem(request, settings)


def _auth_problem(request: web.Request, settings: Settings) -> ApiError | None:
    token = settings.admin_token
    if token is not None:
        sent = request.headers.get("X-Emulator-Token", "")
        # surrogateescape: aiohttp keeps bytes that are not UTF-8 that way
        if not hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), token.encode()):
            return unauthorized("Control routes need the X-Emulator-Token header (--admin-token)")
    if settings.credentials is None:
        return None
    try:
        tenant = authenticate(request.headers, settings.credentials)
    except AuthError as error:
        return unauthorized(f"Control routes need valid credentials: {error}")
    owner = request.match_info.get("tenant")
    if owner is not None and owner != tenant:
        return forbidden("A report can be read only with its own tenant's credentials")
    return None


class Guard:
    """The checks above, for one app's settings. Whether a Host value is served is worked out
    once per value (every request sends one, nearly always the same)."""

    KEPT = 256  # Host values remembered (a client sending endless new ones starts over)

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._served: dict[str, bool] = {}

    def problem(self, request: web.Request, path: str) -> ApiError | None:
        """Why this request is refused, or None. `path` is request.path (read once)."""
        raw = request.headers.get("Host")
        if raw is not None:  # None: HTTP/1.0 without Host, not a browser
            served = self._served.get(raw)
            if served is None:
                served = host_allowed(host_name(raw), self._settings)
                if len(self._served) >= self.KEPT:
                    self._served.clear()
                self._served[raw] = served
            if not served:
                return _host_refused(host_name(raw))
        if path == CONTROL or path.startswith(CONTROL_PREFIX):
            return _control_problem(request, self._settings)
        return None
