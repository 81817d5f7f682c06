"""Webhook channel: POST the rendered JSON, signed per the Standard Webhooks convention.

Headers: ``webhook-id`` (the delivery id, the same on every retry, so a receiver drops
duplicates), ``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,`` + base64 of HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``). The key is the secret from
the channel's ``secret_env`` variable; a ``whsec_``-prefixed secret is base64 after the prefix
and is decoded, as the convention says. 2xx is delivered; 410 Gone disables the channel; any
other status, a timeout or a network error is retried. Reads ``[channels.<name>]`` ``url``
(http or https), ``secret_env`` or ``unsigned = true`` (one of them: sending unsigned requests
is a choice, logged as a warning when the channel is built), ``timeout`` (default 10 s).

An attempt is bounded whatever the receiver does: ``timeout`` is the deadline of the whole
request (connect, send, status line and headers, what is read of the body), enforced by the
client's transport (``alerts.channels.http``), and at most ``MAX_RESPONSE_BYTES`` of the
response body are read (for the error message); the rest is never read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from alerts.channels.base import SendResult
from alerts.errors import DeliveryError
from config import Duration, InvalidValue, setting

if TYPE_CHECKING:
    import httpx

    from alerts.render import Rendered

log = logging.getLogger(__name__)

USER_AGENT = "Newswatch-Webhooks/0.1"
# Response body bytes read at most: a 2xx needs none, an error only an excerpt.
MAX_RESPONSE_BYTES = 4096


@dataclass(frozen=True)
class WebhookChannelConfig:
    """``[channels.<name>] type = "webhook"``."""

    name: str
    url: str = setting(doc="where to POST the JSON body")
    secret_env: str = setting("", doc="environment variable holding the signing secret")
    secret: str = field(default="", repr=False)  # resolved from secret_env
    timeout: Duration = setting(Duration(10.0), low=0.1, high=600, doc="the whole request, not each read")
    unsigned: bool = setting(False, doc="send without a signature (receivers cannot tell forgeries)")

    def validate(self) -> None:
        """Refuse at load what would fail only when an alert is sent."""
        problem = url_problem(self.url)
        if problem:
            raise InvalidValue("url", problem)
        if not self.secret_env and not self.unsigned:
            raise InvalidValue(
                "secret_env",
                "missing: name the environment variable holding the signing secret, "
                "or set unsigned = true to send unsigned requests",
            )
        if self.secret_env and self.unsigned:
            raise InvalidValue("unsigned", "set together with secret_env: choose one")


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook endpoint, or None."""
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return f"expected an http(s) URL without spaces or control characters, got {url!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"not a valid URL ({exc}): {url!r}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"expected an http:// or https:// URL, got {url!r}"
    if not parts.hostname:
        return f"expected a host in the URL, got {url!r}"
    return None


def secret_key(secret: str) -> bytes:
    """The HMAC key: ``whsec_<base64>`` secrets are decoded, any other secret is used as UTF-8."""
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret[len("whsec_") :], validate=True)
        except ValueError:
            pass  # not base64 after all: use the text as given
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The ``webhook-signature`` header value for one request."""
    signed = msg_id.encode("utf-8") + b"." + timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


class WebhookChannel:
    def __init__(self, config: WebhookChannelConfig, client: httpx.Client) -> None:
        self.name = config.name
        self.config = config
        self.client = client

    @classmethod
    def from_config(cls, config: WebhookChannelConfig, client: httpx.Client) -> WebhookChannel:
        if config.unsigned:
            log.warning("channel %s sends unsigned webhooks (unsigned = true): its receiver cannot tell "
                        "them from forged requests", config.name)  # fmt: skip
        return cls(config, client)

    def send(self, message: Rendered) -> SendResult:
        import httpx  # a tenth of a second to import: only where a message goes out (see base.py)

        from alerts.channels.http import deadline

        timestamp = str(int(time.time()))  # of this attempt: receivers refuse replays by it
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "accept-encoding": "identity",  # an error excerpt is all we read: nothing to inflate
            "webhook-id": message.delivery_id,
            "webhook-timestamp": timestamp,
        }
        if self.config.secret:
            headers["webhook-signature"] = sign(self.config.secret, message.delivery_id, timestamp, message.body)
        timeout = self.config.timeout
        try:
            with (
                deadline(timeout),
                self.client.stream(
                    "POST", self.config.url, content=message.body, headers=headers, timeout=httpx.Timeout(timeout)
                ) as response,
            ):
                code = response.status_code
                excerpt = b"" if 200 <= code < 300 else _read_some(response, MAX_RESPONSE_BYTES)
        except httpx.TimeoutException as exc:
            raise DeliveryError(
                self.name, f"no answer within {timeout:g}s ({type(exc).__name__})", unreachable=True
            ) from None
        except httpx.HTTPError as exc:
            raise DeliveryError(
                self.name, f"cannot reach {self.config.url}: {type(exc).__name__}: {exc}", unreachable=True
            ) from None
        if 200 <= code < 300:
            return SendResult(status_code=code, transport=_transport(self.config.url, self.config.unsigned))
        text = " ".join(excerpt.decode("utf-8", "replace")[:200].split())
        text = "".join(c for c in text if c.isprintable())
        reason = "".join(c for c in response.reason_phrase[:60] if c.isprintable())
        detail = f"HTTP {code} {reason}" + (f": {text}" if text else "")
        if code == 410:
            raise DeliveryError(
                self.name, f"{detail} (endpoint is gone: channel disabled)", status_code=code, gone=True
            )
        raise DeliveryError(self.name, detail, status_code=code)


def _read_some(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the body, as they come (no decoding); the rest stays unread.

    A body still arriving at the deadline gives what came so far: the status is the news."""
    import httpx

    data = b""
    try:
        for chunk in response.iter_raw():
            data += chunk
            if len(data) >= limit:
                break
    except httpx.TimeoutException:
        return data[:limit] + b" (the body was still arriving at the timeout)"
    return data[:limit]


def _transport(url: str, unsigned: bool) -> str:
    secure = "HTTPS, certificate verified" if url.lower().startswith("https:") else "plain HTTP (no encryption)"
    return secure + (", unsigned" if unsigned else ", signed")
