"""The alerts package's exceptions: what went wrong, on which channel, and whether to retry.

Constructors never log; the dispatcher records the message as the attempt's error.
"""

from __future__ import annotations


class AlertError(Exception):
    """Base of every alerts error."""


class DeliveryError(AlertError):
    """A channel could not deliver a message.

    ``status_code`` is the HTTP or SMTP reply code when there was one. ``unreachable`` means
    the endpoint could not be reached at all (refused, timed out), so the dispatcher leaves the
    channel's other messages for the next pass. ``gone`` means the endpoint asked us to stop
    (HTTP 410): the channel is disabled until re-enabled.
    """

    def __init__(
        self,
        channel: str,
        message: str,
        *,
        status_code: int | None = None,
        unreachable: bool = False,
        gone: bool = False,
    ) -> None:
        super().__init__(message)
        self.channel = channel
        self.message = message
        self.status_code = status_code
        self.unreachable = unreachable
        self.gone = gone


class RenderError(AlertError):
    """A template failed to render (a user template with a mistake, usually)."""

    def __init__(self, template: str, message: str) -> None:
        super().__init__(f"template {template}: {message}")
        self.template = template
