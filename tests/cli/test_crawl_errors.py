"""Failing URLs are visible without opening the database: ``crawl`` ends its table with the
failed URLs, their reasons and what happens to each next; ``crawl-errors`` lists what is failing
now, with attempts and the next retry or "given up"."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from storage import db
from storage.models import FailedUrl, utcnow
from tests.crawler.site import Page, Site
from tests.crawler.test_crawl import NOW, RSS, article, rss
from tests.helpers import RunCli


def write_config(tmp_path: Path, site: Site, feeds: str = '["/feed.xml"]') -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database_url = "sqlite:///{tmp_path}/nw.db"
[crawler]
download_delay = "0s"
retries = 0
timeout = "3s"
[outlets]
enabled = ["daily"]
[outlets.daily]
name = "Daily"
base_url = "{site.url}"
language = "en"
timezone = "UTC"
feeds = {feeds}
article_pattern = '^/(news|private)/'
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow  # several crawls
def test_crawl_lists_failed_urls_and_crawl_errors_shows_their_retries(
    tmp_path: Path, site: Site, run_cli: RunCli
) -> None:
    names = ["good", "missing", "pdf", "gone-1", "gone-2", "gone-3"]
    site.routes["/feed.xml"] = Page(
        rss(site, [*((f"/news/{n}", n, NOW) for n in names), ("/private/secret", "secret", NOW)]), content_type=RSS
    )
    site.routes["/news/good"] = Page(article("Navy patrol talks", 1))
    site.routes["/news/pdf"] = Page(b"%PDF-1.7\n1 0 obj", content_type="application/pdf")
    config = str(write_config(tmp_path, site, '["/feed.xml", "/missing-feed.xml"]'))

    crawled = run_cli("--config", config, "crawl", "--show-failed", "3")

    assert crawled.returncode == 0, crawled.stderr
    lines = crawled.stdout.splitlines()
    listed = lines[lines.index("failed URLs:") + 1 :]
    assert len([line for line in listed if line.startswith("  [daily] ")]) == 3
    assert listed[3] == "  ... and 4 more: run.py crawl-errors daily"
    assert crawled.stdout.rstrip().splitlines()[-1].startswith("stored 1 new articles")

    everything = run_cli("--config", config, "crawl", "--show-failed", "20")
    assert everything.returncode == 0
    failed = {
        line.split()[2].rsplit("/", 1)[-1]: line for line in everything.stdout.splitlines() if "  [daily] " in line
    }
    # The second crawl fetched none of the failed pages again: only the failing feed is listed.
    assert list(failed) == ["missing-feed.xml"]
    assert "http/404" in failed["missing-feed.xml"] and "read again at the next crawl" in failed["missing-feed.xml"]
    assert "failed 2 crawls in a row" in failed["missing-feed.xml"]
    held = everything.stdout.splitlines()[1].split()[10]
    assert held == "6"  # missing, pdf, the three gone and the robots refusal

    errors = run_cli("--config", config, "crawl-errors")
    assert errors.returncode == 0, errors.stderr
    rows = {line.split()[-1].rsplit("/", 1)[-1]: line for line in errors.stdout.splitlines()[1:]}
    assert set(rows) == {"missing", "pdf", "gone-1", "gone-2", "gone-3", "secret", "missing-feed.xml"}
    assert "http/404" in rows["missing"] and "retry in 59m" in rows["missing"]
    assert "article/not-html" in rows["pdf"] and "given up" in rows["pdf"]
    assert "robots" in rows["secret"] and "given up" in rows["secret"]
    assert "next crawl" in rows["missing-feed.xml"]

    as_json = run_cli("--config", config, "crawl-errors", "daily", "--json")
    records = {r["url"].rsplit("/", 1)[-1]: r for r in map(json.loads, as_json.stdout.splitlines())}
    assert records["pdf"]["detail"] == "Content-Type application/pdf"
    assert records["pdf"]["gave_up_at"] is not None and records["pdf"]["retry_at"] is None
    assert (records["missing"]["kind"], records["missing"]["attempts"]) == ("page", 1)
    assert records["missing-feed.xml"]["kind"] == "source" and records["missing-feed.xml"]["attempts"] == 2

    engine = db.make_engine(f"sqlite:///{tmp_path}/nw.db")
    with engine.begin() as conn:  # the pages failed two hours ago, the feed just now
        conn.execute(
            update(FailedUrl).where(FailedUrl.source.is_(False)).values(last_failed_at=utcnow() - timedelta(hours=2))
        )
    engine.dispose()
    recent = run_cli("--config", config, "crawl-errors", "--since", "1h")
    assert [line.split()[-1].rsplit("/", 1)[-1] for line in recent.stdout.splitlines()[1:]] == ["missing-feed.xml"]
    unknown = run_cli("--config", config, "crawl-errors", "nope")
    assert unknown.returncode == 2 and "no outlet named nope" in unknown.stderr

    status = run_cli("--config", config, "status", "daily")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    start = lines.index("failing URLs (5 latest of 7; all of them: run.py crawl-errors daily):")
    assert lines[start + 1].split()[:2] == ["last", "failed"]
    assert lines[start + 2].split()[-1].endswith("/missing-feed.xml")  # the latest failure first
    assert len([line for line in lines[start + 2 :] if "http://127.0.0.1" in line]) == 5
    as_json = json.loads(run_cli("--config", config, "status", "daily", "--json").stdout)
    assert as_json["outlet"] == "daily" and as_json["failing_urls"] == 7
    assert [r["kind"] for r in as_json["latest_failing_urls"]] == ["source", "page", "page", "page", "page"]
    assert "failing URLs" not in run_cli("--config", config, "status").stdout
    assert run_cli("--config", config, "status", "nope").returncode == 2


@pytest.mark.slow  # several crawls
def test_a_page_stored_on_its_retry_is_no_longer_listed(tmp_path: Path, site: Site, run_cli: RunCli) -> None:
    site.routes["/feed.xml"] = Page(rss(site, [("/news/late", "late", NOW)]), content_type=RSS)
    config = str(write_config(tmp_path, site))
    assert run_cli("--config", config, "crawl").returncode == 0
    assert "late" in run_cli("--config", config, "crawl-errors").stdout

    retry = run_cli("--config", config, "crawl-errors", "--retry", "daily")  # without waiting the hour
    assert (
        retry.returncode == 0 and retry.stdout.strip() == "1 page(s) will be fetched again at the next crawl of daily"
    )
    site.routes["/news/late"] = Page(article("Published at last", 2))
    retried = run_cli("--config", config, "crawl")

    assert "failed URLs:" not in retried.stdout and retried.stdout.splitlines()[1].split()[6] == "1"  # stored
    assert run_cli("--config", config, "crawl-errors").stdout.strip() == "no failing URLs"
