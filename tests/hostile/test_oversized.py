"""Responses larger than ``crawler.max_response_bytes`` are cut and recorded as ``too-large``.

The review's input first: a 1 GiB gzip bomb was cut at the size limit, but recorded under the
vague reason ``ignored`` (Scrapy's message), so ``crawl``'s table did not say what happened.
Then the class: bodies that grow past the cap when decompressed (gzip, deflate, several
ratios) and bodies declared too large; the rest of the crawl goes on.
"""

from __future__ import annotations

import sqlite3
import zlib
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from tests.crawler.site import Page, Site
from tests.helpers import RunCli, random_words

NOW = format_datetime(datetime.now(UTC))
ARTICLE = (
    "<html><head><title>Navy patrol</title></head><body><article><h1>Navy patrol</h1>"
    + "".join(f"<p>{random_words(i, 40).capitalize()}.</p>" for i in range(5))
    + "</article></body></html>"
)


def bomb(size: int, wbits: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join([comp.compress(bytes(1 << 20)) for _ in range(size >> 20)] + [comp.flush()])


def crawl(run_cli: RunCli, tmp_path: Path, site: Site, pages: dict[str, Page]) -> dict[str, str]:
    site.routes["/news/ok"] = Page(ARTICLE)
    site.routes.update({f"/news/{name}": page for name, page in pages.items()})
    items = "".join(
        f"<item><title>{n}</title><link>{site.url}/news/{n}</link><pubDate>{NOW}</pubDate></item>"
        for n in ["ok", *pages]
    )
    site.routes["/feed.xml"] = Page(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[storage]\ndatabase_url = "sqlite:///{tmp_path / "nw.db"}"\n'
        '[crawler]\ndownload_delay = "0s"\nretries = 0\nmax_response_bytes = 1048576\n'
        '[outlets]\nenabled = ["t"]\n[outlets.t]\nname = "T"\nlanguage = "en"\ntimezone = "UTC"\n'
        f'base_url = "{site.url}"\nfeeds = ["/feed.xml"]\narticle_pattern = "^/news/"\n'
    )
    result = run_cli("--config", str(cfg), "crawl", "--quiet")
    assert "too-large" in result.stdout
    with sqlite3.connect(tmp_path / "nw.db") as conn:
        assert [r[0] for r in conn.execute("SELECT url FROM articles")] == [f"{site.url}/news/ok"]
        return {url.rsplit("/", 1)[1]: reason for url, reason in conn.execute("SELECT url, reason FROM crawl_errors")}


def test_a_gzip_bomb_is_recorded_as_too_large(tmp_path: Path, site: Site, run_cli: RunCli) -> None:
    errors = crawl(run_cli, tmp_path, site, {"bomb": Page(bomb(64 << 20, 31), headers={"Content-Encoding": "gzip"})})
    assert errors == {"bomb": "too-large"}


def test_every_body_past_the_cap_is_recorded_as_too_large(tmp_path: Path, site: Site, run_cli: RunCli) -> None:
    pages = {
        "gzip-2m": Page(bomb(2 << 20, 31), headers={"Content-Encoding": "gzip"}),
        "deflate-16m": Page(bomb(16 << 20, 15), headers={"Content-Encoding": "deflate"}),
        "plain-3m": Page(ARTICLE.replace("</article>", "<p>" + "x" * (3 << 20) + "</p></article>")),
    }
    assert crawl(run_cli, tmp_path, site, pages) == dict.fromkeys(pages, "too-large")
