"""Real crawls (Scrapy in its child process, HTTP on 127.0.0.1, a real database) of a scripted
site: bad input is recorded with its reason and never stops the rest; politeness and
incremental crawling are visible in what the site was asked for."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import App, build_app
from crawler.runner import CrawlSummary, run_crawl
from storage.models import Article, CrawlFailure, CrawlRun
from storage.status import CrawlStatus
from tests.crawler.site import Hit, Page, Site
from tests.helpers import RunCli, make_config, random_words, wait_until


def body_text(seed: int, paragraphs: int = 5) -> list[str]:
    return [random_words(seed * 100 + p, 40).capitalize() + f" (item {seed}-{p})." for p in range(paragraphs)]


def article(title: str, seed: int, charset: str = "utf-8", paragraphs: list[str] | None = None) -> str:
    paras = "".join(f"<p>{p}</p>" for p in (paragraphs or body_text(seed)))
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<!doctype html><html><head>{meta}<title>{title}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{paras}</article><footer>Copyright Test Daily</footer></body></html>"
    )


def rss(site: Site, items: list[tuple[str, str, datetime | None]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{site.url}{path}</link>"
        + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "")
        + "</item>"
        for path, title, when in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title>'
    return f"{head}{entries}</channel></rss>"


NOW = datetime.now(UTC)
RSS = "application/rss+xml; charset=utf-8"


def config(sqlite_url: str, site: Site, **outlet: Any) -> Any:
    crawler = outlet.pop("crawler", {})
    table = {
        "name": "Test Daily",
        "base_url": site.url,
        "language": "en",
        "timezone": "Asia/Kuala_Lumpur",
        "feeds": ["/feed.xml"],
        "article_pattern": r"^/(news|private)/[a-z0-9-]+$",
        **outlet,
    }
    return make_config(
        {
            "storage": {"database_url": sqlite_url},
            "crawler": {"download_delay": "0s", "retries": 1, "timeout": "3s", **crawler},
            "outlets": {"enabled": ["test"], "test": table},
        }
    )


def crawl(cfg: Any, time_limit: float | None = 60) -> tuple[CrawlSummary, App]:
    app = build_app(cfg)
    [summary] = run_crawl(cfg, cfg.outlets, app.ingestor().ingest, app.sessions, time_limit=time_limit)
    return summary, app


def stored_urls(app: App) -> set[str]:
    with app.sessions() as session:
        return {a.url.rsplit("/", 1)[-1] for a in session.scalars(select(Article))}


def recorded_errors(app: App) -> dict[str, str]:
    with app.sessions() as session:
        return {e.url.rsplit("/", 1)[-1]: e.reason for e in session.scalars(select(CrawlFailure))}


@pytest.mark.slow  # waits out a timeout, a delay or a time limit
def test_one_bad_article_of_each_kind_is_recorded_and_the_rest_is_stored(sqlite_url: str, site: Site) -> None:
    names = [
        "good",
        "missing",
        "broken",
        "pdf",
        "huge",
        "loop",
        "offsite",
        "empty",
        "slow",
        "nocharset",
        "wrongcharset",
    ]
    site.routes["/feed.xml"] = Page(rss(site, [(f"/news/{n}", n, NOW) for n in names]), content_type=RSS)
    site.routes["/news/good"] = Page(article("Navy patrol talks", 1))
    site.routes["/news/missing"] = Page("gone", status=404)
    site.routes["/news/broken"] = Page("oops", status=500)
    site.routes["/news/pdf"] = Page(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", content_type="application/pdf")
    site.routes["/news/huge"] = Page(article("Huge", 2) + "<p>" + "x" * (20 * 2**20) + "</p>")
    site.routes["/news/loop"] = Page(status=302, headers={"Location": "/news/loop-b"})
    site.routes["/news/loop-b"] = Page(status=302, headers={"Location": "/news/loop"})
    site.routes["/news/offsite"] = Page(
        status=302, headers={"Location": site.url.replace("127.0.0.1", "localhost") + "/x"}
    )
    site.routes["/news/empty"] = Page("<html><body><nav>Home</nav></body></html>")
    site.routes["/news/slow"] = Page(article("Slow", 3), hang=20)
    viet = ["Quốc phòng Việt Nam và Malaysia tăng cường hợp tác trên biển, tuần tra chung và trao đổi đoàn. " * 3]
    site.routes["/news/nocharset"] = Page(
        article("Hợp tác quốc phòng", 4, charset="", paragraphs=viet), content_type="text/html"
    )
    site.routes["/news/wrongcharset"] = Page(
        article("Hải quân hai nước", 5, charset="", paragraphs=[p.replace("tuần", "huấn luyện") for p in viet]),
        content_type="text/html; charset=iso-8859-1",
    )

    summary, app = crawl(config(sqlite_url, site))

    assert summary.status == CrawlStatus.PARTIAL
    assert stored_urls(app) == {"good", "nocharset", "wrongcharset"}
    assert summary.stored == 3 and summary.discovered == len(names)
    errors = recorded_errors(app)
    assert errors["missing"] == "http/404"
    assert errors["broken"] == "http/500"
    assert errors["pdf"] == "article/not-html"
    assert errors["huge"] == "too-large"
    assert errors["loop"] == "redirect-loop"
    assert errors["offsite"] == "offsite-redirect"
    assert errors["empty"] == "extract/empty"
    assert errors["slow"] == "timeout"
    assert summary.extract_empty == 1
    assert summary.failures["http/500"] == 1
    with app.sessions() as session:
        texts = {a.url.rsplit("/", 1)[-1]: a.text for a in session.scalars(select(Article))}
        run_row = session.scalars(select(CrawlRun)).one()
    assert "Quốc phòng Việt Nam" in texts["nocharset"]
    assert "huấn luyện" in texts["wrongcharset"]
    assert run_row.status == CrawlStatus.PARTIAL and run_row.stored == 3 and run_row.finished_at is not None
    assert [h.path for h in site.hits].count("/news/broken") == 2  # retried once, with backoff


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title>
<item><title>bomb</title><link>/news/bombed</link></item></channel></rss>"""


def test_a_truncated_feed_keeps_its_readable_items_and_an_xml_bomb_is_refused(sqlite_url: str, site: Site) -> None:
    full = rss(site, [("/news/first", "first", NOW), ("/news/second", "second", NOW), ("/news/third", "third", NOW)])
    site.routes["/feed.xml"] = Page(full[: full.index("/news/third") - 20], content_type=RSS)
    site.routes["/bomb.xml"] = Page(BOMB, content_type=RSS)
    site.routes["/latest"] = Page(
        "<html><body><a href='/news/listed'>Listed story</a><a href='/about'>About</a></body></html>"
    )
    for i, name in enumerate(["first", "second", "third", "listed", "bombed"]):
        site.routes[f"/news/{name}"] = Page(article(name.title(), 10 + i))

    summary, app = crawl(config(sqlite_url, site, feeds=["/feed.xml", "/bomb.xml"], listings=["/latest"]))

    assert stored_urls(app) == {"first", "second", "listed"}
    errors = recorded_errors(app)
    assert errors["feed.xml"] == "feed/malformed"
    assert errors["bomb.xml"] == "xml/unsafe"
    assert "/news/bombed" not in site.paths() and "/about" not in site.paths()
    assert summary.status == CrawlStatus.PARTIAL


def test_a_second_crawl_of_an_unchanged_site_downloads_no_article(database_url: str, site: Site) -> None:
    feed = rss(site, [("/news/one", "one", NOW), ("/news/two", "two", NOW)])

    def conditional(hit: Hit) -> Page:
        if hit.headers.get("if-none-match") == '"v1"':
            return Page(status=304, content_type="")
        return Page(feed, content_type=RSS, headers={"ETag": '"v1"'})

    site.routes["/feed.xml"] = conditional
    site.routes["/latest"] = Page(
        "<html><body><a href='/news/one'>One</a> <a href='/news/three?utm_source=x#top'>3</a></body></html>"
    )
    for i, name in enumerate(["one", "two", "three?utm_source=x"]):
        site.routes[f"/news/{name}"] = Page(article(name, 20 + i))
    cfg = config(database_url, site, listings=["/latest"])

    first, _ = crawl(cfg)
    assert first.stored == 3 and first.status == CrawlStatus.OK
    before = len(site.hits)
    second, _ = crawl(cfg)

    later = site.hits[before:]
    assert [h.path for h in later if h.path.startswith("/news/")] == []
    feed_hit = next(h for h in later if h.path == "/feed.xml")
    assert feed_hit.status == 304
    assert second.stored == 0 and second.fetched == 0 and second.skipped_known == 2  # the listing's two links
    assert second.status == CrawlStatus.OK


@pytest.mark.slow  # waits out a timeout, a delay or a time limit
def test_robots_crawl_delay_and_retry_after_are_honoured(sqlite_url: str, site: Site) -> None:
    site.routes["/robots.txt"] = Page("User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n", content_type="text/plain")
    site.routes["/feed.xml"] = Page(
        rss(
            site, [("/news/a", "a", NOW), ("/news/b", "b", NOW), ("/news/busy", "busy", NOW), ("/private/x", "x", NOW)]
        ),
        content_type=RSS,
    )
    site.routes["/news/a"] = Page(article("A", 30))
    site.routes["/news/b"] = Page(article("B", 31))
    calls = {"busy": 0}

    def busy(hit: Hit) -> Page:
        calls["busy"] += 1
        if calls["busy"] == 1:
            return Page("busy", status=503, headers={"Retry-After": "4"})
        return Page(article("Busy", 32))

    site.routes["/news/busy"] = busy

    _summary, app = crawl(config(sqlite_url, site, crawler={"retries": 2}))

    assert stored_urls(app) == {"a", "b", "busy"}
    assert "/private/x" not in site.paths()
    assert recorded_errors(app)["x"] == "robots"
    pages = [h for h in site.hits if h.path.startswith("/news/")]
    # The site records each request when its handler thread runs, which a loaded machine may do
    # late for one request and on time for the next: so each bound sits half a second below what
    # the crawler waits, and as far above what a crawler that ignored the header would show.
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(pages)]
    assert min(gaps) >= 0.5, gaps  # Crawl-delay: 1 (ignored, the pages go out at once, ms apart)
    busy_hits = [h.at for h in pages if h.path == "/news/busy"]
    # Retry-After: 4 (ignored, the retry comes at the Crawl-delay's pace: after at most 3 s).
    assert busy_hits[1] - busy_hits[0] >= 3.5, busy_hits


def test_cookie_gate_redirect_to_the_same_url_is_followed_once(sqlite_url: str, site: Site) -> None:
    def gated(page: Page) -> Any:
        def answer(hit: Hit) -> Page:
            if "muid_mly=" not in hit.headers.get("cookie", ""):
                return Page(status=302, headers={"Location": hit.path, "Set-Cookie": "muid_mly=abc; Path=/"})
            return page

        return answer

    site.routes["/feed.xml"] = gated(Page(rss(site, [("/news/gated", "gated", NOW)]), content_type=RSS))
    site.routes["/news/gated"] = gated(Page(article("Behind the gate", 40)))
    site.routes["/news/always"] = Page(status=302, headers={"Location": "/news/always"})
    site.routes["/latest"] = Page("<html><body><a href='/news/always'>Always</a></body></html>")

    _summary, app = crawl(config(sqlite_url, site, listings=["/latest"], quirks=["cookie_gate"]))

    assert stored_urls(app) == {"gated"}
    assert site.paths().count("/feed.xml") == 2  # the 302 setting the cookie, then the feed
    assert site.paths().count("/news/gated") == 1  # the cookie is sent from then on
    assert recorded_errors(app)["always"] == "redirect-loop"


def test_old_items_are_not_fetched_and_news_sitemaps_give_dates(sqlite_url: str, site: Site) -> None:
    old = NOW - timedelta(days=5)
    site.routes["/feed.xml"] = Page(
        rss(site, [("/news/fresh", "fresh", NOW), ("/news/stale", "stale", old)]), content_type=RSS
    )
    site.routes["/sitemap-index.xml"] = Page(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{site.url}/news-sitemap.xml</loc><lastmod>{NOW.isoformat()}</lastmod></sitemap>
<sitemap><loc>{site.url}/archive-2019.xml</loc><lastmod>2019-01-01</lastmod></sitemap>
</sitemapindex>""",
        content_type="application/xml",
    )
    site.routes["/news-sitemap.xml"] = Page(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{site.url}/news/from-sitemap</loc><news:news><news:publication><news:name>Test</news:name>
<news:language>en</news:language></news:publication>
<news:publication_date>{(NOW - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+08:00")}</news:publication_date>
<news:title>From the sitemap</news:title></news:news></url>
<url><loc>{site.url}/news/old-sitemap</loc><news:news>
<news:publication_date>{(NOW - timedelta(days=9)).date().isoformat()}</news:publication_date></news:news></url>
</urlset>""",
        content_type="application/xml",
    )
    for i, name in enumerate(["fresh", "stale", "from-sitemap", "old-sitemap"]):
        site.routes[f"/news/{name}"] = Page(article(name, 50 + i))

    summary, app = crawl(config(sqlite_url, site, sitemaps=["/sitemap-index.xml"]))

    assert stored_urls(app) == {"fresh", "from-sitemap"}
    assert "/archive-2019.xml" not in site.paths()
    assert "/news/stale" not in site.paths() and "/news/old-sitemap" not in site.paths()
    assert summary.skipped_old == 2


def test_one_url_reachable_through_several_paths_is_fetched_once(sqlite_url: str, site: Site) -> None:
    site.routes["/feed.xml"] = Page(rss(site, [("/en/general/news.php?id=7", "seven", NOW)]), content_type=RSS)
    site.routes["/en/index.php"] = Page(
        "<html><body><a href='/en/news.php?id=7'>7</a>"
        " <a href='/en/world/news.php?id=7&amp;utm_source=fb'>7 again</a></body></html>"
    )
    for path in ("/en/general/news.php?id=7", "/en/news.php?id=7", "/en/world/news.php?id=7&utm_source=fb"):
        site.routes[path] = Page(article("Seven", 60))
    cfg = config(
        sqlite_url,
        site,
        listings=["/en/index.php"],
        article_pattern=r"^/en/([a-z]+/)?news\.php\?id=\d+",
        id_pattern=r"news\.php\?id=(?P<id>\d+)",
        canonical_path="/en/news.php?id={id}",
    )

    summary, _app = crawl(cfg)

    assert summary.stored == 1 and summary.discovered == 1
    assert len([p for p in site.paths() if "news.php" in p]) == 1


@pytest.mark.slow  # waits out a timeout, a delay or a time limit
def test_a_hanging_outlet_is_cut_off_by_the_time_limit(sqlite_url: str, site: Site) -> None:
    """The run's status says the time limit ended it (only the limit records ``timeout``). The
    clock check cannot fail on a slow machine: the page hangs for 600 s and the download timeout
    is as long, so an uncut crawl lasts ten times the 60 s bound, which is twenty times the 3 s
    limit (plus its kill grace) a cut crawl takes."""
    site.routes["/feed.xml"] = Page(
        rss(site, [("/news/quick", "quick", NOW), ("/news/stuck", "stuck", NOW)]), content_type=RSS
    )
    site.routes["/news/quick"] = Page(article("Quick", 70))
    site.routes["/news/stuck"] = Page(article("Stuck", 71), hang=600)
    cfg = config(sqlite_url, site, crawler={"timeout": "600s"})

    started = time.monotonic()
    summary, app = crawl(cfg, time_limit=3)

    assert time.monotonic() - started < 60
    assert summary.status == CrawlStatus.TIMEOUT
    assert stored_urls(app) == {"quick"}  # what arrived before the limit stays stored
    with app.sessions() as session:
        assert session.scalars(select(CrawlRun.status)).one() == "timeout"


@pytest.mark.slow  # waits out a timeout, a delay or a time limit
def test_crawl_command_prints_a_table_and_one_dead_outlet_does_not_stop_the_other(
    tmp_path: Path, site: Site, run_cli: RunCli
) -> None:
    site.routes["/feed.xml"] = Page(rss(site, [("/news/alive", "alive", NOW)]), content_type=RSS)
    site.routes["/news/alive"] = Page(article("Alive and well", 80))
    (tmp_path / "config.toml").write_text(
        f"""
[storage]
database_url = "sqlite:///{tmp_path}/nw.db"
[crawler]
download_delay = "0s"
retries = 0
timeout = "3s"
[outlets]
enabled = ["live", "dead"]
[outlets.live]
name = "Live"
base_url = "{site.url}"
language = "en"
timezone = "Asia/Kuala_Lumpur"
feeds = ["/feed.xml"]
article_pattern = '^/news/[a-z]+$'
[outlets.dead]
name = "Dead"
base_url = "http://127.0.0.1:9"
language = "en"
timezone = "Asia/Kuala_Lumpur"
feeds = ["/feed.xml"]
article_pattern = '^/news/[a-z]+$'
""",
        encoding="utf-8",
    )

    result = run_cli("--config", str(tmp_path / "config.toml"), "crawl")

    assert result.returncode == 1, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert lines["live"].split()[1] == "ok"
    assert lines["dead"].split()[1] == "failed" and "connection-refused" in lines["dead"]
    assert "1 outlet(s) failed: dead" in result.stderr
    again = run_cli("--config", str(tmp_path / "config.toml"), "crawl", "live")
    assert again.returncode == 0
    found, known, old, fetched = again.stdout.splitlines()[1].split()[2:6]
    assert (found, known, old, fetched) == ("1", "1", "0", "0")
    unknown = run_cli("--config", str(tmp_path / "config.toml"), "crawl", "nope")
    assert unknown.returncode == 2 and "no enabled outlet named nope" in unknown.stderr


def test_a_run_left_running_by_a_killed_process_is_closed_as_interrupted(sqlite_url: str, site: Site) -> None:
    site.routes["/feed.xml"] = Page(rss(site, []), content_type=RSS)
    cfg = config(sqlite_url, site)
    app = build_app(cfg)
    from storage import repository

    with app.sessions() as session, session.begin():
        outlet = repository.get_or_create_outlet(session, "test", "Test Daily")
        session.add(CrawlRun(outlet_id=outlet.id, started_at=NOW - timedelta(hours=3), status=CrawlStatus.RUNNING))

    summary, app = crawl(cfg, time_limit=60)

    assert summary.status == CrawlStatus.OK
    with app.sessions() as session:
        statuses = [r.status for r in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]
    assert statuses == ["interrupted", "ok"]


def test_a_malformed_link_skips_only_itself(sqlite_url: str, site: Site) -> None:
    feed = rss(site, [("/news/one", "one", NOW), ("/news/two", "two", NOW)])
    feed = feed.replace("<item>", "<item><title>bad</title><link>http://[broken/news/x</link></item><item>", 1)
    site.routes["/feed.xml"] = Page(feed, content_type=RSS, headers={"ETag": '"f1"'})
    site.routes["/latest"] = Page("<html><body><a href='http://[bad'>x</a><a href='/news/three'>3</a></body></html>")
    for i, name in enumerate(["one", "two", "three"]):
        site.routes[f"/news/{name}"] = Page(article(name, 90 + i))

    summary, app = crawl(config(sqlite_url, site, listings=["/latest"]))

    assert stored_urls(app) == {"one", "two", "three"}
    assert "bad-url" in recorded_errors(app).values()
    assert summary.status == CrawlStatus.PARTIAL


def test_a_sitemap_index_is_read_in_full_each_crawl(sqlite_url: str, site: Site) -> None:
    def index(hit: Hit) -> Page:
        if hit.headers.get("if-none-match") == '"i1"':
            return Page(status=304, content_type="")
        return Page(
            f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{site.url}/today.xml</loc></sitemap></sitemapindex>""",
            content_type="application/xml",
            headers={"ETag": '"i1"'},
        )

    def today(names: list[str]) -> Page:
        urls = "".join(f"<url><loc>{site.url}/news/{n}</loc><lastmod>{NOW.isoformat()}</lastmod></url>" for n in names)
        body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        return Page(body, content_type="application/xml")

    site.routes["/sitemap.xml"] = index
    site.routes["/today.xml"] = today(["early"])
    for i, name in enumerate(["early", "later"]):
        site.routes[f"/news/{name}"] = Page(article(name, 100 + i))
    cfg = config(sqlite_url, site, feeds=[], sitemaps=["/sitemap.xml"])

    first, app = crawl(cfg)
    site.routes["/today.xml"] = today(["early", "later"])
    second, app = crawl(cfg)

    assert (first.stored, second.stored) == (1, 1)
    assert stored_urls(app) == {"early", "later"}


def test_a_retry_after_beyond_reason_gives_up_without_hammering(sqlite_url: str, site: Site) -> None:
    site.routes["/feed.xml"] = Page(rss(site, [("/news/later", "later", NOW)]), content_type=RSS)
    site.routes["/news/later"] = Page("busy", status=503, headers={"Retry-After": "86400"})

    summary, app = crawl(config(sqlite_url, site, crawler={"retries": 3}))

    assert site.paths().count("/news/later") == 1
    assert recorded_errors(app)["later"] == "http/503"
    assert summary.status == CrawlStatus.PARTIAL


def test_an_untrusted_certificate_is_refused_with_a_clear_reason(sqlite_url: str, tmp_path: Path) -> None:
    from sandbox import make_tls

    context, _ca = make_tls(tmp_path)  # a CA no trust store knows
    site = Site().start(tls=context)
    try:
        site.routes["/feed.xml"] = Page(rss(site, [("/news/secret", "secret", NOW)]), content_type=RSS)
        site.routes["/news/secret"] = Page(article("Secret", 110))

        summary, app = crawl(config(sqlite_url, site, crawler={"obey_robots": False}))
    finally:
        site.stop()

    assert summary.status == CrawlStatus.FAILED
    assert "tls" in (summary.error or "")
    assert stored_urls(app) == set()


@pytest.mark.slow  # waits out a timeout, a delay or a time limit
def test_a_stop_request_ends_the_crawl_at_once_as_interrupted(sqlite_url: str, site: Site) -> None:
    """The run's status says the stop ended it (a time limit would record ``timeout``, the
    download timeout a failed page). The clock check cannot fail on a slow machine: the page
    hangs for 600 s, as long as the download timeout, and the time limit is longer still, so a
    crawl the stop does not end lasts ten times the 60 s bound."""
    import threading

    site.routes["/feed.xml"] = Page(
        rss(site, [("/news/quick", "quick", NOW), ("/news/stuck", "stuck", NOW)]), content_type=RSS
    )
    site.routes["/news/quick"] = Page(article("Quick", 120))
    site.routes["/news/stuck"] = Page(article("Stuck", 121), hang=600)
    cfg = config(sqlite_url, site, crawler={"timeout": "600s"})
    app = build_app(cfg)
    stop = threading.Event()
    stopped_at: list[float] = []

    def stop_while_stuck() -> None:  # the stop comes once one article is stored and the other hangs
        try:
            wait_until(
                lambda: "/news/stuck" in site.paths() and stored_urls(app) == {"quick"},
                "the quick article stored while the stuck one hangs",
                timeout=60,
            )
        finally:
            stopped_at.append(time.monotonic())
            stop.set()

    threading.Thread(target=stop_while_stuck, daemon=True).start()
    [summary] = run_crawl(cfg, cfg.outlets, app.ingestor().ingest, app.sessions, time_limit=1200, stop=stop)

    assert time.monotonic() - stopped_at[0] < 60
    assert summary.status == CrawlStatus.INTERRUPTED
    assert stored_urls(app) == {"quick"}
