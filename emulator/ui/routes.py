"""Serving the dashboard at /_emulator/ui, and sending browsers that open / there.

The files are read once at start-up from the package (so they work from an installed wheel) and
served with a strict Content-Security-Policy: scripts and styles only from this origin, no
inline code, no frames. Every value the page shows is set as text, never parsed as HTML.
"""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources

from aiohttp import web

from emulator.http.errors import route_not_found

UI_PATH = "/_emulator/ui"
FILES = {"index.html": "text/html", "app.css": "text/css", "app.js": "text/javascript"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
    "Vary": "Accept-Encoding",
}


class StaticFile:
    def __init__(self, name: str, content_type: str) -> None:
        self.body = (resources.files("emulator.ui") / "static" / name).read_bytes()
        self.gzipped = gzip.compress(self.body, compresslevel=9, mtime=0)
        self.content_type = content_type
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    async def serve(self, request: web.Request) -> web.Response:
        headers = {**SECURITY_HEADERS, "ETag": self.etag}
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304, headers=headers)
        body = self.body
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = self.gzipped, "gzip"
        return web.Response(body=body, content_type=self.content_type, charset="utf-8",
                            headers=headers)  # fmt: skip


def page_weight(compressed: bool = False) -> int:
    """Bytes of every file the dashboard loads (it loads nothing else), as stored or as sent
    to a browser that accepts gzip."""
    files = [StaticFile(name, kind) for name, kind in FILES.items()]
    return sum(len(f.gzipped if compressed else f.body) for f in files)


async def root(request: web.Request) -> web.StreamResponse:
    """GET /: browsers (clients that accept HTML) go to the dashboard; others get the usual 404."""
    if "text/html" in request.headers.get("Accept", ""):
        raise web.HTTPFound(UI_PATH)
    raise route_not_found(request.method, request.path)


def add_ui_routes(app: web.Application) -> None:
    files = {name: StaticFile(name, kind) for name, kind in FILES.items()}
    index = files["index.html"].serve
    app.router.add_get("/", root)
    app.router.add_get(UI_PATH, index)
    app.router.add_get(UI_PATH + "/", index)
    for name, static in files.items():
        if name != "index.html":
            app.router.add_get(f"{UI_PATH}/{name}", static.serve)
