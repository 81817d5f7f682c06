"""Which foreign countries a text names: ``country_mentions(text)``, one ISO code per mention.

The names (English, Vietnamese with or without diacritics, Malay/Indonesian, French, and
capitals) are data: ``language/data/countries.toml``, read on first use. Vietnam and Malaysia,
the home countries of every monitored outlet, are not counted.

Names are matched on the text without diacritics but with case kept, as whole words, by
looking each capitalised word up by its first word (several times faster than one regex of
every name tried at every position; this runs on every stored article). Names that contain a
country but are not it (``South China Sea``, ``US$``) are blanked first. Vietnamese
one-syllable names (``Mỹ``, ``Nga``) are read with their diacritics and only outside a proper
name (``Mỹ Đình``, ``Lào Cai``, ``chị Nga`` are not countries).

Reads no configuration.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from language.datafiles import load
from language.text import fold, strip_diacritics

# Words, hyphens included ("Vietnam-India" names India, "O-xtray-li-a" starts with "O").
_CAPITALISED_RE = re.compile(r"(?<!\w)[A-Zn]\w*")
_NAME_END_RE = re.compile(r"\w")
_PREVIOUS_WORD_RE = re.compile(r"(\S+)\s+$")
_NEXT_WORD_RE = re.compile(r"\s+(\S)")


@dataclass(frozen=True)
class _Tables:
    codes: dict[str, str]  # name -> code
    by_first_word: dict[str, list[str]]  # first word -> names starting with it, longest first
    not_countries: re.Pattern[str]
    short: dict[str, str]  # Vietnamese one-syllable name -> code
    short_re: re.Pattern[str]
    not_after: frozenset[str]


@functools.cache
def _tables() -> _Tables:
    data = load("countries")
    codes = {name: code for code, names in data["names"].items() for name in names}
    by_first_word: dict[str, list[str]] = {}
    for name in sorted(codes, key=len, reverse=True):
        by_first_word.setdefault(re.split(r"[ .-]", name)[0], []).append(name)
    short: dict[str, str] = data["vietnamese_short"]
    return _Tables(
        codes=codes,
        by_first_word=by_first_word,
        not_countries=re.compile("|".join(data["not_countries"]["patterns"])),
        short=short,
        short_re=re.compile(r"(?<![\w-])(" + "|".join(short) + r")(?![\w-])"),
        not_after=frozenset(data["vietnamese_short_not_after"]["words"]),
    )


def country_mentions(text: str) -> list[str]:
    """The ISO codes of the foreign countries ``text`` names, one per mention."""
    tables = _tables()
    codes = _names(tables, tables.not_countries.sub(" ", strip_diacritics(text)))
    composed = unicodedata.normalize("NFC", text)
    if any(name in composed for name in tables.short):
        for match in tables.short_re.finditer(composed):
            if _outside_a_name(tables, composed, match.start(), match.end()):
                codes.append(tables.short[match.group(1)])
    return codes


def _names(tables: _Tables, text: str) -> list[str]:
    codes: list[str] = []
    end = 0
    for match in _CAPITALISED_RE.finditer(text):
        start = match.start()
        if start < end:
            continue  # inside the name just counted ("South Korea": not "Korea" again)
        for name in tables.by_first_word.get(match.group(), ()):
            stop = start + len(name)
            if text.startswith(name, start) and not _NAME_END_RE.match(text, stop):
                codes.append(tables.codes[name])
                end = stop
                break
    return codes


def _outside_a_name(tables: _Tables, text: str, start: int, end: int) -> bool:
    before = _PREVIOUS_WORD_RE.search(text, max(start - 40, 0), start)
    if before is not None:
        word = before.group(1)
        if fold(word) in tables.not_after or (word[0].isupper() and word[-1] not in '.,;:!?-–—"“'):
            return False
    after = _NEXT_WORD_RE.match(text, end)
    return after is None or not after.group(1).isupper()
