"""Dates in text: month and weekday names (English, Malay/Indonesian, French; the Vietnamese and
Chinese forms the region writes) and the dates, weekdays and relative days a text names.

The names are data (``language/data/calendar.toml``), read on first use. The ``find_*``
functions read a *folded* text (``language.text.fold``: lower case, no diacritics), so
``23 février`` and ``ngày 23/2`` are read alike:

* ``find_dates``: (day, month) pairs: ``May 23``, ``23 Mei``, ``23 mai``, ``ngay 23 thang 5``,
  ``23/5`` (day first, as the region writes it; an optional year), ``5月23日``;
* ``find_weekdays``: 1 = Monday .. 7 = Sunday (``Wednesday``, ``Rabu``, ``mercredi``, ``星期三``);
* ``find_relative_days``: days before publication (0 ``today``/``hôm nay``, 1 ``yesterday``).

``month_number`` reads one month name, folded or not (``Sept``, ``Disember``, ``février``).

Reads no configuration.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from language.datafiles import load
from language.text import fold

_WORD_RE = re.compile(r"\w+")


@functools.cache
def month_names() -> Mapping[str, int]:
    """Every folded month spelling of every language -> its number (1 = January)."""
    found: dict[str, int] = {}
    for months in load("calendar")["months"].values():
        for number, spellings in enumerate(months, start=1):
            for name in spellings.split():
                found[name] = number
    return found


def month_number(name: str) -> int | None:
    """The number of a month name in any language read (``Sept`` -> 9, ``février`` -> 2)."""
    return month_names().get(fold(name))


@functools.cache
def weekday_names() -> Mapping[str, int]:
    """Every folded weekday name -> its number (1 = Monday .. 7 = Sunday)."""
    return {name: number for names in load("calendar")["weekdays"].values() for name, number in names.items()}


@functools.cache
def _weekday_words() -> tuple[dict[str, int], tuple[tuple[str, int], ...]]:
    """(one-word names, looked up word by word; the rest, searched as written: ``chu nhat``, ``星期三``)."""
    words = {name: n for name, n in weekday_names().items() if _WORD_RE.fullmatch(name) and name.isascii()}
    phrases = tuple((name, n) for name, n in weekday_names().items() if name not in words)
    return words, phrases


@functools.cache
def _relative_days() -> tuple[dict[tuple[str, ...], int], frozenset[str]]:
    """(phrase as folded words -> days before publication, the phrases' first words)."""
    table = {
        tuple(_WORD_RE.findall(phrase)): days
        for phrases in load("calendar")["relative_days"].values()
        for phrase, days in phrases.items()
    }
    return table, frozenset(phrase[0] for phrase in table)


@dataclass(frozen=True)
class _DatePatterns:
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    vietnamese: re.Pattern[str]
    slash: re.Pattern[str]
    cjk: re.Pattern[str]


@functools.cache
def _date_patterns() -> _DatePatterns:
    names = "|".join(sorted(month_names(), key=len, reverse=True))  # "sept" before "sep"
    return _DatePatterns(
        day_month=re.compile(rf"\b(\d{{1,2}})(?:er)?\.? ({names})\b\.?"),
        month_day=re.compile(rf"\b({names})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b"),
        vietnamese=re.compile(r"\bngay (\d{1,2}) thang (\d{1,2})\b"),
        slash=re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(?:\d{4}|\d{2}))?(?![\d/])"),
        cjk=re.compile(r"(\d{1,2})月(\d{1,2})日"),
    )


def find_dates(folded: str) -> frozenset[tuple[int, int]]:
    """The (day, month) dates named in a folded text."""
    patterns = _date_patterns()
    months = month_names()
    found: set[tuple[int, int]] = set()
    for day, month_name in patterns.day_month.findall(folded):
        found.add((int(day), months[month_name]))
    for month_name, day in patterns.month_day.findall(folded):
        found.add((int(day), months[month_name]))
    for day, month in [*patterns.vietnamese.findall(folded), *patterns.slash.findall(folded)]:
        found.add((int(day), int(month)))
    for month, day in patterns.cjk.findall(folded):
        found.add((int(day), int(month)))
    return frozenset((d, m) for d, m in found if 1 <= d <= 31 and 1 <= m <= 12)


def find_weekdays(folded: str) -> frozenset[int]:
    """The weekdays named in a folded text (a word lookup: faster than one regex of all names)."""
    words, phrases = _weekday_words()
    found = {words[w] for w in _WORD_RE.findall(folded) if w in words}
    found.update(n for phrase, n in phrases if phrase in folded)
    return frozenset(found)


def find_relative_days(folded_words: Sequence[str]) -> frozenset[int]:
    """Days before publication that a text's folded words name: 0 for today, 1 for yesterday."""
    table, first = _relative_days()
    found: set[int] = set()
    for i, word in enumerate(folded_words):
        if word in first:
            for phrase, days in table.items():
                if tuple(folded_words[i : i + len(phrase)]) == phrase:
                    found.add(days)
    return frozenset(found)
