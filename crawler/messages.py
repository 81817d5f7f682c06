"""What the crawl parent (``crawler.runner``) and the crawl child (``crawler.child``) say to each other.

The parent hands the child one ``CrawlJob``; the child's spiders send back ``ChildMessage``s over
a pipe, as they happen. Every message is a frozen dataclass of plain values (pickled across the
process boundary) and names the outlet it is about.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from config import CrawlerConfig, OutletConfig
from storage.records import ArticleRecord

# ---------------------------------------------------------------------------- both ways


@dataclass(frozen=True)
class ArticleUrl:
    """An article page as discovered: what a retry requests again, what a failure is recorded as."""

    url: str
    canonical_url: str
    listed_at: datetime | None = None  # the feed's or sitemap's date of the item
    listed_title: str | None = None


# ---------------------------------------------------------------------------- parent -> child


@dataclass(frozen=True)
class OutletJob:
    """One outlet to crawl: its declaration, the canonical URLs to skip (``known``: stored or
    seen; ``held``: failed before, waiting for their retry or given up), the pages whose retry
    is due (fetched whether or not a source lists them), the feeds' validators."""

    outlet: OutletConfig
    known: frozenset[str] = frozenset()
    fetch_states: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # ``outlets check``: the spider explains every decision (``SourceRead``, ``LinkSeen``,
    # ``RobotsRead``) and fetches at most ``fetch_limit`` new articles (None: every one).
    explain: bool = False
    fetch_limit: int | None = None
    held: frozenset[str] = frozenset()
    retries: tuple[ArticleUrl, ...] = ()


@dataclass(frozen=True)
class CrawlJob:
    crawler: CrawlerConfig
    outlets: tuple[OutletJob, ...]
    now: datetime
    time_limit: float | None = None
    log_level: int = logging.WARNING
    # Run on each extracted article in the extraction processes (``crawler.pool``): the
    # composition root's ``storage.prepare.Preparer`` (picklable); None: ingest prepares.
    prepare: Callable[[ArticleRecord], ArticleRecord] | None = None


# ---------------------------------------------------------------------------- child -> parent


@dataclass(frozen=True)
class ArticleFound:
    """An extracted article, for the parent to ingest."""

    outlet: str
    record: ArticleRecord
    # Where ``record.published_at`` came from: "metadata", "markup", "visible date", "text
    # guess", "dateline" (the page, ``crawler.extract.dates``), "feed or sitemap"; None: no date.
    date_source: str | None = None


@dataclass(frozen=True)
class PageFailed:
    """A page (source or article) that failed, with a short reason (``http/404``, ``timeout``,
    ``extract/empty``...) and a human detail; ``article`` for an article page (None for a feed,
    sitemap or listing page)."""

    outlet: str
    url: str
    reason: str
    detail: str
    article: ArticleUrl | None = None


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


# ------------------------------------------------------------- child -> parent, explain mode only


@dataclass(frozen=True)
class SourceRead:
    """A feed, sitemap or listing page and what it gave: its HTTP status and how many items
    (feed entries, sitemap entries, links on a listing page), or why it could not be read
    (``error``, with ``status`` None when there was no answer)."""

    outlet: str
    url: str
    kind: str  # "feed", "sitemap", "listing"
    status: int | None
    items: int = 0
    error: str | None = None


@dataclass(frozen=True)
class LinkSeen:
    """A link a source gave and what the crawl decided: ``new`` (``fetched`` if requested),
    ``known``, ``old``, ``again`` (seen from another source), ``pattern`` (not matching
    ``article_pattern``), ``offsite``, ``bad-url``, ``held`` (failed before: waiting for its
    retry or given up), ``retry`` (its retry is due: requested at the crawl's start)."""

    outlet: str
    source: str
    url: str
    decision: str
    published_at: datetime | None = None
    fetched: bool = False


@dataclass(frozen=True)
class RobotsRead:
    """A site's robots.txt was read: which of the outlet's own addresses (its base URL and
    declared sources on that site) it forbids to our user agent."""

    outlet: str
    url: str
    forbidden: tuple[str, ...] = ()


ChildMessage = ArticleFound | PageFailed | Validators | TooOld | SpiderClosed | SourceRead | LinkSeen | RobotsRead
