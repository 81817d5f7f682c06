"""Extraction off the crawl's event loop, on the cores the crawl is given.

Extraction (lxml + trafilatura) is the CPU cost of a crawl; run on Scrapy's event loop it also
stops downloads while it works. The crawl child (``crawler.child``) therefore hands each page to
an ``ExtractPool``: a process pool of ``crawler.extract_processes`` processes (0: one per core
this process may run on). Downloads go on in the child while the pool extracts, and the parent
ingests what the pool produced, so fetching, extraction and ingestion overlap.

The pool also prepares each article for ingest when the crawl was given a ``Prepare``
(``storage.prepare``: the dedup fingerprint and signals, the content hash and, for the articles
worth it, the embedding): work that depends on the article alone, done here in as many processes
as the crawl has cores instead of in the one ingesting process.

A pool process that dies (a crash in a C library on one page) fails the pages it held with
``BrokenProcessPool``; the next page gets a fresh pool, so one bad page costs only the pages in
flight with it. A pool process ends by itself when the crawl child that started it is gone
(killed at the time limit or by a signal), so no extraction process outlives its crawl.

Reads ``crawler.extract_processes``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from twisted.internet.defer import Deferred

from config import OutletConfig
from crawler.extract import extract
from crawler.messages import ArticleUrl
from storage.records import ArticleRecord

__all__ = ["BrokenProcessPool", "ExtractPool", "available_cores", "extract_article", "pool_size"]

PARENT_POLL = 0.5  # seconds between a pool process's checks that its crawl child still runs

Prepare = Callable[[ArticleRecord], ArticleRecord]
_prepare: Prepare | None = None  # in a pool process: the crawl's (``_start``)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. under ``taskset`` or a cgroup
    cpuset), not the machine's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def pool_size(configured: int) -> int:
    return configured if configured > 0 else available_cores()


def extract_article(
    html: str, url: str, page: ArticleUrl, outlet: OutletConfig, now: datetime, prepare: Prepare | None = None
) -> ArticleRecord | None:
    """The article of ``page`` (fetched from ``url``) as ingest takes it, prepared by ``prepare``
    when given; None for a page with no article. The feed's title and date stand in for those
    the page lacks."""
    extracted = extract(html, url, outlet=outlet, now=now)
    if extracted is None:
        return None
    published_at, date_source = extracted.published_at, extracted.date_source
    if published_at is None and page.listed_at is not None:
        published_at, date_source = page.listed_at, "feed or sitemap"
    record = ArticleRecord(
        url=url,
        canonical_url=page.canonical_url,
        title=extracted.title or page.listed_title or "",
        text=extracted.text,
        outlet=outlet.slug,
        outlet_name=outlet.name,
        outlet_family=outlet.family or None,
        language=extracted.language,
        author=extracted.author,
        published_at=published_at,
        date_source=date_source,
        fetched_at=now,
    )
    return prepare(record) if prepare is not None else record


def _start(parent: int, prepare: Prepare | None) -> None:
    """Pool initializer: keep the crawl's ``prepare``; end this process when the crawl child
    that started it is gone."""
    global _prepare
    _prepare = prepare

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(0)

    threading.Thread(target=watch, name="extract-parent-watch", daemon=True).start()


def _extract(html: str, url: str, page: ArticleUrl, outlet: OutletConfig, now: datetime) -> ArticleRecord | None:
    return extract_article(html, url, page, outlet, now, _prepare)


class ExtractPool:
    """A process pool for ``extract_article``, created lazily and replaced when broken."""

    def __init__(self, processes: int, prepare: Prepare | None = None) -> None:
        self.processes = processes
        self.prepare = prepare
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                # Spawned, not forked: the crawl child runs threads (the message sender, Scrapy's
                # DNS pool) that a fork would copy in whatever state they were.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(os.getpid(), self.prepare),
            )
        return self._executor

    def fork_now(self) -> None:
        """Start the processes now, forked from this one: they begin with everything it imported.
        Only for a process that runs no other thread yet (the crawl child, first thing): a fork
        copies the locks other threads hold as they are. Where there is no fork, the pool stays
        lazy; a pool replacing a broken one is always spawned."""
        if self._executor is not None or "fork" not in multiprocessing.get_all_start_methods():
            return
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start,
            initargs=(os.getpid(), self.prepare),
        )
        self._executor.submit(int).result()  # with fork, the first submission starts every process

    def submit(
        self, html: str, url: str, page: ArticleUrl, outlet: OutletConfig, now: datetime
    ) -> Future[ArticleRecord | None]:
        try:
            return self._pool().submit(_extract, html, url, page, outlet, now)
        except BrokenProcessPool:  # a process died on an earlier page: start afresh
            self._discard()
            return self._pool().submit(_extract, html, url, page, outlet, now)

    def extract(
        self, html: str, url: str, page: ArticleUrl, outlet: OutletConfig, now: datetime
    ) -> Awaitable[ArticleRecord | None]:
        """``submit`` as something a Scrapy ``async def`` callback can await (on the reactor's thread)."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor

        future = self.submit(html, url, page, outlet, now)
        deferred: Deferred[ArticleRecord | None] = Deferred()

        def settle(done: Future[ArticleRecord | None]) -> None:
            error = done.exception()
            if error is not None:
                deferred.errback(error)
            else:
                deferred.callback(done.result())

        future.add_done_callback(lambda done: reactor.callFromThread(settle, done))
        return maybe_deferred_to_future(deferred)

    def pids(self) -> list[int]:
        """The pool's processes now (started on demand, up to ``processes``)."""
        if self._executor is None:
            return []
        return [pid for pid in self._executor._processes or {}]

    def _discard(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
