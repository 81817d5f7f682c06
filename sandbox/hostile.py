"""Receivers that misbehave on purpose, on 127.0.0.1: what an alert channel must survive.

``HostileServer(protocol, mode)`` speaks just enough HTTP or SMTP to keep a sender reading:

- ``flood``: an answer that never ends (an endless HTTP body after ``500``; an endless
  multi-line SMTP greeting ``220-...``), as fast as the socket takes it;
- ``trickle``: the same, a little at a time (``chunk`` bytes every ``interval`` seconds), so no
  single read ever waits long enough to time out;
- ``stall``: accept the connection and never say anything.

Each connection is served by its own thread until the sender hangs up or ``stop()``.
``bytes_sent`` counts what the server managed to push, to show the sender stopped reading.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Self

from sandbox.ports import Server, bind_loopback, port_of

_HTTP_HEAD = b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n"


@dataclass
class HostileServer(Server):
    protocol: str  # "http" or "smtp"
    mode: str  # "flood", "trickle" or "stall"
    chunk: int = 1024
    interval: float = 0.5
    port: int = 0  # 0: any free port; bound at construction (``sandbox.ports``), read back here
    connections: int = 0
    bytes_sent: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = bind_loopback(self.port)  # refused until start()
        self.port = port_of(self._sock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Self:
        sock = self._sock = self._sock or bind_loopback(self.port)  # bound anew after a stop
        sock.listen(16)
        sock.settimeout(0.1)
        self._stop.clear()
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _accept(self) -> None:
        while not self._stop.is_set():
            sock = self._sock
            if sock is None:
                return
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(1.0)
        try:
            if self.protocol == "http":
                self._read_request(conn)
            if self.mode == "stall":
                self._stop.wait()
                return
            head, line = (_HTTP_HEAD, b"400\r\n" + b"x" * 1024 + b"\r\n") if self.protocol == "http" else (b"", b"")
            if self.protocol == "smtp":
                line = b"220-" + b"welcome " * 126 + b"\r\n"  # 1 KiB lines, never the last one
            self._send(conn, head)
            pending = b""
            while not self._stop.is_set():
                if self.mode == "flood":
                    self._send(conn, line * 64)
                    continue
                if not pending:
                    pending = line
                piece, pending = pending[: self.chunk], pending[self.chunk :]
                self._send(conn, piece)
                self._stop.wait(self.interval)
        except OSError:
            pass  # the sender hung up: what it should do
        finally:
            conn.close()

    def _read_request(self, conn: socket.socket) -> None:
        """Read the request head and body, so the sender starts waiting for an answer."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                raise OSError("closed")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for header in head.split(b"\r\n")[1:]:
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                raise OSError("closed")
            body += chunk

    def _send(self, conn: socket.socket, data: bytes) -> None:
        deadline = time.monotonic() + 30
        while data and not self._stop.is_set():
            try:
                sent = conn.send(data)
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise OSError("the sender stopped reading") from None
                continue
            with self._lock:
                self.bytes_sent += sent
            data = data[sent:]
