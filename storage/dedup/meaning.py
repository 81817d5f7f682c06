"""The meaning route of the story index: the stored articles closest to a new one by sentence
embedding, each put to ``semantic.judge``.

``StoryIndex`` (``storage.dedup.index``) asks three routes which stories a new article belongs
to: near duplicates and shared anchors, found through its posting lists, and this one, for one
event written independently (another outlet's own report, a translation). ``MeaningRoute``
holds what the route needs in memory: the vectors of the window's articles
(``semantic.SemanticIndex``) and the passage vectors of the last ``PASSAGE_CACHE`` long texts it
compared (``embedding.passages``: computed only when ``judge`` asks, an embedding a paragraph).
The rules that decide are ``semantic``'s; this module finds the candidates and feeds them in.

Reads no configuration: the embedder comes from run.py through ``StoryIndex``.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import Iterator

import numpy as np
from sqlalchemy.orm import Session

from storage.dedup import embedding
from storage.dedup.evidence import Signals, side_by_side
from storage.dedup.fingerprint import Fingerprint
from storage.dedup.semantic import Passage, SemanticIndex, Side, Verdict, judge, side_of_article, side_of_record
from storage.dedup.shingles import stable_hash
from storage.models import Article
from storage.records import ArticleRecord
from storage.repository import articles_by_id

log = logging.getLogger(__name__)

PASSAGE_CACHE = 32  # texts whose passage vectors are kept (``_passage_vectors``)


class MeaningRoute:
    """The window's vectors and the lookup by meaning; one per ``StoryIndex``. ``counters`` is
    the index's (``dedup/passages_embedded``)."""

    def __init__(self, embedder: embedding.Embedder | None, counters: Counter[str], expire: bool = True) -> None:
        self.embedder = embedder
        self.counters = counters
        self.vectors = SemanticIndex(expire=expire)
        self._passages: OrderedDict[int, list[embedding.Vector]] = OrderedDict()

    def add(self, article_id: int, story_id: int, when: float, data: bytes | None) -> None:
        """Hold a stored article's vector (``articles.embedding``), if it has one and the route is on."""
        stored = embedding.unpack(data)
        if stored is not None and self.embedder is not None:
            self.vectors.add(article_id, story_id, when, stored[0], stored[1])

    def memory_bytes(self) -> int:
        return self.vectors.memory_bytes()

    def joins(
        self,
        session: Session,
        record: ArticleRecord,
        fp: Fingerprint,
        families: str | None,
        now: float,
        vetoed_articles: set[int],
        vetoed_stories: set[int],
    ) -> Iterator[tuple[Article, float, Verdict]]:
        """(article, similarity, verdict) of each article in the semantic window, closest first,
        that ``semantic.judge`` accepts as a report of the new article's event; the articles and
        stories the other routes vetoed are skipped. ``families``: the new article's outlet
        families (``Parsed.family``), ``now`` its publication (else arrival) time."""
        stored = embedding.unpack(fp.embedding)
        if stored is None:
            return
        tag, vec = stored
        mine: Side | None = None
        nearest = [n for n in self.vectors.nearest(vec, tag, now) if n[0] not in vetoed_articles]
        others = articles_by_id(session, [article_id for article_id, _story, _similarity in nearest])
        for article_id, _story, similarity in nearest:
            other = others.get(article_id)
            if other is None or other.story_id in vetoed_stories:
                continue
            if mine is None:
                mine = side_of_record(record, Signals.from_json(fp.signals), families, now)
            verdict = judge(mine, side_of_article(other), similarity, self.passage(record, vec, other))
            if not verdict.joined:
                if verdict.veto not in ("not similar enough", "too far apart in time"):
                    log.debug(
                        "%s: not joined with article %s by meaning (similarity %.3f): %s (%s)",
                        record.url, other.id, similarity, verdict.veto,
                        side_by_side(mine.signals, Signals.from_json(other.signals)),
                    )  # fmt: skip
                continue
            yield other, similarity, verdict

    def passage(self, record: ArticleRecord, vec: embedding.Vector, other: Article) -> Passage:
        """The shorter text's lead against the longer one's passages (``semantic.judge`` calls it
        only when nothing but the leads' similarity keeps the two apart): (best similarity, the
        paragraph of the longer text it starts at, 1 = the first)."""

        def best() -> tuple[float, int]:
            stored, embedder = embedding.unpack(other.embedding), self.embedder
            if embedder is None or stored is None:
                return 0.0, 0
            lead, longer = (vec, other.text) if len(record.text) <= len(other.text) else (stored[1], record.text)
            sims = [float(lead @ v) for v in self._passage_vectors(embedder, longer)]
            if not sims:
                return 0.0, 0
            i = int(np.argmax(sims))
            return sims[i], i + 2  # passages start at the second paragraph

        return best

    def _passage_vectors(self, embedder: embedding.Embedder, text: str) -> list[embedding.Vector]:
        """The vectors of ``embedding.passages(text)``, kept for the last few texts (the next
        article of a story meets the same candidates)."""
        key = stable_hash(text)
        if key in self._passages:
            self._passages.move_to_end(key)
            return self._passages[key]
        vectors = [embedder.embed("", p) for p in embedding.passages(text)]
        self.counters["dedup/passages_embedded"] += len(vectors)
        self._passages[key] = vectors
        if len(self._passages) > PASSAGE_CACHE:
            self._passages.popitem(last=False)
        return vectors
