"""Language knowledge: normalisation and accent folding, language detection, calendars and
lexicons for the languages Newswatch reads (Vietnamese, English, Malay, and the French and
Chinese editions the region's outlets carry).

A leaf package: it imports nothing of ours, and ``crawler``, ``storage`` and ``alerts`` use it.
Word lists are data files in ``language/data/`` (TOML), read on first use and cached, never at
import time.

* ``language.text``: ``normalize`` (the same text), ``strip_diacritics``, ``fold`` (the same word);
* ``language.detect``: the languages we read (``languages``, ``language_name``) and
  ``detect_language`` (Lingua, loaded on first use), optionally among an outlet's declared set;
* ``language.dates``: calendars (month and weekday names) and the dates a text names;
* ``language.countries``: the foreign countries a text names;
* ``language.lexicon``: institutions and terms across languages, words around proper names.

Reads no configuration.
"""

from __future__ import annotations

from language.detect import detect_language, language_name, languages
from language.text import fold, normalize, storable, strip_diacritics, strip_stray

__all__ = [
    "detect_language",
    "fold",
    "language_name",
    "languages",
    "normalize",
    "storable",
    "strip_diacritics",
    "strip_stray",
]
