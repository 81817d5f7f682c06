"""A webhook receiver on 127.0.0.1, for the demo, the tests and the benchmarks.

It checks every request's Standard Webhooks signature with its own code, written from the spec
(not Newswatch's signer, so a test proves the two agree), and, like a careful real receiver,
accepts each ``webhook-id`` once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from sandbox.ports import Server, bind_loopback, http_server, port_of

SECRET = "whsec_" + base64.b64encode(b"newswatch-test-secret-0123456789").decode()


def verify_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks: HMAC-SHA256 of ``id.timestamp.body``, timestamp within 5 minutes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    if abs(time.time() - int(headers["webhook-timestamp"])) > 300:
        return False
    return any(
        version == "v1" and hmac.compare_digest(sig, expected)
        for version, _, sig in (part.partition(",") for part in headers.get("webhook-signature", "").split())
    )


@dataclass
class Request:
    """One POST the receiver got; ``at`` is its ``time.perf_counter()`` on arrival."""

    headers: dict[str, str]
    body: bytes
    verified: bool
    at: float = field(default_factory=time.perf_counter)
    answered: int | None = None

    @property
    def id(self) -> str:
        return self.headers.get("webhook-id", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver(Server):
    """``mode``: "ok", "error" (500), "gone" (410), "slow" (sleep past the client's timeout),
    "hold" (wait for ``release`` before answering). ``fail_next`` answers 500 that many times.

    ``keep_alive`` answers in HTTP/1.1 and keeps connections open, as a production receiver
    would (the benchmark); off by default so that ``stop()`` really cuts the sender off.
    """

    secret: str = SECRET
    require_signature: bool = True
    port: int = 0  # 0: any free port; bound at construction (``sandbox.ports``), read back here
    path: str = "/hook"
    mode: str = "ok"
    fail_next: int = 0
    slow_seconds: float = 1.0
    keep_alive: bool = False
    delay: float = 0.0  # seconds before each answer, as from a receiver far away (benchmarks)
    requests: list[Request] = field(default_factory=list)
    accepted: dict[str, Any] = field(default_factory=dict)  # webhook-id -> payload, once each
    got_request: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()
        self._sock: socket.socket | None = bind_loopback(self.port)  # refused until start()
        self.port = port_of(self._sock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> Self:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                signed = "webhook-signature" in headers
                request = Request(headers, body, signed and verify_signature(receiver.secret, headers, body))
                with receiver._lock:
                    receiver.requests.append(request)
                    mode = receiver.mode
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        mode = "error"
                receiver.got_request.set()
                if receiver.delay:
                    time.sleep(receiver.delay)
                if mode == "slow":
                    time.sleep(receiver.slow_seconds)
                    self._answer(request, 503)
                    return
                if mode == "hold":
                    receiver.release.wait(30)
                status = {"ok": 200, "hold": 200, "error": 500, "gone": 410}[mode]
                if status == 200 and receiver.require_signature and not request.verified:
                    status = 401
                if status == 200:
                    with receiver._lock:
                        receiver.accepted.setdefault(request.id or str(len(receiver.requests)), request.json())
                self._answer(request, status)

            def _answer(self, request: Request, status: int) -> None:
                request.answered = status
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up (timeout, killed)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        sock, self._sock = self._sock or bind_loopback(self.port), None
        self._server = http_server(sock, Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._sock is not None:  # built, never started
            self._sock.close()
            self._sock = None
