"""Discovery: article links (with their dates, where the source gives one) from feeds,
sitemaps and listing pages. Pure functions over bytes; the spider does the fetching.

Feeds and sitemaps are untrusted XML: a document that declares entities (the "billion laughs"
bomb) or external references is refused before any parser sees it (defusedxml), and the
parsers never load DTDs or touch the network. A malformed or truncated document yields the
links that could be read plus a ``DiscoveryError`` the crawl records, so one bad feed loses
nothing that was readable in it.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import defusedxml.ElementTree
import feedparser
from dateutil import parser as dateparser
from defusedxml import DefusedXmlException
from lxml import etree, html

from storage.urls import canonicalize

MAX_XML_BYTES = 10 * 1024 * 1024  # a decompressed sitemap larger than this is refused
_PAGE_PARAM = re.compile(r"(?:[?&](?:p|page|pg|pgno)=|/p/|/page/|/trang-)(\d+)", re.IGNORECASE)


class DiscoveryError(Exception):
    """A feed, sitemap or listing could not be (fully) read; ``reason`` is a short slash name."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Link:
    url: str
    published_at: datetime | None = None
    title: str = ""


@dataclass(frozen=True)
class Sitemap:
    links: tuple[Link, ...]
    children: tuple[Link, ...]  # from a sitemap index: further sitemaps, with their lastmod
    error: DiscoveryError | None = None


@dataclass(frozen=True)
class Feed:
    links: tuple[Link, ...]
    error: DiscoveryError | None = None


# --------------------------------------------------------------------------- safety


def check_xml_safety(body: bytes) -> None:
    """Refuse entity declarations and external references (XML bombs, XXE) before parsing."""
    try:
        defusedxml.ElementTree.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        detail = f"refused: the document declares entities or external references ({exc.__class__.__name__})"
        raise DiscoveryError("xml/unsafe", detail) from None
    except Exception:  # expat could not read it (an encoding it lacks, not well-formed...)
        if _declares_entities(body):
            detail = "refused: entity declarations in a document that cannot be checked"
            raise DiscoveryError("xml/unsafe", detail) from None
        return


def _declares_entities(body: bytes) -> bool:
    head = body[:65536]
    texts = [head.decode("latin-1")]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<" in head[:4] or b"<\x00" in head[:4]:
        texts += [head.decode(codec, errors="ignore") for codec in ("utf-16", "utf-16-le", "utf-16-be")]
    return any("<!ENTITY" in text for text in texts)


def gunzip_if_needed(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_XML_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise DiscoveryError("xml/gzip", f"bad gzip data: {exc}") from None
    if len(out) > MAX_XML_BYTES:
        raise DiscoveryError("xml/too-large", f"more than {MAX_XML_BYTES // 2**20} MB once decompressed")
    return out


# --------------------------------------------------------------------------- dates


def parse_date(text: str | None, tz: tzinfo) -> datetime | None:
    """An aware UTC datetime from RFC 822, ISO 8601 or day-first text; naive times are read in ``tz``."""
    if not text or not text.strip():
        return None
    text = text.strip()
    value: datetime | None = None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        value = None
    if value is None:
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                value = dateparser.parse(text, dayfirst=True)
            except (ValueError, OverflowError):
                return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


# --------------------------------------------------------------------------- feeds


def parse_feed(body: bytes, content_type: str | None, tz: tzinfo) -> Feed:
    """RSS 0.9x/1.0/2.0 and Atom entries. Encoding from the BOM, the XML declaration, then
    the HTTP header (feedparser), so UTF-16 and ISO-8859-1 feeds read right."""
    check_xml_safety(body)
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    links: list[Link] = []
    for entry in parsed.entries:
        url = entry.get("link") or ""
        if not url and entry.get("id", "").startswith("http"):
            url = entry["id"]
        if not url:
            continue
        raw_date = entry.get("published") or entry.get("updated") or entry.get("created")
        links.append(Link(url.strip(), parse_date(raw_date, tz), (entry.get("title") or "").strip()))
    error = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        if not links and not parsed.get("feed"):
            raise DiscoveryError("feed/malformed", f"not a readable feed ({_describe(exc)})")
        if not isinstance(exc, feedparser.CharacterEncodingOverride):
            error = DiscoveryError("feed/malformed", f"read {len(links)} items before an error ({_describe(exc)})")
    elif not parsed.get("version"):
        raise DiscoveryError("feed/malformed", "not an RSS or Atom feed")
    return Feed(tuple(links), error)


def _describe(exc: object) -> str:
    text = str(exc) or exc.__class__.__name__
    return text[:200]


# --------------------------------------------------------------------------- sitemaps


def parse_sitemap(body: bytes, tz: tzinfo) -> Sitemap:
    """A sitemap or sitemap index, keeping Google News ``news:publication_date`` (which
    Scrapy's own sitemap parser drops) and ``lastmod``."""
    body = gunzip_if_needed(body)
    check_xml_safety(body)
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError("sitemap/malformed", str(exc)[:200]) from None
    if root is None:
        raise DiscoveryError("sitemap/malformed", "empty or not XML")
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError("sitemap/malformed", f"root element is <{kind}>, not <urlset> or <sitemapindex>")
    links: list[Link] = []
    children: list[Link] = []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        fields = _sitemap_fields(node)
        loc = fields.get("loc", "").strip()
        if not loc:
            continue
        date = parse_date(fields.get("publication_date") or fields.get("lastmod"), tz)
        (children if kind == "sitemapindex" else links).append(Link(loc, date, fields.get("title", "")))
    error = None
    if parser.error_log and len(parser.error_log) and any(e.level >= 2 for e in parser.error_log):
        first = next(e for e in parser.error_log if e.level >= 2)
        error = DiscoveryError(
            "sitemap/malformed", f"read {len(links) + len(children)} entries before: {first.message}"
        )
    return Sitemap(tuple(links), tuple(children), error)


def _sitemap_fields(node: etree._Element) -> dict[str, str]:
    fields: dict[str, str] = {}
    for child in node.iter():
        if child is node or not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name not in fields and child.text:
            fields[name] = child.text.strip()
    return fields


# --------------------------------------------------------------------------- listing pages


def listing_links(body: str, page_url: str) -> list[Link]:
    """Every link on a listing page, absolute and without its fragment, once each (malformed
    hrefs left out); the spider decides which are the outlet's articles."""
    doc = _html(body, page_url)
    seen: set[str] = set()
    links: list[Link] = []
    for anchor in doc.iter("a"):
        href = anchor.get("href")
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        try:
            url = urljoin(page_url, href.strip()).split("#", 1)[0]
            canonicalize(url)  # raises for "http://[x", a bad port...
        except ValueError:  # a malformed href: not a link to follow
            continue
        if url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        links.append(Link(url, None, " ".join(anchor.text_content().split())))
    return links


def next_page(body: str, page_url: str, first_page_url: str, page_no: int) -> str | None:
    """The URL of listing page ``page_no + 1``: ``rel=next`` first, else a link that differs
    from the first page only by a page number (``/p/2``, ``?p=2``, ``?page=2``...)."""
    doc = _html(body, page_url)
    for node in doc.xpath('//link[@rel="next"]|//a[@rel="next"]'):
        href = node.get("href")
        if href:
            return urljoin(page_url, str(href))
    first = urlsplit(first_page_url)
    for anchor in doc.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        try:
            url = urljoin(page_url, href)
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises for a bad port
        except ValueError:
            continue
        match = _PAGE_PARAM.search(parts.path + ("?" + parts.query if parts.query else ""))
        if not match or int(match.group(1)) != page_no + 1 or parts.netloc != first.netloc:
            continue
        if parts.path.rstrip("/").startswith(first.path.rstrip("/")):
            return str(url)
    return None


def _html(body: str, base_url: str) -> html.HtmlElement:
    try:
        return html.document_fromstring(body or "<html></html>", base_url=base_url)
    except (etree.ParserError, ValueError):
        return html.document_fromstring("<html></html>")


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + ("?" + parts.query if parts.query else "")
