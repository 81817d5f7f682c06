"""What the crawl parent (``crawler.runner``) and the crawl child (``crawler.child``) say to each other.

The parent hands the child one ``CrawlJob``; the child's spiders send back ``ChildMessage``s over
a pipe, as they happen. Every message is a frozen dataclass of plain values (pickled across the
process boundary) and names the outlet it is about.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from config import CrawlerConfig, OutletConfig
from storage.records import ArticleRecord

# ---------------------------------------------------------------------------- parent -> child


@dataclass(frozen=True)
class OutletJob:
    """One outlet to crawl: its declaration, the canonical URLs to skip, the feeds' validators."""

    outlet: OutletConfig
    known: frozenset[str] = frozenset()
    fetch_states: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class CrawlJob:
    crawler: CrawlerConfig
    outlets: tuple[OutletJob, ...]
    now: datetime
    time_limit: float | None = None
    log_level: int = logging.WARNING


# ---------------------------------------------------------------------------- child -> parent


@dataclass(frozen=True)
class ArticleFound:
    """An extracted article, for the parent to ingest."""

    outlet: str
    record: ArticleRecord


@dataclass(frozen=True)
class PageFailed:
    """A page (source or article) that failed, with a short reason (``http/404``, ``timeout``,
    ``extract/empty``...) and a human detail."""

    outlet: str
    url: str
    reason: str
    detail: str


@dataclass(frozen=True)
class Validators:
    """A feed's or sitemap's ETag / Last-Modified, for the next conditional request."""

    outlet: str
    url: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class TooOld:
    """An article URL listed as older than ``crawler.max_age``: remembered so later crawls skip it."""

    outlet: str
    canonical_url: str


@dataclass(frozen=True)
class SpiderClosed:
    """The outlet's crawl ended: its counters and Scrapy's close reason (``finished``,
    ``closespider_timeout``...)."""

    outlet: str
    counts: dict[str, int]
    reason: str
    mismatches: tuple[str, ...] = ()  # a few links that did not match article_pattern


ChildMessage = ArticleFound | PageFailed | Validators | TooOld | SpiderClosed
