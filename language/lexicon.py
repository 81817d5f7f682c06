"""Lexicons of this domain: institutions and terms with their equivalents across languages
(``concepts``), and the word lists that help read proper names (``name_particles``,
``title_words``, ``stop_words``, ``common_names``).

The lists are data (``language/data/concepts.toml`` and ``names.toml``), read on first use;
every entry is folded (``language.text.fold``: lower case, no diacritics), and so must be the
words they are compared with.

Reads no configuration.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from language.datafiles import load

_WORD_RE = re.compile(r"\w+")


@functools.cache
def _concepts_by_first_word() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> (spelling as words, concept id), the longest spelling first."""
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for concept, spellings in load("concepts").items():
        for spelling in spellings:
            phrase = tuple(_WORD_RE.findall(spelling))
            table.setdefault(phrase[0], []).append((phrase, concept))
    for choices in table.values():
        choices.sort(key=lambda item: -len(item[0]))
    return table


def concepts(folded_words: Sequence[str]) -> frozenset[str]:
    """The ids of the concepts (``mmea``, ``coast-guard``, ``fishing-boat``) a text names, from
    its folded words: ``MMEA``, ``APMM`` and ``Maritim Malaysia`` are all ``mmea``."""
    found: set[str] = set()
    table = _concepts_by_first_word()
    for i, word in enumerate(folded_words):
        choices = table.get(word)
        if choices is None:
            continue
        for phrase, concept in choices:
            if len(phrase) == 1 or tuple(folded_words[i : i + len(phrase)]) == phrase:
                found.add(concept)
                break
    return frozenset(found)


@functools.cache
def _names(key: str) -> frozenset[str]:
    return frozenset(load("names")[key])


def name_particles() -> frozenset[str]:
    """Particles and honorifics inside a Malay name (``bin``, ``binti``, ``haji``)."""
    return _names("name_particles")


def title_words() -> frozenset[str]:
    """Words of offices and honorifics (``minister``, ``datuk``, ``tuong``)."""
    return _names("title_words")


def stop_words() -> frozenset[str]:
    """Short function words of the four languages that start a capitalised run without being
    part of a name (``the``, ``dans``, ``theo``)."""
    return _names("leading_stop")


def common_names() -> frozenset[str]:
    """Places and institutions almost every article of this domain names (``viet nam``,
    ``bernama``, ``ministry of defence``): they tell nothing about the event."""
    return _names("common_names")
