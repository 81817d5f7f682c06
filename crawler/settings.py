"""Scrapy settings built from ``[crawler]``: politeness, safety limits and our middlewares.

Reads ``crawler.user_agent``, ``download_delay``, ``autothrottle``, ``obey_robots``,
``timeout``, ``max_response_bytes``, ``retries``, ``concurrency_per_domain``,
``allow_private_addresses`` (with the local outlets' hosts, for ``crawler.resolver``), and each
outlet's own ``download_delay``, ``concurrency`` and ``user_agent``: one crawl child runs every
outlet as its own Scrapy crawler, and ``outlet_settings`` gives each the settings where its
values differ from the process's (Scrapy's per-spider ``custom_settings``), so AutoThrottle,
back-off, robots.txt and the downloader all follow the outlet's values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from config import CrawlerConfig, OutletConfig

MIN_DELAY = 0.001


def scrapy_settings(
    cfg: CrawlerConfig, time_limit: float | None = None, local_hosts: Iterable[str] = ()
) -> dict[str, Any]:
    delay = float(cfg.download_delay)
    return {
        "BOT_NAME": "newswatch",
        "USER_AGENT": cfg.user_agent,
        "ROBOTSTXT_OBEY": cfg.obey_robots,
        # Never 0: Scrapy's downloader (2.19, asyncio) counts a request as in flight only once its
        # task has started, so requests handed over in one event-loop turn all start at once and
        # the per-site concurrency is not kept; a delay of 1 ms spaces them by a turn.
        "DOWNLOAD_DELAY": max(delay, MIN_DELAY),
        "DOWNLOAD_DELAY_JITTER": 0.5,
        # AutoThrottle slows down for a slow server and never goes below DOWNLOAD_DELAY.
        "AUTOTHROTTLE_ENABLED": cfg.autothrottle and delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": cfg.concurrency_per_domain,
        # Our callbacks yield requests only (articles go out through the spider's sink), and
        # Scrapy starts this many asyncio tasks for every response's output, empty or not: at
        # its default of 100, about 12,000 tasks for 120 article pages.
        "CONCURRENT_ITEMS": 1,
        "DOWNLOAD_TIMEOUT": float(cfg.timeout),
        "DNS_TIMEOUT": float(cfg.timeout),
        "DOWNLOAD_MAXSIZE": cfg.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": cfg.retries > 0,
        "RETRY_TIMES": cfg.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "NEWSWATCH_BACKOFF_BASE": max(delay, 1.0),
        "NEWSWATCH_MAX_RETRY_AFTER": min(300.0, (time_limit or 900.0) / 3),
        "REDIRECT_MAX_TIMES": 5,
        "METAREFRESH_ENABLED": False,
        "COOKIES_ENABLED": True,
        "DOWNLOAD_VERIFY_CERTIFICATES": True,  # Scrapy accepts any certificate by default
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.PolitenessMiddleware": 555,  # before RetryMiddleware (550) sees answers
            "crawler.middlewares.RedirectPolicyMiddleware": 650,  # between Cookies (700) and Redirect (600)
        },
        "CLOSESPIDER_TIMEOUT": float(time_limit or 0),
        # Every connection's addresses are checked after resolution (crawler.addresses).
        "TWISTED_DNS_RESOLVER": "crawler.resolver.GuardedResolver",
        "NEWSWATCH_LOCAL_HOSTS": sorted(local_hosts),
        "NEWSWATCH_ALLOW_PRIVATE_ADDRESSES": cfg.allow_private_addresses,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no listening socket in a crawl
        "LOG_INSTALL_ROOT_HANDLER": False,
        "LOG_ENABLED": True,
        "LOG_LEVEL": "WARNING",
        "STATS_DUMP": False,
        "LOGSTATS_INTERVAL": 0,
        "MEMUSAGE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
    }


def outlet_settings(
    cfg: CrawlerConfig, outlet: OutletConfig, time_limit: float | None = None, local_hosts: Iterable[str] = ()
) -> dict[str, Any]:
    """The Scrapy settings where ``outlet``'s crawl differs from ``scrapy_settings(cfg, ...)``."""
    hosts = list(local_hosts)
    shared = scrapy_settings(cfg, time_limit, hosts)
    own = scrapy_settings(cfg.for_outlet(outlet), time_limit, hosts)
    return {key: value for key, value in own.items() if shared[key] != value}
