"""A page that failed is retried on a schedule (1 h, 6 h, 24 h by default), not every time its
feed changes, and then given up; an answer about what the URL is (forbidden by robots.txt, not
HTML) is remembered at once; a given-up page no longer makes the outlet's crawls ``partial``.

Real crawls of a scripted site on 127.0.0.1; time moves through ``run_crawl(now=...)``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app import build_app
from config import ConfigError
from crawler.runner import CrawlSummary, run_crawl
from storage.models import FailedUrl
from storage.status import CrawlStatus
from tests.crawler.site import Hit, Page, Site
from tests.crawler.test_crawl import NOW, RSS, article, config, rss, stored_urls
from tests.helpers import make_config

KIB = 1024


def conditional_feed(site: Site, names: list[str]) -> None:
    """The feed with an ETag per version: unchanged, it answers 304 and lists nothing."""
    version = '"' + "+".join(name.rsplit("/", 1)[-1] for name in names) + '"'
    body = rss(site, [(name, name, NOW) for name in names])

    def answer(hit: Hit) -> Page:
        if hit.headers.get("if-none-match") == version:
            return Page(status=304, content_type="")
        return Page(body, content_type=RSS, headers={"ETag": version})

    site.routes["/feed.xml"] = answer


def crawl_at(cfg: Any, site: Site, now: datetime) -> tuple[CrawlSummary, list[str]]:
    """One crawl as if started at ``now``; returns its summary and the article pages it requested."""
    app = build_app(cfg)
    before = len(site.hits)
    [summary] = run_crawl(cfg, cfg.outlets, app.ingestor().ingest, app.sessions, time_limit=60, now=now)
    pages = sorted(h.path for h in site.hits[before:] if h.path.startswith(("/news/", "/private/")))
    return summary, pages


def failed_rows(cfg: Any) -> dict[str, FailedUrl]:
    with build_app(cfg).sessions() as session:
        return {row.url.rsplit("/", 1)[-1]: row for row in session.scalars(select(FailedUrl))}


@pytest.mark.slow  # five crawls
def test_failed_pages_are_retried_after_1h_6h_24h_then_given_up(database_url: str, site: Site) -> None:
    flaky = {"calls": 0}

    def flaky_page(hit: Hit) -> Page:
        flaky["calls"] += 1
        return Page("busy", status=503) if flaky["calls"] == 1 else Page(article("Flaky but fine", 3))

    site.routes.update(
        {
            "/news/good": Page(article("Navy patrol talks", 1)),
            "/news/missing": Page("gone", status=404),
            "/news/pdf": Page(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", content_type="application/pdf"),
            "/news/huge": Page(article("Huge", 2) + "<p>" + "x" * (200 * KIB) + "</p>"),
            "/news/flaky": flaky_page,
            "/private/secret": Page(article("Secret", 4)),
            "/news/fresh": Page(article("Fresh report", 5)),
        }
    )
    names = ["/news/good", "/news/missing", "/news/pdf", "/news/huge", "/news/flaky", "/private/secret"]
    conditional_feed(site, names)
    cfg = config(database_url, site, crawler={"retries": 0, "max_response_bytes": 64 * KIB})
    t0 = NOW

    first, pages = crawl_at(cfg, site, t0)
    assert first.status == CrawlStatus.PARTIAL
    assert pages == ["/news/flaky", "/news/good", "/news/huge", "/news/missing", "/news/pdf"]
    assert stored_urls(build_app(cfg)) == {"good"}
    rows = failed_rows(cfg)
    assert {name: row.reason for name, row in rows.items()} == {
        "missing": "http/404",
        "pdf": "article/not-html",
        "huge": "too-large",
        "flaky": "http/503",
        "secret": "robots",
    }
    for name in ("missing", "huge", "flaky"):  # retried in an hour
        retry_at = rows[name].retry_at
        assert retry_at is not None and timedelta(minutes=59) < retry_at - t0 < timedelta(minutes=62)
    for name in ("pdf", "secret"):  # what the URL is will not change: remembered, never fetched again
        assert rows[name].retry_at is None and rows[name].gave_up_at is not None
    listed = {(p.url.rsplit("/", 1)[-1], p.reason, p.retry_at is None) for p in first.failed_pages}
    assert ("missing", "http/404", False) in listed and ("pdf", "article/not-html", True) in listed

    # The feed changes ten minutes later: only the new item is fetched, and the crawl is ok.
    conditional_feed(site, [*names, "/news/fresh"])
    second, pages = crawl_at(cfg, site, t0 + timedelta(minutes=10))
    assert pages == ["/news/fresh"]
    assert (second.status, second.held, second.failed) == (CrawlStatus.OK, 5, 0)

    # An hour on, with the feed unchanged (304, no links): the due pages are fetched all the same.
    third, pages = crawl_at(cfg, site, t0 + timedelta(hours=1, minutes=5))
    assert pages == ["/news/flaky", "/news/huge", "/news/missing"]
    assert third.retried == 3 and third.status == CrawlStatus.PARTIAL
    assert "flaky" in stored_urls(build_app(cfg))
    rows = failed_rows(cfg)
    assert "flaky" not in rows  # stored: no longer failing
    assert rows["missing"].attempts == 2
    retry_at = rows["missing"].retry_at
    assert retry_at is not None and timedelta(hours=6) < retry_at - (t0 + timedelta(hours=1)) < timedelta(
        hours=6, minutes=8
    )

    # Before the 6 h retry is due nothing is fetched; then the third attempt, then the fourth and last.
    _, pages = crawl_at(cfg, site, t0 + timedelta(hours=6))
    assert pages == []
    _, pages = crawl_at(cfg, site, t0 + timedelta(hours=7, minutes=10))
    assert pages == ["/news/huge", "/news/missing"]
    last, pages = crawl_at(cfg, site, t0 + timedelta(hours=31, minutes=15))
    assert pages == ["/news/huge", "/news/missing"]
    assert last.status == CrawlStatus.PARTIAL
    assert {p.url.rsplit("/", 1)[-1]: (p.attempts, p.retry_at) for p in last.failed_pages} == {
        "missing": (4, None),
        "huge": (4, None),
    }
    rows = failed_rows(cfg)
    assert rows["missing"].gave_up_at is not None and rows["missing"].attempts == 4

    # Given up: never fetched again, and the outlet's crawls are ok again.
    conditional_feed(site, [*names, "/news/fresh"][::-1])  # a changed feed lists them all again
    after, pages = crawl_at(cfg, site, t0 + timedelta(hours=40))
    assert pages == []
    assert after.status == CrawlStatus.OK and after.held == 4


def test_a_schedule_without_delays_gives_up_at_the_first_failure(sqlite_url: str, site: Site) -> None:
    site.routes["/news/missing"] = Page("gone", status=404)
    conditional_feed(site, ["/news/missing"])
    cfg = config(sqlite_url, site, crawler={"retries": 0, "retry_failed_pages": []})

    first, pages = crawl_at(cfg, site, NOW)
    assert pages == ["/news/missing"] and first.status == CrawlStatus.PARTIAL
    assert failed_rows(cfg)["missing"].gave_up_at is not None
    conditional_feed(site, ["/news/missing", "/news/other"])
    second, pages = crawl_at(cfg, site, NOW + timedelta(days=2))
    assert "/news/missing" not in pages and second.held == 1


def test_a_malformed_link_is_remembered_and_the_next_crawl_is_ok(sqlite_url: str, site: Site) -> None:
    feed = rss(site, [("/news/one", "one", NOW)])
    site.routes["/feed.xml"] = Page(
        feed.replace("<item>", "<item><title>bad</title><link>http://[broken/news/x</link></item><item>", 1),
        content_type=RSS,
    )
    site.routes["/news/one"] = Page(article("One", 6))
    cfg = config(sqlite_url, site)

    first, _ = crawl_at(cfg, site, NOW)
    second, _ = crawl_at(cfg, site, NOW + timedelta(minutes=10))

    assert first.status == CrawlStatus.PARTIAL and first.failures == {"bad-url": 1}
    assert second.status == CrawlStatus.OK and second.failures == {} and second.failed == 0


def test_a_page_robots_txt_forbade_is_fetched_once_robots_txt_is_no_longer_obeyed(sqlite_url: str, site: Site) -> None:
    site.routes["/private/secret"] = Page(article("Secret", 7))
    conditional_feed(site, ["/private/secret"])

    _, pages = crawl_at(config(sqlite_url, site), site, NOW)
    assert pages == [] and failed_rows(config(sqlite_url, site))["secret"].reason == "robots"
    again, pages = crawl_at(config(sqlite_url, site), site, NOW + timedelta(days=1))
    assert pages == [] and again.status == CrawlStatus.OK
    unobeyed = config(sqlite_url, site, crawler={"obey_robots": False})
    last, pages = crawl_at(unobeyed, site, NOW + timedelta(days=1, minutes=10))

    assert pages == ["/private/secret"] and last.stored == 1
    assert failed_rows(unobeyed) == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["30s"], "crawler.retry_failed_pages[0]: expected 1m to 30d, got 30s"),
        (["1h", "31d"], "crawler.retry_failed_pages[1]: expected 1m to 30d, got 31d"),
        (["1h"] * 21, "crawler.retry_failed_pages: expected at most 20 delays"),
        ("soon", "crawler.retry_failed_pages[0]: not a duration: 'soon'"),
    ],
)
def test_a_bad_retry_schedule_is_refused_naming_the_key(value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_config({"crawler": {"retry_failed_pages": value}})
    assert message in str(caught.value)


def test_the_default_schedule_is_1h_6h_24h() -> None:
    assert [float(d) for d in make_config({}).crawler.retry_failed_pages] == [3600, 6 * 3600, 24 * 3600]
