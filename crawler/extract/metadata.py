"""Page metadata, read from the page rather than by trafilatura (which saves its date search
on every page): title, author, canonical URL and the lead (summary).

* **Title**: the outlet's hint, JSON-LD ``headline``, ``og:title``, ``<h1>``, ``<title>``;
  a " | Site" suffix naming the site (``og:site_name``, the outlet's name, the host) is cut.
* **Author**: the hint, JSON-LD, ``<meta name=author>``; a site name or a URL is no author.
  (A closing bold byline in the text is found by ``crawler.extract.article``.)
* **Summary**: the hint, else a lead whose class says so (sapo, summary, description, lead,
  standfirst ...) and whose text is the page's meta description, so user-defined outlets
  without hints keep their lead too.

Config keys read (passed in): ``OutletConfig.selectors`` (``title``, ``author``,
``summary``) and ``name`` (title suffixes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

from crawler.extract.page import collapse_whitespace, first_text

if TYPE_CHECKING:
    from config import OutletConfig

_META_XPATH = XPath("//head//meta[@content] | //body//meta[@itemprop and @content]")


def meta_tags(tree: HtmlElement) -> dict[str, str]:
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


def json_ld(tree: HtmlElement) -> dict[str, Any]:
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


def site_names(meta: dict[str, str], outlet: OutletConfig | None, url: str | None) -> set[str]:
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


def title(tree: HtmlElement, hints: Any, meta: dict[str, str], ld: dict[str, Any], site_names: set[str]) -> str:
    candidates = [
        first_text(tree, hints.get("title", "")),
        ld.get("headline") if isinstance(ld.get("headline"), str) else "",
        meta.get("og:title", ""),
        first_text(tree, "h1"),
        first_text(tree, "title"),
    ]
    for candidate in candidates:
        title = collapse_whitespace(candidate or "")
        if title:
            match = _TITLE_SUFFIX.match(title)
            if match and match.group("site").strip().casefold() in site_names:
                title = match.group("title")
            return title
    return ""


def author(tree: HtmlElement, hints: Any, meta: dict[str, str], ld: dict[str, Any], site_names: set[str]) -> str | None:
    names: list[str] = []
    hinted = first_text(tree, hints.get("author", ""))
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
        name = collapse_whitespace(name)
        if name and "://" not in name and name.casefold() not in site_names and name not in clean:
            clean.append(name)
    return "; ".join(clean) or None


def canonical_url(tree: HtmlElement, meta: dict[str, str], url: str | None) -> str | None:
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


def summary(tree: HtmlElement, hints: Any, meta: dict[str, str]) -> str:
    hinted = first_text(tree, hints.get("summary", ""))
    if hinted:
        return hinted
    description = collapse_whitespace(meta.get("og:description") or meta.get("description") or "")
    if len(description) < 30:
        return ""
    probe = description[:60].casefold()
    for element in _LEAD_XPATH(tree):
        text = collapse_whitespace(element.text_content())
        if len(text) >= 30 and text[:60].casefold() == probe:
            return text
    return ""
