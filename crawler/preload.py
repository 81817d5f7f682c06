"""Imported by the crawl fork server (``crawler.child.PRELOAD``) after Scrapy's crawler: every
component class the crawl's Scrapy settings name (extensions, downloader and spider
middlewares, download handlers, the scheduler and its queues, duplicate filter, stats, log
formatter, robots.txt parser, downloader, resolver, request fingerprinter) and what those
import. A crawl child forked from the server then builds its crawler without importing them.

Without it each crawl child imported about 265 modules while building its crawler: 1.2 s of the
1.4 s a crawl of an outlet with nothing new took (0.1 s of it fetching), on every crawl; in a
cluster at a load of 10-15 that was 3-5 s per such crawl, the bulk of a worker's time.

Importing this module only loads classes: it starts no thread and installs no Twisted reactor
(the crawl child installs the asyncio one). A component that fails to load is left for the crawl
child to load, and to report, as before: the fork server must start whatever happens here.
"""

from __future__ import annotations

import contextlib

from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from config.sections import CrawlerConfig
from crawler.settings import scrapy_settings

ORDERED = ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES")  # path -> order
BY_SCHEME = ("DOWNLOAD_HANDLERS",)  # scheme -> path
SINGLE = (
    "SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE", "DUPEFILTER_CLASS",
    "STATS_CLASS", "LOG_FORMATTER", "ROBOTSTXT_PARSER", "DOWNLOADER", "TWISTED_DNS_RESOLVER",
    "REQUEST_FINGERPRINTER_CLASS",
)  # fmt: skip


def component_paths(settings: Settings) -> list[str]:
    """The import paths of the classes a crawler built with ``settings`` loads."""
    paths = [path for name in ORDERED for path, order in settings.getwithbase(name).items() if order is not None]
    paths += [path for name in BY_SCHEME for path in settings.getwithbase(name).values() if path]
    paths += [value for name in SINGLE if isinstance(value := settings.get(name), str) and "." in value]
    return paths


def load_components() -> None:
    for path in component_paths(Settings(scrapy_settings(CrawlerConfig()))):
        with contextlib.suppress(Exception):
            load_object(path)


load_components()
