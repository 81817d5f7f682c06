"""Per-outlet politeness in a real crawl: outlets crawled at once by one crawl child, each with
its own ``download_delay``, ``concurrency`` and ``user_agent`` (or the ``[crawler]`` ones),
observed as the scripted site on 127.0.0.1 sees the requests."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from app import build_app
from crawler.runner import run_crawl
from tests.crawler.site import Hit, Page, Site
from tests.crawler.test_crawl import NOW, RSS, article, rss
from tests.helpers import make_config

HANG = 0.6  # seconds each of the brisk outlet's pages takes to answer


def outlet(site: Site, prefix: str, **keys: Any) -> dict[str, Any]:
    return {
        "name": prefix.title(),
        "base_url": site.url,
        "language": "en",
        "timezone": "UTC",
        "feeds": [f"/{prefix}.xml"],
        "article_pattern": rf"^/{prefix}/[a-z0-9-]+$",
        **keys,
    }


def most_in_flight(hits: list[Hit]) -> int:
    """The most requests the server was answering at once (each takes ``HANG`` seconds)."""
    return max(sum(1 for other in hits if other.at <= hit.at < other.at + HANG) for hit in hits)


@pytest.mark.slow  # waits out a download delay
def test_two_outlets_crawled_at_once_each_keep_their_own_delay_concurrency_and_user_agent(
    sqlite_url: str, site: Site
) -> None:
    for n, (prefix, count, hang) in enumerate((("brisk", 6, HANG), ("gentle", 4, 0.0), ("plain", 4, HANG))):
        paths = [f"/{prefix}/story-{i}" for i in range(count)]
        site.routes[f"/{prefix}.xml"] = Page(rss(site, [(p, p, NOW) for p in paths]), content_type=RSS)
        for seed, path in enumerate(paths, start=100 * (n + 1)):
            site.routes[path] = Page(article(path, seed), hang=hang)
    cfg = make_config(
        {
            "storage": {"database_url": sqlite_url},
            "crawler": {
                "download_delay": "0s",
                "concurrency_per_domain": 2,
                "user_agent": "GlobalBot/2.0 (+mailto:ops@example.org)",
                "retries": 0,
                "timeout": "5s",
            },
            "outlets": {
                "enabled": ["brisk", "gentle", "plain"],
                "brisk": outlet(site, "brisk", concurrency=3, user_agent="BriskBot/1.0 (+mailto:brisk@example.org)"),
                "gentle": outlet(site, "gentle", download_delay="1s", concurrency=1),
                "plain": outlet(site, "plain"),  # everything from [crawler]
            },
        }
    )
    app = build_app(cfg)

    summaries = run_crawl(cfg, cfg.outlets, app.ingestor().ingest, app.sessions, time_limit=60)

    assert {s.outlet: s.stored for s in summaries} == {"brisk": 6, "gentle": 4, "plain": 4}
    brisk = [h for h in site.hits if h.path.startswith("/brisk")]
    gentle = [h for h in site.hits if h.path.startswith("/gentle/")]
    plain = [h for h in site.hits if h.path.startswith("/plain/")]
    # Concurrency: the brisk outlet keeps three pages in flight, the plain one the global two
    # (without any delay between requests).
    assert most_in_flight([h for h in brisk if h.path.startswith("/brisk/")]) == 3
    assert most_in_flight(plain) == 2
    # Delay: the gentle outlet's pages come at least the delay apart (Scrapy randomises it
    # between half and one and a half times: 0.5-1.5 s), while the brisk outlet asks for three
    # at once. The site records a request when its handler thread runs, which a loaded machine
    # may do late for one request and on time for the next: the bound sits a quarter second below
    # the shortest randomised delay, and as far above a crawler that ignored it (the next page
    # right after the answer, milliseconds apart).
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(gentle)]
    assert min(gaps) >= 0.25, gaps
    # User-Agent: the brisk outlet's own, the gentle outlet's from [crawler]; robots.txt too.
    assert {h.headers["user-agent"] for h in brisk} == {"BriskBot/1.0 (+mailto:brisk@example.org)"}
    assert {h.headers["user-agent"] for h in gentle + plain} == {"GlobalBot/2.0 (+mailto:ops@example.org)"}
    robots = sorted(h.headers["user-agent"] for h in site.hits if h.path == "/robots.txt")
    assert robots == ["BriskBot/1.0 (+mailto:brisk@example.org)", *["GlobalBot/2.0 (+mailto:ops@example.org)"] * 2]
