"""Safe by default: who may connect, what a page may load.

* ``check_bind`` refuses a bind address other than loopback unless ``web.token_env`` or
  ``web.password_env`` gives a secret.
* ``AccessControl`` (ASGI middleware) asks for the secret when one is set: HTTP basic auth
  (browsers, feed readers), ``Authorization: Bearer <token>`` (Prometheus, scripts) or
  ``?token=<token>`` (feed readers that take only a URL). ``/healthz`` answers without it (a
  load balancer's probe has no credentials; it tells nothing but up or down). Without
  credentials (loopback only) it answers only to the names in ``web.allowed_hosts``, so a web
  page elsewhere cannot read the console through DNS rebinding.
* Every response carries a Content-Security-Policy that allows no script at all (the console
  has none), no framing and no foreign resources, plus nosniff and no-referrer.

Reads ``[web]``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from config import WebConfig
from web.errors import UnsafeBind

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
OPEN_PATHS = frozenset({"/healthz"})


def is_loopback(host: str) -> bool:
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve to anything


def has_credentials(web: WebConfig) -> bool:
    return bool(web.token or web.password)


def check_bind(web: WebConfig, host: str) -> None:
    """Raise ``UnsafeBind`` for a bind address others can reach when no secret is set."""
    if not is_loopback(host) and not has_credentials(web):
        raise UnsafeBind(host)


class AccessControl:
    """Credentials (when set) or loopback host names (when not), then the security headers."""

    def __init__(self, app: ASGIApp, web: WebConfig) -> None:
        self.app = app
        self.web = web
        self.allowed_hosts = {h.lower() for h in web.allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if scope["path"] not in OPEN_PATHS:
            refusal = self._refusal(scope, headers)
            if refusal is not None:
                status, body, extra = refusal
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), *extra],
                    }
                )
                await send_with_headers({"type": "http.response.body", "body": body.encode()})
                return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        if not has_credentials(self.web):
            host = _host_name(headers.get("host", ""))
            if host not in self.allowed_hosts:
                return 421, f"this console does not answer to host {host!r} (see web.allowed_hosts)\n", []
            return None
        if self._authorized(scope, headers):
            return None
        challenge = b'Basic realm="Newswatch", charset="UTF-8"' if self.web.password else b'Bearer realm="Newswatch"'
        return 401, "credentials required\n", [(b"www-authenticate", challenge)]

    def _authorized(self, scope: Scope, headers: dict[str, str]) -> bool:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.web.token:
            return _same(value.strip(), self.web.token)
        if scheme.lower() == "basic" and self.web.password:
            try:
                user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return _same(user, self.web.username) & _same(password, self.web.password)
        if self.web.token:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            return any(_same(t, self.web.token) for t in query.get("token", []))
        return False


def _same(given: str, secret: str) -> bool:
    return hmac.compare_digest(given.encode(), secret.encode())


def _host_name(host: str) -> str:
    """The Host header without its port: ``127.0.0.1:8765`` -> ``127.0.0.1``, ``[::1]:80`` -> ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if ":" in host else host
