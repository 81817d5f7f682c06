"""HTML, RSS and sitemap bytes for each sandbox outlet, in the shapes outlets.md describes.

Pure functions of the articles they are given: the server decides what goes where and caches
the bytes. Each outlet family has its own page template (selectors from the presets).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html.entities import codepoint2name

from sandbox.model import Article

VN = timezone(timedelta(hours=7))
MY = timezone(timedelta(hours=8))
ZONES = {"qdnd": VN, "qdnd-en": VN, "vietnamnews": VN, "vietnamplus": VN, "bernama-en": MY, "bernama-bm": MY}
EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]
MS_MONTHS = ["Jan", "Feb", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "Sept", "Okt", "Nov", "Dis"]
VI_WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def local(article: Article) -> datetime:
    return article.published_at.astimezone(ZONES.get(article.outlet, MY))


def named_entities(text: str) -> str:
    """Escape, then write Latin-1 letters as named entities (&agrave; &ecirc; ...) as qdnd's CMS does."""
    out = []
    for ch in esc(text):
        name = codepoint2name.get(ord(ch)) if ord(ch) > 127 else None
        out.append(f"&{name};" if name else ch)
    return "".join(out)


def etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


# ---------------------------------------------------------------- shared pieces


def _head(
    article: Article, site_name: str, canonical: str, *, published_meta: bool = True, json_ld: bool = False
) -> str:
    when = local(article).isoformat(timespec="seconds")
    parts = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(article.title)} | {esc(site_name)}</title>",
        f'<meta name="description" content="{esc(article.lead)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{esc(site_name)}">',
        f'<meta property="og:title" content="{esc(article.title)}">',
        f'<meta property="og:description" content="{esc(article.lead)}">',
        f'<meta property="og:url" content="{esc(canonical)}">',
        f'<meta property="og:image" content="/media/{article.id}/cover.jpg">',
        f'<link rel="canonical" href="{esc(canonical)}">',
        '<link rel="stylesheet" href="/static/css/main.css">',
    ]
    if published_meta:
        parts.append(f'<meta property="article:published_time" content="{when}">')
        parts.append(f'<meta property="article:section" content="{esc(article.section)}">')
    if json_ld:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.lead,
            "datePublished": when,
            "dateModified": when,
            "mainEntityOfPage": canonical,
            "author": {"@type": "Person", "name": article.author or site_name},
            "publisher": {"@type": "Organization", "name": site_name},
        }
        parts.append(f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>')
    parts.append("<script>window.dataLayer=window.dataLayer||[];</script>")
    return "\n".join(parts)


def _related(items: Sequence[Article], heading: str, cls: str = "") -> str:
    links = "".join(f'<li><a class="{cls}" href="{esc(a.path)}">{esc(a.title)}</a></li>' for a in items)
    return f'<aside class="related"><h3>{esc(heading)}</h3><ul>{links}</ul></aside>'


def _pager(base: str, page: int, pages: int, fmt: str) -> str:
    if pages <= 1:
        return ""
    links = []
    for n in range(1, pages + 1):
        href = base if n == 1 else fmt.format(base=base, n=n)
        cls = ' class="active"' if n == page else ""
        links.append(f'<li{cls}><a href="{esc(href)}">{n}</a></li>')
    if page < pages:
        links.append(f'<li><a rel="next" href="{esc(fmt.format(base=base, n=page + 1))}">&raquo;</a></li>')
    return f'<div class="text-center pagination"><ul>{"".join(links)}</ul></div>'


def page(lang: str, head: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n'.encode()
    )


# ---------------------------------------------------------------- qdnd (www and en)

QDND_MENU = {
    "qdnd": [
        ("/chinh-tri", "Chính trị"),
        ("/quoc-phong-an-ninh", "Quốc phòng - An ninh"),
        ("/kinh-te", "Kinh tế"),
        ("/xa-hoi", "Xã hội"),
        ("/quoc-te", "Quốc tế"),
        ("/the-thao", "Thể thao"),
    ],
    "qdnd-en": [
        ("/politics/news", "Politics"),
        ("/military/news", "Military"),
        ("/military/intl-relations-and-cooperation", "International relations"),
        ("/economy/international-cooperation", "Economy"),
        ("/social-affairs/news", "Social affairs"),
    ],
}


QDND_FOOTER = {
    "qdnd": (
        '<footer class="footer"><p>Cơ quan của Quân ủy Trung ương và Bộ Quốc phòng</p>'
        "<p>Tòa soạn: 7 Phan Đình Phùng, Hà Nội</p>"
        "<p>&copy; Báo Quân đội Nhân dân. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></footer>"
    ),
    "qdnd-en": (
        "<footer class=\"footer\"><p>People's Army Newspaper, official voice of the Vietnam People's Army</p>"
        "<p>7 Phan Dinh Phung, Hanoi</p><p>&copy; People's Army Newspaper. Please cite the source.</p></footer>"
    ),
}


def qdnd_article(a: Article, base: str, related: Sequence[Article]) -> bytes:
    vi = a.outlet == "qdnd"
    site = "Báo Quân đội Nhân dân" if vi else "People's Army Newspaper"
    canonical = base + a.path
    t = local(a)
    stamp = f"{VI_WEEKDAYS[t.weekday()]}, {t:%d/%m/%Y} | {t:%H:%M}" if vi else f"{t:%A, %B %d, %Y %H:%M}"
    enc = named_entities if vi else esc
    paras = [f'<p style="text-align: justify;">{enc(p)}</p>' for p in a.paragraphs]
    figure = (
        f'<table align="center" border="0" id="img-{a.id}"><tbody>'
        f'<tr><td><div class="fig-tools">leftcenterrightdel</div><img alt="" loading="lazy" '
        f'src="/data/images/0/{t:%Y/%m/%d}/{a.id}.jpg?dpi=150&amp;quality=100&amp;w=870" /></td></tr>'
        f'<tr><td><h2><span style="font-size: 14px;">{enc(a.caption or a.title)}</span></h2></td></tr>'
        "</tbody></table>"
    )
    paras.insert(min(1, len(paras)), figure)
    if a.author:
        paras.append(f"<p><strong>{enc(a.author)}</strong></p>")
    if vi:
        top = a.path.split("/")[1]
        paras.append(
            f'<p>* {named_entities("Mời bạn đọc vào chuyên mục")} <a href="/tag/{top}-1588.html">'
            f"<em>{named_entities('Quốc phòng an ninh')}</em></a> {named_entities('xem các tin, bài liên quan.')}</p>"
        )
    menu = "".join(f'<li><a href="{h}">{esc(n)}</a></li>' for h, n in QDND_MENU[a.outlet])
    section_href = "/" + "/".join(a.path.split("/")[1:3])
    body = f"""<header class="header"><a class="logo" href="/">{esc(site)}</a>
<nav class="menu"><ul>{menu}</ul></nav></header>
<div class="container">
<ul class="breadcrumb"><li><a href="/">{"Trang chủ" if vi else "Home"}</a></li>
<li><a href="{section_href}">{esc(a.section)}</a></li></ul>
<div class="post-detail">
<h1 class="post-title">{esc(a.title)}</h1>
<div class="post-subinfo"><span class="post-date">{stamp}</span></div>
<div class="post-summary"><h2>{esc(a.lead)}</h2></div>
<div class="post-content">
<div itemprop="articleBody">
{chr(10).join(paras)}
</div>
</div>
<div class="post-tags"><a href="/tag/quan-doi-1.html">{"Quân đội" if vi else "Army"}</a></div>
</div>
{_related(related, "Tin liên quan" if vi else "Related news")}
</div>
{QDND_FOOTER[a.outlet]}"""
    return page("vi" if vi else "en", _head(a, site, canonical, json_ld=True), body)


def qdnd_listing(outlet: str, title: str, base_path: str, items: Sequence[Article], page_no: int, pages: int) -> bytes:
    vi = outlet == "qdnd"
    rows = []
    for a in items:
        t = local(a)
        rows.append(
            f'<article class="list-item"><a class="thumb" href="{esc(a.path)}"><img src="/media/{a.id}/thumb.jpg" '
            f'alt="{esc(a.title)}"></a><h3><a href="{esc(a.path)}">{esc(a.title)}</a></h3>'
            f'<p class="sapo"><span class="date">{t.day}-{t.month}</span> {esc(a.lead)}</p></article>'
        )
    menu = "".join(f'<li><a href="{h}">{esc(n)}</a></li>' for h, n in QDND_MENU[outlet])
    body = f"""<header class="header"><nav class="menu"><ul>{menu}</ul></nav></header>
<div class="container"><h1 class="cate-title">{esc(title)}</h1>
<div class="list-news">{"".join(rows)}</div>
{_pager(base_path, page_no, pages, "{base}/p/{n}")}
</div><footer class="footer">{"Báo Quân đội Nhân dân" if vi else "People's Army Newspaper"}</footer>"""
    head = f'<meta charset="utf-8"><title>{esc(title)}</title><link rel="canonical" href="{esc(base_path)}">'
    return page("vi" if vi else "en", head, body)


# ---------------------------------------------------------------- vietnamnews


def vns_article(a: Article, base: str, related: Sequence[Article]) -> bytes:
    canonical = base + a.path
    t = local(a)
    paras = "".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    figure = (
        f'<div class="picture"><img src="/media/{a.id}/1.jpg" alt=""><div class="caption">{esc(a.caption)}</div></div>'
        if a.caption
        else ""
    )
    section = a.path.split("/")[1]
    body = f"""<header class="site-header"><a class="logo" href="/">Viet Nam News</a>
<nav><a class="nav-item" href="/politics-laws">Politics &amp; Laws</a><a class="nav-item" href="/society">Society</a>
<a class="nav-item" href="/economy">Economy</a><a class="nav-item" href="/sports">Sports</a></nav></header>
<main class="site-content"><div class="breadcrumbs"><a href="/">Home</a> <a href="/{section}">{esc(a.section)}</a></div>
<article class="detail">
<div class="detail__header"><h1 class="headline">{esc(a.title)}</h1></div>
<div class="detail__meta"><div class="datetime">{t:%B} {t.day}, {t:%Y - %H:%M}</div></div>
<div class="detail__summary"><h2>{esc(a.lead)}</h2></div>
<div class="detail__content"><div id="abody">{figure}{paras}</div></div>
</article>
{_related(related, "Related stories", "story__title")}
</main><footer class="site-footer"><p>Viet Nam News, the national English language daily. 11 Tran Hung Dao, Ha Noi.</p>
<p>&copy; Copyright 2026 Viet Nam News.</p></footer>"""
    return page("en", _head(a, "Viet Nam News", canonical), body)


def vns_listing(title: str, base_path: str, items: Sequence[Article], page_no: int, pages: int) -> bytes:
    rows = "".join(
        f'<div class="story"><a class="story__thumb" href="{esc(a.path)}"><img src="/media/{a.id}/t.jpg" alt=""></a>'
        f'<h2><a class="story__title" href="{esc(a.path)}">{esc(a.title)}</a></h2>'
        f'<div class="story__summary">{esc(a.lead)}</div></div>'
        for a in items
    )
    body = f"""<header class="site-header"><a class="logo" href="/">Viet Nam News</a></header>
<main class="l-content"><h1 class="section-title">{esc(title)}</h1>{rows}
{_pager(base_path, page_no, pages, "{base}?p={n}")}</main>"""
    return page("en", f'<meta charset="utf-8"><title>{esc(title)} - Viet Nam News</title>', body)


# ---------------------------------------------------------------- bernama


def bernama_dateline(a: Article, place: str) -> str:
    t = local(a)
    if a.language == "ms":
        return f"{place.upper()}, {t.day} {MS_MONTHS[t.month - 1]} (Bernama) -- "
    return f"{place.upper()}, {EN_MONTHS[t.month - 1]} {t.day} (Bernama) -- "


def bernama_article(a: Article, base: str, related: Sequence[Article]) -> bytes:
    lang = a.path.split("/")[1]
    canonical = f"{base}/{lang}/news.php?id={a.id}"
    t = local(a)
    stamp = t.strftime("%d/%m/%Y %I:%M %p")
    paras = "".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    en = lang == "en"
    head = "\n".join(
        [
            '<meta charset="utf-8">',
            f"<title>{esc(a.title)} | Bernama</title>",
            f'<meta property="og:title" content="{esc(a.title)}">',
            f'<meta property="og:description" content="{esc(a.lead)}">',
            f'<meta property="og:url" content="{esc(canonical)}">',
            '<meta property="article:author" content="BERNAMA">',
            f'<link rel="canonical" href="{esc(canonical)}">',
        ]
    )
    links = "".join(
        f'<h6><a class="text-dark text-decoration-none" href="news.php?id={r.id}">{esc(r.title)}</a></h6>'
        for r in related
    )
    nav = (
        f'<a href="/{lang}/general/index.php">{"General" if en else "Am"}</a> '
        f'<a href="/{lang}/world/index.php">{"World" if en else "Dunia"}</a>'
    )
    tag = f'<a class="btn btn-sm btn-danger m-1 text-light" href="/{lang}/tag.php?t={a.section}">#{esc(a.section)}</a>'
    about = (
        "BERNAMA provides up-to-date authentic and comprehensive news and information. Follow us on social media."
        if en
        else "BERNAMA menyediakan berita dan maklumat terkini, sahih dan menyeluruh. Ikuti kami di media sosial."
    )
    photo = (
        f'<figure class="col-12 mt-3"><img class="lazyload" data-src="/storage/photos/{a.id}.jpg" alt="">'
        f"<figcaption>{esc(a.caption)}</figcaption></figure>"
    )
    body = f"""<nav class="navbar navbar-expand-lg"><a class="navbar-brand" href="/{lang}/">BERNAMA</a>
{nav}</nav>
<div id="body-row" class="row"><div class="col-12 col-sm-12 col-md-12 col-lg-8">
<h1 class="h2">{esc(a.title)}</h1>
<div class="col-12 mt-3 mb-3"><div class="row"><div class="col-6">{"By" if en else "Oleh"} BERNAMA</div>
<div class="col-6 text-right">{stamp}</div></div></div>
{photo if a.caption else ""}
<div class="col-12 mt-3 text-dark text-justify">{paras}<p>-- BERNAMA</p></div>
<div class="col-12 mt-3">{tag}</div>
<div class="col-12 mt-3 text-dark text-justify"><p>{about}</p></div>
</div><div class="col-lg-4"><h5>{"Latest" if en else "Terkini"}</h5>{links}</div></div>
<footer class="footer">&copy; 2026 BERNAMA. Wisma Bernama, No.28 Jalan 1/65A, Kuala Lumpur.</footer>"""
    return page(lang if en else "ms", head, body)


def bernama_listing(lang: str, title: str, base_path: str, items: Sequence[Article], page_no: int, pages: int) -> bytes:
    rows = "".join(
        f'<div class="row"><div class="col-7 col-md-12 col-lg-12 mb-3"><h6>'
        f'<a class="text-dark text-decoration-none" href="news.php?id={a.id}">{esc(a.title)}</a></h6>'
        f'<div class="text-muted small">{local(a):%d/%m/%Y %I:%M %p}</div></div></div>'
        for a in items
    )
    body = f"""<nav class="navbar"><a class="navbar-brand" href="/{lang}/">BERNAMA</a></nav>
<div id="body-row" class="row"><div class="col-12"><h2>{esc(title)}</h2>{rows}
{_pager(base_path, page_no, pages, "{base}?page={n}")}</div></div>"""
    return page(lang if lang == "en" else "ms", f'<meta charset="utf-8"><title>{esc(title)} | BERNAMA</title>', body)


# ---------------------------------------------------------------- thesun


def thesun_article(a: Article, base: str, related: Sequence[Article]) -> bytes:
    canonical = base + a.path
    t = local(a)
    paras = "".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    body = f"""<header class="site-header"><a href="/">theSun</a>
<nav><a href="/malaysia-news">Malaysia</a><a href="/sport">Sport</a><a href="/business">Business</a></nav></header>
<main><article class="article">
<div class="headline"><h1>{esc(a.title)}</h1></div>
<div class="article-meta"><span class="author">{esc(a.author or "theSun")}</span>
<time datetime="{t.isoformat(timespec="seconds")}">{t:%d %b %Y / %H:%M}</time></div>
<figure><img src="/media/{a.id}.jpg" alt=""><figcaption>{esc(a.caption)}</figcaption></figure>
<div class="article-content" id="article-body">{paras}</div>
<div class="share">Share this article</div>
</article>{_related(related, "Related News")}</main>
<footer><p>Copyright &copy; Sun Media Corporation Sdn. Bhd.</p></footer>"""
    return page("en", _head(a, "The Sun", canonical, json_ld=True), body)


def thesun_listing(title: str, base_path: str, items: Sequence[Article], page_no: int, pages: int) -> bytes:
    rows = "".join(
        f'<div class="headline"><a href="{esc(a.path.lstrip("/"))}"><h2>{esc(a.title)}</h2></a>'
        f"<p>{esc(a.lead)}</p></div>"
        for a in items
    )
    body = f"""<header class="site-header"><a href="/">theSun</a></header>
<main><h1>{esc(title)}</h1><div class="list">{rows}</div>
{_pager(base_path, page_no, pages, "{base}?page={n}")}</main>"""
    # relative links ("malaysia-news/slug-xx12345678") resolve against "/malaysia-news" to the article
    head = f'<meta charset="utf-8"><title>{esc(title)} | The Sun</title>'
    return page("en", head, body)


# ---------------------------------------------------------------- vietnamplus


VNP_MENU = "".join(
    f'<a href="/{slug}.vnp">{name}</a>'
    for slug, name in [
        ("chinhtri", "Chính trị"),
        ("thegioi", "Thế giới"),
        ("kinhte", "Kinh tế"),
        ("thethao", "Thể thao"),
    ]
)


def vnp_article(a: Article, base: str, related: Sequence[Article]) -> bytes:
    canonical = base + a.path
    t = local(a)
    paras = "".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    figure = (
        f'<figure class="article__image"><img src="/media/{a.id}.jpg" alt="">'
        f"<figcaption>{esc(a.caption)}</figcaption></figure>"
        if a.caption
        else ""
    )
    body = f"""<header class="header"><a class="logo" href="/">VietnamPlus</a>
<nav>{VNP_MENU}</nav></header>
<main class="container"><article class="article">
<h1 class="article__title cms-title">{esc(a.title)}</h1>
<div class="article__meta"><time class="time">{VI_WEEKDAYS[t.weekday()]}, {t:%d/%m/%Y %H:%M} (GMT+7)</time></div>
<div class="article__sapo cms-desc"><p>{esc(a.lead)}</p></div>
<div class="article__body zce-content-body cms-body">{figure}{paras}</div>
<div class="article__author"><span class="name">{esc(a.author or "TTXVN/Vietnam+")}</span></div>
</article>{_related(related, "Tin cùng chuyên mục")}</main>
<footer class="footer"><p>Báo điện tử VietnamPlus, cơ quan của Thông tấn xã Việt Nam (TTXVN).</p></footer>"""
    return page("vi", _head(a, "Vietnam+ (VietnamPlus)", canonical), body)


def vnp_home(items: Sequence[Article]) -> bytes:
    rows = "".join(f'<h3 class="story__heading"><a href="{esc(a.path)}">{esc(a.title)}</a></h3>' for a in items)
    return page("vi", '<meta charset="utf-8"><title>VietnamPlus</title>', f'<main class="container">{rows}</main>')


# ---------------------------------------------------------------- feeds and sitemaps


def rss(
    title: str,
    link: str,
    description: str,
    language: str,
    items: Sequence[tuple[str, str, str, datetime | None]],
    encoding: str = "utf-8",
) -> bytes:
    """RSS 2.0 bytes in ``encoding`` (characters it cannot hold become character references)."""
    rows = []
    for item_title, url, desc, when in items:
        date = f"<pubDate>{format_datetime(when)}</pubDate>" if when else ""
        rows.append(
            f"<item><title>{esc(item_title)}</title><link>{esc(url)}</link><description>{esc(desc)}</description>"
            f'{date}<guid isPermaLink="true">{esc(url)}</guid></item>'
        )
    declared = {"utf-16": "utf-16", "iso-8859-1": "ISO-8859-1"}.get(encoding, "utf-8")
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{esc(title)}</title><link>{esc(link)}</link><description>{esc(description)}</description>"
        f"<language>{language}</language>\n" + "\n".join(rows) + "\n</channel>\n</rss>\n"
    )
    if encoding == "utf-16":
        return text.encode("utf-16")  # with a BOM, as the Go test of vietnamnews' feed decodes
    return text.encode(encoding, "xmlcharrefreplace")


def news_sitemap(items: Sequence[Article], base: str, publication: str, language: str) -> bytes:
    rows = "".join(
        f"<url><loc>{esc(base + a.path)}</loc><news:news><news:publication><news:name>{esc(publication)}</news:name>"
        f"<news:language>{language}</news:language></news:publication>"
        f"<news:publication_date>{local(a).isoformat(timespec='seconds')}</news:publication_date>"
        f"<news:title>{esc(a.title)}</news:title></news:news></url>\n"
        for a in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + rows + "</urlset>\n"
    ).encode()


def plain_sitemap(items: Sequence[Article], base: str) -> bytes:
    rows = "".join(
        f"<url><loc>{esc(base + a.path)}</loc><lastmod>{local(a).isoformat(timespec='seconds')}</lastmod>"
        f"<image:image><image:loc>{esc(base)}/media/{a.id}/cover.jpg</image:loc></image:image></url>\n"
        for a in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n' + rows + "</urlset>\n"
    ).encode()
