"""Extraction: HTML + URL in, an ``Extracted`` article or ``None`` out. A pure function.

No I/O, no database, no logging above debug: the crawl pipeline and ``run.py import`` /
``run.py extract`` call ``extract`` and turn ``None`` into a counted drop (``extract/empty``).

trafilatura finds the main text. Around it, ``extract`` does what trafilatura cannot know:

* **Decoding and parsing** (``crawler.extract.page``); anything that is not HTML is ``None``.
* **Metadata** (``crawler.extract.metadata``) and **dates** (``crawler.extract.dates``) are
  read from the whole page before it is cut down for trafilatura.
* **Outlet hints** (``OutletConfig.selectors``): ``remove`` drops elements first; ``body``
  cuts the page down to the article region before trafilatura runs (falling back to the whole
  page when the region gives nothing); a ``summary`` (or a lead found without hints) is
  prepended when trafilatura lost it. Captions are dropped: they describe pictures.
* **Text clean-up.** The outlet's ``strip_patterns`` are removed (a match that runs to the end
  of the text removes that tail, e.g. "-- BERNAMA" and the boilerplate after it); a closing
  bold byline ("Tin, ảnh: NAME") becomes the author when the page names none; a wire
  dateline ("KUALA LUMPUR, Sept 29 (Bernama) -- ", "HÀ NỘI — ") is removed from the start of
  the lead so syndicated copies compare equal, and its day is the last-resort date.
* **Main text** comes from a precise trafilatura pass (no tables, favouring precision), and
  when that finds nothing, from less strict passes down to trafilatura's defaults (``_PASSES``).
* **Too little text** (under ``MIN_TEXT_CHARS``) is ``None``: such pages are error or gate pages.
* **Language** is the outlet's for the page's URL (``language_by_path``, then ``language``),
  else detected among the outlet's ``languages`` (among every language we read when it
  declares none); ``None`` when unknown.

Config keys read (passed in): ``OutletConfig.selectors``, ``strip_patterns``, ``timezone``,
``language``, ``languages``, ``language_by_path``, ``name``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import lxml.html
import trafilatura
from lxml.etree import XPath
from lxml.html import HtmlElement

from crawler.extract import dates, metadata, page
from language import detect_language, strip_stray

if TYPE_CHECKING:
    from config import OutletConfig

log = logging.getLogger(__name__)

# Shorter "articles" are error and gate pages ("Access denied", "Please enable cookies").
MIN_TEXT_CHARS = 60


@dataclass(frozen=True)
class Extracted:
    url: str
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    language: str | None
    canonical_url: str | None = None
    # Where ``published_at`` came from: "metadata", "markup", "visible date", "text guess",
    # "dateline" (see ``dates.published_at``); None without a date.
    date_source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "text": self.text,
            "author": self.author,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "language": self.language,
            "canonical_url": self.canonical_url,
        }


def extract(
    html: str | bytes,
    url: str | None = None,
    outlet: OutletConfig | None = None,
    now: datetime | None = None,
) -> Extracted | None:
    """Extract the main article from ``html``; None when the page has no article text."""
    text_html = page.decode_html(html) if isinstance(html, bytes) else html
    if text_html is None:
        return None
    text_html = strip_stray(text_html)  # one control character used to lose the article
    if not page.looks_like_html(text_html):
        return None
    tree = page.parse(text_html)
    if tree is None:
        return None
    hints = outlet.selectors if outlet is not None else {}
    zone = dates.outlet_zone(outlet.timezone if outlet is not None else "")
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)

    # Everything read from the page happens before it is cut down for trafilatura.
    meta = metadata.meta_tags(tree)
    ld = metadata.json_ld(tree)
    site_names = metadata.site_names(meta, outlet, url)
    title = metadata.title(tree, hints, meta, ld, site_names)
    author = metadata.author(tree, hints, meta, ld, site_names)
    canonical = metadata.canonical_url(tree, meta, url)
    summary = metadata.summary(tree, hints, meta)
    date_candidates = dates.candidates(tree, hints, meta, ld, zone)
    visible_dates = dates.visible_dates(tree, zone)

    for selector in page.selectors(hints.get("remove", "")):
        for element in selector(tree):
            page.drop(element)
    for element in _CAPTIONS(tree):
        page.drop(element)

    body_text = ""
    region = _body_region(tree, hints.get("body", ""))
    for precise, tables in _PASSES:
        if region is not None:
            body_text = _trafilatura_text(region, url, precise, tables)
        if len(body_text) < MIN_TEXT_CHARS:
            body_text = _trafilatura_text(tree, url, precise, tables)
        if len(body_text) >= MIN_TEXT_CHARS:
            break
    if not body_text:
        return None

    paragraphs = [p for p in (line.strip() for line in body_text.split("\n")) if p]
    if paragraphs and title and page.collapse_whitespace(paragraphs[0]) == title:
        paragraphs.pop(0)  # the headline, when trafilatura kept it, is the title, not the text
    paragraphs = _strip_patterns(paragraphs, outlet.strip_patterns if outlet is not None else ())
    if author is None and paragraphs:
        author = _byline(paragraphs[-1], tree)
        if author is not None:
            paragraphs.pop()
    dateline_date = None
    if paragraphs:
        paragraphs[0], dateline_date = _strip_dateline(paragraphs[0])
    if summary:
        summary, summary_dateline = _strip_dateline(summary)
        dateline_date = dateline_date or summary_dateline
        lead = page.collapse_whitespace(summary)
        if lead and not any(lead[:80] in page.collapse_whitespace(p) for p in paragraphs[:3]):
            paragraphs.insert(0, summary)
    paragraphs = [p for p in paragraphs if p]
    text = "\n".join(paragraphs).strip()
    if len(text) < MIN_TEXT_CHARS:
        return None

    published, date_source = dates.published_at(date_candidates, tree, url, zone, now, dateline_date, visible_dates)
    declared = outlet.languages_at(url or "") if outlet is not None else ()
    language = detect_language(f"{title}\n{text}", among=declared)
    return Extracted(
        url=url or canonical or "",
        title=title,
        text=text,
        author=author,
        published_at=published,
        language=language,
        canonical_url=canonical,
        date_source=date_source,
    )


# Captions describe pictures, not the story (qdnd's sit in layout tables, dropped with tables).
_CAPTIONS = XPath("//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]")


def _body_region(tree: HtmlElement, css: str) -> HtmlElement | None:
    """A small document holding only the hinted body element(s), or None without a match."""
    found = [e for selector in page.selectors(css) for e in selector(tree)]
    if not found:
        return None
    region = lxml.html.document_fromstring("<html><body><article></article></body></html>", parser=page.parser())
    article = region.find(".//article")
    assert article is not None
    for element in found:
        if any(parent in found for parent in element.iterancestors()):
            continue  # nested match: its ancestor is already in
        copy = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"), parser=page.parser())
        copy.tail = None
        article.append(copy)
    return region


# (favor_precision, include_tables) per pass, until one finds the text. The precise pass keeps
# menus and data tables out, but the two options together find nothing on a page laid out in
# tables (a legacy CMS puts the whole article in a ``<td>``); without favor_precision the same
# page gives its paragraphs alone; trafilatura's defaults (tables as text) are the last resort,
# so extraction finds an article whenever plain trafilatura would.
_PASSES = ((True, False), (False, False), (False, True))


def _trafilatura_text(tree: HtmlElement, url: str | None, precise: bool, tables: bool) -> str:
    text = trafilatura.extract(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=tables,
        favor_precision=precise,
        deduplicate=False,
    )
    return text or ""


def _strip_patterns(paragraphs: list[str], patterns: Iterable[str]) -> list[str]:
    """Remove each pattern's matches; a match that runs to the end of the text removes the tail."""
    if not paragraphs:
        return paragraphs
    text = "\n".join(paragraphs)
    for pattern in patterns:
        compiled = _pattern(pattern)
        if compiled is not None:
            text = compiled.sub("", text)
    return [p for p in (line.strip() for line in text.split("\n")) if p]


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.MULTILINE | re.DOTALL)
    except re.error:
        log.debug("ignoring unusable strip pattern %r", pattern)
        return None


# A closing byline: short, no sentence punctuation, bold in the page. qdnd writes
# "Tin, ảnh: NAME", "Bài và ảnh: NAME", "NAME (thực hiện)"; vnexpress just the name.
_CREDIT_PREFIX = re.compile(
    r"^(?:(?:Tin|Bài|Ảnh|Text|Story|Photos?)(?:\s*(?:,|và|and|&)\s*(?:ảnh|photos?))?\s*:\s*)", re.I
)
_CREDIT_SUFFIX = re.compile(r"\s*\((?:thực hiện|tổng hợp|lược dịch|theo [^)]*)\)$", re.I)
_BOLD_XPATH = XPath("//body//strong | //body//b")


def _byline(line: str, tree: HtmlElement) -> str | None:
    if len(line) > 60 or len(line.split()) > 8 or line.endswith((".", "!", "?", ":", ";")):
        return None
    if not any(_is_bold_line(element, line) for element in _BOLD_XPATH(tree)):
        return None
    name = _CREDIT_SUFFIX.sub("", _CREDIT_PREFIX.sub("", line)).strip()
    return name or None


def _is_bold_line(element: HtmlElement, line: str) -> bool:
    """The bold text is the line, or part of a paragraph that is ("<b>Tin, ảnh:</b> <b>NAME</b>")."""
    if page.collapse_whitespace(element.text_content()) == line:
        return True
    block = element.getparent()
    while block is not None and block.tag not in ("p", "div", "td", "li", "body"):
        block = block.getparent()
    return block is not None and block.tag != "body" and page.collapse_whitespace(block.text_content()) == line


# "KUALA LUMPUR, Sept 29 (Bernama) -- ", "HANOI, Oct 2 (VNA) - ", "HÀ NỘI — ", "PUTRAJAYA: ".
_DATELINE = re.compile(
    r"^(?P<place>[^\W\d_]{2,}(?:[ .'’/]{1,2}[^\W\d_]+){0,4})"
    r"(?:\s*,\s*(?P<date>[A-Za-z]{3,9}\.?\s+\d{1,2}|\d{1,2}\s+[A-Za-z]{3,9}\.?|\d{1,2}[/-]\d{1,2}))?"
    r"\s*(?:\((?P<agency>[^\W\d_][\w./-]{1,14})\))?"
    r"\s*(?P<sep>--|—|–|-|:)\s+"
)


def _strip_dateline(paragraph: str) -> tuple[str, tuple[int, int] | None]:
    match = _DATELINE.match(paragraph)
    if match is None:
        return paragraph, None
    place = match.group("place")
    shouting = place == place.upper() and any(ch.isalpha() for ch in place)
    agency = match.group("agency") or ""
    if not shouting and not (agency[:1].isupper() and match.group("sep") != ":"):
        return paragraph, None
    if match.group("sep") == ":" and not shouting:
        return paragraph, None
    rest = paragraph[match.end() :]
    if not rest:
        return paragraph, None
    return rest, dates.month_day(match.group("date") or "")
