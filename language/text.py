"""Normalisation and accent folding: the one definition of "the same text" and "the same word".

* ``normalize``: Unicode NFC, case-folded, runs of whitespace (NBSP included) collapsed to one
  space. Exact duplicates are compared in this form (``storage.ingest``).
* ``strip_diacritics``: the text without combining marks and with ``đ``/``Đ`` as ``d``/``D``
  (``Phan Văn Giang`` -> ``Phan Van Giang``), NFC, case kept. Vietnamese and Malay names are
  written with and without their marks, and outlets do both.
* ``fold``: ``strip_diacritics`` and case-folded, for comparing words (dedup's shingles and
  names). The result is left decomposed: recomposing would cost a pass over every stored
  article and changes nothing for Latin letters, whose marks are gone by then.

Reads no configuration.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")
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
