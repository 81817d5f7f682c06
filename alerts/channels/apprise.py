"""Chat and push channels (Slack, Teams, Telegram, Discord, ntfy, ...) through Apprise.

Apprise knows a hundred services; each is configured by one URL (``slack://...``,
``tgram://...``, ``ntfys://...``) that holds its tokens, so the URL comes from the environment
variable named by ``[channels.<name>] url_env``. Apprise reports failures only through its
log, so the log is captured to give the attempt a real error message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alerts.channels.base import SendResult
from alerts.errors import DeliveryError
from config import setting

if TYPE_CHECKING:
    import httpx

    from alerts.render import Rendered


@dataclass(frozen=True)
class AppriseChannelConfig:
    """``[channels.<name>] type = "apprise"``: the URL holds tokens, so it comes from ``url_env``."""

    name: str
    url_env: str = setting(doc="environment variable holding the Apprise URL (it holds tokens)")
    url: str = field(default="", repr=False)  # resolved from url_env


class AppriseChannel:
    def __init__(self, config: AppriseChannelConfig) -> None:
        self.name = config.name
        self.config = config

    @classmethod
    def from_config(cls, config: AppriseChannelConfig, client: httpx.Client) -> AppriseChannel:
        return cls(config)  # Apprise makes its own connections

    def send(self, message: Rendered) -> SendResult:
        import apprise  # a tenth of a second to import: only where a message goes out

        notifier = apprise.Apprise()
        if not notifier.add(self.config.url):
            raise DeliveryError(
                self.name, f"Apprise does not recognise the URL in ${self.config.url_env} (see the Apprise wiki)"
            )
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            ok = notifier.notify(body=message.text, title=message.subject)
        if not ok:
            log_text = " ".join(str(captured.getvalue()).split()) if captured is not None else ""
            raise DeliveryError(self.name, log_text[-500:] or "Apprise reported a failure", unreachable=True)
        return SendResult()
