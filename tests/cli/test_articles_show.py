"""An article's stored text is visible without opening the database: ``articles show ID`` prints
it with its metadata (where the date came from, why it is in its story), ``articles --json
--text`` exports every text; escaping for the terminal is tested with the other commands in
tests/hostile/test_terminal_output.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli.output import count
from tests.cli.test_crawl_errors import write_config
from tests.crawler.site import Page, Site
from tests.crawler.test_crawl import NOW, RSS, article, body_text, rss
from tests.helpers import RunCli


def dated(title: str, seed: int, when: str) -> str:
    """An article page declaring its publication time in its metadata."""
    meta = f'<meta property="article:published_time" content="{when}">'
    return article(title, seed).replace("<title>", meta + "<title>", 1)


def stored(run_cli: RunCli, config: str, *args: str) -> dict[str, dict[str, Any]]:
    result = run_cli("--config", config, "articles", "--json", *args)
    assert result.returncode == 0, result.stderr
    return {r["url"].rsplit("/", 1)[-1]: r for r in map(json.loads, result.stdout.splitlines())}


@pytest.mark.slow  # crawls a sandbox outlet
def test_articles_show_prints_the_stored_text_with_its_metadata(tmp_path: Path, site: Site, run_cli: RunCli) -> None:
    site.routes["/feed.xml"] = Page(
        rss(
            site,
            [
                ("/news/dated", "dated", NOW),
                ("/news/undated", "Undated from the feed", NOW),
            ],
        ),
        content_type=RSS,
    )
    site.routes["/news/dated"] = Page(dated("Coast guards meet in Kuantan", 1, "2026-12-01T09:30:00+08:00"))
    site.routes["/news/undated"] = Page(article("Fisheries talks resume", 2))
    config = str(write_config(tmp_path, site))
    assert run_cli("--config", config, "crawl").returncode == 0

    articles = stored(run_cli, config)
    assert set(articles) == {"dated", "undated"}
    assert "text" not in articles["dated"] and articles["dated"]["date_source"] == "metadata"

    shown = run_cli("--config", config, "articles", "show", str(articles["dated"]["id"]))
    assert shown.returncode == 0, shown.stderr
    head, _, text = shown.stdout.partition("\n\n")
    fields = {line.split(None, 1)[0]: line.split(None, 1)[1] for line in head.splitlines()[1:]}
    assert fields["outlet"] == "daily (Daily)"
    assert fields["url"].endswith("/news/dated") and fields["title"] == "Coast guards meet in Kuantan"
    assert fields["published"] == "2026-12-01 01:30 UTC, from the page's metadata"
    assert fields["language"] == "en" and fields["author"] == "-"
    assert fields["story"].startswith(f"{articles['dated']['story_id']} (1 article): Coast guards meet")
    assert fields["joined"].startswith("its story's first report")
    with_text = stored(run_cli, config, "--text")
    assert text.rstrip("\n") == with_text["dated"]["text"]
    assert fields["length"].startswith(f"{len(with_text['dated']['text'])} characters")
    assert body_text(1)[0] in text

    undated = run_cli("--config", config, "articles", "show", str(articles["undated"]["id"]))
    assert "from the feed or sitemap item (the page gave none)" in undated.stdout

    as_json = json.loads(
        run_cli("--config", config, "articles", "show", str(articles["undated"]["id"]), "--json").stdout
    )
    assert as_json["date_source"] == "feed or sitemap" and as_json["text"] == with_text["undated"]["text"]
    assert as_json["outlet"] == "daily" and as_json["joined_by"] is None

    missing = run_cli("--config", config, "articles", "show", "999")
    assert missing.returncode == 1 and "no article 999" in missing.stderr
    alone = run_cli("--config", config, "articles", "--text")
    assert alone.returncode == 2 and "--text goes with --json" in alone.stderr


@pytest.mark.parametrize(
    ("n", "one", "many", "text"),
    [
        (0, "article", None, "0 articles"),
        (1, "article", None, "1 article"),
        (2, "article", None, "2 articles"),
        (1, "copy", "copies", "1 copy"),
        (3, "copy", "copies", "3 copies"),
        (0, "copy", "copies", "0 copies"),
    ],
)
def test_counts_in_listings_put_the_noun_in_the_right_number(n: int, one: str, many: str | None, text: str) -> None:
    assert count(n, one, many) == text
