"""The closed sets of states the database records, as ``StrEnum``s.

A member is its string (``CrawlStatus.OK == "ok"``), so it compares, formats and serialises
to JSON as the value stored in the column; reading a row gives the member back (see
``storage.models.EnumString``). Crawl failure reasons (``http/404``, ``timeout``,
``extract/empty``...) are not here: they are open (every HTTP status is one).
"""

from __future__ import annotations

from enum import StrEnum


class CrawlStatus(StrEnum):
    """``crawl_runs.status``: how one outlet's crawl ended."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # some pages failed
    FAILED = "failed"  # the crawl itself failed (no source readable, the process died)
    TIMEOUT = "timeout"  # stopped at the crawl time limit
    INTERRUPTED = "interrupted"  # Newswatch shut down (or was killed) during the crawl
    # The sources were read and gave links, but none was an article of the outlet (none
    # matched article_pattern, or all led to other sites): a declaration that does not fit.
    UNMATCHED = "unmatched"


# A crawl that read nothing it should have: it counts towards the outlet's ``failing`` health.
CRAWL_FAILED = frozenset({CrawlStatus.FAILED, CrawlStatus.TIMEOUT})
# A crawl that kept nothing it should have: not a success for ``status``, and ``crawl`` and
# ``run --once`` exit 1. ``unmatched`` crawls in a row open an ``unmatched`` incident.
CRAWL_UNSUCCESSFUL = CRAWL_FAILED | {CrawlStatus.UNMATCHED}


class DeliveryStatus(StrEnum):
    """``alert_deliveries.status``: where one message to one channel stands."""

    PENDING = "pending"  # queued or waiting for its next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up (retry_for elapsed, or a test message's one attempt failed)
    DISABLED = "disabled"  # the endpoint said 410 Gone: the channel is off until re-enabled
