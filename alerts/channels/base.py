"""What every channel shares: the ``Channel`` protocol, its ``SendResult`` and a registry entry.

A channel module (``smtp.py``, ``webhook.py``, ``apprise.py``) holds the frozen dataclass its
``[channels.<name>]`` table is parsed into and the class that sends; ``alerts.channels``
registers each under the table's ``type``. Apart from this one, channel modules import their
third-party libraries where they send, not at import: the config types of every channel are
imported to parse ``config.toml``, which even a quick ``run.py status`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    import httpx

    from alerts.render import Rendered


@dataclass(frozen=True)
class SendResult:
    status_code: int | None = None  # HTTP status or SMTP reply code
    detail: str | None = None  # e.g. recipients the mail server refused
    transport: str | None = None  # the transport security used, e.g. "STARTTLS (TLSv1.3), certificate verified"


class Channel(Protocol):
    name: str

    def send(self, message: Rendered) -> SendResult: ...


ConfigT = TypeVar("ConfigT")


@dataclass(frozen=True)
class ChannelKind(Generic[ConfigT]):
    """One ``type`` of channel: the dataclass of its table and how to build it from one.

    ``build`` gets the process's one ``httpx.Client`` (channels that speak HTTP share it).
    """

    config: type[ConfigT]
    build: Callable[[ConfigT, httpx.Client], Channel]
