"""The story index: which stored articles a new one may belong to, and the verdict on each.

One ``StoryIndex`` per process, fed by ingest (``storage.ingest``; what is stored with a new
article, its fingerprint, is computed before, by ``storage.prepare``): ``find_stories`` finds its
candidates and checks them with ``storage.dedup.rules``, ``add`` and ``merged`` keep the index
in step after the transaction commits, ``copy_seen`` handles an exact copy ingest dropped.

Candidates: articles published within the window sharing at least ``MIN_SHARED_SAMPLES``
sampled shingle keys (near duplicates) or two anchors, names and numbers (rewrites need
``MIN_SHARED_ANCHORS_REWRITE``; other languages only ``CROSS_LANGUAGE_WINDOW``), the
``MAX_CANDIDATES`` sharing most; and, for articles with an embedding, the closest vectors of
the semantic window (the meaning route, ``storage.dedup.meaning``, which holds the window's
vectors). Why an article joined its story (route,
similarity or shared text, anchors, the article it matched) is kept in ``last_joined_by`` for
ingest to store; a close candidate refused by a veto is logged at debug level with the veto.

**Bounded by the window.** The index holds only what the window can still join: the articles
published (else stored) within two windows of the newest one it has seen (a new article of the
last window can join one a window older than itself), loaded at start-up by one query on the
publication time, and evicts older ones as time moves on (compacting its arrays when a quarter
of them have expired). An older arrival (a back-fill, an import of last year's archive) is
checked against an index of its own period read from the database for it (``_past``, kept
while the next old arrivals fall in the same period). What the index needs is stored with each
article; before each lookup it reads the articles other processes stored since. Its posting
lists (``storage.dedup.postings``) take 8 bytes a key.

Reads ``dedup.window`` (``DedupConfig.window``, passed in by run.py as ``window_seconds``).
"""

from __future__ import annotations

import logging
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from storage.dedup import embedding
from storage.dedup.evidence import Signals, side_by_side
from storage.dedup.fingerprint import FAMILY_SEP, Fingerprint, Parsed, pack, unpack
from storage.dedup.meaning import MeaningRoute
from storage.dedup.postings import SLOT_BITS, Postings, posting_key
from storage.dedup.rules import (
    CROSS_LANGUAGE_WINDOW,
    MIN_CONTAINMENT,
    MIN_CONTAINMENT_WITH_FACTS,
    MIN_SHINGLES,
    NEAR_IDENTICAL,
    Veto,
    near_duplicate,
    rewrite,
    same_event,
    veto,
)
from storage.dedup.semantic import epoch, side_of_article, side_of_record
from storage.dedup.semantic import veto as general_veto
from storage.dedup.shingles import shingle_set
from storage.models import Article
from storage.records import ArticleRecord
from storage.repository import articles_by_id

log = logging.getLogger(__name__)

MIN_SHARED_SAMPLES = 2  # index keys a same-language candidate must share
MAX_CANDIDATES = 8
MIN_SHARED_ANCHORS_REWRITE = 4  # index anchors a same-language candidate must share

MIN_EXPIRED_TO_COMPACT = 64  # compact when this many (and a quarter) of the held articles expired


@dataclass
class _Verdicts:
    """The stories one new article was checked against: verified (it belongs there) or
    vetoed (a candidate of that story reports another event)."""

    verified: set[int] = field(default_factory=set)
    vetoed: set[int] = field(default_factory=set)
    vetoed_articles: set[int] = field(default_factory=set)  # by the near-duplicate check
    why: dict[int, dict[str, Any]] = field(default_factory=dict)  # story -> how the article matched it


class StoryIndex:
    """The near-duplicate, anchor and semantic index; one per process, fed by ingest."""

    def __init__(
        self,
        window_seconds: float = 7 * 86400,
        embedder: embedding.Embedder | None = None,
        worth_embedding: Callable[[ArticleRecord], bool] | None = None,
        period: tuple[float, float] | None = None,
    ) -> None:
        """``embedder`` turns the semantic route on; ``worth_embedding`` (run.py: the article
        matches a watch) limits it to the articles where a missed link would cost an alert
        (``storage.prepare`` embeds them; ingest uses both for a record that came unprepared).
        ``period`` (epoch seconds, first and last) makes an index of a past period: it holds
        the articles published then and never evicts (``_past``)."""
        self.window_seconds = float(window_seconds)
        self.embedder = embedder
        self.worth_embedding = worth_embedding
        self.period = period
        self.last_joined_by: dict[str, Any] | None = None  # why the last article joined its story
        self._past: StoryIndex | None = None  # the index of an older arrival's period
        self._reset()

    def _reset(self) -> None:
        self.loaded = False
        self._seen = 0  # the highest article id read from the database
        self._added: set[int] = set()  # added by this process and not yet seen there
        self.counters: Counter[str] = Counter()
        self._article_ids = array("q")
        self._story_ids = array("q")
        self._whens = array("q")  # epoch seconds
        self._langs: list[str | None] = []
        self._families: list[str | None] = []
        self._samples = Postings()
        self._anchors = Postings()
        self._redirects: dict[int, int] = {}  # merged story -> the story it was merged into
        self._meaning = MeaningRoute(self.embedder, self.counters, expire=self.period is None)
        self._newest = float("-inf")  # the newest article time seen (epoch seconds)
        self._also: list[int] = []  # the other stories of the last find_story

    def __len__(self) -> int:
        return len(self._article_ids)

    # ---------------------------------------------------------------- loading

    def load(self, session: Session) -> None:
        """Build the in-memory index from the fingerprints stored in the database: those of
        the articles the window can still join (``period``'s for an index of a past period)."""
        self._reset()
        self._seen = session.scalar(select(func.max(Article.id))) or 0
        if self.period is not None:
            first, last = self.period
        else:
            newest = [session.scalar(select(func.max(c))) for c in (Article.published_at, Article.created_at)]
            self._newest = max((epoch(t) for t in newest if t is not None), default=float("-inf"))
            first, last = self._newest - 2 * self.window_seconds, float("inf")
        sample_entries: list[int] = []
        anchor_entries: list[int] = []
        for article_id, story_id, language, published, created, data, vector in self._rows(session, 0, first, last):
            if article_id > self._seen:
                self._added.add(article_id)  # stored while loading: not read again by _catch_up
            self._add_vector(article_id, story_id, published or created, vector)
            parsed = unpack(data)
            if parsed is None:
                continue  # stored before fingerprints existed, or by a newer format
            slot = self._append(article_id, story_id, language, parsed.family, published or created)
            sample_entries += [(posting_key(h) << SLOT_BITS) | slot for h in parsed.samples]
            anchor_entries += [(posting_key(h) << SLOT_BITS) | slot for h in parsed.anchors]
        self._samples.build(sample_entries)
        self._anchors.build(anchor_entries)
        self.loaded = True
        log.info("story index loaded: %s articles", len(self))

    def _rows(self, session: Session, after_id: int, first: float, last: float) -> Any:
        """The stored articles after ``after_id`` published (else stored) from ``first`` to ``last``."""
        query = select(
            Article.id,
            Article.story_id,
            Article.language,
            Article.published_at,
            Article.created_at,
            Article.fingerprint,
            Article.embedding,
        ).where(Article.id > after_id)
        if first > float("-inf"):
            start = datetime.fromtimestamp(first, UTC)
            query = query.where(
                or_(Article.published_at >= start, and_(Article.published_at.is_(None), Article.created_at >= start))
            )
        if last < float("inf"):
            end = datetime.fromtimestamp(last, UTC)
            query = query.where(
                or_(Article.published_at <= end, and_(Article.published_at.is_(None), Article.created_at <= end))
            )
        return session.execute(query.order_by(Article.id))

    def _catch_up(self, session: Session) -> None:
        """Index articles another process (``import`` next to the daemon) stored since."""
        first, last = self._held_period()
        for article_id, story_id, language, published, created, data, vector in self._rows(
            session, self._seen, first, last
        ):
            self._seen = max(self._seen, article_id)
            parsed = unpack(data)
            if parsed is not None and article_id not in self._added:
                self._index(article_id, story_id, language, parsed, published or created)
                self._add_vector(article_id, story_id, published or created, vector)
                self._advance(epoch(published or created))
        self._added = {a for a in self._added if a > self._seen}

    def _held_period(self) -> tuple[float, float]:
        """The publication times this index holds: two windows behind the newest, or its period."""
        if self.period is not None:
            return self.period
        return self._newest - 2 * self.window_seconds, float("inf")

    def _advance(self, when: float) -> None:
        """Time moved on to ``when``: drop the articles no new one can join any more."""
        if self.period is not None or when <= self._newest:
            return
        self._newest = when
        whens = np.frombuffer(self._whens, dtype=np.int64) if len(self._whens) else np.zeros(0, dtype=np.int64)
        keep = whens >= self._newest - 2 * self.window_seconds
        expired = len(keep) - int(keep.sum())
        if expired < max(MIN_EXPIRED_TO_COMPACT, len(keep) // 4):
            return
        renumber = np.where(keep, np.cumsum(keep) - 1, -1)
        self._samples.compact(renumber)
        self._anchors.compact(renumber)
        kept = np.flatnonzero(keep)
        self._article_ids = array("q", np.frombuffer(self._article_ids, dtype=np.int64)[kept].tobytes())
        self._story_ids = array("q", np.frombuffer(self._story_ids, dtype=np.int64)[kept].tobytes())
        self._whens = array("q", whens[kept].tobytes())
        self._langs = [self._langs[i] for i in kept]
        self._families = [self._families[i] for i in kept]
        self.counters["dedup/expired"] += expired
        log.debug("story index: %s articles older than two windows dropped, %s held", expired, len(kept))

    def _index(self, article_id: int, story_id: int, language: str | None, parsed: Parsed, when: datetime) -> None:
        slot = self._append(article_id, story_id, language, parsed.family, when)
        for h in parsed.samples:
            self._samples.add(posting_key(h), slot)
        for h in parsed.anchors:
            self._anchors.add(posting_key(h), slot)

    def _append(self, article_id: int, story_id: int, language: str | None, family: str | None, when: datetime) -> int:
        # Slots count the articles held (renumbered at each compaction): 2**32 of them would
        # need hundreds of gigabytes of memory first.
        slot = len(self._article_ids)
        self._article_ids.append(article_id)
        self._story_ids.append(story_id)
        self._whens.append(int(epoch(when)))
        self._langs.append(language)
        self._families.append(family)
        return slot

    def _add_vector(self, article_id: int, story_id: int, when: datetime, data: bytes | None) -> None:
        self._meaning.add(article_id, story_id, epoch(when), data)

    def memory_bytes(self) -> int:
        """Approximate size of the index structures (for the benchmark)."""
        arrays = sum(a.itemsize * len(a) for a in (self._article_ids, self._story_ids, self._whens))
        lists = 16 * len(self._langs)  # two list pointers a slot; the strings are interned
        extra = sum(100 + 8 * len(v) for p in (self._samples, self._anchors) for v in p.extra.values())
        return arrays + lists + self._samples.nbytes() + self._anchors.nbytes() + extra + self._meaning.memory_bytes()

    # ---------------------------------------------------------------- the interface used by ingest

    def find_stories(self, session: Session, record: ArticleRecord, fp: Fingerprint, when: datetime) -> list[int]:
        """The stories this article belongs to (what ingest asks): empty for a new story, else
        the one it joins (``find_story``), then every other story it was verified against with
        no candidate of that story vetoed. Ingest merges them: the article bridges reports of
        one event that arrived before it and had nothing in common."""
        self._also = []
        story_id = self.find_story(session, record, fp, when)
        return [] if story_id is None else [story_id, *self._also]

    def find_story(self, session: Session, record: ArticleRecord, fp: Fingerprint, when: datetime) -> int | None:
        """The id of the story this article joins, or None for a new story. The other stories
        it belongs to are left for ``find_stories`` (so a subclass that stands in for the
        detection by overriding this method simply never merges)."""
        found = self._assign(session, record, fp, when)
        self._also = found[1:]
        return found[0] if found else None

    def _assign(self, session: Session, record: ArticleRecord, fp: Fingerprint, when: datetime) -> list[int]:
        if not self.loaded:
            self.load(session)
        else:
            self._catch_up(session)
        parsed = unpack(fp.data)
        if parsed is None:
            return []
        now = epoch(when)
        if self.period is None and now < self._newest - self.window_seconds:
            return self._assign_past(session, record, fp, when, now)
        verdicts = _Verdicts()
        self.last_joined_by = None
        same = self._near_duplicate(session, record, fp, parsed, now, verdicts)
        found = self._by_anchors(session, record, fp, parsed, now, verdicts)
        similar = self._by_meaning(session, record, fp, parsed, now, verdicts)
        if same is not None:
            self.counters["dedup/near"] += 1
            primary = same
        elif found is not None:
            self.counters[found[1]] += 1
            primary = found[0]
        elif similar is not None:
            self.counters["dedup/semantic"] += 1
            primary = similar
        else:
            return []
        self.last_joined_by = verdicts.why.get(primary)
        if primary in verdicts.vetoed:
            return [primary]  # a candidate of it was vetoed: join as before, merge nothing
        others = sorted(s for s in verdicts.verified if s != primary and s not in verdicts.vetoed)
        return [primary, *others]

    def _assign_past(
        self, session: Session, record: ArticleRecord, fp: Fingerprint, when: datetime, now: float
    ) -> list[int]:
        """An article older than the window behind the newest (a back-fill): checked against
        an index of its own period, read from the database (and kept for the next old ones)."""
        past = self._past
        w = self.window_seconds
        if past is None or past.period is None or not past.period[0] + w <= now <= past.period[1] - w:
            past = self._past = type(self)(w, self.embedder, self.worth_embedding, period=(now - 2 * w, now + 2 * w))
            self.counters["dedup/past_period_loaded"] += 1
        found = past._assign(session, record, fp, when)
        self.last_joined_by = past.last_joined_by
        self.counters.update(past.counters)
        past.counters.clear()
        return found

    def merged(self, into: int, stories: list[int]) -> None:
        """Remember that ``stories`` were merged into ``into`` (after the transaction committed)."""
        if self._past is not None:
            self._past.merged(into, stories)
        for story_id in stories:
            if story_id != into:
                self._redirects[story_id] = into
                self.counters["dedup/merged"] += 1
        self._meaning.vectors.restory({s: into for s in stories})

    def story_of_slot(self, slot: int) -> int:
        """The story of an indexed article as this process last saw it (merges followed)."""
        story_id = self._story_ids[slot]
        seen = 0
        while story_id in self._redirects and seen < 64:
            story_id, seen = self._redirects[story_id], seen + 1
        return story_id

    def add(self, article_id: int, story_id: int, record: ArticleRecord, fp: Fingerprint, when: datetime) -> None:
        """Remember a stored article (called after its transaction committed)."""
        if self._past is not None:
            self._past.add(article_id, story_id, record, fp, when)
        parsed = unpack(fp.data)
        if parsed is None or not self.loaded:
            return  # an index that was never loaded loads everything, this one included
        self._advance(epoch(when))
        first, last = self._held_period()
        if first <= epoch(when) <= last:
            self._index(article_id, story_id, record.language, parsed, when)
            self._add_vector(article_id, story_id, when, fp.embedding)
        self._added.add(article_id)

    def copy_seen(self, session: Session, copy: Article, record: ArticleRecord, when: datetime) -> list[int]:
        """An exact copy of the stored article ``copy`` came from another outlet and was dropped
        (ingest). Its outlet family now counts for ``copy`` too, stored with it (a Bernama
        report first stored as theSun's copy still links to Bernama's Malay edition); and the
        stories the dropped copy belongs to are returned, ``copy``'s first, when it bridges
        ``copy``'s story with others (ingest merges them), else []."""
        family = record.outlet_family
        parsed = unpack(copy.fingerprint)
        if not family or parsed is None or FAMILY_SEP in family:
            return []
        known = parsed.family.split(FAMILY_SEP) if parsed.family else []
        if family in known:
            return []
        packed = FAMILY_SEP.join([*known, family])
        if len(packed.encode("utf-8")) > 255:
            return []  # the header's length byte: a copy of that many families changes nothing
        copy.fingerprint = pack(parsed.samples, parsed.anchors, packed)
        self.counters["dedup/copy_family"] += 1
        if not self.loaded:
            self.load(session)  # reads the flushed fingerprint, family included
        else:
            for index in (self, self._past):
                slot = index._slot_of(copy.id) if index is not None else None
                if index is not None and slot is not None:
                    index._families[slot] = packed
        fp = Fingerprint(pack(parsed.samples, parsed.anchors, family), copy.signals)
        found = self.find_stories(session, record, fp, when)
        story_id = copy.story_id
        if story_id not in found or len(found) < 2:
            return []
        return [story_id, *(s for s in found if s != story_id)]

    def _slot_of(self, article_id: int) -> int | None:
        """The slot of an indexed article (ids are appended in increasing order, mostly)."""
        ids = self._article_ids
        i = bisect_left(ids, article_id)
        if i < len(ids) and ids[i] == article_id:
            return i
        try:
            return ids.index(article_id)
        except ValueError:
            return None

    # ---------------------------------------------------------------- candidates and verification

    def _candidates(self, postings: Postings, keys: list[int], now: float, minimum: int) -> list[int]:
        return [slot for slot, _ in self._ranked(postings, keys, now, minimum)]

    def _ranked(self, postings: Postings, keys: list[int], now: float, minimum: int) -> list[tuple[int, int]]:
        """(slot, keys shared) of the indexed articles in the window sharing the most keys."""
        shared: Counter[int] = Counter()
        for h in set(keys):
            shared.update(set(postings.get(posting_key(h))))
        window = self.window_seconds
        ranked = [(s, n) for s, n in shared.most_common() if n >= minimum and abs(self._whens[s] - now) <= window]
        return ranked[:MAX_CANDIDATES]

    def _near_duplicate(
        self, session: Session, record: ArticleRecord, fp: Fingerprint, parsed: Parsed, now: float, verdicts: _Verdicts
    ) -> int | None:
        if not parsed.samples:
            return None
        minimum = min(MIN_SHARED_SAMPLES, len(parsed.samples))
        slots = self._candidates(self._samples, parsed.samples, now, minimum)
        if not slots:
            return None
        mine = shingle_set(record.text)
        if len(mine) < MIN_SHINGLES:
            return None
        mine_signals = Signals.from_json(fp.signals)
        best: tuple[float, int] | None = None
        others = articles_by_id(session, [self._article_ids[slot] for slot in slots])
        for slot in slots:
            other = others.get(self._article_ids[slot])
            if other is None:
                continue
            theirs = shingle_set(other.text)
            if len(theirs) < MIN_SHINGLES:
                continue
            containment = len(mine & theirs) / min(len(mine), len(theirs))
            theirs_signals = Signals.from_json(other.signals)
            if not near_duplicate(containment, mine_signals, theirs_signals):
                self.counters["dedup/near_rejected"] += 1
                log.debug(
                    "%s: not a near duplicate of article %s: shared text %.2f (needs %.2f, or %.2f with a "
                    "date and two names in common: %s)",
                    record.url, other.id, containment, MIN_CONTAINMENT, MIN_CONTAINMENT_WITH_FACTS,
                    side_by_side(mine_signals, theirs_signals),
                )  # fmt: skip
                continue
            if self._vetoed(record, other, mine_signals, theirs_signals, figures=containment < NEAR_IDENTICAL):
                verdicts.vetoed.add(other.story_id)
                verdicts.vetoed_articles.add(other.id)
                continue
            verdicts.verified.add(other.story_id)
            verdicts.why.setdefault(
                other.story_id, {"route": "near duplicate", "article": other.id, "shared text": round(containment, 3)}
            )
            if best is None or containment > best[0]:
                best = (containment, other.story_id)
        return best[1] if best else None

    def _decided(self, slot: int, verdicts: _Verdicts) -> bool:
        return self.story_of_slot(slot) in verdicts.verified or self._article_ids[slot] in verdicts.vetoed_articles

    def _vetoed(
        self, record: ArticleRecord, other: Article, mine: Signals, theirs: Signals, figures: bool = True
    ) -> bool:
        """Whether two texts with much in common still report different events (``rules.veto``)."""
        found = veto(record.text, other.text, mine, theirs, figures)
        if found is None:
            return False
        self._count_veto(found, other, mine)
        return True

    def _count_veto(self, found: Veto, other: Article, mine: Signals | None = None) -> None:
        self.counters[found.counter] += 1
        if found.reason is not None:
            log.info("not merged with article %s: %s", other.id, found.reason)
        if mine is not None:
            theirs = Signals.from_json(other.signals)
            log.debug("vetoed article %s (%s): %s", other.id, found.counter, side_by_side(mine, theirs))

    def _rewrite(self, record: ArticleRecord, mine: Signals, other: Article, now: float, verdicts: _Verdicts) -> bool:
        """Whether ``other`` is the same report rewritten in the same language (``rules.rewrite``)."""
        verdict = rewrite(record.text, other.text, mine, Signals.from_json(other.signals))
        if isinstance(verdict, Veto):
            self._count_veto(verdict, other, mine)
            verdicts.vetoed.add(other.story_id)
            return False
        if not verdict:
            return False
        refused = general_veto(side_of_record(record, mine, None, now), side_of_article(other))
        if refused:
            log.debug(
                "%s: not joined with article %s as a rewrite: %s (%s)",
                record.url, other.id, refused, side_by_side(mine, Signals.from_json(other.signals)),
            )  # fmt: skip
            verdicts.vetoed.add(other.story_id)
            return False
        return True

    def _by_anchors(
        self, session: Session, record: ArticleRecord, fp: Fingerprint, parsed: Parsed, now: float, verdicts: _Verdicts
    ) -> tuple[int, str] | None:
        """(story id, counter) of a rewrite in the same language or a report of the same event
        in another language, found through shared names and numbers."""
        if not parsed.anchors:
            return None
        mine = Signals.from_json(fp.signals)
        best: tuple[int, int, str] | None = None
        ranked = self._ranked(self._anchors, parsed.anchors, now, 2)
        others = articles_by_id(session, [self._article_ids[s] for s, _ in ranked if not self._decided(s, verdicts)])
        for slot, shared in ranked:
            if self._decided(slot, verdicts):
                continue  # already decided by the near-duplicate check (the rewrite check vetoes it too)
            language = self._langs[slot]
            if language is None or not record.language:
                continue
            if language == record.language:
                if shared < MIN_SHARED_ANCHORS_REWRITE:
                    continue
                other = others.get(self._article_ids[slot])
                if other is not None and self._rewrite(record, mine, other, now, verdicts):
                    score, kind = 100 + shared, "dedup/rewrite"
                else:
                    continue
            else:
                if abs(self._whens[slot] - now) > min(CROSS_LANGUAGE_WINDOW, self.window_seconds):
                    continue
                other = others.get(self._article_ids[slot])
                if other is None:
                    continue
                theirs = Signals.from_json(other.signals)
                refused = general_veto(side_of_record(record, mine, parsed.family, now), side_of_article(other))
                score = 0 if refused else same_event(mine, theirs)
                kind = "dedup/cross_language"
                if not score:
                    log.debug(
                        "%s: not joined with article %s by shared anchors: %s (%s)",
                        record.url, other.id, refused or "too few in common", side_by_side(mine, theirs),
                    )  # fmt: skip
                    if refused and refused != "figures":
                        verdicts.vetoed.add(other.story_id)
                    continue
            verdicts.verified.add(other.story_id)
            route = "rewrite" if kind == "dedup/rewrite" else "shared anchors"
            anchors = sorted(mine.names & Signals.from_json(other.signals).names)
            verdicts.why.setdefault(other.story_id, {"route": route, "article": other.id, "anchors": anchors})
            if best is None or score > best[0]:
                best = (score, other.story_id, kind)
        return (best[1], best[2]) if best else None

    def _by_meaning(
        self, session: Session, record: ArticleRecord, fp: Fingerprint, parsed: Parsed, now: float, verdicts: _Verdicts
    ) -> int | None:
        """The story of the most similar article in the semantic window that ``semantic.judge``
        accepts (``meaning.MeaningRoute``): one event written independently (an outlet's own
        report, a translation)."""
        best: tuple[float, int] | None = None
        found = self._meaning.joins(session, record, fp, parsed.family, now, verdicts.vetoed_articles, verdicts.vetoed)
        for other, similarity, verdict in found:
            story_id = self.story_of_article(other)
            verdicts.verified.add(story_id)
            verdicts.why.setdefault(story_id, {**verdict.explain(), "article": other.id})
            if best is None or similarity > best[0]:
                best = (similarity, story_id)
        return best[1] if best else None

    def story_of_article(self, article: Article) -> int:
        """The story of a stored article as this process last saw it (merges followed)."""
        story_id = article.story_id
        seen = 0
        while story_id in self._redirects and seen < 64:
            story_id, seen = self._redirects[story_id], seen + 1
        return story_id
