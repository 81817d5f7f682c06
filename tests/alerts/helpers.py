"""Shared setup for the alert tests: a config with one watch and an article that matches it.

The servers they talk to (webhook receiver, mail sink) are the sandbox's (``sandbox``).
"""

from __future__ import annotations

from typing import Any

from sandbox.webhook import SECRET

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
