"""Webhook channel: POST the rendered JSON, signed per the Standard Webhooks convention.

Headers: ``webhook-id`` (the delivery id, the same on every retry, so a receiver drops
duplicates), ``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,`` + base64 of HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``). The key is the secret from
the channel's ``secret_env`` variable; a ``whsec_``-prefixed secret is base64 after the prefix
and is decoded, as the convention says. 2xx is delivered; 410 Gone disables the channel; any
other status, a timeout or a network error is retried. Reads ``[channels.<name>]`` ``url``,
``secret_env``, ``timeout`` (default 10 s).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alerts.channels.base import SendResult
from alerts.errors import DeliveryError
from config import Duration

if TYPE_CHECKING:
    import httpx

    from alerts.render import Rendered

USER_AGENT = "Newswatch-Webhooks/0.1"


@dataclass(frozen=True)
class WebhookChannelConfig:
    """``[channels.<name>] type = "webhook"``."""

    name: str
    url: str
    secret_env: str = ""
    secret: str = field(default="", repr=False)  # resolved from secret_env
    timeout: Duration = Duration(10.0)


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
        return cls(config, client)

    def send(self, message: Rendered) -> SendResult:
        import httpx  # a tenth of a second to import: only where a message goes out (see base.py)

        timestamp = str(int(time.time()))
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": message.delivery_id,
            "webhook-timestamp": timestamp,
        }
        if self.config.secret:
            headers["webhook-signature"] = sign(self.config.secret, message.delivery_id, timestamp, message.body)
        timeout = self.config.timeout
        try:
            response = self.client.post(
                self.config.url, content=message.body, headers=headers, timeout=httpx.Timeout(timeout)
            )
        except httpx.TimeoutException as exc:
            raise DeliveryError(
                self.name, f"no answer within {timeout:g}s ({type(exc).__name__})", unreachable=True
            ) from None
        except httpx.HTTPError as exc:
            raise DeliveryError(
                self.name, f"cannot reach {self.config.url}: {type(exc).__name__}: {exc}", unreachable=True
            ) from None
        code = response.status_code
        if 200 <= code < 300:
            return SendResult(status_code=code)
        excerpt = " ".join(response.text[:200].split())
        detail = f"HTTP {code} {response.reason_phrase}" + (f": {excerpt}" if excerpt else "")
        if code == 410:
            raise DeliveryError(
                self.name, f"{detail} (endpoint is gone: channel disabled)", status_code=code, gone=True
            )
        raise DeliveryError(self.name, detail, status_code=code)
