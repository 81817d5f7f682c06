"""Atom feeds (RFC 4287): one per watch and one for all enabled watches.

An entry is a story that alerted: its title and link are the story's first article, its
content says who else reported it ("also reported by") and shows the watch's snippets with
the terms marked, and it links back to the story in the console. Entry ids are stable: a
``urn:uuid`` derived from the feed and the canonical URL of the article that first alerted for
the story (story ids can change when stories merge; canonical URLs never do), so a feed
reader never shows an entry twice. ``updated`` is the story's latest article, so a reader
sees an entry change when another outlet joins it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from markupsafe import Markup, escape

from storage.browse import FeedEntry

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)
_NAMESPACE = uuid.UUID("1b7c3c52-0f6e-4a0b-9a43-6f8b3e1d2c57")  # fixed: ids stay the same across versions


def entry_id(feed: str, canonical_url: str) -> str:
    return uuid.uuid5(_NAMESPACE, "\n".join(("entry", feed, canonical_url))).urn


def feed_id(feed: str) -> str:
    return uuid.uuid5(_NAMESPACE, "\n".join(("feed", feed))).urn


def atom_feed(
    feed: str,
    title: str,
    entries: Sequence[FeedEntry],
    self_url: str,
    console_url: str,
    now: datetime,
) -> bytes:
    """The feed as UTF-8 XML. ``feed`` names it (a watch, or ``*`` for every watch);
    ``console_url`` is the console's root, ending with ``/``."""
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", feed_id(feed))
    _text(root, "title", title)
    updated = max((e.story.updated_at for e in entries), default=now)
    _text(root, "updated", _rfc3339(updated))
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "Newswatch")
    _link(root, self_url, "self", "application/atom+xml")
    _link(root, console_url + "stories" + (f"?watch={feed}" if feed != "*" else ""), "alternate", "text/html")
    _text(root, "generator", "Newswatch")
    for entry in entries:
        _entry(root, feed, entry, console_url)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _entry(root: ET.Element, feed: str, entry: FeedEntry, console_url: str) -> None:
    first = entry.first
    element = ET.SubElement(root, f"{{{ATOM}}}entry")
    _text(element, "id", entry_id(feed, entry.canonical_url))
    _text(element, "title", first.title or first.url)
    _text(element, "updated", _rfc3339(entry.story.updated_at))
    _text(element, "published", _rfc3339(entry.match.created_at))
    author = ET.SubElement(element, f"{{{ATOM}}}author")
    _text(author, "name", ", ".join(entry.story.outlets))
    _link(element, first.url, "alternate", "text/html")
    _link(element, f"{console_url}stories/{entry.story.id}", "related", "text/html")
    for watch in entry.watches:
        ET.SubElement(element, f"{{{ATOM}}}category", term=watch)
    summary = f"{first.outlet}, {len(entry.story.articles)} article(s); watches: {', '.join(entry.watches)}"
    _text(element, "summary", summary)
    content = ET.SubElement(element, f"{{{ATOM}}}content", type="html")
    content.text = str(_content_html(entry, console_url))


def _content_html(entry: FeedEntry, console_url: str) -> Markup:
    first = entry.first
    html = Markup("<p><a href='{}'>{}</a> ({}, {}, {})</p>").format(
        first.url, first.title or first.url, first.outlet, first.language or "?", f"{first.when:%Y-%m-%d %H:%M} UTC"
    )
    others = [a for a in entry.story.articles if a.id != first.id]
    if others:
        items = Markup("").join(
            Markup("<li>{}: <a href='{}'>{}</a></li>").format(a.outlet, a.url, a.title or a.url) for a in others
        )
        html += Markup("<p>Also reported by:</p><ul>{}</ul>").format(items)
    match = entry.match
    html += Markup("<p>Watch {}: score {}; terms: {}</p>").format(match.watch, match.score, ", ".join(match.terms))
    for text, spans in match.snippets:
        html += Markup("<blockquote>{}</blockquote>").format(marked(text, spans))
    html += Markup("<p><a href='{}'>The story in Newswatch</a></p>").format(f"{console_url}stories/{entry.story.id}")
    return html


def marked(text: str, spans: Sequence[tuple[int, int]]) -> Markup:
    """``text`` escaped, with each (start, end) span in ``<mark>``."""
    out, pos = Markup(""), 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += escape(text[pos:start]) + Markup("<mark>") + escape(text[start:end]) + Markup("</mark>")
        pos = end
    return out + escape(text[pos:])


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _xml_safe(value)
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", href=_xml_safe(href), rel=rel, type=kind)


def _xml_safe(value: str) -> str:
    """Characters XML 1.0 cannot carry (control characters in a crawled title) are dropped."""
    return "".join(c for c in value if c in "\t\n\r" or (ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF))


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
