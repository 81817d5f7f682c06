"""Evidence that two texts report one event, or two (``storage.dedup.index`` decides); pure
functions of the title and text, stored with each article as JSON (``articles.signals``).

* **Translation-proof signals** (``Signals``, ``extract_signals``) for reports of one event
  in another language: pairs of capitalised words without diacritics (``Phan Văn Giang`` =
  ``Phan Van Giang``), numbers (29 fishermen, hull numbers, RM amounts), calendar dates and
  weekdays in English, Malay, Vietnamese, French or Chinese (``language.dates``: ``May 23``,
  ``23 Mei``, ``ngày 23/5``, ``23 mai``; ``Wednesday``, ``Rabu``, ``mercredi``), which a
  rewrite or translation often gives instead. ``days_disagree``: different days, a veto.
* **Partner countries** (``partners``): the foreign countries a text names
  (``language.countries``), counted; two reports whose main partners differ
  (``partners_conflict``) are two events, however much else they share.
* **Figures by their wording and by what they count** (``number_slots``: ``with _ crew``;
  ``quantities``: ``105 nautical``, ``300 kilograms``): a template reused for another event
  keeps the words and changes the figures.
* **Shared institutions and maritime terms** (``concepts``, ``language.lexicon``: MMEA = APMM
  = Cơ quan Thực thi Hàng hải Malaysia, coast guard = cảnh sát biển): shown to a reader as
  what two reports have in common (``storage.browse``); no route decides on them (a word list
  fits the items it was written for, not the news nobody tuned it on).

Reads no configuration.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from language import fold
from language.countries import country_mentions
from language.dates import find_dates, find_weekdays, month_names
from language.lexicon import common_names, concepts, name_particles, stop_words, title_words
from storage.dedup.shingles import words

MAX_ANCHORS = 24  # room for the people and places after the offices and phrases a text names

_WORD_RE = re.compile(r"\w+")
_TOKEN_RE = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[],.;:!?«»—–-"
# ASCII boundaries, not \w: in Chinese "23名" the number touches a letter.
_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z.,/])(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d+))?(?![0-9A-Za-z/])")
# An amount with its currency written on (RM100,000): the number regex alone refuses a number
# glued to letters.
_CURRENCY_NUMBER_RE = re.compile(
    r"(?:RM|Rp|US\$|S\$|USD|VND|EUR|MYR)(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d+))?(?![0-9A-Za-z/])"
)
# Checked on the few characters before a number: "Section 15(1)(a)" cites a law, not a fact.
_LEGAL_BEFORE_RE = re.compile(
    r"(?:sections?|subsections?|seksyen|subseksyen|articles?|perkara|điều|khoản|chapter|regulations?|rules?)\s+$",
    re.IGNORECASE,
)


@functools.cache
def _not_units() -> frozenset[str]:
    """Words after a number that are not its unit ("between 19 and 58", "on 12 March")."""
    return frozenset(stop_words() | month_names().keys() | {"to", "or", "nam"})  # "nam": Viet Nam or year


@functools.lru_cache(maxsize=256)
def number_slots(text: str) -> dict[tuple[str, ...], set[str]]:
    """Each number keyed by the two words either side of it: ``with _ crew members``.

    A text reused as a template for another event keeps the words and changes the numbers;
    a syndicated copy keeps both. Comparing numbers slot by slot tells the two apart.
    (Cached like ``shingles.shingle_set``: the stories of the day are the candidates of many new
    articles, and each miss folds the whole text again. Do not modify the result.)
    """
    w = words(text)
    slots: dict[tuple[str, ...], set[str]] = {}
    for i, token in enumerate(w):
        if token.isdigit() and not (len(token) == 4 and 1900 <= int(token) <= 2100):
            key = (*w[max(i - 2, 0) : i], "_", *w[i + 1 : i + 3])
            slots.setdefault(key, set()).add(token)
    return slots


def number_conflicts(a: dict[tuple[str, ...], set[str]], b: dict[tuple[str, ...], set[str]]) -> tuple[int, int]:
    """(slots where the numbers differ, slots where they agree) of two texts."""
    differ = agree = 0
    for key, numbers in a.items():
        other = b.get(key)
        if other is not None:
            if numbers & other:
                agree += 1
            else:
                differ += 1
    return differ, agree


@functools.lru_cache(maxsize=256)
def quantities(text: str) -> dict[str, set[str]]:
    """Numbers keyed by the word that follows them, their unit: ``105 nautical``, ``300
    kilograms``, ``29 fishermen``. Unlike ``number_slots`` this survives rewording: a rewrite of
    one report keeps its figures whatever the sentence around them, another event changes them.
    (Cached: a new article is compared with several candidates. Do not modify the result.)"""
    w = words(text)
    not_units = _not_units()
    found: dict[str, set[str]] = {}
    for i in range(len(w) - 1):
        token, unit = w[i], w[i + 1]
        if token.isdigit() and unit.isalpha() and len(unit) >= 2 and unit not in not_units:
            found.setdefault(unit, set()).add(token.lstrip("0") or "0")
    return found


def quantity_conflicts(a: dict[str, set[str]], b: dict[str, set[str]]) -> tuple[int, int]:
    """(units whose figures differ, units whose figures agree) between two texts."""
    differ = agree = 0
    for unit in a.keys() & b.keys():
        if a[unit] & b[unit]:
            agree += 1
        else:
            differ += 1
    return differ, agree


@dataclass(frozen=True)
class Signals:
    """What survives translation: proper names, numbers, (day, month) dates, weekdays."""

    names: frozenset[str]
    numbers: frozenset[str]
    dates: frozenset[tuple[int, int]]
    weekdays: frozenset[int] = frozenset()
    # Foreign countries named, with their mentions (``partners``); empty for articles stored
    # before this signal existed, which then never conflict.
    countries: dict[str, int] = field(default_factory=dict)
    # Shown as shared terms (``concepts``); empty for articles stored before this signal.
    concepts: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, object]:
        return {
            "names": sorted(self.names),
            "numbers": sorted(self.numbers),
            "dates": sorted(f"{d}/{m}" for d, m in self.dates),
            "weekdays": [str(d) for d in sorted(self.weekdays)],
            "countries": dict(sorted(self.countries.items())),
            "concepts": sorted(self.concepts),
        }

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> Signals:
        data = data or {}

        def strings(key: str) -> list[str]:
            value = data.get(key)
            return [str(v) for v in value] if isinstance(value, list) else []

        dates: set[tuple[int, int]] = set()
        for item in strings("dates"):
            day, _, month = item.partition("/")
            if day.isdigit() and month.isdigit():
                dates.add((int(day), int(month)))
        weekdays = frozenset(int(d) for d in strings("weekdays") if d.isdigit())
        stored = data.get("countries")
        countries = {str(k): v for k, v in stored.items() if isinstance(v, int)} if isinstance(stored, dict) else {}
        return cls(
            frozenset(strings("names")),
            frozenset(strings("numbers")),
            frozenset(dates),
            weekdays,
            countries,
            frozenset(strings("concepts")),
        )

    def anchors(self) -> list[str]:
        """The index keys for cross-language candidates: specific names, then numbers."""
        names = sorted(self.names, key=lambda n: (-len(n), n))
        return ([f"n:{n}" for n in names] + [f"#:{n}" for n in sorted(self.numbers)])[:MAX_ANCHORS]


def extract_signals(title: str, text: str) -> Signals:
    body = f"{title}\n{text}"
    plain = fold(body)
    folded_words = _WORD_RE.findall(plain)
    return Signals(
        _names(body),
        _numbers(body),
        find_dates(plain),
        find_weekdays(plain),
        partners(title, text),
        concepts(folded_words),
    )


def days_disagree(a: Signals, b: Signals) -> bool:
    """Whether two texts put their event on different days: both give calendar dates and
    share none, or both give weekdays and share none.

    A weekday is not compared with the other text's dates: the two often name different
    moments (a clash on Sunday, the ministry's briefing on Monday, the article's dateline)."""
    if a.dates and b.dates and not a.dates & b.dates:
        return True
    return bool(a.weekdays and b.weekdays and not a.weekdays & b.weekdays)


def name_entities(names: Iterable[str]) -> int:
    """The number of groups of name pairs linked by a shared word (one person or place each)."""
    groups: list[set[str]] = []
    for name in names:
        parts = set(name.split())
        linked = [g for g in groups if g & parts]
        for g in linked:
            groups.remove(g)
            parts |= g
        groups.append(parts)
    return len(groups)


def _names(text: str) -> frozenset[str]:
    """Adjacent pairs of capitalised words without diacritics (``narendra modi``), so a name
    matches whatever title or honorific precedes it in the other language."""
    found: set[str] = set()
    run: list[str] = []
    particles = name_particles()
    for token in _TOKEN_RE.findall(text):
        word = token.strip(_EDGE_PUNCT)
        if run and word.casefold() in particles:
            continue  # "Mohamad bin Hasan": the particle neither breaks nor joins the name
        if word and word[0].isupper() and not word.isupper() and word[0].isalpha():
            run.append(fold(word).removesuffix("’s").removesuffix("'s"))
        else:
            run = []
            continue
        if token[-1] in ',.;:!?)”"':
            _add_pairs(run, found)
            run = []
        elif len(run) >= 2:
            _add_pairs(run[-2:], found)
    return frozenset(found)


def _add_pairs(run: list[str], found: set[str]) -> None:
    stop, titles, common = stop_words(), title_words(), common_names()
    for a, b in itertools.pairwise(run):
        if a in stop or b in stop or (a in titles and b in titles):
            continue
        name = f"{a} {b}"
        if name not in common and len(name) >= 6:
            found.add(name)


def _numbers(text: str) -> frozenset[str]:
    """Numbers of two or more digits that are not years (those belong to dates), amounts with
    their currency written on (``RM100,000``, ``US$2``) included, references to sections of a
    law (``Section 15(1)(a)``) left out: every report of its kind cites the same ones."""
    found: set[str] = set()
    for match in itertools.chain(_NUMBER_RE.finditer(text), _CURRENCY_NUMBER_RE.finditer(text)):
        whole = re.sub(r"[.,]", "", match.group(1))
        if len(whole) < 2 or (len(whole) == 4 and 1900 <= int(whole) <= 2100 and not match.group(2)):
            continue
        if _LEGAL_BEFORE_RE.search(text, max(match.start() - 16, 0), match.start()):
            continue
        found.add(whole.lstrip("0") or "0")
    return frozenset(found)


# Foreign partners: the countries a text is about (``language.countries``), counted, so that two
# reports of talks with different countries never join however much else (a minister, an
# outlet, a date) they share. A text that names no country is never kept apart by this.
MIN_PARTNER_MENTIONS = 2  # a country named once is background; a title mention counts twice


def partners(title: str, text: str) -> dict[str, int]:
    """Foreign countries named in a text, by code, with their mentions (a title mention counts
    twice: the headline names what the report is about)."""
    found: dict[str, int] = {}
    for part, weight in ((title, 2), (text, 1)):
        for code in country_mentions(part):
            found[code] = found.get(code, 0) + weight
    return found


def main_partners(countries: dict[str, int]) -> set[str]:
    """The most-named foreign countries of a text, if named at least ``MIN_PARTNER_MENTIONS``
    times (ties are all kept)."""
    most = max(countries.values(), default=0)
    if most < MIN_PARTNER_MENTIONS:
        return set()
    return {code for code, n in countries.items() if n == most}


def partners_conflict(a: Signals, b: Signals) -> bool:
    """Whether two texts are about different foreign partners: each has a main partner that
    the other never names (talks with India, talks with Australia). Countries named in passing,
    or a main partner the other side also names, are no conflict."""
    mine, theirs = main_partners(a.countries), main_partners(b.countries)
    return bool(mine and theirs and not mine & b.countries.keys() and not theirs & a.countries.keys())


def side_by_side(mine: Signals, theirs: Signals) -> str:
    """What the vetoes read, side by side, for the debug log: "new / stored" for each."""

    def show(values: object) -> str:
        items = sorted(str(v) for v in values) if isinstance(values, (set, frozenset, dict)) else []
        return ",".join(items[:8]) + ("..." if len(items) > 8 else "") or "-"

    dates = [{f"{d}/{m}" for d, m in s.dates} for s in (mine, theirs)]
    parts = [
        f"dates {show(dates[0])} / {show(dates[1])}",
        f"weekdays {show(mine.weekdays)} / {show(theirs.weekdays)}",
        f"countries {show(mine.countries)} / {show(theirs.countries)}",
        f"figures {show(mine.numbers)} / {show(theirs.numbers)}",
        f"names in common {show(mine.names & theirs.names)}",
    ]
    return "; ".join(parts)
