"""Alert channels: one class per kind of endpoint, each with ``send(message) -> SendResult``.

A channel sends one rendered message and either returns (delivered) or raises
``alerts.errors.DeliveryError`` saying why; it never touches the database (the dispatcher
records attempts). ``build_channels`` makes every ``[channels.*]`` of the config, sharing
the one injected ``httpx.Client``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

from alerts.render import Rendered
from config import AppriseChannelConfig, ChannelConfig, SmtpChannelConfig, WebhookChannelConfig


@dataclass(frozen=True)
class SendResult:
    status_code: int | None = None  # HTTP status or SMTP reply code
    detail: str | None = None  # e.g. recipients the mail server refused


class Channel(Protocol):
    name: str

    def send(self, message: Rendered) -> SendResult: ...


def build_channels(channels: Mapping[str, ChannelConfig], client: httpx.Client) -> dict[str, Channel]:
    from alerts.channels.apprise import AppriseChannel
    from alerts.channels.smtp import SmtpChannel
    from alerts.channels.webhook import WebhookChannel

    built: dict[str, Channel] = {}
    for name, cfg in channels.items():
        if isinstance(cfg, SmtpChannelConfig):
            built[name] = SmtpChannel(cfg)
        elif isinstance(cfg, WebhookChannelConfig):
            built[name] = WebhookChannel(cfg, client)
        elif isinstance(cfg, AppriseChannelConfig):
            built[name] = AppriseChannel(cfg)
    return built
