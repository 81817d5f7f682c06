"""The text form both terms and articles are matched in, and accent folding that keeps offsets.

Unicode NFC, case-folded, curly quotes and odd spaces made plain; every step keeps the length
of the text (or, for the few letters whose case folding is longer, ``document`` maps offsets
back), so snippets are cut from the original text at the offsets found in the normalised one.
Reads no configuration.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from language import strip_diacritics

WORD_RE = re.compile(r"\w+")
# Same-length replacements only: offsets into the normalised text are offsets into the original.
_PUNCT = (("’", "'"), ("‘", "'"), ("ʼ", "'"), ("\u00a0", " "), ("\u2009", " "), ("\u202f", " "))


def _build_strip_table() -> dict[int, str]:
    """Precomposed Latin letters -> their base letter, one character for one (offsets survive)."""
    table: dict[int, str] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        base = strip_diacritics(char)
        if base != char and len(base) == 1:
            table[code] = base
    return table


_STRIP_TABLE = _build_strip_table()


def _accent_classes() -> dict[str, str]:
    """Base letter -> a regex class of it and every accented letter that folds to it."""
    variants: dict[str, list[str]] = {}
    for code, base in _STRIP_TABLE.items():
        char = chr(code)
        # Lower case only (the text is case-folded), and only vowels and d: the consonants'
        # rare dotted forms would cost every term its literal first letter, which makes the
        # regex search fast.
        if char == char.casefold() and base in "aeiouyd":
            variants.setdefault(base, []).append(char)
    return {base: "[" + base + "".join(chars) + "]" for base, chars in variants.items()}


_ACCENT_CLASSES = _accent_classes()


def escape_folded(piece: str) -> str:
    """``re.escape``, with each foldable letter as the class of its accented forms (``viet`` -> ``v[iíì…]et``)."""
    return "".join(_ACCENT_CLASSES.get(ch) or re.escape(ch) for ch in piece)


def fold_accents(text: str) -> str:
    """Diacritics removed from NFC text without changing its length (``Việt`` -> ``Viet``)."""
    return text.translate(_STRIP_TABLE)


def normalize_text(text: str) -> str:
    """NFC, case-folded, straight quotes: the form both terms and articles are matched in."""
    return straighten(unicodedata.normalize("NFC", text).casefold())


def straighten(text: str) -> str:
    """Curly quotes and odd spaces made plain, one character for one."""
    # str.replace per character beats one str.translate with a dict 10x on non-ASCII text.
    for char, plain in _PUNCT:
        if char in text:
            text = text.replace(char, plain)
    return text


# ASCII bytes that are not word characters -> a space; other bytes (UTF-8 of the rest) kept.
_ASCII_GAPS = bytes(b if b >= 0x80 or chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(256))


def word_set(text: str) -> set[str]:
    """The set of the text's words (``\\w+`` runs), about twice as fast as ``set(findall)``.

    ASCII punctuation becomes spaces in one bytes.translate, then str.split cuts at every space;
    a piece that is not all word characters (``isalnum`` is the regex's ``\\w`` without the ``_``)
    holds non-ASCII punctuation and is cut by the regex, which few pieces need.
    """
    words = set(text.encode(errors="surrogatepass").translate(_ASCII_GAPS).decode(errors="surrogatepass").split())
    odd = list(itertools.filterfalse(str.isalnum, words))
    if odd:
        words.difference_update(odd)
        words.update(WORD_RE.findall(" ".join(odd)))
    return words


class FoldedWords:
    """Accented word -> the word without accents, remembered: a news stream repeats its words,
    and a lookup is ten times cheaper than str.translate on non-ASCII text.

    One per ``Matcher``. Entries are never removed (so a lookup never misses under threads);
    past ``limit``, new words are folded but not kept.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self._known: dict[str, str] = {}
        self._limit = limit

    def fold(self, words: set[str]) -> set[str]:
        """The words without their accents (``fold_accents`` of each)."""
        known = self._known
        new = words.difference(known)
        if not new:
            return set(map(known.__getitem__, words))
        ordered = list(new)
        folded = dict(zip(ordered, fold_accents("\n".join(ordered)).split("\n"), strict=True))
        if len(known) < self._limit:
            known.update(folded)
        return set(map(known.__getitem__, words - new)).union(folded.values())


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"
