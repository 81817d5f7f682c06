"""Extraction throughput: ``crawler.extract.extract`` against calling trafilatura directly.

Pages: the recorded samples in ``/work/shared/outlets/samples`` (the vnexpress page; the qdnd
article bodies, each wrapped in a qdnd page layout) and the hand-written preset pages in
``tests/fixtures/extract``, each with its URL and outlet, repeated up to ``--pages``.

Three runs over the same pages, best of ``--repeat`` each:

* ``extract()``: our function, with the outlet (hints, strip patterns, dates, language), and
  again without outlets (the generic path a user-defined outlet without hints takes);
* trafilatura with metadata: ``trafilatura.extract(html, url=url, with_metadata=True,
  favor_precision=True, include_comments=False, include_tables=False)``, the call that gives the
  same fields (text, title, author, date) and what ``extract`` used to be;
* bare trafilatura: ``trafilatura.extract(html, url=url)`` with its defaults (text only).

Target (issue 3): extraction within 10 % of calling trafilatura directly.

    .venv/bin/python bench/extract_bench.py [--pages 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from config import OutletConfig, config_from_dict  # noqa: E402
from crawler.extract import extract  # noqa: E402
from crawler.outlets import load_presets  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "outlets" / "samples"
FIXTURES = ROOT / "tests" / "fixtures" / "extract"

Page = tuple[str | bytes, str, OutletConfig | None]


def load_pages() -> list[Page]:
    cfg = config_from_dict(
        {"outlets": {"enabled": ["qdnd", "bernama-en", "thesun", "vietnamplus", "vietnamnews"]}},
        env={},
        presets=load_presets(),
    )
    qdnd = cfg.outlet("qdnd")
    pages: list[Page] = []
    vnexpress = SAMPLES / "vnexpress_article_2025-10-22__fundus-test-fixture.html"
    if vnexpress.exists():
        pages.append((vnexpress.read_bytes(), "https://vnexpress.net/dau-bung-4954454.html", None))
    bodies = SAMPLES / "qdnd_articleBody-html-fragments_2025-01-16__github-mourinhan8-qdnd-crawler_articles.json"
    if bodies.exists():
        for i, item in enumerate(json.loads(bodies.read_text())[::2]):
            page = (
                f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{item['title']}</title></head><body>"
                f"<nav><a href='/'>Trang chủ</a></nav><div class='post-content'>"
                f"<h1 class='post-title'>{item['title']}</h1><div class='post-summary'>{item['summary']}</div>"
                f"{item['article_text']}</div><footer>Báo Quân đội nhân dân</footer></body></html>"
            )
            pages.append((page.encode(), f"https://www.qdnd.vn/quoc-phong-an-ninh/tin-tuc/x-{i}", qdnd))
    fixtures = {
        "qdnd_article.html": ("https://www.qdnd.vn/quoc-te/doi-ngoai-quoc-phong/x-754100", "qdnd"),
        "bernama_article_cp1252.html": ("https://www.bernama.com/en/news.php?id=2470001", "bernama-en"),
        "thesun_article.html": ("https://thesun.my/malaysia-news/x-MA12345678", "thesun"),
        "vietnamplus_article.html": ("https://www.vietnamplus.vn/x-post1.vnp", "vietnamplus"),
        "vietnamnews_article.html": ("https://vietnamnews.vn/politics-laws/1/x.html", "vietnamnews"),
    }
    for name, (url, slug) in fixtures.items():
        pages.append(((FIXTURES / name).read_bytes(), url, cfg.outlet(slug)))
    return pages


def ours(page: Page) -> Any:
    return extract(page[0], page[1], page[2])


def ours_without_outlet(page: Page) -> Any:
    return extract(page[0], page[1])


def trafilatura_with_metadata(page: Page) -> Any:
    return trafilatura.extract(
        page[0],
        url=page[1],
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
    )


def trafilatura_bare(page: Page) -> Any:
    return trafilatura.extract(page[0], url=page[1])


def best_rate(fn: Callable[[Page], Any], pages: list[Page], repeat: int) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = sum(1 for page in pages if fn(page) is not None)
        best = min(best, time.perf_counter() - start)
    return len(pages) / best, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    distinct = load_pages()
    pages = (distinct * (args.pages // len(distinct) + 1))[: args.pages]
    size = sum(len(p[0]) for p in pages) / len(pages)
    print(f"{len(pages)} pages ({len(distinct)} distinct, mean {size / 1024:.1f} KiB), best of {args.repeat}")
    for page in distinct:  # warm caches (lxml, trafilatura, selectors, language detector) once
        ours(page), trafilatura_with_metadata(page), trafilatura_bare(page)
    rates = {}
    for name, fn in (
        ("extract()", ours),
        ("extract(), no outlet", ours_without_outlet),
        ("trafilatura, with metadata", trafilatura_with_metadata),
        ("trafilatura, bare", trafilatura_bare),
    ):
        rate, found = best_rate(fn, pages, args.repeat)
        rates[name] = rate
        print(f"{name:<28} {rate:8.1f} pages/s  ({found} with text)")
    for ours_name in ("extract()", "extract(), no outlet"):
        for baseline in ("trafilatura, with metadata", "trafilatura, bare"):
            overhead = (rates[baseline] / rates[ours_name] - 1) * 100
            print(f"{ours_name:<22} vs {baseline:<28} {overhead:+6.1f} % time per page")


if __name__ == "__main__":
    main()
