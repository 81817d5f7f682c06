"""A tiny scripted web site on 127.0.0.1 for crawler tests: each path answers what the test says.

Routes map a path (with query) to a ``Page`` or to a function of the request returning one;
every request is recorded with its headers and arrival time, so tests can assert what the
crawler downloaded and how politely.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Page:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    hang: float = 0.0  # seconds to wait before answering


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    status: int


Route = Page | Callable[["Hit"], Page]


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._server: ThreadingHTTPServer | None = None
        self._stop = threading.Event()
        self.scheme = "http"

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def start(self, tls: ssl.SSLContext | None = None) -> Site:
        """Serve on 127.0.0.1 (over TLS with ``tls``, a server context)."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic(), 0)
                route = site.routes.get(self.path)
                if route is None:
                    page = Page(b"not found", status=404, content_type="text/plain")
                else:
                    page = route(hit) if callable(route) else route
                hit.status = page.status
                site.hits.append(hit)
                if page.hang:
                    site._stop.wait(page.hang)
                body = page.body.encode("utf-8") if isinstance(page.body, str) else page.body
                try:
                    self.send_response(page.status)
                    if page.content_type:
                        self.send_header("Content-Type", page.content_type)
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if page.status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        # shutdown() waits for serve_forever to notice, up to one poll interval (0.5 s by default)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
