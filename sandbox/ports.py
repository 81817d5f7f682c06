"""Loopback sockets for the sandbox servers, bound when a server is built, and what every such
server shares (``Server``: ``start``, ``stop`` and a ``with`` block around them).

A port found free, released and bound again later can be taken in between: under pytest-xdist
another test process asking the system for any free port may be given it ("Address already
in use"). So every sandbox server binds its socket when it is constructed (port 0: the system
picks one, read back as the server's ``port``), holds it, listens on it from ``start()`` (until
then a client is refused, as by a server that is down) and closes it in ``stop()``. A server
started again after ``stop()`` binds the same port anew (``bind_loopback(server.port)``).

The sockets set ``SO_REUSEADDR`` (as ``http.server`` does): a restarted server's port may still
have connections in TIME_WAIT. On Linux, two sockets that both set it may share a port while
neither listens; the system never hands out a port held that way when asked for port 0, and
every sandbox server asks for port 0 unless told a port.
"""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from types import TracebackType
from typing import Self

HOST = "127.0.0.1"


class Server(ABC):
    """A sandbox server: bound when built, listening from ``start()`` until ``stop()``, and a
    ``with`` block around the two."""

    @abstractmethod
    def start(self) -> Self: ...

    @abstractmethod
    def stop(self) -> None: ...

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def bind_loopback(port: int = 0) -> socket.socket:
    """A TCP socket bound to 127.0.0.1:``port`` (0: any free port), not yet listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise
    return sock


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def adopt(server: HTTPServer, sock: socket.socket) -> None:
    """Make ``server`` (built with ``bind_and_activate=False``) serve on ``sock``, bound
    beforehand; the server owns it now and closes it in ``server_close``. It listens from
    ``server.server_activate()``."""
    server.socket.close()  # the one the constructor made, never bound
    server.socket = sock
    server.server_address = sock.getsockname()[:2]
    server.server_name, server.server_port = HOST, port_of(sock)  # what HTTPServer.server_bind sets


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler for the sandbox's simple servers: ``reply`` sends a whole answer, and
    nothing is logged to stderr (a test's or a benchmark's output stays its own)."""

    def reply(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def http_server(sock: socket.socket, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """A threading HTTP server listening on ``sock``, bound beforehand (``adopt``)."""
    server = ThreadingHTTPServer(sock.getsockname()[:2], handler, bind_and_activate=False)
    adopt(server, sock)
    server.daemon_threads = True
    server.server_activate()  # listen
    return server
