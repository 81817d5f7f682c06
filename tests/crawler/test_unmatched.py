"""A crawl that finds links but keeps none of them is not ``ok``: it is ``unmatched``, says why
(with links that did not match ``article_pattern``), makes ``crawl`` and ``run --once`` exit 1,
and after ``health.failures_before_alert`` such crawls in a row opens an ``unmatched`` incident.

The class: links from feeds, from sitemaps and from listing pages, none matching the pattern,
and links that all lead to other sites. Real crawls of a scripted site on 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.runner import CrawlSummary
from sandbox import WebhookReceiver
from storage.status import CrawlStatus
from tests.alerts.helpers import ENV
from tests.crawler.site import Hit, Page, Site
from tests.crawler.test_crawl import NOW, RSS, article, config, crawl, rss
from tests.helpers import RunCli

TYPO = r"^/nwes/[a-z0-9-]+$"  # the site's articles are under /news/
RIGHT = r"^/news/[a-z0-9-]+$"
NAV = "<nav><a href='/'>Home</a> <a href='/about'>About</a> <a href='/world'>World</a></nav>"


def sitemap(site: Site, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>{site.url}{p}</loc><lastmod>{NOW.isoformat()}</lastmod></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def serve_articles(site: Site) -> list[str]:
    paths = ["/news/navy-patrol-off-kuantan", "/news/coast-guard-drill", "/news/fisheries-talks"]
    for i, path in enumerate(paths):
        site.routes[path] = Page(article(path.rsplit("/", 1)[-1], 40 + i))
    return paths


def outlet_with(source: str, site: Site, paths: list[str]) -> dict[str, list[str]]:
    """The outlet's sources, serving ``paths`` through a feed, a sitemap or a listing page."""
    if source == "feed":
        site.routes["/feed.xml"] = Page(rss(site, [(p, p, NOW) for p in paths]), content_type=RSS)
        return {"feeds": ["/feed.xml"]}
    if source == "sitemap":
        site.routes["/sitemap.xml"] = Page(sitemap(site, paths), content_type="application/xml")
        return {"feeds": [], "sitemaps": ["/sitemap.xml"]}
    links = "".join(f"<li><a href='{p}'>{p}</a></li>" for p in paths)
    site.routes["/defence"] = Page(f"<html><body>{NAV}<ul>{links}</ul></body></html>")
    return {"feeds": [], "listings": ["/defence"]}


@pytest.mark.parametrize("source", ["feed", "sitemap", "listing"])
def test_a_typo_in_article_pattern_is_unmatched_and_says_which_links_did_not_match(
    sqlite_url: str, site: Site, source: str
) -> None:
    paths = serve_articles(site)
    sources = outlet_with(source, site, paths)

    summary: CrawlSummary
    summary, _ = crawl(config(sqlite_url, site, article_pattern=TYPO, **sources))
    assert summary.status == CrawlStatus.UNMATCHED
    assert summary.stored == 0 and summary.fetched == 0
    assert summary.error is not None and "did not match article_pattern" in summary.error
    # The examples are article links, not the page's menu (the longest links of a listing page).
    assert f"{site.url}{paths[0]}" in summary.error
    assert f"{site.url}/about" not in summary.error
    assert not [p for p in site.paths() if p.startswith("/news/")]

    fixed, _ = crawl(config(sqlite_url, site, article_pattern=RIGHT, **sources))
    assert fixed.status == CrawlStatus.OK and fixed.stored == 3


def test_links_that_all_lead_to_other_sites_are_unmatched(sqlite_url: str, site: Site) -> None:
    feed = rss(site, [("/news/a", "a", NOW)]).replace(site.url, "https://mirror.example.org")
    site.routes["/feed.xml"] = Page(feed, content_type=RSS)
    summary, _ = crawl(config(sqlite_url, site, article_pattern=RIGHT))
    assert summary.status == CrawlStatus.UNMATCHED
    assert summary.error is not None and "1 on other sites" in summary.error


def test_a_quiet_outlet_is_ok_not_unmatched(sqlite_url: str, site: Site) -> None:
    site.routes["/feed.xml"] = Page(rss(site, []), content_type=RSS)  # nothing new today: no link at all
    summary, _ = crawl(config(sqlite_url, site, article_pattern=TYPO))
    assert summary.status == CrawlStatus.OK


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver().start()
    yield hook
    hook.stop()


@pytest.mark.slow  # several crawls
def test_unmatched_crawls_exit_1_and_open_one_incident_until_the_pattern_is_fixed(
    tmp_path: Path, site: Site, receiver: WebhookReceiver, run_cli: RunCli
) -> None:
    paths = serve_articles(site)
    feed = rss(site, [(p, p, NOW) for p in paths])

    def conditional(hit: Hit) -> Page:  # a feed with validators: an unchanged feed answers 304
        if hit.headers.get("if-none-match") == '"v1"':
            return Page(status=304, content_type="")
        return Page(feed, content_type=RSS, headers={"ETag": '"v1"'})

    site.routes["/feed.xml"] = conditional
    path = tmp_path / "config.toml"

    def write(pattern: str) -> None:
        path.write_text(
            f"""
[storage]
database_url = "sqlite:///{tmp_path / "nw.db"}"
[crawler]
download_delay = "0s"
retries = 0
[outlets]
enabled = ["mine"]
[outlets.mine]
name = "My Paper"
base_url = "{site.url}"
language = "en"
timezone = "Asia/Kuala_Lumpur"
feeds = ["/feed.xml"]
article_pattern = '{pattern}'
[health]
failures_before_alert = 2
[channels.ops]
type = "webhook"
url = "{receiver.url}"
secret_env = "HOOK_SECRET"
[alerts]
operator_channels = ["ops"]
""",
            encoding="utf-8",
        )

    def notices() -> list[str]:
        return [p["data"]["subject"] for p in receiver.accepted.values() if p.get("type") == "system.notice"]

    def status() -> dict[str, Any]:
        out = run_cli("--config", str(path), "status", "--json", env=ENV).stdout
        [row] = [json.loads(line) for line in out.splitlines()]
        return dict(row)

    write(TYPO)
    first = run_cli("--config", str(path), "run", "--once", env=ENV)
    assert first.returncode == 1
    row = first.stdout.splitlines()[1]
    assert row.split()[:2] == ["mine", "unmatched"] and "did not match article_pattern" in row
    assert "found links but kept none (unmatched): mine" in first.stderr
    assert "run.py outlets check mine" in first.stderr
    assert status()["last_crawl_status"] == "unmatched" and status()["last_success_at"] is None
    assert status()["health"] == "ok" and notices() == []  # one crawl is not an incident yet

    second = run_cli("--config", str(path), "run", "--once", env=ENV)
    assert second.returncode == 1 and "unmatched" in second.stdout
    assert status()["health"] == "unmatched"
    assert notices() == ["Newswatch source problem: mine keeps none of the links it finds (article_pattern?)"]

    write(RIGHT)  # fixed: the feed is read in full again (an unmatched crawl keeps no validators)
    fixed = run_cli("--config", str(path), "run", "--once", env=ENV)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.splitlines()[1].split()[:2] == ["mine", "ok"]
    assert "stored 3 new articles" in fixed.stdout
    assert status()["health"] == "ok" and status()["last_success_at"] is not None
    assert len(notices()) == 2 and "recovered" in notices()[1]
