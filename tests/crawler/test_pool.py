"""The extraction pool of a crawl (``crawler.pool``): pages are extracted in other processes, a
killed extraction process costs only the pages it held, and no extraction process outlives the
crawl that started it (killed at its time limit, or by kill -9)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from config import ConfigError, OutletConfig, config_from_dict
from crawler.messages import ArticleUrl
from crawler.pool import BrokenProcessPool, ExtractPool, pool_size
from storage.prepare import Preparer
from tests.helpers import wait_until

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
NOW = datetime(2026, 1, 10, tzinfo=UTC)


def pages() -> list[tuple[str, str]]:
    """(html, url) of the hand-written outlet pages."""
    named = {
        "thesun_article.html": "https://thesun.my/malaysia-news/x-MA12345678",
        "vietnamnews_article.html": "https://vietnamnews.vn/politics-laws/1/x.html",
        "qdnd_article.html": "https://www.qdnd.vn/quoc-te/doi-ngoai-quoc-phong/x-754100",
    }
    return [((FIXTURES / name).read_text(encoding="utf-8"), url) for name, url in named.items()]


def outlet() -> OutletConfig:
    cfg = config_from_dict(
        {
            "outlets": {
                "enabled": ["site"],
                "site": {
                    "name": "Site",
                    "base_url": "https://example.test",
                    "language": "en",
                    "timezone": "UTC",
                    "article_pattern": "/",
                    "feeds": ["/feed.xml"],
                },
            }
        },
        env={},
    )
    return cfg.outlets[0]


def gone(pid: int) -> bool:
    """Ended (a zombie waiting for a reaper counts: it runs nothing any more)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_every_page_is_extracted_by_the_pool_with_its_title() -> None:
    pool = ExtractPool(2)
    try:
        results = [pool.submit(html, url, ArticleUrl(url, url), outlet(), NOW) for html, url in pages()]
        extracted = [future.result(timeout=60) for future in results]
        assert all(e is not None and e.title and len(e.text) > 100 for e in extracted)
        assert pool.pids() and os.getpid() not in pool.pids()
    finally:
        pool.close()
    assert pool.pids() == []


def test_the_pool_prepares_each_article_for_ingest_when_the_crawl_says_how() -> None:
    pool = ExtractPool(2, Preparer(None).extracted)
    pool.fork_now()  # as the crawl child does; a pool replacing a broken one is spawned (pickled)
    try:
        records = [
            pool.submit(html, url, ArticleUrl(url, url), outlet(), NOW).result(timeout=60) for html, url in pages()
        ]
        for record in records:
            assert record is not None and record.prepared is not None
            assert record.prepared.fingerprint and record.prepared.signals is not None
            assert record.prepared.embedding is None  # no model asked for
    finally:
        pool.close()


def test_a_killed_extraction_process_costs_only_the_pages_it_held() -> None:
    pool = ExtractPool(2)
    (html, url), *_ = pages()
    try:
        assert pool.submit(html, url, ArticleUrl(url, url), outlet(), NOW).result(timeout=60) is not None
        for pid in pool.pids():
            os.kill(pid, signal.SIGKILL)  # the OOM killer, an operator
        wait_until(lambda: all(gone(p) for p in pool.pids()), "the killed extraction processes gone", timeout=60)
        # Whatever was in flight failed; the next pages are extracted by a fresh pool.
        for _ in range(2):
            try:
                result = pool.submit(html, url, ArticleUrl(url, url), outlet(), NOW).result(timeout=60)
            except BrokenProcessPool:  # a page in flight when its process was killed
                pass
            else:
                assert result is not None and result.title
                break
        else:
            pytest.fail("the pool never recovered from a killed process")
    finally:
        pool.close()


def _hold_pool(conn: Connection) -> None:
    pool = ExtractPool(2)
    html, url = pages()[0]
    pool.submit(html, url, ArticleUrl(url, url), outlet(), NOW).result(timeout=60)
    conn.send(pool.pids())
    time.sleep(600)  # ten times the test's wait: its pool ends with it, or not at all


@pytest.mark.slow  # kills a crawl child and waits for its pool to go
def test_no_extraction_process_outlives_a_crawl_child_killed_with_kill_9() -> None:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    crawl = context.Process(target=_hold_pool, args=(send,))
    crawl.start()
    try:
        assert receive.poll(60), "the pool never started"
        pids = receive.recv()
        assert pids and not any(gone(p) for p in pids)
        os.kill(crawl.pid or 0, signal.SIGKILL)
        crawl.join(10)
        # The crawl would have held them 600 s: ending within 60 s is ending with it, on any machine.
        wait_until(lambda: all(gone(p) for p in pids), "the extraction processes gone with their crawl", timeout=60)
    finally:
        if crawl.is_alive():
            crawl.kill()


def test_the_pool_size_is_the_configured_count_or_one_per_available_core() -> None:
    assert pool_size(3) == 3
    assert pool_size(0) == len(os.sched_getaffinity(0))
    with pytest.raises(ConfigError, match=r"crawler\.extract_processes.*0 to 64"):
        config_from_dict({"crawler": {"extract_processes": -1}}, env={})
