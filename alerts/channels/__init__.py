"""Alert channels: one module per kind of endpoint, each with ``send(message) -> SendResult``.

A channel sends one rendered message and either returns (delivered) or raises
``alerts.errors.DeliveryError`` saying why; it never touches the database (the dispatcher
records attempts). ``KINDS`` is the registry: the ``type`` of a ``[channels.<name>]`` table ->
the dataclass that table is parsed into and how to build the channel. A new kind of channel is
one module (its config dataclass and its sender) plus one line here. The composition root
hands ``CONFIG_TYPES`` to ``config.load_config`` (config imports nothing of ``alerts``) and
calls ``build_channels`` with the parsed tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from alerts.channels.apprise import AppriseChannel, AppriseChannelConfig
from alerts.channels.base import Channel, ChannelKind, SendResult
from alerts.channels.smtp import SmtpChannel, SmtpChannelConfig
from alerts.channels.webhook import WebhookChannel, WebhookChannelConfig

if TYPE_CHECKING:
    import httpx

    from config import ChannelConfig

__all__ = ["CONFIG_TYPES", "KINDS", "Channel", "SendResult", "build_channels"]

KINDS: dict[str, ChannelKind[Any]] = {
    "smtp": ChannelKind(SmtpChannelConfig, SmtpChannel.from_config),
    "webhook": ChannelKind(WebhookChannelConfig, WebhookChannel.from_config),
    "apprise": ChannelKind(AppriseChannelConfig, AppriseChannel.from_config),
}

# What the config parser parses each [channels.<name>] table into, by its ``type``.
CONFIG_TYPES: dict[str, type] = {kind: entry.config for kind, entry in KINDS.items()}


def build_channels(channels: Mapping[str, ChannelConfig], client: httpx.Client) -> dict[str, Channel]:
    """Every configured channel, sharing the one injected ``httpx.Client``."""
    by_config = {entry.config: entry for entry in KINDS.values()}
    return {name: by_config[type(cfg)].build(cfg, client) for name, cfg in channels.items()}
