"""Downloader middlewares for what Scrapy does not do by itself.

- ``RedirectPolicyMiddleware``: a redirect to the *same* URL (qdnd.vn's cookie gate: a 302 that
  sets a cookie and points back at the page) is followed once, bypassing the duplicate filter
  that would otherwise drop it silently; a second one is a loop. A redirect outside the outlet's
  sites (host and port, ``crawler.addresses``) is refused with a recorded reason, not followed.
- ``PolitenessMiddleware``: a ``Crawl-delay`` in robots.txt raises the per-host delay for the
  whole crawl; 429/503 answers wait for ``Retry-After`` (seconds or an HTTP date) and other
  retryable failures back off exponentially before the retry, instead of Scrapy's immediate one.

Reads (Scrapy settings built by ``crawler.settings``): ``NEWSWATCH_ALLOWED_DOMAINS`` comes from
the spider, ``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``NEWSWATCH_BACKOFF_BASE``,
``NEWSWATCH_MAX_RETRY_AFTER``.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.misc import load_object

from crawler.addresses import Site, url_allowed

log = logging.getLogger(__name__)

REDIRECT_CODES = (301, 302, 303, 307, 308)


class RedirectRefused(IgnoreRequest):
    """A redirect the policy will not follow; ``reason`` is recorded as the crawl error."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class RedirectPolicyMiddleware:
    """Runs between CookiesMiddleware (which has stored the gate's cookie) and RedirectMiddleware."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectPolicyMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        raw = response.headers.get(b"Location")
        if response.status not in REDIRECT_CODES or not raw:
            return response
        location = urljoin(request.url, raw.decode("latin-1").strip())
        if location.split("#", 1)[0] == request.url.split("#", 1)[0]:
            if request.meta.get("newswatch_gate_passed"):
                raise RedirectRefused(
                    "redirect-loop", f"{request.url} redirects to itself again after the cookie was set"
                )
            meta = {**request.meta, "newswatch_gate_passed": True}
            return request.replace(dont_filter=True, meta=meta)
        if location.split("#", 1)[0] in request.meta.get("redirect_urls", ()):
            raise RedirectRefused("redirect-loop", f"{request.url} redirects back to {location}")
        sites: tuple[Site, ...] = getattr(self.crawler.spider, "sites", ())
        if sites and not url_allowed(location, sites):
            netloc = urlsplit(location).netloc
            raise RedirectRefused(
                "offsite-redirect", f"{request.url} redirects to {netloc}, outside the outlet's sites"
            )
        return response


class PolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.retry_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.backoff_base = settings.getfloat("NEWSWATCH_BACKOFF_BASE", 1.0)
        self.max_retry_after = settings.getfloat("NEWSWATCH_MAX_RETRY_AFTER", 300.0)
        self.retry_exceptions = tuple(
            load_object(path) if isinstance(path, str) else path for path in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.floors: dict[str, tuple[float, float]] = {}  # slot key -> (delay, until monotonic)
        self.crawl_delays: dict[str, float] = {}  # host -> robots.txt Crawl-delay
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolitenessMiddleware:
        return cls(crawler)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        agent = self.crawler.settings.get("USER_AGENT") or "*"
        delay = robotparser.crawl_delay(agent)
        if delay:
            host = urlsplit(request.url).hostname or ""
            self.crawl_delays[host] = float(delay)
            log.info("robots.txt of %s asks for a crawl delay of %ss", host, delay)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        floor = self.crawl_delays.get(urlsplit(request.url).hostname or "", 0.0)
        backoff = self.floors.get(key)
        if backoff is not None:
            if time.monotonic() < backoff[1]:
                floor = max(floor, backoff[0])
            else:
                del self.floors[key]
                slot.delay = max(self.crawler.settings.getfloat("DOWNLOAD_DELAY"), floor)
        if floor and slot.delay < floor:
            slot.delay = floor
            slot.jitter = 0.0  # randomising could go below what the site asked for

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        self.process_request(request)  # AutoThrottle may have lowered the delay below a floor
        if response.status not in self.retry_codes or request.meta.get("dont_retry"):
            return response
        retries = request.meta.get("retry_times", 0)
        wait = self.backoff_base * (2**retries)
        header = response.headers.get(b"Retry-After")
        if response.status in (429, 503) and header:
            asked = retry_after_seconds(header.decode("latin-1"))
            if asked is not None:
                if asked > self.max_retry_after:
                    log.warning("%s asks to retry after %ds: giving up on it for this crawl", request.url, asked)
                    request.meta["dont_retry"] = True  # and RetryMiddleware must not retry it at once
                    return response
                wait = max(wait, asked)
        retry = get_retry_request(request, spider=self.crawler.spider or spider, reason=f"http-{response.status}")  # type: ignore[arg-type]
        if retry is None:
            return response  # retries exhausted: the spider's errback records the status
        self._hold(request, wait)
        return retry

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        # RetryMiddleware retries network errors; make it wait first (not after a robots.txt
        # refusal or a cancelled oversized download, which are not retried).
        if isinstance(exception, self.retry_exceptions):
            self._hold(request, self.backoff_base * (2 ** request.meta.get("retry_times", 0)))

    def _hold(self, request: Request, seconds: float) -> None:
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None or seconds <= 0:
            return
        key = downloader.get_slot_key(request)
        self.floors[key] = (seconds, time.monotonic() + seconds * 2)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, seconds)
            slot.jitter = 0.0


def retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
