"""Every shipped preset is covered twice: a sandbox site that serves it (its feeds, listings and
article pages, crawled end to end in test_presets.py) and a fixture page in its real layout with
the fields extraction must find. Both tests iterate the preset registry, so a preset added to
``crawler/outlets/presets.toml`` without a sandbox site and a fixture page fails the build."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from config import OutletConfig
from crawler.discovery import path_and_query
from crawler.extract import extract
from crawler.outlets import load_presets
from sandbox import OutletSites
from sandbox.stories import STORIES
from tests.helpers import make_config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
PAGES = tomllib.loads((FIXTURES / "pages.toml").read_text(encoding="utf-8"))
PRESETS = sorted(load_presets())
SANDBOX_NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def preset(slug: str, **override: str) -> OutletConfig:
    return make_config({"outlets": {"enabled": [slug], slug: override}}).outlet(slug)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[OutletSites]:
    with OutletSites(now=SANDBOX_NOW) as sites:
        yield sites


@pytest.mark.parametrize("slug", PRESETS)
def test_the_preset_has_a_fixture_page_with_the_fields_extraction_finds(slug: str) -> None:
    assert slug in PAGES, f"preset {slug} has no fixture page: add one to tests/fixtures/extract/ and to its pages.toml"
    expected = PAGES[slug]
    outlet = preset(slug)
    assert re.search(outlet.article_pattern, path_and_query(expected["url"])), "not an article URL of the preset"
    page = (FIXTURES / expected["page"]).read_bytes()
    result = extract(page, expected["url"], outlet, now=datetime(2025, 10, 25, tzinfo=UTC))
    assert result is not None
    assert result.title == expected["title"]
    assert result.published_at == expected["published_at"]
    assert result.language == expected["language"] == outlet.language
    assert expected["text"] in result.text


@pytest.mark.parametrize("slug", PRESETS)
def test_the_preset_has_a_sandbox_site_whose_articles_extract(slug: str, sandbox: OutletSites) -> None:
    sites = sandbox.outlet_overrides()
    assert slug in sites, f"preset {slug} has no sandbox site: add it to sandbox/sites.py and sandbox/stories/"
    stories = [s for s in STORIES if s.outlet == slug]
    assert len(stories) >= 5 and any(s.on_topic for s in stories) and not all(s.on_topic for s in stories)
    outlet = preset(slug, base_url=sites[slug]["base_url"])
    articles = sandbox.articles(slug)
    with httpx.Client(follow_redirects=True, timeout=5) as client:  # keeps qdnd's gate cookie
        for article in articles[:3]:
            assert re.search(outlet.article_pattern, path_and_query(article.url)), article.url
            response = client.get(article.url)
            assert response.status_code == 200, article.url
            result = extract(response.content, article.url, outlet, now=sandbox.now)
            assert result is not None, article.url
            assert result.title == article.title
            assert result.language == article.language == outlet.language
            assert result.published_at == article.published_at
            assert article.paragraphs[-1][:60] in result.text  # the body to its end (credits aside)
