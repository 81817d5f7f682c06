"""End-to-end crawl benchmark against the sandbox outlets on loopback (politeness delays off).

Crawls every preset with ``--extra N`` generated articles per outlet through the real path
(discover -> fetch -> extract in the crawl child -> dedup, match, store in this process, on a
fresh SQLite database), then crawls again with nothing new. Prints articles/s, the peak
resident memory of this process and of the crawl child, and the second crawl's time and
article downloads. Then, from a sandbox of its own, how many article pages per second the
sandbox serves to one kept-alive client: the crawl's ceiling from the server side (it was a
timed test, ``per_second > 100``, until timed assertions left the tests).

    .venv/bin/python bench/crawl_bench.py [--extra 100]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import build_app
from config import config_from_dict
from crawler.outlets import load_presets
from crawler.runner import run_crawl
from sandbox import OutletSites
from storage.status import CrawlStatus

PRESETS = list(load_presets())


def serving_rate(extra: int, pages: int = 300) -> tuple[int, float]:
    """Article pages the sandbox serves per second to one client, over ``pages`` of them spread
    across the outlets (generated ones among them); returns (pages fetched, pages/s)."""
    with OutletSites(extra_articles=extra) as sandbox, httpx.Client(follow_redirects=True) as client:
        urls = [a.url for slug in PRESETS for a in sandbox.articles(slug)]
        chosen = urls[:: max(1, len(urls) // pages)][:pages]
        started = time.perf_counter()
        for url in chosen:
            client.get(url).raise_for_status()
        return len(chosen), len(chosen) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=100, help="generated articles per outlet (default 100)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, OutletSites(extra_articles=args.extra) as sandbox:
        overrides = sandbox.outlet_overrides()
        cfg = config_from_dict(
            {
                "storage": {"database_url": f"sqlite:///{folder}/bench.db"},
                # Politeness off (loopback); enough listing pages to reach every generated article.
                "crawler": {
                    "download_delay": "0s",
                    "autothrottle": False,
                    "concurrency_per_domain": 8,
                    "max_listing_pages": 20,
                },
                "outlets": {"enabled": PRESETS, **{slug: overrides[slug] for slug in PRESETS}},
            },
            env={},
            presets=load_presets(),
        )
        app = build_app(cfg)
        ingestor = app.ingestor()
        started = time.perf_counter()
        first = run_crawl(cfg, cfg.outlets, ingestor.ingest, app.sessions, time_limit=600)
        elapsed = time.perf_counter() - started
        stored = sum(s.stored for s in first)
        fetched = sum(s.fetched for s in first)
        downloads_before = sum(sandbox.article_fetches(slug) for slug in PRESETS)
        started = time.perf_counter()
        second = run_crawl(cfg, cfg.outlets, ingestor.ingest, app.sessions, time_limit=600)
        second_elapsed = time.perf_counter() - started
        second_downloads = sum(sandbox.article_fetches(slug) for slug in PRESETS) - downloads_before
        parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"outlets: {len(PRESETS)}, generated articles per outlet: {args.extra}")
        print(f"first crawl: {fetched} pages fetched, {stored} articles stored in {elapsed:.1f} s")
        print(f"  throughput: {stored / elapsed:.1f} articles/s stored ({fetched / elapsed:.1f} pages/s fetched)")
        print(
            f"  peak RSS: this process (ingest, dedup, match, store) {parent_mb:.0f} MB, crawl child {child_mb:.0f} MB"
        )
        print(
            f"second crawl (nothing new): {second_elapsed:.2f} s, {second_downloads} article downloads, "
            f"{sum(s.stored for s in second)} stored"
        )
        statuses = {s.outlet: s.status for s in first + second if s.status != CrawlStatus.OK}
        if statuses:
            print(f"non-ok crawls: {statuses}")
        app.engine.dispose()
    served, rate = serving_rate(args.extra)
    print(f"sandbox alone: {served} article pages served at {rate:.0f} pages/s (one kept-alive client)")


if __name__ == "__main__":
    main()
