"""Extraction: HTML + URL in, an ``Extracted`` article or ``None`` out. A pure function.

No I/O, no database, no logging above debug: the crawl pipeline and ``run.py import`` /
``run.py extract`` call ``extract`` and turn ``None`` into a counted drop (``extract/empty``).

trafilatura finds the main text. Around it this module does what trafilatura cannot know:

* **Decoding.** Bytes are decoded here (BOM, then strict UTF-8, then the declared charset,
  then windows-1252), because valid multi-byte UTF-8 is far more telling than a wrong
  ``<meta charset>``. Anything that is not HTML (PDF, images, JSON, plain text) is ``None``.
* **Outlet hints** (``OutletConfig.selectors``: ``body``, ``title``, ``summary``, ``date``,
  ``author``, ``remove``). ``remove`` drops elements first; ``body`` cuts the page down to the
  article region before trafilatura runs (falling back to the whole page when the region gives
  nothing); ``summary`` is prepended when trafilatura lost the lead. Without hints, a lead whose
  class says so (sapo, summary, description, lead ...) and whose text is the page's meta
  description is kept the same way, so user-defined outlets work too.
* **Metadata** is read from the page here rather than by trafilatura, which saves its date
  search on every page: title (hint, JSON-LD headline, og:title, h1, <title>, minus a
  " | Site" suffix), author (hint, JSON-LD, meta, else a short bold byline that ends the body,
  which is then removed from the text), date (see ``_published_at``).
* **Text clean-up.** The outlet's ``strip_patterns`` are removed (a match that runs to the end
  of the text removes that tail, e.g. "-- BERNAMA" and the boilerplate after it), and a wire
  dateline ("KUALA LUMPUR, Sept 29 (Bernama) -- ", "HÀ NỘI — ") is removed from the start of the
  lead so syndicated copies compare equal; its date is the last-resort date hint.
* **Dates are timezone-aware and never in the future.** A date without a zone is read in the
  outlet's ``timezone`` (UTC without an outlet). A date later than ``now`` (default: the current
  time) is discarded, and the next source is tried; when no source is left, ``published_at`` is
  None. Up to ``FUTURE_TOLERANCE`` ahead is taken as clock skew and becomes ``now``.
* **Too little text** (under ``MIN_TEXT_CHARS``) is ``None``: such pages are error or gate pages.
* **Language** is the outlet's ``language``, else ``language.detect_language``.

Config keys read: ``OutletConfig.selectors``, ``strip_patterns``, ``timezone``, ``language``,
``name`` (title suffixes).
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.html
import trafilatura
from htmldate import find_date
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError, XPath
from lxml.html import HtmlElement, HTMLParser

from language import detect_language
from language.dates import month_number

if TYPE_CHECKING:
    from config import OutletConfig

log = logging.getLogger(__name__)

# A page date this far ahead of ``now`` is clock skew between the outlet and us: it becomes now.
FUTURE_TOLERANCE = timedelta(minutes=10)
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
    text_html = decode_html(html) if isinstance(html, bytes) else html
    if text_html is None or not _looks_like_html(text_html):
        return None
    tree = _parse(text_html)
    if tree is None:
        return None
    hints = outlet.selectors if outlet is not None else {}
    zone = _zone(outlet.timezone if outlet is not None else "")
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)

    # Everything read from the page happens before it is cut down for trafilatura.
    meta = _meta(tree)
    ld = _json_ld(tree)
    site_names = _site_names(meta, outlet, url)
    title = _title(tree, hints, meta, ld, site_names)
    author = _author(tree, hints, meta, ld, site_names)
    canonical = _canonical(tree, meta, url)
    summary = _summary(tree, hints, meta)
    date_candidates = _date_candidates(tree, hints, meta, ld, zone)

    for selector in _selector_list(hints.get("remove", "")):
        for element in selector(tree):
            _drop(element)
    for element in _CAPTIONS(tree):
        _drop(element)

    body_text = None
    region = _body_region(tree, hints.get("body", ""))
    if region is not None:
        body_text = _trafilatura_text(region, url)
    if not body_text:
        body_text = _trafilatura_text(tree, url)
    if not body_text:
        return None

    paragraphs = [p for p in (line.strip() for line in body_text.split("\n")) if p]
    if paragraphs and title and _normalise(paragraphs[0]) == title:
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
        lead = _normalise(summary)
        if lead and not any(lead[:80] in _normalise(p) for p in paragraphs[:3]):
            paragraphs.insert(0, summary)
    paragraphs = [p for p in paragraphs if p]
    text = "\n".join(paragraphs).strip()
    if len(text) < MIN_TEXT_CHARS:
        return None

    published = _published_at(date_candidates, tree, url, zone, now, dateline_date)
    language = outlet.language if outlet is not None and outlet.language else detect_language(f"{title}\n{text}")
    return Extracted(
        url=url or canonical or "",
        title=title,
        text=text,
        author=author,
        published_at=published,
        language=language,
        canonical_url=canonical,
    )


# --------------------------------------------------------------------------- decoding

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"RIFF", b"PK\x03\x04", b"\x1f\x8b", b"BM", b"II*\x00")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Browsers read these labels as windows-1252 (WHATWG Encoding), which also covers 0x80-0x9F.
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "cp1252", "windows-1252"}


def decode_html(data: bytes, charset: str | None = None) -> str | None:
    """Page bytes to text, the one decoder the crawl and ``run.py extract`` share: a BOM, then
    valid UTF-8 (which beats a wrong declaration), then the HTTP header's ``charset``, then the
    page's meta charset, then windows-1252. None for bytes that are plainly not text."""
    head = data[:1024]
    if head.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if head.lstrip().startswith(_BINARY_MAGIC) or b"\x00" in head:
        return None
    try:
        return data.decode("utf-8")  # valid multi-byte UTF-8 beats a wrong declaration
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:4096])
    for declared in ((charset or "").strip().lower(), match.group(1).decode("ascii").lower() if match else ""):
        if declared and declared not in _AS_CP1252 and not declared.startswith("utf"):
            try:
                return data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass
    return data.decode("cp1252", errors="replace")


_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|div|p|h1|title|meta)[\s>/]", re.I)


def _looks_like_html(text: str) -> bool:
    start = text.lstrip()[:1]
    return start not in ("{", "[") and _HTML_TAG.search(text) is not None


# lxml wants one parser per thread (the crawl may extract in several threads).
_PARSERS = threading.local()


def _parser() -> HTMLParser:
    parser: HTMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = HTMLParser(collect_ids=False, remove_comments=True, remove_pis=True)
    return parser


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def _parse(text: str) -> HtmlElement | None:
    try:
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=_parser())
    except (ParserError, ValueError):
        return None
    return tree if isinstance(tree, HtmlElement) else None


def _zone(name: str) -> tzinfo:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


# --------------------------------------------------------------------------- page metadata

_META_XPATH = XPath("//head//meta[@content] | //body//meta[@itemprop and @content]")


def _meta(tree: HtmlElement) -> dict[str, str]:
    """meta name/property/itemprop (lower-cased) -> first non-empty content."""
    found: dict[str, str] = {}
    for element in _META_XPATH(tree):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (element.get(attr) or "").strip().lower()
            if key and key not in found:
                found[key] = content
    return found


_LD_XPATH = XPath('//script[@type="application/ld+json"]/text()')
_ARTICLE_TYPES = ("Article", "NewsArticle", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle", "WebPage")


def _json_ld(tree: HtmlElement) -> dict[str, Any]:
    """The first article-like JSON-LD object (articles before a bare WebPage)."""
    best: dict[str, Any] = {}
    for raw in _LD_XPATH(tree):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for node in _ld_nodes(data):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(k in _ARTICLE_TYPES[:-1] for k in kinds):
                return node
            if "WebPage" in kinds and not best:
                best = node
    return best


def _ld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_nodes(item)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _ld_nodes(data["@graph"])


@lru_cache(maxsize=256)
def _selector(css: str) -> CSSSelector | None:
    try:
        return CSSSelector(css, translator="html")
    except Exception:  # cssselect raises its own SelectorSyntaxError family; a bad hint is ignored
        log.debug("ignoring unusable selector %r", css)
        return None


def _selector_list(css: str) -> list[CSSSelector]:
    selector = _selector(css) if css.strip() else None
    return [selector] if selector is not None else []


def _first_text(tree: HtmlElement, css: str) -> str:
    for selector in _selector_list(css):
        for element in selector(tree):
            text = _normalise(element.text_content())
            if text:
                return text
    return ""


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _site_names(meta: dict[str, str], outlet: OutletConfig | None, url: str | None) -> set[str]:
    names = {meta.get("og:site_name", ""), meta.get("application-name", "")}
    if outlet is not None:
        names.add(outlet.name)
        names.add(outlet.name.split(" (")[0])
    host = urlsplit(url).hostname if url else None
    if host:
        labels = host.split(".")
        names.add(labels[-2] if len(labels) >= 2 else host)
        names.add(host.removeprefix("www."))
    return {n.strip().casefold() for n in names if n and n.strip()}


_TITLE_SUFFIX = re.compile(r"^(?P<title>.+?)\s+(?:\||-|–|—|::)\s+(?P<site>[^|–—]{2,60})$")


def _title(tree: HtmlElement, hints: Any, meta: dict[str, str], ld: dict[str, Any], site_names: set[str]) -> str:
    candidates = [
        _first_text(tree, hints.get("title", "")),
        ld.get("headline") if isinstance(ld.get("headline"), str) else "",
        meta.get("og:title", ""),
        _first_text(tree, "h1"),
        _first_text(tree, "title"),
    ]
    for candidate in candidates:
        title = _normalise(candidate or "")
        if title:
            match = _TITLE_SUFFIX.match(title)
            if match and match.group("site").strip().casefold() in site_names:
                title = match.group("title")
            return title
    return ""


def _author(
    tree: HtmlElement, hints: Any, meta: dict[str, str], ld: dict[str, Any], site_names: set[str]
) -> str | None:
    names: list[str] = []
    hinted = _first_text(tree, hints.get("author", ""))
    if hinted:
        names.append(hinted)
    else:
        people = ld.get("author")
        for person in people if isinstance(people, list) else [people]:
            if isinstance(person, dict) and isinstance(person.get("name"), str):
                names.append(person["name"])
            elif isinstance(person, str):
                names.append(person)
        if not names:
            names = [meta.get("author", ""), meta.get("article:author", ""), meta.get("dc.creator", "")]
    clean = []
    for name in names:
        name = _normalise(name)
        if name and "://" not in name and name.casefold() not in site_names and name not in clean:
            clean.append(name)
    return "; ".join(clean) or None


def _canonical(tree: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
    links = tree.xpath('//link[@rel="canonical"]/@href')
    href = str(links[0]).strip() if links else meta.get("og:url", "")
    if not href:
        return None
    absolute = urljoin(url, href) if url else href
    return absolute if absolute.startswith(("http://", "https://")) else None


# A lead paragraph found without hints: its class says so and its text is the meta description.
_LEAD_XPATH = XPath(
    "//body//*[self::p or self::div or self::h2 or self::span]"
    "[contains(@class,'sapo') or contains(@class,'summary') or contains(@class,'description')"
    " or contains(@class,'lead') or contains(@class,'standfirst') or contains(@class,'excerpt')"
    " or contains(@class,'intro') or contains(@class,'chapeau')]"
)


def _summary(tree: HtmlElement, hints: Any, meta: dict[str, str]) -> str:
    hinted = _first_text(tree, hints.get("summary", ""))
    if hinted:
        return hinted
    description = _normalise(meta.get("og:description") or meta.get("description") or "")
    if len(description) < 30:
        return ""
    probe = description[:60].casefold()
    for element in _LEAD_XPATH(tree):
        text = _normalise(element.text_content())
        if len(text) >= 30 and text[:60].casefold() == probe:
            return text
    return ""


# --------------------------------------------------------------------------- main text

# Captions describe pictures, not the story (qdnd's sit in layout tables, dropped with tables).
_CAPTIONS = XPath("//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]")


def _drop(element: HtmlElement) -> None:
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()


def _body_region(tree: HtmlElement, css: str) -> HtmlElement | None:
    """A small document holding only the hinted body element(s), or None without a match."""
    found = [e for selector in _selector_list(css) for e in selector(tree)]
    if not found:
        return None
    region = lxml.html.document_fromstring("<html><body><article></article></body></html>", parser=_parser())
    article = region.find(".//article")
    assert article is not None
    for element in found:
        if any(parent in found for parent in element.iterancestors()):
            continue  # nested match: its ancestor is already in
        copy = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"), parser=_parser())
        copy.tail = None
        article.append(copy)
    return region


def _trafilatura_text(tree: HtmlElement, url: str | None) -> str:
    text = trafilatura.extract(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
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
    if _normalise(element.text_content()) == line:
        return True
    block = element.getparent()
    while block is not None and block.tag not in ("p", "div", "td", "li", "body"):
        block = block.getparent()
    return block is not None and block.tag != "body" and _normalise(block.text_content()) == line


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
    return rest, _month_day(match.group("date") or "")


def _month_day(text: str) -> tuple[int, int] | None:
    words = re.findall(r"[A-Za-z]+|\d+", text)
    if len(words) != 2:
        return None
    if words[0].isdigit() and words[1].isdigit():
        day, month = int(words[0]), int(words[1])  # day-first, as the region writes it
    else:
        name, number = (words[0], words[1]) if words[1].isdigit() else (words[1], words[0])
        named_month = month_number(name)
        if named_month is None or not number.isdigit():
            return None
        month, day = named_month, int(number)
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


# --------------------------------------------------------------------------- dates

_DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "date",
)


def _date_candidates(
    tree: HtmlElement, hints: Any, meta: dict[str, str], ld: dict[str, Any], zone: tzinfo
) -> list[datetime]:
    texts = [meta[key] for key in _DATE_META_KEYS if key in meta]
    if isinstance(ld.get("datePublished"), str):
        texts.append(ld["datePublished"])
    hinted = _first_text(tree, hints.get("date", ""))
    if hinted:
        texts.append(hinted)
    found = []
    for text in texts:
        value = parse_date(text, zone)
        if value is not None:
            found.append(value)
    return found


def _published_at(
    candidates: list[datetime],
    tree: HtmlElement,
    url: str | None,
    zone: tzinfo,
    now: datetime,
    dateline: tuple[int, int] | None,
) -> datetime | None:
    for value in candidates:
        if (chosen := _not_future(value, now)) is not None:
            return chosen
    # trafilatura's own date search (htmldate), only when the page declares nothing better.
    try:
        found = find_date(tree, url=url, outputformat="%Y-%m-%dT%H:%M:%S", original_date=True, extensive_search=True)
    except Exception:  # htmldate on odd markup is not worth losing the article over
        log.debug("htmldate failed on %s", url, exc_info=True)
        found = None
    day = parse_date(found, zone) if found else None
    if day is not None:
        if found and found.endswith("T00:00:00"):
            day = _visible_time(tree, day) or day  # htmldate often gives the day alone
        if (chosen := _not_future(day, now)) is not None:
            return chosen
    if dateline is not None:
        local_now = now.astimezone(zone)
        for year in (local_now.year, local_now.year - 1):
            try:
                value = datetime(year, dateline[0], dateline[1], tzinfo=zone)
            except ValueError:
                continue
            if value <= now:
                return value
    return None


_YEAR_TEXT = XPath("//body//text()[contains(., $year)][not(ancestor::script or ancestor::style)]")


def _visible_time(tree: HtmlElement, day: datetime) -> datetime | None:
    """The same day with its time of day, from a visible date such as "29/09/2025 - 14:30"."""
    for node in _YEAR_TEXT(tree, year=str(day.year)):
        if len(node) > 120:
            continue
        value = parse_date(str(node), day.tzinfo or UTC)
        if value is not None and value.date() == day.date() and (value.hour or value.minute):
            return value
    return None


def _not_future(value: datetime, now: datetime) -> datetime | None:
    if value <= now:
        return value
    if value - now <= FUTURE_TOLERANCE:
        return now.astimezone(value.tzinfo)
    return None


_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?", re.I
)
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_MONTH_NAME = re.compile(
    r"(?:(?P<d1>\d{1,2})\s+(?P<m1>[A-Za-z]{3,9})\.?,?\s+(?P<y1>\d{4}))"
    r"|(?:(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4}))"
)
_TIME = re.compile(r"(?<!\d)(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?!\d)\s*(AM|PM|SA|CH|a\.m\.|p\.m\.)?", re.I)
_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)


def parse_date(text: str, zone: tzinfo = UTC) -> datetime | None:
    """A timezone-aware datetime from ISO 8601 or a day-first local date ("Thứ Hai, 29/09/2025 - 14:30",
    "29/09/2025 10:57 AM", "May 13, 2024 - 14:21"); a date without a zone is read in ``zone``."""
    text = text.strip()
    if not text:
        return None
    iso = _ISO.search(text)
    if iso is not None:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
        hour, minute, second = (int(iso.group(i) or 0) for i in (4, 5, 6))
        offset = iso.group(7)
        try:
            value = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
        if offset:
            offset = "+00:00" if offset.upper() == "Z" else offset
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return value.replace(tzinfo=timezone(sign * delta))
        return value.replace(tzinfo=zone)
    if text.isdigit() and len(text) == 10:  # unix timestamp (vnexpress its_publication)
        return datetime.fromtimestamp(int(text), UTC)
    dmy = _DMY.search(text)
    named = _MONTH_NAME.search(text) if dmy is None else None
    if dmy is not None:
        day, month, year = int(dmy.group(1)), int(dmy.group(2)), int(dmy.group(3))
        rest = text[: dmy.start()] + " " + text[dmy.end() :]
    elif named is not None:
        named_month = month_number(named.group("m1") or named.group("m2"))
        if named_month is None:
            return None
        month = named_month
        day = int(named.group("d1") or named.group("d2"))
        year = int(named.group("y1") or named.group("y2"))
        rest = text[: named.start()] + " " + text[named.end() :]
    else:
        return None
    hour = minute = second = 0
    clock = _TIME.search(rest)
    if clock is not None:
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        meridiem = (clock.group(4) or "").lower().replace(".", "")
        if meridiem in ("pm", "ch") and hour < 12:
            hour += 12
        elif meridiem in ("am", "sa") and hour == 12:
            hour = 0
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    offset_match = _OFFSET.search(rest)
    if offset_match is not None:
        sign = -1 if offset_match.group(1) == "-" else 1
        delta = timedelta(hours=int(offset_match.group(2)), minutes=int(offset_match.group(3) or 0))
        return value.replace(tzinfo=timezone(sign * delta))
    return value.replace(tzinfo=zone)
