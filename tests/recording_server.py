"""A tiny HTTP/1.1 server on a free port that records the requests and connections it gets and
answers each request as its plan says: for testing the handle's transport."""

from __future__ import annotations

import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = {"now": "2026-01-01T00:00:00.000Z", "finished": [], "rules": [], "requests": []}


class Seen:
    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.path, self.body = method, path, body
        self.headers = {key.lower(): value for key, value in headers.items()}


class Recorder(ThreadingHTTPServer):
    """`plan` names what to do with each request in turn ("ok" once it runs out):
    ok, refuse (404 with a key), close (answer with Connection: close), then-close (answer,
    then close without saying so), reset (reset the connection instead of answering),
    die-in-body (headers and half the body, then close), die-in-status (a partial status
    line, then reset), redirect (a 302 elsewhere)."""

    daemon_threads = True

    def __init__(self, *plan: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.plan = list(plan)
        self.seen: list[Seen] = []
        self.connections = 0
        self.ended = threading.Semaphore(0)  # released as each connection ends
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(10)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Recorder

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.ended.release()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _any(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers), body))
        action = self.server.plan.pop(0) if self.server.plan else "ok"
        if action == "reset":
            return self._reset()
        if action == "die-in-status":
            self.connection.sendall(b"HTTP/1.1 2")
            return self._reset()
        if action == "redirect":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 404 if action == "refuse" else 200
        answer = {"key": "not_found", "details": "No such thing"} if status == 404 else ANSWER
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        if action == "close":
            self.send_header("Connection", "close")
        self.end_headers()
        if action == "die-in-body":
            self.wfile.write(raw[: len(raw) // 2])
            self.close_connection = True
            return
        self.wfile.write(raw)
        if action == "then-close":
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _any
