"""The semantic route of story linking: one event written independently (another outlet's own
report, a translation), found by sentence embeddings and kept honest by general guards.

Two reports of one event that share little wording still say the same thing: their title and
lead embeddings (``storage.dedup.embedding``) are close. So are reports of *different* events written
from one template (the same agency's arrests a month apart, the arrival and the departure of
one ship), often closer than a translation is to its original. Similarity therefore only
nominates a candidate; ``judge`` decides, with rules that hold for any news, not lists:

* **Time.** Only articles published within ``SEMANTIC_WINDOW`` of each other are compared:
  independent reports of one event appear within a day or two; a week later it is a follow-up.
* **Similarity.** At least ``MIN_SIMILARITY`` (same language) or ``MIN_SIMILARITY_ACROSS``
  (another language; the model scores translations lower than same-language paraphrases).
  Both sit near the top of the scores of different events on the same topics in the
  development sets (their 93rd and 88th percentiles): the guards below do the rest.
  In another language the leads may not face each other at all: a partial translation (one
  publisher's English edition starting at its Vietnamese original's third paragraph), a
  foreign report that tells the story from another end. When the leads fall short and every
  other guard already holds, the shorter text's lead is compared with the longer text from
  each of its paragraphs on (``passage``, computed only then: it costs an embedding per
  paragraph) against the same floor (``docs/cross-language-pairs.md``: on the development
  sets this joins two more pairs of one event and no pair of two).
* **Shared specifics.** At least ``MIN_ANCHORS`` people, places or figures in common: names
  compared without diacritics (``Phan Văn Giang`` = ``Phan Van Giang``), name pairs sharing a
  word counted once, figures of two or more digits that are not years.
* **Vetoes** (any one refuses): explicit dates in both leads with none in common (or in both
  texts, none in common); weekdays in both leads with none in common; another partner country
  (``partners_conflict``); figures that mostly differ (of three or more on each side, fewer
  than half shared; in one language, the same unit with other numbers more often than the
  same numbers: ``27 crew`` / ``12 crew``).
* **One outlet, one language.** Two different articles of one outlet (or outlet family) in one
  language are never joined by this route: an outlet rarely reports an event twice, and when it
  does it is a follow-up (the ship's departure after its arrival). Copies and near-copies of
  one text are the near-duplicate route's business, which needs shared text.

``SemanticIndex`` keeps the vectors of the window's articles in memory (a float32 matrix, 1.5 KB
an article) and drops those older than the window behind the newest article it has seen; the
meaning route (``storage.dedup.meaning``) looks candidates up in it and puts them to ``judge``.
Reads no configuration: the window and the model come from run.py through ``StoryIndex``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import numpy as np

from language import fold
from storage.dedup.embedding import Vector
from storage.dedup.evidence import (
    Signals,
    extract_signals,
    name_entities,
    partners_conflict,
    quantities,
    quantity_conflicts,
)
from storage.dedup.fingerprint import FAMILY_SEP, unpack

if TYPE_CHECKING:
    from storage.models import Article
    from storage.records import ArticleRecord

log = logging.getLogger(__name__)

SEMANTIC_WINDOW = 3 * 86400.0
MIN_SIMILARITY = 0.90
MIN_SIMILARITY_ACROSS = 0.82
MIN_ANCHORS = 2
MIN_NUMBERS_WITHOUT_NAMES = 3  # scripts where names do not survive (Chinese, Japanese, Russian)
# Languages read as one for the similarity floor and the one-outlet rule: Malay and Indonesian
# are one language in two standards (the model scores them like paraphrases, not translations).
SAME_LANGUAGE = {"id": "ms"}
MIN_FIGURES_TO_COMPARE = 3
MAX_SEMANTIC_CANDIDATES = 8
FIRST_SENTENCE_CHARS = 400  # at most this much of the body is read as its first sentence


@dataclass(frozen=True)
class Side:
    """What ``judge`` reads of one article."""

    title: str
    text: str
    language: str | None
    outlets: frozenset[str]  # its outlet and outlet families (a copy's too)
    when: float  # epoch seconds
    signals: Signals


def side_of_record(record: ArticleRecord, signals: Signals, families: str | None, when: float) -> Side:
    """A new article as ``judge`` and ``veto`` read it (every route but the near-duplicate one
    asks ``veto``); ``when`` is its publication (else arrival) time, ``families`` its outlet
    families when known (else the record's own)."""
    families = families or record.outlet_family
    return Side(record.title, record.text, record.language, _outlets(record.outlet, families), when, signals)


def side_of_article(other: Article) -> Side:
    """A stored article as ``judge`` and ``veto`` read it."""
    packed = unpack(other.fingerprint)
    when = epoch(other.published_at or other.created_at)
    outlets = _outlets(other.outlet.slug, packed.family if packed else None)
    return Side(other.title, other.text, other.language, outlets, when, Signals.from_json(other.signals))


def _outlets(slug: str, families: str | None) -> frozenset[str]:
    """An article's outlet and outlet families (its own, and those of copies dropped since)."""
    return frozenset([slug, *(families.split(FAMILY_SEP) if families else [])])


@dataclass(frozen=True)
class Verdict:
    """Why two articles were (or were not) judged reports of one event."""

    similarity: float
    joined: bool
    names: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    veto: str | None = None  # "dates", "weekdays", "partner", "figures", "same outlet", ...
    # Joined on a passage: the leads' similarity, and the paragraph (1 = the first) of the
    # longer text from which on it faced the shorter one's lead.
    lead_similarity: float | None = None
    paragraph: int | None = None

    def explain(self) -> dict[str, object]:
        out: dict[str, object] = {"route": "semantic", "similarity": round(self.similarity, 3)}
        if self.lead_similarity is not None:
            out["lead similarity"] = round(self.lead_similarity, 3)
            out["from paragraph"] = self.paragraph
        if self.names or self.numbers:
            out["anchors"] = [*self.names, *self.numbers]
        if self.veto:
            out["veto"] = self.veto
        return out


Passage = Callable[[], tuple[float, int]]  # (similarity, paragraph) of the best passage


def judge(a: Side, b: Side, similarity: float, passage: Passage | None = None) -> Verdict:
    """Whether ``a`` and ``b`` report one event, by the rules in the module docstring.
    ``passage`` computes the shorter text's lead against the longer text's passages; it is
    called only for reports in two languages whose leads alone fall short."""
    if abs(a.when - b.when) > SEMANTIC_WINDOW:
        return Verdict(similarity, False, veto="too far apart in time")
    floor = MIN_SIMILARITY if same_language(a, b) else MIN_SIMILARITY_ACROSS
    if similarity >= floor:
        return _guards(a, b, similarity)
    short = Verdict(similarity, False, veto="not similar enough")
    if passage is None or same_language(a, b):
        return short  # in one language, shared text is the near-duplicate route's business
    guarded = _guards(a, b, similarity)
    if not guarded.joined:
        return short
    best, paragraph = passage()
    if best < floor:
        return short
    return replace(guarded, similarity=best, lead_similarity=similarity, paragraph=paragraph)


def _guards(a: Side, b: Side, similarity: float) -> Verdict:
    """The vetoes and the shared anchors (the rules after the similarity)."""
    refused = veto(a, b)
    if refused:
        return Verdict(similarity, False, veto=refused)
    sa, sb = a.signals, b.signals
    numbers = sa.numbers & sb.numbers
    names = sorted(sa.names & sb.names)
    people = name_entities(names)
    enough = people + len(numbers) >= MIN_ANCHORS if people else len(numbers) >= MIN_NUMBERS_WITHOUT_NAMES
    return Verdict(similarity, enough, tuple(names), tuple(sorted(numbers)), None if enough else "few anchors")


def veto(a: Side, b: Side, figures: bool = True) -> str | None:
    """Why two reports that look alike are *not* one event, or None: the same outlet in the same
    language, other days, another partner country, other figures (``figures``). Every route but
    the near-duplicate one (a copy keeps its outlet's and its text's facts) asks this."""
    if same_language(a, b) and a.outlets & b.outlets:
        return "same outlet"
    sa, sb = a.signals, b.signals
    if sa.dates and sb.dates and not sa.dates & sb.dates:
        return "dates"
    dates_a, dates_b = _lead_dates(a), _lead_dates(b)
    if dates_a and dates_b and not dates_a & dates_b:
        return "dates"
    days_a, days_b = _lead_weekdays(a, dates_a), _lead_weekdays(b, dates_b)
    if days_a and days_b and not days_a & days_b:
        return "weekdays"
    if partners_conflict(sa, sb):
        return "partner"
    if not figures:
        return None
    fewer = min(len(sa.numbers), len(sb.numbers))
    if fewer >= MIN_FIGURES_TO_COMPARE and 2 * len(sa.numbers & sb.numbers) < fewer:
        return "figures"
    if same_language(a, b):
        differ, agree = quantity_conflicts(quantities(a.text), quantities(b.text))
        if differ > agree:
            return "figures"
    return None


def same_language(a: Side, b: Side) -> bool:
    return bool(a.language and _language(a.language) == _language(b.language))


def _language(code: str | None) -> str | None:
    return SAME_LANGUAGE.get(code, code) if code else None


# Vietnamese writes dates with dots too ("Ngày 4.12", "sáng 4.12"): read after a day word only,
# so that a decimal figure is never taken for a date.
_VI_DOT_DATE_RE = re.compile(r"\b(?:ngay|sang|chieu|toi|trua|dem|hom) (\d{1,2})[.-](\d{1,2})\b")


_SENTENCE_END_RE = re.compile(r"[.!?。](?:\s|$)")
MIN_PARAGRAPH_CHARS = 60  # shorter lines before the lead are headlines, bylines, captions


def _first_sentence(side: Side) -> str:
    """The title and the lead's first sentence: where a news report says when its event
    happened (later sentences recall earlier events: the arrival, in a report of the departure)."""
    body = side.text[: 3 * FIRST_SENTENCE_CHARS]
    title = side.title.strip()
    paragraphs = (p.strip() for p in body.split("\n"))
    lead = next((p for p in paragraphs if len(p) >= MIN_PARAGRAPH_CHARS and p != title), body)
    lead = lead.strip()[:FIRST_SENTENCE_CHARS]
    end = _SENTENCE_END_RE.search(lead, 40)
    return f"{side.title}\n{lead[: end.start() + 1] if end else lead}"


def _lead_dates(side: Side) -> set[date]:
    """The calendar days the title and first sentence name, in the year nearest the publication."""
    lead = _first_sentence(side)
    pairs = set(extract_signals("", lead).dates)
    dotted = ((int(d), int(m)) for d, m in _VI_DOT_DATE_RE.findall(fold(lead)))
    pairs |= {(d, m) for d, m in dotted if 1 <= d <= 31 and 1 <= m <= 12}
    published = datetime.fromtimestamp(side.when, UTC).date()
    found = set()
    for day, month in pairs:
        options = []
        for year in (published.year - 1, published.year, published.year + 1):
            try:
                options.append(date(year, month, day))
            except ValueError:
                continue
        if options:
            found.add(min(options, key=lambda d: abs(d - published)))
    return found


def _lead_weekdays(side: Side, dates: set[date]) -> set[int]:
    """The days of the week the title and first sentence name or imply by their dates."""
    lead = extract_signals("", _first_sentence(side))
    return set(lead.weekdays) | {d.isoweekday() for d in dates}


@dataclass
class SemanticIndex:
    """Vectors of the articles within the window, by model tag, with what ``StoryIndex`` needs
    to turn a close vector into a candidate (article id, story id, time)."""

    window_seconds: float = SEMANTIC_WINDOW
    expire: bool = True  # False for the index of a past period (``StoryIndex._past``): it holds all of it
    _ids: list[int] = field(default_factory=list)
    _stories: list[int] = field(default_factory=list)
    _whens: list[float] = field(default_factory=list)
    _tags: list[int] = field(default_factory=list)
    _matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    _newest: float = float("-inf")

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, article_id: int, story_id: int, when: float, tag: int, vec: Vector) -> None:
        if self._matrix.shape[1] not in (0, len(vec)):
            return  # another model's dimensions: never comparable
        n = len(self._ids)
        if n == self._matrix.shape[0]:
            grown = np.zeros((max(64, 2 * n), len(vec)), dtype=np.float32)
            if n:
                grown[:n] = self._matrix[:n]
            self._matrix = grown
        self._matrix[n] = vec
        self._ids.append(article_id)
        self._stories.append(story_id)
        self._whens.append(when)
        self._tags.append(tag)
        if when > self._newest:
            self._newest = when
            if self.expire:
                self._expire()

    def nearest(
        self, vec: Vector, tag: int, when: float, limit: int = MAX_SEMANTIC_CANDIDATES
    ) -> list[tuple[int, int, float]]:
        """(article id, story id, similarity) of the closest articles within the window, best first."""
        n = len(self._ids)
        if not n or self._matrix.shape[1] != len(vec):
            return []
        sims = self._matrix[:n] @ vec
        whens = np.asarray(self._whens)
        ok = (np.abs(whens - when) <= self.window_seconds) & (np.asarray(self._tags) == tag)
        sims = np.where(ok, sims, -1.0)
        order = np.argsort(-sims)[:limit]
        return [(self._ids[i], self._stories[i], float(sims[i])) for i in order if sims[i] > 0]

    def restory(self, redirect: dict[int, int]) -> None:
        """Follow story merges (``StoryIndex.merged``)."""
        self._stories = [redirect.get(s, s) for s in self._stories]

    def memory_bytes(self) -> int:
        return int(self._matrix.nbytes) + 40 * len(self._ids)

    def _expire(self) -> None:
        """Drop the articles older than the window behind the newest one (amortised: only when
        a quarter of the rows have expired)."""
        horizon = self._newest - 2 * self.window_seconds
        old = sum(1 for w in self._whens if w < horizon)
        if old < max(64, len(self._ids) // 4):
            return
        keep = [i for i, w in enumerate(self._whens) if w >= horizon]
        self._matrix = self._matrix[keep].copy()
        self._ids = [self._ids[i] for i in keep]
        self._stories = [self._stories[i] for i in keep]
        self._whens = [self._whens[i] for i in keep]
        self._tags = [self._tags[i] for i in keep]


def epoch(when: datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()
