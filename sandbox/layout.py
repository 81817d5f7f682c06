"""Where each sandbox outlet keeps what, in the real site's shapes (outlets.md): its article
URLs, its listing pages and their paging, its feeds and sitemaps, and which page template of
``render`` draws each. Pure functions of the articles they are given; ``sites`` serves them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sandbox import render
from sandbox.model import Article, Story, slugify


def article_path(story: Story) -> str:
    slug, sid = story.outlet, story.id
    words = slugify(story.title)
    if slug in ("qdnd", "qdnd-en"):
        return f"/{story.section}/{words}-{sid}"
    if slug == "vietnamnews":
        return f"/{story.section}/{sid}/{words}.html"
    if slug.startswith("bernama"):
        return f"/{slug.split('-')[1]}/{story.section}/news.php?id={sid}"
    if slug == "thesun":
        letters = "".join(chr(ord("a") + (sid >> s) % 26) for s in (3, 7))
        return f"/{story.section}/{words}-{letters}{sid:08d}"
    return f"/{words}-post{sid}.vnp"


def page_of(slug: str, listing: str, path: str, query: dict[str, list[str]]) -> int:
    """The page number if ``path`` + query is a page of ``listing`` in the outlet's style, else 0."""
    if slug in ("qdnd", "qdnd-en"):
        if path == listing:
            return 1
        match = re.fullmatch(re.escape(listing) + r"/p/(\d+)", path)
        return int(match.group(1)) if match else 0
    if path != listing:
        return 0
    name = "p" if slug == "vietnamnews" else "page"
    value = query.get(name, ["1"])[0]
    return int(value) if value.isdigit() and int(value) > 0 else 0


def render_family(slug: str) -> str:
    return {"qdnd-en": "qdnd", "bernama-en": "bernama", "bernama-bm": "bernama"}.get(slug, slug)


ARTICLE_PAGES: dict[str, Callable[[Article, str, list[Article]], bytes]] = {
    "qdnd": render.qdnd_article,
    "vietnamnews": render.vns_article,
    "bernama": render.bernama_article,
    "thesun": render.thesun_article,
    "vietnamplus": render.vnp_article,
}


def listing_page(slug: str, title: str, listing: str, items: list[Article], page_no: int, pages: int) -> bytes:
    if slug in ("qdnd", "qdnd-en"):
        return render.qdnd_listing(slug, title, listing, items, page_no, pages)
    if slug == "vietnamnews":
        return render.vns_listing(title, listing, items, page_no, pages)
    if slug.startswith("bernama"):
        return render.bernama_listing(slug.split("-")[1], title, listing, items, page_no, pages)
    return render.thesun_listing(title, listing, items, page_no, pages)


def documents(slug: str, path: str, arts: list[Article], fresh: list[Article], base: str) -> tuple[bytes, str] | None:
    """Feeds and sitemaps of one outlet: (bytes, content type), or None if ``path`` is not one."""

    def items(chosen: list[Article]) -> list[tuple[str, str, str, datetime | None]]:
        return [(a.title, base + a.path, a.lead, a.published_at.astimezone(render.ZONES[slug])) for a in chosen]

    xml = "application/rss+xml; charset=utf-8"
    if slug == "qdnd":
        feeds = {
            "/rss/cate/tin-tuc-moi-nhat.rss": ("Tin tức mới nhất", arts),
            "/rss/cate/quoc-phong-an-ninh-3424.rss": (
                "Quốc phòng - An ninh",
                [a for a in arts if a.section.startswith("quoc-phong-an-ninh")],
            ),
            "/rss/cate/quoc-te-3447.rss": ("Quốc tế", [a for a in arts if a.section.startswith("quoc-te")]),
        }
        if path in feeds:
            title, chosen = feeds[path]
            return render.rss(f"{title} - Báo Quân đội Nhân dân", base, "Báo QĐND", "vi", items(chosen)), xml
        if path == "/sitemaps/0/top300article.xml":
            return render.plain_sitemap(arts[:300], base), "application/xml; charset=utf-8"
    elif slug == "vietnamnews":
        sections = {"/rss/home.rss": None, "/rss/politics-laws.rss": "politics-laws", "/rss/society.rss": "society"}
        if path in sections:
            section = sections[path]
            chosen = [a for a in arts if section is None or a.section == section]
            # home.rss is UTF-16 with a BOM (outlets.md §2.2); the section feeds are UTF-8
            encoding = "utf-16" if section is None else "utf-8"
            body = render.rss("Vietnam News", base, "Viet Nam News", "en", items(chosen), encoding)
            return body, f"text/xml; charset={encoding}"
    elif slug.startswith("bernama"):
        lang = slug.split("-")[1]
        if path == f"/{lang}/rssfeed.php":
            label = {"general": "General", "world": "World", "politics": "Politics", "business": "Business"}
            label |= {"am": "Am", "dunia": "Dunia", "politik": "Politik", "sukan": "Sukan", "ekonomi": "Ekonomi"}
            rows: list[tuple[str, str, str, datetime | None]] = [
                (
                    f"{label.get(a.section, a.section.title())} : {a.title}",
                    f"{base}/{lang}/news.php?id={a.id}",
                    f"<font size=1><p>{render.esc(a.paragraphs[0] if a.paragraphs else a.lead)}</p></font>",
                    None,  # Bernama's feed items carry no pubDate
                )
                for a in fresh
            ]
            title = "BERNAMA - English Version" if lang == "en" else "BERNAMA - Versi Bahasa Melayu"
            body = render.rss(title, f"{base}/{lang}", title, "en-us" if lang == "en" else "ms", rows, "iso-8859-1")
            return body, "application/rss+xml; charset=ISO-8859-1"
    elif slug == "thesun":
        if path == "/sitemapforgoogle.xml":
            return render.news_sitemap(fresh, base, "The Sun", "en"), "application/xml; charset=utf-8"
    elif slug == "vietnamplus":
        if path == "/sitemaps/google-news.xml":
            return render.news_sitemap(fresh, base, "VietnamPlus", "vi"), "application/xml; charset=utf-8"
        if path == "/rss/home.rss":
            return render.rss("VietnamPlus - Trang chủ", base, "Báo điện tử VietnamPlus", "vi", items(arts)), xml
    return None
