"""The alerts package's exceptions, all of them: what went wrong, where, and whether to retry.

Constructors never log; the caller decides (the dispatcher records a delivery error as the
attempt's error, the composition root turns a watch's query error into a config error).

    AlertError
    ├── QueryError            a query that does not parse or compile (``position`` in ``query``)
    │   └── WatchQueryError   ... in a configured watch (``watch``, config ``key``)
    ├── DeliveryError         a channel could not deliver a message (``channel``, retry hints)
    ├── RenderError           a template failed to render (``template``)
    └── UnknownDelivery       ``alerts retry`` named deliveries that do not exist (``ids``)

``QueryError`` is also a ``ValueError`` and ``UnknownDelivery`` a ``LookupError``, as they were
before they had a home here.
"""

from __future__ import annotations

from collections.abc import Sequence


class AlertError(Exception):
    """Base of every alerts error."""


class QueryError(AlertError, ValueError):
    """A query that cannot be parsed or compiled; ``position`` is a 0-based offset into it."""

    def __init__(self, message: str, position: int, query: str = "") -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position
        self.query = query

    def pointer(self) -> str:
        """The query with a caret under the offending position, for terminals."""
        return f"{self.query}\n{' ' * self.position}^"


class WatchQueryError(QueryError):
    """A watch's query does not parse or names an unknown list; ``key`` is its config key."""

    def __init__(self, watch: str, error: QueryError) -> None:
        super().__init__(error.message, error.position, error.query)
        self.watch = watch
        self.key = f"watches.{watch}.query"


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


class UnknownDelivery(AlertError, LookupError):
    """Deliveries asked for by id that are not in the database; ``ids`` are the missing ones."""

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(f"no delivery with id {', '.join(ids)}")
        self.ids = list(ids)
