"""Real endpoints on 127.0.0.1 for the alert tests: a webhook receiver and an SMTP server.

The receiver checks every request's Standard Webhooks signature itself (its own code, written
from the spec, not ours) and, like a careful real receiver, accepts each ``webhook-id`` once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
import time
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SECRET = "whsec_" + base64.b64encode(b"newswatch-test-secret-0123456789").decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def verify_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
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
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: int | None = None

    @property
    def id(self) -> str:
        return self.headers.get("webhook-id", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """``mode``: "ok", "error" (500), "gone" (410), "slow" (sleep past the client's timeout),
    "hold" (wait for ``release`` before answering). ``fail_next`` answers 500 that many times."""

    secret: str = SECRET
    require_signature: bool = True
    port: int = field(default_factory=free_port)
    mode: str = "ok"
    fail_next: int = 0
    slow_seconds: float = 1.0
    requests: list[Request] = field(default_factory=list)
    accepted: dict[str, Any] = field(default_factory=dict)  # webhook-id -> payload, once each
    got_request: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
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

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def make_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A throw-away CA and a certificate for 127.0.0.1 signed by it: (server context, CA file)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def cert(subject: str, key: Any, issuer: str, signer: Any, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
        )
        if ca:
            usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        else:
            usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
            ).add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.add_extension(usage, critical=True).sign(signer, hashes.SHA256())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = cert("Newswatch test CA", ca_key, "Newswatch test CA", ca_key, ca=True)
    leaf = cert("127.0.0.1", leaf_key, "Newswatch test CA", ca_key, ca=False)
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, ca_file


@dataclass
class SmtpSink:
    """An aiosmtpd server collecting messages; with ``users``, it requires AUTH LOGIN/PLAIN.

    With ``tls``: STARTTLS is offered and required, or (``implicit``) the whole session is TLS.
    """

    users: dict[str, str] | None = None
    tls: ssl.SSLContext | None = None
    implicit: bool = False
    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
                return "250 OK"

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
            users = sink.users or {}
            if isinstance(auth_data, LoginPassword):
                login, password = auth_data.login.decode(), auth_data.password.decode()
                return AuthResult(success=users.get(login) == password, handled=False)
            return AuthResult(success=False, handled=False)

        kwargs: dict[str, Any] = {}
        if self.users is not None:
            # Plain-text AUTH is fine on loopback; it keeps the test free of certificates.
            kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
        if self.tls is not None and self.implicit:
            kwargs["ssl_context"] = self.tls
        elif self.tls is not None:
            kwargs.update(tls_context=self.tls, require_starttls=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "AUTH without TLS": deliberate, see above
            self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
            self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


# --------------------------------------------------------------------------- shared setup

TITLE = "Malaysia and Vietnam <script>alert('x')</script> hold joint maritime patrol"
TEXT = (
    "KUALA LUMPUR, Nov 24 (Bernama) -- The navies of Malaysia and Vietnam began a joint maritime patrol "
    "in the South China Sea on Monday, the Royal Malaysian Navy said. The exercise follows talks between "
    "the defence ministers of Malaysia and Vietnam in Hanoi last month."
)
WATCH = "vn-my"
QUERY = '"Malaysia" AND "Vietnam"'


def alert_config(
    database_url: str,
    webhook_url: str | None = None,
    smtp_port: int | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A config dict with one watch sending to the given channels (``hook``, ``mail``)."""
    channels: dict[str, Any] = {}
    if webhook_url:
        channels["hook"] = {"type": "webhook", "url": webhook_url, "secret_env": "HOOK_SECRET", "timeout": "2s"}
    if smtp_port:
        channels["mail"] = {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "sender": "Newswatch <alerts@newswatch.example.org>",
            "to": ["analyst@example.org", "Duty Desk <desk@example.org>"],
            "timeout": "5s",
        }
    data: dict[str, Any] = {
        "storage": {"database_url": database_url},
        "channels": channels,
        "watches": {WATCH: {"query": QUERY, "channels": list(channels)}},
        "alerts": {"timezone": "Asia/Ho_Chi_Minh", "retry_base": "30s", "retry_for": "24h"},
    }
    return _merge(data, overrides)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


ENV = {"HOOK_SECRET": SECRET}
