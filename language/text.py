"""Normalisation and accent folding: the one definition of "the same text" and "the same word".

* ``normalize``: Unicode NFC, case-folded, runs of whitespace (NBSP included) collapsed to one
  space. Exact duplicates are compared in this form (``storage.ingest``).
* ``strip_diacritics``: the text without combining marks and with ``đ``/``Đ`` as ``d``/``D``
  (``Phan Văn Giang`` -> ``Phan Van Giang``), NFC, case kept. Vietnamese and Malay names are
  written with and without their marks, and outlets do both.
* ``strip_stray``: the text without the characters that make parsers give up on it (C0
  controls but tab and line breaks, DEL, C1 controls, lone surrogates, noncharacters); the
  crawler's extraction runs it on every page before parsing.
* ``storable``: the text without what a database refuses (NUL, lone surrogates); every stored
  record goes through it. Other control characters are data, escaped where printed.
* ``fold``: ``strip_diacritics`` and case-folded, for comparing words (dedup's shingles and
  names). The result is left decomposed: recomposing would cost a pass over every stored
  article and changes nothing for Latin letters, whose marks are gone by then.

Reads no configuration.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")
# One of these anywhere in a page made lxml or trafilatura give up on all of it (the article was
# dropped as "no text").
# VT and FF are white space to a reader, so they become spaces.
_STRAY_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


def strip_stray(text: str) -> str:
    """``text`` without the characters that make a parser drop it (see ``_STRAY_RE``)."""
    # str.replace, not str.translate: translate looks every character up in a table, about
    # 20 ms for a 250 KB page of Vietnamese (more than trafilatura's whole extraction of it).
    return _STRAY_RE.sub("", text).replace("\x0b", " ").replace("\x0c", " ")


def storable(text: str) -> str:
    """``text`` without NUL (PostgreSQL refuses it) and lone surrogates (UTF-8 cannot hold them)."""
    return _UNSTORABLE_RE.sub("", text)


# The combining-mark blocks (diacritics for Latin, Greek and Cyrillic letters and their
# supplements): one regex removes them faster than a character loop asking unicodedata.
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def normalize(text: str) -> str:
    """NFC, case-folded, with runs of whitespace (including NBSP) folded to one space."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def _without_marks(text: str) -> str:
    """NFD with the combining marks removed and đ/Đ mapped to d/D (not recomposed)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return _COMBINING_RE.sub("", decomposed)


def strip_diacritics(text: str) -> str:
    """Remove combining marks and map đ/Đ to d/D; case is kept and the result is NFC."""
    return unicodedata.normalize("NFC", _without_marks(text))


def fold(text: str) -> str:
    """Case-folded and without diacritics (``Việt Nam`` -> ``viet nam``), for comparing words."""
    return _without_marks(text).casefold()
