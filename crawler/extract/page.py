"""A page as extraction reads it: bytes decoded to text, text parsed to an lxml tree, and the
outlet's CSS hints applied to the tree.

* ``decode_html``: a BOM, then strict UTF-8 (valid multi-byte UTF-8 is far more telling than
  a wrong ``<meta charset>``), then the HTTP header's charset, then the page's meta charset,
  then windows-1252; ``None`` for bytes that are plainly not text (PDF, images). A UTF-8 page
  with a few stray bytes of another encoding stays UTF-8. The crawl, ``run.py extract`` and
  ``extract`` share it.
* ``looks_like_html``, ``parse``: anything that is not HTML (JSON, plain text) is refused.
* ``selectors``, ``first_text``: an outlet hint (``OutletConfig.selectors``) as compiled CSS
  selectors; an unusable hint is ignored (logged at debug), never an error.

Reads no configuration itself: the callers pass the hints.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from functools import lru_cache

import lxml.html
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError
from lxml.html import HtmlElement, HTMLParser

log = logging.getLogger(__name__)

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
    if head.lstrip().startswith(_BINARY_MAGIC) or head.count(b"\x00") > len(head) // 8:
        return None  # a stray NUL is removed later; many of them are not text
    try:
        return data.decode("utf-8")  # valid multi-byte UTF-8 beats a wrong declaration
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    match = _META_CHARSET.search(data[:4096])
    for declared in ((charset or "").strip().lower(), match.group(1).decode("ascii").lower() if match else ""):
        if declared and declared not in _AS_CP1252 and not declared.startswith("utf"):
            try:
                return data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass
    return data.decode("cp1252", errors="replace")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a page pasted together from two encodings): decoded as
    UTF-8 with the strays replaced, rather than all of it read as windows-1252 (every
    Vietnamese letter garbled). Text in a single-byte encoding forms almost no valid multi-byte
    UTF-8, so it is left to the declarations."""
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - stray
    return text if valid >= 8 and stray <= valid // 10 else None


_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|div|p|h1|title|meta)[\s>/]", re.I)


def looks_like_html(text: str) -> bool:
    start = text.lstrip()[:1]
    return start not in ("{", "[") and _HTML_TAG.search(text) is not None


# lxml wants one parser per thread (the crawl may extract in several threads).
_PARSERS = threading.local()


def parser() -> HTMLParser:
    parser: HTMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = HTMLParser(collect_ids=False, remove_comments=True, remove_pis=True)
    return parser


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def parse(text: str) -> HtmlElement | None:
    try:
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=parser())
    except (ParserError, ValueError):
        return None
    return tree if isinstance(tree, HtmlElement) else None


@lru_cache(maxsize=256)
def _selector(css: str) -> CSSSelector | None:
    try:
        return CSSSelector(css, translator="html")
    except Exception:  # cssselect raises its own SelectorSyntaxError family; a bad hint is ignored
        log.debug("ignoring unusable selector %r", css)
        return None


def selectors(css: str) -> list[CSSSelector]:
    selector = _selector(css) if css.strip() else None
    return [selector] if selector is not None else []


def first_text(tree: HtmlElement, css: str) -> str:
    for selector in selectors(css):
        for element in selector(tree):
            text = collapse_whitespace(element.text_content())
            if text:
                return text
    return ""


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def drop(element: HtmlElement) -> None:
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()
