"""The one path by which articles enter the database (crawler, ``import``, demo).

A record comes prepared (``storage.prepare``: storable text, language, content hash,
fingerprint, embedding, computed where it was extracted) or is prepared here.
For each record, in one transaction: validate, canonicalise the URL, drop exact duplicates
(canonical URL, normalised body), find the story via the ``StoryIndex``, insert the article,
update its story (when the article was verified as belonging to several stories, merge them
into the oldest: ``storage.stories.merge_stories``), then call the ``on_stored`` hooks (watch
matching and the alert outbox, wired in by app.py) so a match and its deliveries commit
together with the article or not at all. Uniqueness is enforced by the database too, so a
concurrent writer cannot double-store.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage import repository
from storage.dedup.fingerprint import Fingerprint
from storage.dedup.index import StoryIndex
from storage.models import Article, Story, StoryCopy, utcnow
from storage.prepare import cleaned, content_hash, embedding_by, prepare
from storage.records import ArticleRecord, IngestResult
from storage.stories import merge_stories
from storage.urls import canonicalize

log = logging.getLogger(__name__)


class StoredHook(Protocol):
    def __call__(self, session: Session, article: Article, new_story: bool) -> None: ...


# Work committed with one record's outcome, in its transaction (``Ingestor.ingest``'s ``then``).
Then = Callable[[Session, IngestResult], None]


class Ingestor:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        index: StoryIndex | None = None,
        on_stored: Sequence[StoredHook] = (),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.index = index if index is not None else StoryIndex()
        self.on_stored = list(on_stored)
        self.clock = clock
        self.counters: Counter[str] = Counter()
        self._bridged: tuple[int, list[int]] | None = None  # stories a dropped copy merged
        self._indexed: Callable[[], None] | None = None  # the stored article, for the index after commit
        self._outlets: dict[tuple[str, str | None], int] = {}  # (slug, name) -> outlet id; cleared on a failure

    def ingest(self, record: ArticleRecord, then: Then | None = None, session: Session | None = None) -> IngestResult:
        """Store ``record`` (or say why not); ``then`` runs in the same transaction, whatever the
        outcome (the cluster's ingest role deletes the staged row there: exactly once).

        With ``session``, in the caller's transaction (the cluster's ingest role commits a batch
        of staged rows at once): the index learns of the article at once, and the caller that
        rolls back must call ``forget``."""
        self._bridged = None
        self._indexed = None
        try:
            result = self._ingest(record, then, session)
        except BaseException:
            self._outlets.clear()  # an outlet created in the transaction rolled back is gone
            raise
        if self._bridged is not None:
            self.index.merged(*self._bridged)
        if self._indexed is not None:
            self._indexed()
        self.counters[result.reason] += 1
        return result

    def _ingest(self, record: ArticleRecord, then: Then | None, session: Session | None) -> IngestResult:
        if record.prepared is None:
            record = cleaned(record)  # the rest of ``prepare`` once the look-ups found no copy
        invalid = None
        if not record.text:
            invalid = IngestResult("invalid", "invalid/empty", record.url)
        elif urlsplit(record.url).scheme.lower() not in ("http", "https"):
            invalid = IngestResult("invalid", "invalid/url", record.url)
        with self._transaction(session) as tx:
            result = invalid or self._store(tx, record)
            if then is not None:
                then(tx, result)
        return result

    @contextmanager
    def _transaction(self, session: Session | None) -> Iterator[Session]:
        if session is not None:
            yield session
            return
        with self.sessions() as own, own.begin():
            yield own

    def _store(self, session: Session, record: ArticleRecord) -> IngestResult:
        text, language = record.text, record.language
        canonical = record.canonical_url or canonicalize(record.url)
        digest = record.prepared.content_hash if record.prepared is not None else content_hash(text)
        now = self.clock()
        published = record.published_at
        if published is not None and published > now:
            published = now  # a date in the future is a parsing error or a scheduled post
        record = _replace(record, published_at=published, canonical_url=canonical)
        when = published or now
        if repository.article_by_canonical_url(session, canonical) is not None:
            return IngestResult("duplicate", "dedup/url", record.url)
        copy = repository.article_by_content_hash(session, digest)
        if copy is not None:
            # Dropped, but its outlet family still counts for the copy, and it may bridge
            # the copy's story with its family's report in another language (the index
            # learns of the merge once it is committed: ``ingest``).
            self._bridged = self._merge_bridged(session, self.index.copy_seen(session, copy, record, when), now)
            self._record_copy(session, copy, record, now)
            story_id = self._bridged[0] if self._bridged is not None else copy.story_id
            return IngestResult("duplicate", "dedup/content", record.url, story_id=story_id)
        outlet_id = self._outlet_id(session, record)
        fp = self._fingerprint(record)
        candidates = (session.get(Story, i) for i in self.index.find_stories(session, record, fp, when))
        found = [s for s in candidates if s is not None]  # a story gone since is skipped
        story = found[0] if found else Story(title=record.title, created_at=now, updated_at=now)
        new_story = not found
        if new_story:
            session.add(story)
            session.flush()
        article = Article(
            outlet_id=outlet_id,
            story_id=story.id,
            url=record.url,
            canonical_url=canonical,
            title=record.title,
            text=text,
            language=language,
            author=record.author,
            published_at=published,
            date_source=(record.date_source or "import")[:20] if published is not None else None,
            fetched_at=record.fetched_at or now,
            created_at=now,
            content_hash=digest,
            fingerprint=fp.data,
            signals=fp.signals,
            embedding=fp.embedding,
            joined_by=self.index.last_joined_by if found else None,
        )
        try:
            with session.begin_nested():
                session.add(article)
                session.flush()
        except IntegrityError:
            log.info("concurrent duplicate of %s dropped", canonical)
            return IngestResult("duplicate", "dedup/race", record.url)
        if story.first_article_id is None:
            story.first_article_id = article.id
        story.article_count = (story.article_count or 0) + 1
        story.updated_at = now
        merged: list[int] = []
        if len(found) > 1:
            # The article belongs to several stories: one event whose first reports had
            # nothing in common. They become one story (the oldest), in this transaction
            # and only once the article is stored (a concurrent copy merges nothing).
            story = merge_stories(session, found, now)
            merged = [s.id for s in found if s.id != story.id]
            article.joined_by = {**(article.joined_by or {}), "merged stories": merged}
            log.info("stories %s merged into story %s", merged, story.id)
        for hook in self.on_stored:
            hook(session, article, new_story)
        article_id, sid = article.id, story.id

        def indexed() -> None:  # once committed: the index learns of the article and merges
            if merged:
                self.index.merged(sid, merged)
            self.index.add(article_id, sid, record, fp, when)

        self._indexed = indexed
        return IngestResult("stored", "stored", record.url, article_id, sid, new_story)

    def _fingerprint(self, record: ArticleRecord) -> Fingerprint:
        prepared = record.prepared
        if prepared is None:  # with the index's model, for the articles it finds worth it
            index = self.index
            embed = embedding_by(lambda: index.embedder, index.worth_embedding) if index.embedder else None
            prepared = prepare(record, embed).prepared
            assert prepared is not None  # the text is not empty
            self.counters["prepared/here"] += 1
        if prepared.embedding is not None:
            self.counters["dedup/embedded"] += 1
        return Fingerprint(prepared.fingerprint, prepared.signals, prepared.embedding)

    def _merge_bridged(self, session: Session, story_ids: list[int], now: datetime) -> tuple[int, list[int]] | None:
        """Merge the stories a dropped copy belongs to: (the story kept, the ones merged into it)."""
        stories = [s for s in (session.get(Story, i) for i in story_ids) if s is not None]
        if len(stories) < 2:
            return None
        kept = merge_stories(session, stories, now)
        merged = [s.id for s in stories if s.id != kept.id]
        log.info("stories %s merged into story %s by a dropped copy", merged, kept.id)
        return kept.id, merged

    def _record_copy(self, session: Session, copy: Article, record: ArticleRecord, now: datetime) -> None:
        """Record the dropped copy as a member of ``copy``'s story (``StoryCopy``): every outlet
        that ran the text is listed, and nothing alerts again. Seen again, it is recorded once."""
        canonical = record.canonical_url or canonicalize(record.url)
        if canonical == copy.canonical_url:
            return
        if session.scalar(select(StoryCopy.id).where(StoryCopy.canonical_url == canonical)) is not None:
            return
        entry = StoryCopy(
            article_id=copy.id,
            outlet_id=self._outlet_id(session, record),
            url=record.url,
            canonical_url=canonical,
            title=record.title,
            published_at=record.published_at,
            seen_at=now,
        )
        try:
            with session.begin_nested():
                session.add(entry)
                session.flush()
        except IntegrityError:
            return  # a concurrent writer recorded it
        self.counters["dedup/copy_recorded"] += 1
        log.info("%s recorded as a copy of article %s (story %s)", record.url, copy.id, copy.story_id)

    def _outlet_id(self, session: Session, record: ArticleRecord) -> int:
        """The outlet's row id: one query per outlet (and name) in this process, outlets are never
        deleted (``forget`` drops them when a transaction that may have created one rolls back)."""
        key = (record.outlet, record.outlet_name)
        if key not in self._outlets:
            self._outlets[key] = repository.get_or_create_outlet(session, record.outlet, record.outlet_name).id
        return self._outlets[key]

    def forget(self) -> None:
        """After a rollback this ingestor did not see (the caller's ``session``): what it learnt
        of the stored articles and outlets is read from the database again."""
        self._outlets.clear()
        index = self.index
        self.index = type(index)(index.window_seconds, index.embedder, index.worth_embedding)


def _replace(record: ArticleRecord, **changes: object) -> ArticleRecord:
    from dataclasses import replace

    return replace(record, **changes)  # type: ignore[arg-type]
