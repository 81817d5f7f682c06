"""``outlets check NAME``: a dry run of one declared outlet, enabled or not, through the real crawl
machinery (Scrapy child, robots.txt, address guards, extraction) against a scripted site on
127.0.0.1. It reports every source and link, extracts a few articles, warns about what would
keep a crawl from storing (or storing right), exits 1 when a crawl would store nothing, and
writes nothing to the database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select

from storage.models import Base
from tests.crawler.site import Page, Site
from tests.crawler.test_crawl import NOW, RSS, article, rss
from tests.helpers import RunCli

RIGHT = r"^/news/[a-z0-9-]+$"
NAV = (
    "<nav><a href='/'>Home</a> <a href='/about'>About us</a> <a href='https://social.example.net/share'>Share</a></nav>"
)


def dated(title: str, seed: int, author: str = "Aminah Rahman") -> str:
    """An article page giving its date (without a zone: the outlet's timezone applies) and author."""
    head = (
        f'<meta property="article:published_time" content="{NOW:%Y-%m-%dT%H:%M:00}">'
        f'<meta name="author" content="{author}">'
    )
    return article(title, seed).replace("<head>", "<head>" + head)


def write_config(tmp_path: Path, site: Site, database_url: str, enabled: bool = False, **outlet: Any) -> Path:
    table = {
        "name": "My Paper",
        "base_url": site.url,
        "language": "en",
        "timezone": "Asia/Kuala_Lumpur",
        "feeds": ["/feed.xml"],
        "article_pattern": RIGHT,
        **outlet,
    }

    def toml(value: Any) -> str:
        return json.dumps(value) if not isinstance(value, str) else "'" + value + "'"

    body = "\n".join(f"{key} = {toml(value)}" for key, value in table.items())
    path = tmp_path / "config.toml"
    mine = '"mine"' if enabled else ""
    path.write_text(
        f'[storage]\ndatabase_url = "{database_url}"\n[crawler]\ndownload_delay = "0s"\nretries = 0\n'
        f'timeout = "5s"\n[outlets]\nenabled = [{mine}]\n[outlets.mine]\n{body}\n',
        encoding="utf-8",
    )
    return path


def check(run_cli: RunCli, config: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """The check as JSON, and as the text a user reads."""
    as_json = run_cli("--config", str(config), "outlets", "check", "mine", "--json", *args)
    text = run_cli("--config", str(config), "outlets", "check", "mine", *args)
    assert as_json.returncode == text.returncode, (as_json.stderr, text.stderr)
    return text.returncode, json.loads(as_json.stdout), text.stdout


def everything_in(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(map(tuple, conn.execute(select(t))), key=repr) for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def test_a_typo_in_article_pattern_warns_with_three_links_and_exits_1(
    tmp_path: Path, site: Site, run_cli: RunCli
) -> None:
    paths = ["/news/navy-patrol-off-kuantan", "/news/coast-guard-drill", "/news/fisheries-talks", "/news/port-visit"]
    site.routes["/feed.xml"] = Page(rss(site, [(p, p, NOW) for p in paths]), content_type=RSS)
    db = tmp_path / "nw.db"
    config = write_config(tmp_path, site, f"sqlite:///{db}", article_pattern=r"^/nwes/[a-z0-9-]+$")

    code, report, text = check(run_cli, config)

    assert code == 1
    assert "result: a crawl of mine would store nothing (exit status 1)" in text
    [warning] = [w for w in report["warnings"] if "article_pattern" in w]
    assert warning.startswith("nothing matched article_pattern '^/nwes/[a-z0-9-]+$': 4 links did not, e.g. ")
    assert sum(f"{site.url}{p}" in warning for p in paths) == 3  # three of them, as found
    assert {link["decision"] for link in report["links"]} == {"pattern"}
    assert not [p for p in site.paths() if p.startswith("/news/")]  # nothing fetched
    assert not db.exists()  # a check never creates the database


@pytest.mark.slow  # crawls a sandbox outlet
def test_a_full_report_of_a_disabled_outlet_and_not_one_write(
    tmp_path: Path, site: Site, run_cli: RunCli, database_url: str
) -> None:
    stored = ["/news/stored-yesterday"]
    site.routes["/feed.xml"] = Page(rss(site, [(stored[0], "s", NOW)]), content_type=RSS)
    site.routes[stored[0]] = Page(dated("Stored yesterday", 1))
    enabled = write_config(tmp_path, site, database_url, enabled=True, listings=["/defence"])
    site.routes["/defence"] = Page(f"<html><body>{NAV}<a href='{stored[0]}'>x</a></body></html>")
    assert run_cli("--config", str(enabled), "crawl").returncode == 0  # the outlet has history

    new = ["/news/navy-patrol-off-kuantan", "/news/coast-guard-drill", "/news/fisheries-talks"]
    items: list[tuple[str, str, datetime | None]] = [(p, p, NOW - timedelta(minutes=i)) for i, p in enumerate(new)]
    items += [(stored[0], "s", NOW), ("/news/last-year", "old", NOW - timedelta(days=300))]
    items += [("/private/leak", "robots", NOW), ("/about", "not an article", NOW)]
    site.routes["/feed.xml"] = Page(rss(site, items), content_type=RSS)
    for i, path in enumerate(new):
        site.routes[path] = Page(dated(path.rsplit("/", 1)[-1].replace("-", " ").title(), 10 + i))
    config = write_config(
        tmp_path,
        site,
        database_url,
        listings=["/defence"],
        sitemaps=["/sitemap.xml"],
        article_pattern=r"^/(news|private)/",
    )
    before = everything_in(database_url)
    hits = len(site.hits)

    code, report, text = check(run_cli, config, "--fetch", "2")

    assert code == 0, text
    assert everything_in(database_url) == before  # not one row written, changed or removed
    assert report["enabled"] is False
    assert report["robots"] == [{"url": f"{site.url}/robots.txt", "forbidden": []}]
    sources = {(s["kind"], s["url"].removeprefix(site.url)): (s["status"], s["items"]) for s in report["sources"]}
    assert sources[("feed", "/feed.xml")] == (200, 7)
    assert sources[("listing", "/defence")] == (200, 4)  # Home, About us, Share and the stored article
    assert sources[("sitemap", "/sitemap.xml")] == (404, 0)
    decisions = {link["url"].removeprefix(site.url): link["decision"] for link in report["links"]}
    assert decisions == {
        **dict.fromkeys(new, "new"),
        stored[0]: "again",  # the listing shows it after the feed: it was "known" there
        "/news/last-year": "old",
        "/private/leak": "new",
        "/about": "pattern",
        "/": "pattern",
        "https://social.example.net/share": "offsite",
    }
    assert [link["decision"] for link in report["links"] if link["url"].endswith(stored[0])] == ["known", "again"]
    fetched = [a for a in report["articles"] if not a["error"]]
    news_hits = [p for p in site.paths()[hits:] if p.startswith("/news/")]
    assert len(fetched) == 2 and sorted(news_hits) == sorted(new[:2] * 2)  # the first two new ones, per run
    [first] = [a for a in fetched if a["url"].endswith(new[0])]
    assert first["title"] == "Navy Patrol Off Kuantan" and first["author"] == "Aminah Rahman"
    written = NOW.replace(second=0, microsecond=0, tzinfo=ZoneInfo("Asia/Kuala_Lumpur"))  # the outlet's zone
    assert datetime.fromisoformat(first["published_at"]) == written
    assert first["date_source"] == "metadata" and first["language"] == "en" and first["reads_as"] == "en"
    assert first["length"] > 500 and len(first["first_lines"]) == 3
    # The text report says the same, in lines a user reads.
    assert "not enabled" in text and "dry run, nothing is stored" in text
    assert f"  feed      200  7 items    {site.url}/feed.xml" in text
    assert f"  sitemap   404  0 items    {site.url}/sitemap.xml  (http/404: the server answered 404)" in text
    assert "  too old " in text and "[fetched]" in text
    assert "    title:    Navy Patrol Off Kuantan" in text and "(from metadata)" in text
    assert "result: a crawl would fetch 4 new article(s)" in text


@pytest.mark.slow  # crawls one site per warning
def test_each_warning_names_what_to_look_at(tmp_path: Path, site: Site, run_cli: RunCli) -> None:
    undated = (
        "<!doctype html><html><head><title>{t}</title></head><body><article><h1>{t}</h1>{p}</article></body></html>"
    )
    malay = "".join(
        f"<p>Agensi Penguatkuasaan Maritim Malaysia menahan sebuah bot nelayan asing di perairan negeri pada pagi ini "
        f"dan semua anak kapal dibawa ke jeti untuk siasatan lanjut {i}.</p>"
        for i in range(4)
    )
    site.routes["/news/bot-ditahan"] = Page(undated.format(t="Bot ditahan", p=malay))
    site.routes["/news/empty-page"] = Page("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    feed = rss(site, [("/news/bot-ditahan", "a", None), ("/news/empty-page", "b", None)])
    site.routes["/feed.xml"] = Page(feed, content_type=RSS)
    site.routes["/robots.txt"] = Page("User-agent: *\nDisallow: /hidden/\n", content_type="text/plain")
    site.routes["/tags"] = Page("<html><body><a href='/tag/navy'>navy</a> <a href='/tag/sea'>sea</a></body></html>")
    config = write_config(tmp_path, site, f"sqlite:///{tmp_path / 'nw.db'}", listings=["/hidden/list", "/tags"])

    code, report, _ = check(run_cli, config)

    warnings = report["warnings"]
    assert code == 0  # one page gives an article
    assert any(w.startswith(f"robots.txt forbids {site.url}/hidden/list") for w in warnings)
    assert any(w.startswith("no dates anywhere") for w in warnings)
    assert f"listing {site.url}/tags: none of its 2 links matched article_pattern" in warnings
    assert any(w.startswith("language: 1 of 1 fetched articles read as ms (1), not as declared (en)") for w in warnings)
    assert any(
        w.startswith(f"extraction found no article text on 1 of 2 fetched pages (e.g. {site.url}/news/empty-page)")
        for w in warnings
    )

    site.routes["/news/bot-ditahan"] = Page("<html><body><p>Tiada.</p></body></html>")  # now every page is empty
    code, report, text = check(run_cli, config)
    assert code == 1 and "would store nothing" in text


def test_an_unknown_outlet_is_a_usage_error(tmp_path: Path, site: Site, run_cli: RunCli) -> None:
    config = write_config(tmp_path, site, f"sqlite:///{tmp_path / 'nw.db'}")
    result = run_cli("--config", str(config), "outlets", "check", "mien")
    assert result.returncode == 2 and "no outlet named 'mien'" in result.stderr and "mine" in result.stderr
