"""``OutletSpider``: one outlet's crawl, driven entirely by its declaration.

discover (feeds, sitemaps, listing pages with pagination) -> skip URLs already stored (after
canonicalisation), pages that failed before and wait for their retry (or were given up) and
items older than ``crawler.max_age`` -> fetch (with the pages whose retry is due) -> extract ->
hand the record to the sink. The spider never touches the database: the parent process
(``runner``) passes in the known, held and due URLs and conditional-request state, and ingests
what the sink receives.

Counters (slash names, reported at close): ``discovered``, ``skipped_known``, ``skipped_old``,
``skipped_pattern``, ``held``, ``retried``, ``fetched``, ``extract_empty``, ``failed``,
``sources_ok``, ``sources_failed``, ``sources_not_modified``, ``skipped_offsite``, ``skipped_bad_url``.

Explain mode (``outlets check``, ``crawler.check``): the spider also sends what each source gave
(``SourceRead``), what became of each link (``LinkSeen``) and robots.txt's verdict on the
outlet's own addresses (``RobotsRead``), and ``fetch_limit`` caps the new articles fetched.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from OpenSSL import SSL
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer, error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from config import OutletConfig
from crawler import discovery
from crawler.addresses import outlet_sites, url_allowed
from crawler.extract import decode_html
from crawler.messages import (
    ArticleFound,
    ArticleUrl,
    ChildMessage,
    LinkSeen,
    PageFailed,
    RobotsRead,
    SourceRead,
    SpiderClosed,
    TooOld,
    Validators,
)
from crawler.middlewares import RedirectRefused
from crawler.outlets import source_url
from crawler.outlets.quirks import clean_feed_title
from crawler.pool import extract_article
from crawler.resolver import REFUSED
from storage.records import ArticleRecord
from storage.urls import canonicalize

log = logging.getLogger(__name__)

Sink = Callable[[ChildMessage], None]
# Extraction elsewhere (``crawler.pool``): the spider awaits it while downloads go on.
Extractor = Callable[[str, str, ArticleUrl, OutletConfig, datetime], Awaitable[ArticleRecord | None]]
MAX_CHILD_SITEMAPS = 5


class OutletSpider(scrapy.Spider):
    name = "outlet"

    def __init__(
        self,
        outlet: OutletConfig,
        known: frozenset[str],
        fetch_states: dict[str, tuple[str | None, str | None]],
        max_age: float,
        max_listing_pages: int,
        sink: Sink,
        now: datetime,
        extractor: Extractor | None = None,
        explain: bool = False,
        fetch_limit: int | None = None,
        held: frozenset[str] = frozenset(),
        retries: tuple[ArticleUrl, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(name=outlet.slug, **kwargs)
        self.outlet = outlet
        self.known = known
        self.held = held
        self.retries = retries
        self.retrying = frozenset(page.canonical_url for page in retries)
        self.fetch_states = fetch_states
        self.oldest = now - timedelta(seconds=max_age)
        self.max_listing_pages = max_listing_pages
        self.sink = sink
        self.now = now
        self.extractor = extractor
        self.tz = ZoneInfo(outlet.timezone)
        self.pattern = re.compile(outlet.article_pattern)
        self.sites = outlet_sites(outlet.base_url, outlet.domains)  # hosts with their ports
        self.allowed_domains = list(dict.fromkeys(site.host for site in self.sites))
        self.counts: Counter[str] = Counter()
        self.seen: set[str] = set()
        self.dated_pending = 0  # feed and sitemap requests not answered yet
        self.listings_started = False
        self.mismatches = Mismatches()
        self.explain = explain  # outlets check: say what each source gave and what each link became
        self.fetch_limit = fetch_limit  # outlets check: fetch only this many new articles
        self.requested = 0

    @classmethod
    def with_settings(cls, settings: Mapping[str, Any]) -> type[OutletSpider]:
        """This spider with ``settings`` as its own (Scrapy's ``custom_settings``, applied to its
        crawler alone): how one outlet crawls with its own delay, concurrency and User-Agent
        beside others in the same process."""
        return type(cls.__name__, (cls,), {"custom_settings": dict(settings)})

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OutletSpider:
        spider: OutletSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.closed_with_reason, signal=signals.spider_closed)
        if spider.explain:
            crawler.signals.connect(spider.robots_read, signal=signals.robots_parsed)
        return spider

    def robots_read(self, robotparser: Any, request: scrapy.Request) -> None:
        """Explain mode: which of the outlet's own addresses on this site robots.txt forbids."""
        parts = urlsplit(request.url)
        agent = self.settings.get("USER_AGENT") or "*"
        ours = [
            self.outlet.base_url,
            *(self.url(p) for p in (*self.outlet.feeds, *self.outlet.sitemaps, *self.outlet.listings)),
        ]
        same_site = [u for u in dict.fromkeys(ours) if urlsplit(u).netloc == parts.netloc]
        forbidden = tuple(u for u in same_site if not robotparser.allowed(u, agent))
        self.sink(RobotsRead(self.outlet.slug, f"{parts.scheme}://{parts.netloc}/robots.txt", forbidden))

    def closed_with_reason(self, spider: scrapy.Spider, reason: str) -> None:
        self.sink(SpiderClosed(self.outlet.slug, dict(self.counts), reason, self.mismatches.examples()))

    # ----------------------------------------------------------------------- sources

    def url(self, path: str) -> str:
        return source_url(self.outlet.base_url, path)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # Pages whose retry is due: whether or not a source still lists them (an unchanged feed
        # answers 304 and lists nothing).
        for page in self.retries:
            if self._allowed(page.url):
                self.counts["retried"] += 1
                yield self._article_request(page)
        # Listing pages give no dates, so they wait until every feed and sitemap has been read:
        # an item those date as too old is then never downloaded because a listing showed it.
        for path in self.outlet.feeds:
            yield self._source(self.url(path), self.parse_feed, "feed")
        for path in self.outlet.sitemaps:
            yield self._source(self.url(path), self.parse_sitemap, "sitemap")
        if not self.dated_pending:
            for request in self._listings():
                yield request

    def _listings(self) -> Iterator[scrapy.Request]:
        if self.listings_started:
            return
        self.listings_started = True
        for path in self.outlet.listings:
            url = self.url(path)
            yield scrapy.Request(
                url,
                callback=self.parse_listing,
                errback=self.source_failed,
                cb_kwargs={"page_no": 1, "first_url": url},
                meta={"source_kind": "listing"},
                dont_filter=True,
            )

    def _dated_source_done(self) -> Iterator[scrapy.Request]:
        self.dated_pending -= 1
        if self.dated_pending == 0:
            yield from self._listings()

    def dated_source_failed(self, failure: Failure) -> list[scrapy.Request]:
        self.source_failed(failure)
        return list(self._dated_source_done())

    def _source(self, url: str, callback: Callable[..., Any], kind: str) -> scrapy.Request:
        """Feeds and sitemaps are fetched conditionally (ETag / Last-Modified from the last crawl)."""
        headers = {}
        etag, modified = self.fetch_states.get(url, (None, None))
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        self.dated_pending += 1
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.dated_source_failed,
            headers=headers,
            meta={"handle_httpstatus_list": [304], "source_kind": kind},
            dont_filter=True,
        )

    def _remember(self, response: Response) -> None:
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.sink(
                Validators(
                    self.outlet.slug,
                    _requested_url(response),
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
            )

    def _not_modified(self, response: Response) -> bool:
        if response.status == 304:
            self.counts["sources_ok"] += 1
            self.counts["sources_not_modified"] += 1
            self._explain_source(response, 0, None)
            return True
        return False

    def _explain_source(self, response: Response, items: int, problem: discovery.DiscoveryError | None) -> None:
        if self.explain:
            error = f"{problem.reason}: {problem.detail}" if problem else None
            kind = response.meta.get("source_kind", "source")
            self.sink(SourceRead(self.outlet.slug, response.url, kind, response.status, items, error))

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            yield from self._parse_feed(response)
        finally:
            yield from self._dated_source_done()

    def parse_sitemap(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        try:
            yield from self._parse_sitemap(response, depth)
        finally:
            yield from self._dated_source_done()

    def _parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if self._not_modified(response):
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        try:
            feed = discovery.parse_feed(response.body, content_type, self.tz)
        except discovery.DiscoveryError as exc:
            self._unreadable(response, exc.reason, exc.detail)
            return
        self._source_done(response, feed.error, items=len(feed.links))
        for link in feed.links:
            title = clean_feed_title(self.outlet.quirks, link.title)
            yield from self._consider(discovery.Link(link.url, link.published_at, title), response.url)

    def _parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        if self._not_modified(response):
            return
        try:
            sitemap = discovery.parse_sitemap(response.body, self.tz)
        except discovery.DiscoveryError as exc:
            self._unreadable(response, exc.reason, exc.detail)
            return
        # An index is fetched in full every time: its children carry the news, and a 304 on the
        # index would hide new entries in them.
        items = len(sitemap.links) + len(sitemap.children)
        self._source_done(response, sitemap.error, remember=not sitemap.children, items=items)
        if depth == 0:  # a sitemap index: its newest children, skipping ones too old to matter
            children = [c for c in sitemap.children if c.published_at is None or c.published_at >= self.oldest]
            children.sort(key=lambda c: c.published_at or self.now, reverse=True)
            for child in children[:MAX_CHILD_SITEMAPS]:
                if self._allowed(child.url):
                    request = self._source(child.url, self.parse_sitemap, "sitemap")
                    request.cb_kwargs["depth"] = 1
                    yield request
        for link in sitemap.links:
            yield from self._consider(link, response.url)

    def parse_listing(self, response: Response, page_no: int, first_url: str) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            self._unreadable(response, "listing/not-html", "the listing page is not HTML")
            return
        self.counts["sources_ok"] += 1
        links = discovery.listing_links(response.text, response.url)
        self._explain_source(response, len(links), None)
        new = 0  # article links on this page not stored before (a feed may have listed them already)
        for link in links:
            canonical = self._canonical(link.url)
            if (
                canonical is not None
                and canonical not in self.known
                and canonical not in self.held
                and self._is_article(link.url, canonical)
            ):
                new += 1
            yield from self._consider(link, response.url, from_listing=True)
        # Pagination only while a page still shows something new: a quiet outlet costs one page.
        if new and page_no < self.max_listing_pages:
            following = discovery.next_page(response.text, response.url, first_url, page_no)
            if following and self._allowed(following):
                yield scrapy.Request(
                    following,
                    callback=self.parse_listing,
                    errback=self.source_failed,
                    cb_kwargs={"page_no": page_no + 1, "first_url": first_url},
                    meta={"source_kind": "listing"},
                )

    def _source_done(
        self, response: Response, problem: discovery.DiscoveryError | None, remember: bool = True, items: int = 0
    ) -> None:
        self.counts["sources_ok"] += 1
        self._explain_source(response, items, problem)
        if problem is not None:
            self._error(response.url, problem.reason, problem.detail)
        elif remember:
            self._remember(response)  # a partly read source is fetched in full next time

    def _source_error(self, url: str, reason: str, detail: str, kind: str, status: int | None) -> None:
        self.counts["sources_failed"] += 1
        if self.explain:
            self.sink(SourceRead(self.outlet.slug, url, kind, status, 0, f"{reason}: {detail}"))
        self._error(url, reason, detail)

    def _unreadable(self, response: Response, reason: str, detail: str) -> None:
        """A source that answered with something that is not a feed, sitemap or listing page."""
        self._source_error(response.url, reason, detail, response.meta.get("source_kind", "source"), response.status)

    def source_failed(self, failure: Failure) -> None:
        reason, detail = failure_reason(failure)
        request = getattr(failure, "request", None)
        response = failure.value.response if isinstance(failure.value, HttpError) else None
        if request is None and response is not None:
            request = response.request
        kind = request.meta.get("source_kind", "source") if request is not None else "source"
        self._source_error(_failed_url(failure), reason, detail, kind, response.status if response else None)

    # ----------------------------------------------------------------------- articles

    def _allowed(self, url: str) -> bool:
        return url_allowed(url, self.sites)

    def _canonical(self, url: str) -> str | None:
        try:
            return canonicalize(url, self.outlet.id_pattern, self.outlet.canonical_path)
        except ValueError:  # e.g. "http://[broken" or a port out of range
            return None

    def _is_article(self, url: str, canonical: str) -> bool:
        """On the outlet's sites and matching its ``article_pattern`` (as found or canonical)."""
        return self._allowed(url) and bool(
            self.pattern.search(discovery.path_and_query(url))
            or self.pattern.search(discovery.path_and_query(canonical))
        )

    def _consider(self, link: discovery.Link, source: str, from_listing: bool = False) -> Iterator[scrapy.Request]:
        url = link.url.split("#", 1)[0]
        decision, canonical = self._decide(url, link.published_at, from_listing)
        fetch = decision == "new" and (self.fetch_limit is None or self.requested < self.fetch_limit)
        if self.explain:
            self.sink(LinkSeen(self.outlet.slug, source, url, decision, link.published_at, fetch))
        if not fetch or canonical is None:
            return
        self.requested += 1
        yield self._article_request(ArticleUrl(url, canonical, link.published_at, link.title))

    def _article_request(self, page: ArticleUrl) -> scrapy.Request:
        return scrapy.Request(
            page.url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"article": page},
            # Newest first, so a time limit cuts off the oldest items.
            priority=int(page.listed_at.timestamp() // 60) - int(self.now.timestamp() // 60) if page.listed_at else 0,
        )

    def _decide(self, url: str, published_at: datetime | None, from_listing: bool) -> tuple[str, str | None]:
        """What becomes of a link (see ``messages.LinkSeen``), counted; with its canonical URL."""
        canonical = self._canonical(url)
        if canonical is None:
            self.counts["skipped_bad_url"] += 1
            if url not in self.held:  # reported once, then remembered as written (runner: GIVE_UP_AT_ONCE)
                self._error(url, "bad-url", "a link that is not a valid URL")
            return "bad-url", None
        if not self._allowed(url):
            self.counts["skipped_offsite"] += 1
            return "offsite", canonical
        if not self._is_article(url, canonical):
            self.counts["skipped_pattern"] += 1
            self.mismatches.add(url, from_listing)
            return "pattern", canonical
        if canonical in self.seen:
            return "again", canonical
        self.seen.add(canonical)
        self.counts["discovered"] += 1
        if canonical in self.known:
            self.counts["skipped_known"] += 1
            return "known", canonical
        if canonical in self.held:  # failed before: waiting for its retry, or given up
            self.counts["held"] += 1
            return "held", canonical
        if canonical in self.retrying:
            return "retry", canonical  # requested at the start, its retry being due
        if published_at is not None and published_at < self.oldest:
            self.counts["skipped_old"] += 1
            self.sink(TooOld(self.outlet.slug, canonical))  # not even a listing brings it back
            return "old", canonical
        return "new", canonical

    async def parse_article(self, response: Response) -> None:
        page: ArticleUrl = response.meta["article"]
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or ("html" not in content_type and content_type):
            self.counts["failed"] += 1
            self._error(response.url, "article/not-html", f"Content-Type {content_type or 'missing'}", page)
            return
        text = decode(response)
        if text is None:
            self.counts["failed"] += 1
            self._error(response.url, "article/not-html", "the body is binary data, not a page", page)
            return
        self.counts["fetched"] += 1
        try:
            record: ArticleRecord | None
            if self.extractor is None:
                record = extract_article(text, response.url, page, self.outlet, self.now)
            else:
                record = await self.extractor(text, response.url, page, self.outlet, self.now)
        except Exception as exc:  # includes BrokenProcessPool: the extraction process died on it
            log.exception("extraction crashed on %s", response.url)
            self.counts["extract_empty"] += 1
            self._error(response.url, "extract/error", f"{exc.__class__.__name__}: {exc}"[:300], page)
            return
        if record is None:
            self.counts["extract_empty"] += 1
            self._error(response.url, "extract/empty", "no article text found on the page", page)
            return
        self.sink(ArticleFound(self.outlet.slug, record, record.date_source))

    def article_failed(self, failure: Failure) -> None:
        reason, detail = failure_reason(failure)
        if reason == "robots":
            self.counts["skipped_robots"] += 1  # not a failure: the site asks us not to fetch it
        else:
            self.counts["failed"] += 1
        request = _failed_request(failure)
        page = request.meta.get("article") if request is not None else None
        self._error(_failed_url(failure), reason, detail, page if isinstance(page, ArticleUrl) else None)

    def _error(self, url: str, reason: str, detail: str, page: ArticleUrl | None = None) -> None:
        self.sink(PageFailed(self.outlet.slug, url, reason, detail, page))


class Mismatches:
    """A few links that did not match ``article_pattern``, to show the user what the pattern
    missed: items of feeds and sitemaps first (each is meant to be an article), then the
    longest links of listing pages (article addresses are usually the longest links on a
    page; its menus are short)."""

    SHOWN = 3

    def __init__(self) -> None:
        self.listed: list[str] = []
        self.on_pages: list[str] = []

    def add(self, url: str, from_listing: bool) -> None:
        if not from_listing:
            if len(self.listed) < self.SHOWN:
                self.listed.append(url)
            return
        if url not in self.on_pages:
            self.on_pages.append(url)
            self.on_pages.sort(key=lambda u: -len(discovery.path_and_query(u)))
            del self.on_pages[self.SHOWN :]

    def examples(self) -> tuple[str, ...]:
        return tuple([*self.listed, *self.on_pages][: self.SHOWN])


def decode(response: TextResponse) -> str | None:
    """The page as text, decoded as ``run.py extract`` does (``extract.decode_html``)."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    charset = content_type.partition("charset=")[2].split(";")[0].strip(" \"'") or None
    return decode_html(response.body, charset)


def _requested_url(response: Response) -> str:
    """The URL as first requested (before redirects): what the next crawl will ask for."""
    request = response.request
    if request is None:
        return response.url
    return str((request.meta.get("redirect_urls") or [request.url])[0])


def _failed_request(failure: Failure) -> scrapy.Request | None:
    request = getattr(failure, "request", None)
    if request is None and isinstance(failure.value, HttpError):
        request = failure.value.response.request
    return request if isinstance(request, scrapy.Request) else None


def _failed_url(failure: Failure) -> str:
    request = _failed_request(failure)
    if request is None:
        return ""
    return str((request.meta.get("redirect_urls") or [request.url])[0])  # the URL as discovered


def _tls_failure(exc: BaseException | None) -> bool:
    """An OpenSSL error anywhere in the chain (Twisted wraps it in ResponseNeverReceived,
    Scrapy wraps that again)."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if isinstance(item, Failure):
            item = item.value
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, SSL.Error):
            return True
        todo += [item.__cause__, item.__context__, *getattr(item, "reasons", ())]
    return False


def failure_reason(failure: Failure) -> tuple[str, str]:
    """A short reason (recorded, counted, shown in ``crawl``'s table) and a human detail."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http/{exc.response.status}", f"the server answered {exc.response.status}"
    if isinstance(exc, RedirectRefused):
        return exc.reason, str(exc)
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots", "forbidden by robots.txt"
        if "DOWNLOAD_MAXSIZE" in text:  # a compressed body that grows past the cap (a gzip bomb)
            return "too-large", text[:200]
        if "redirect" in text.lower():
            return "redirect-loop", text
        return "ignored", text or "request dropped"
    if isinstance(exc, (DownloadTimeoutError, error.TimeoutError, error.TCPTimedOutError, defer.TimeoutError)):
        return "timeout", "no answer within the timeout"
    if isinstance(exc, (CannotResolveHostError, error.DNSLookupError)):
        request = getattr(failure, "request", None)  # the request that failed, maybe a redirect's
        host = (urlsplit(request.url if request is not None else "").hostname or "").lower().rstrip(".")
        if host in REFUSED:
            return "private-address", (
                f"{host} resolves to {REFUSED[host]}, a private, loopback or link-local address "
                "(see crawler.allow_private_addresses)"
            )
        return "dns", str(exc)[:200]
    if isinstance(exc, (DownloadConnectionRefusedError, error.ConnectionRefusedError)):
        return "connection-refused", "connection refused"
    if _tls_failure(exc):
        return "tls", "the server's TLS certificate could not be verified (or the TLS handshake failed)"
    if isinstance(exc, (DownloadCancelledError, defer.CancelledError)):
        return "too-large", str(exc)[:200] or "download cancelled (larger than the response size cap)"
    if isinstance(
        exc,
        (ResponseDataLossError, DownloadFailedError, ResponseNeverReceived, error.ConnectionLost, error.ConnectionDone),
    ):
        return "connection-lost", "the connection closed before a complete answer"
    return exc.__class__.__name__, str(exc)[:300]
