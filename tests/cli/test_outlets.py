"""Trying an outlet before enabling it: ``outlets list`` shows every preset and declared outlet,
enabled or not, with its sources; ``extract --outlet`` works on one that is not enabled yet."""

from __future__ import annotations

import json
from pathlib import Path

from tests.crawler.site import Page, Site
from tests.helpers import RunCli, random_words

ARTICLE = (
    "<!doctype html><html><head><title>Navy patrol off Kuantan</title>"
    '<meta property="article:published_time" content="2026-11-20T08:00:00"></head><body><article>'
    "<h1>Navy patrol off Kuantan</h1>"
    + "".join(f"<p>{random_words(i, 40).capitalize()}.</p>" for i in range(5))
    + "</article></body></html>"
)


def write_config(tmp_path: Path, site_url: str, enabled: str = "", extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database_url = "sqlite:///{tmp_path / "nw.db"}"
[outlets]
enabled = [{enabled}]
[outlets.my-paper]
name = "My Paper"
base_url = "{site_url}"
language = "en"
timezone = "Asia/Kuala_Lumpur"
feeds = ["/rss/latest.xml"]
listings = ["/defence"]
article_pattern = '^/news/[a-z0-9-]+$'
{extra}
[outlets.qdnd]
interval = "30m"
"""
    )
    return path


def test_outlets_list_shows_presets_and_declared_outlets_enabled_or_not(tmp_path: Path, run_cli: RunCli) -> None:
    cfg = write_config(tmp_path, "https://news.example.org", enabled='"thesun"')
    result = run_cli("--config", str(cfg), "outlets", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["outlet", "enabled", "declared", "lang", "family", "base", "URL"]
    assert lines[1].split()[:3] == ["thesun", "yes", "preset"]  # the enabled ones first
    mine = next(i for i, line in enumerate(lines) if line.startswith("my-paper"))
    assert lines[mine].split()[:4] == ["my-paper", "no", "config", "en"]
    assert lines[mine + 1].split() == ["feed", "https://news.example.org/rss/latest.xml"]
    assert lines[mine + 2].split() == ["listing", "https://news.example.org/defence"]
    qdnd = next(line for line in lines if line.startswith("qdnd "))
    assert qdnd.split()[:3] == ["qdnd", "no", "preset+config"]
    assert "1 of 8 outlets enabled" in result.stdout

    rows = {
        row["outlet"]: row
        for row in map(json.loads, run_cli("--config", str(cfg), "outlets", "list", "--json").stdout.splitlines())
    }
    assert set(rows) >= {
        "qdnd",
        "qdnd-en",
        "vietnamnews",
        "bernama-en",
        "bernama-bm",
        "thesun",
        "vietnamplus",
        "my-paper",
    }
    assert rows["my-paper"]["enabled"] is False and rows["thesun"]["enabled"] is True
    assert rows["my-paper"]["feeds"] == ["https://news.example.org/rss/latest.xml"]
    assert rows["my-paper"]["article_pattern"] == "^/news/[a-z0-9-]+$"
    assert rows["qdnd"]["family"] == "qdnd" and rows["qdnd"]["sitemaps"]


def test_a_mistake_in_a_disabled_outlet_is_found_at_start(tmp_path: Path, run_cli: RunCli) -> None:
    cfg = write_config(tmp_path, "https://news.example.org", extra='feeeds = ["/x"]')
    result = run_cli("--config", str(cfg), "outlets", "list")
    assert result.returncode == 2
    assert f"config error: {cfg}: outlets.my-paper.feeeds: unknown key" in result.stderr


def test_extract_url_works_for_an_outlet_not_enabled_yet(tmp_path: Path, site: Site, run_cli: RunCli) -> None:
    site.routes["/news/navy-patrol"] = Page(ARTICLE)
    cfg = write_config(tmp_path, site.url)
    result = run_cli("--config", str(cfg), "extract", f"{site.url}/news/navy-patrol", "--outlet", "my-paper")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "Navy patrol off Kuantan"
    assert article["published_at"] == "2026-11-20T08:00:00+08:00"  # the outlet's timezone, Kuala Lumpur
    # Without --outlet, the disabled outlet serving the URL's site is found all the same.
    guessed = run_cli("--config", str(cfg), "extract", f"{site.url}/news/navy-patrol")
    assert guessed.returncode == 0, guessed.stderr
    unknown = run_cli("--config", str(cfg), "extract", f"{site.url}/news/navy-patrol", "--outlet", "my-papr")
    assert unknown.returncode == 2 and "no outlet named 'my-papr'" in unknown.stderr and "my-paper" in unknown.stderr
