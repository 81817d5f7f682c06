"""The database schema (SQLAlchemy 2.0 typed models).

Alembic is the only path from these models to a database: change a model, then write a
migration (``alembic revision --autogenerate``); the migration tests run ``alembic check``.
Full-text search is schema the models cannot declare (an SQLite FTS5 table with triggers, a
PostgreSQL generated column and its index): migration 0002 creates it, ``storage.search``
uses it, and ``alembic/env.py`` leaves it out of the comparison (``SEARCH_OBJECTS``). A later
migration that rebuilds ``articles`` on SQLite (batch mode) drops the triggers with the old
table: it must create them again (``SQLITE_TRIGGERS`` in 0002); ``tests/storage/test_search``
fails otherwise.
Uniqueness that protects users from duplicates lives here as constraints, so a retry or a
second worker cannot create a duplicate article, match or delivery. Timestamps are stored as
UTC; ``UTCDateTime`` gives them back timezone-aware on SQLite too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.status import CrawlStatus, DeliveryStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None, timespec: str = "auto") -> str | None:
    """A stored timestamp as JSON output shows it (ISO 8601 with its zone); ``None`` stays ``None``."""
    return value.isoformat(timespec=timespec) if value else None


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; attach a timezone first")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumString(TypeDecorator[E]):
    """A ``StrEnum`` stored as its value in a plain VARCHAR (no database enum type, no CHECK:
    adding a member needs no migration); a value outside the enum is refused on write."""

    impl = String(20)
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Outlet(Base):
    __tablename__ = "outlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written by the daemon's scheduler, shown by `status`.
    next_crawl_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Story(Base):
    """One event, however many outlets and languages carried it."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    # The first article stored for the story (no FK: articles point here, avoid a cycle).
    first_article_id: Mapped[int | None] = mapped_column(Integer)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    articles: Mapped[list[Article]] = relationship(back_populates="story", order_by="Article.id")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_published_at", "published_at"),
        # Per outlet and time: an outlet's articles of the last day, per day, its latest one
        # (status, source health, the console's outlets page) read this index alone.
        Index("ix_articles_outlet_id_created_at", "outlet_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where ``published_at`` came from: the page ("metadata", "markup", "visible date", "text
    # guess", "dateline": ``crawler.extract.dates``), "feed or sitemap" (the item's date there),
    # "import" (the imported record); None without a date or for articles stored before 0010.
    date_source: Mapped[str | None] = mapped_column(String(20))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # sha256 of the normalised body: the same text is never stored twice.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Near-duplicate fingerprint (storage/dedup/fingerprint.py) and translation-proof signals
    # (storage/dedup/evidence.py).
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    signals: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Title-and-lead vector of the semantic route (``storage.dedup.embedding.pack``); None when the
    # article was not embedded (route off, or not worth it: ``dedup.semantic``).
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Why the article joined its story (route, similarity, shared anchors, the article it was
    # matched with); None for the first article of a story.
    joined_by: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Older than alerts.max_article_age when stored (first crawl, backfill): never alerts.
    alertable: Mapped[bool] = mapped_column(Boolean, default=True)

    outlet: Mapped[Outlet] = relationship()
    story: Mapped[Story] = relationship(back_populates="articles")


class StoryCopy(Base):
    """The same text as a stored article, seen at another address or outlet (a syndicated copy,
    a mirror). Ingest stores the text once; the copy is recorded here so that ``stories``, the
    console and alerts list every outlet that ran it. It belongs to the story of the article it
    copies (``article_id``), so it follows that article through story merges."""

    __tablename__ = "story_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    url: Mapped[str] = mapped_column(Text)
    # A copy seen again (the next crawl of its listing) is recorded once.
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship()
    outlet: Mapped[Outlet] = relationship()


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[CrawlStatus] = mapped_column(EnumString(CrawlStatus), default=CrawlStatus.RUNNING)
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    skipped_known: Mapped[int] = mapped_column(Integer, default=0)
    skipped_old: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    extract_empty: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    outlet: Mapped[Outlet] = relationship()
    failures: Mapped[list[CrawlFailure]] = relationship(back_populates="run", order_by="CrawlFailure.id")


class CrawlFailure(Base):
    """One page that failed during a crawl, with the reason (``http/404``, ``extract/empty``...).

    The table keeps its first name, ``crawl_errors``: renaming it would buy nothing but a migration.
    """

    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[CrawlRun] = relationship(back_populates="failures")


class FetchState(Base):
    """Validators for conditional requests of feeds and sitemaps (ETag / Last-Modified)."""

    __tablename__ = "fetch_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StagedArticle(Base):
    """Cluster mode: an article a crawl worker extracted, waiting for the ingest role, which
    stores it through ``storage.ingest`` and deletes this row in the same transaction. One row
    per canonical URL (a crawl job run twice stages nothing twice); arrival order is ``id``."""

    __tablename__ = "staged_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    outlet: Mapped[str] = mapped_column(String(100), index=True)  # the slug
    # The crawl run that found it: the ingest role adds its outcome to the run's counts.
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # ``storage.staging.record_to_json``
    staged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeenUrl(Base):
    """An article URL the crawler fetched or listed but did not store as an article of its own:
    a copy of a stored article under another URL (``duplicate``) or an item older than the
    crawl window (``old``). Skipped like a stored URL, so a second crawl downloads nothing."""

    __tablename__ = "seen_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), index=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FailedUrl(Base):
    """A URL of an outlet whose last fetch failed, and when it is tried again.

    An article page (``source`` false) is held back from the crawls until ``retry_at``, then
    fetched again even if no feed lists it any more; after the last delay of
    ``crawler.retry_failed_pages``, or at once for an answer that will not change (forbidden by
    robots.txt, not HTML), ``gave_up_at`` is set and it is never fetched again. A page stored
    later (or found to be a copy) loses its row. A feed, sitemap or listing page (``source``
    true) is read at every crawl regardless: its row says that it failed in the outlet's latest
    crawl, for how many crawls in a row (``attempts``), and goes when a crawl reads it.
    ``CrawlFailure`` keeps each crawl's failures as they happened; this is the state now.
    """

    __tablename__ = "failed_urls"
    # A listing page may also match the article pattern: as a source and as a page, two rows.
    __table_args__ = (UniqueConstraint("outlet_id", "source", "canonical_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    canonical_url: Mapped[str] = mapped_column(String(2000))
    url: Mapped[str] = mapped_column(Text)  # as discovered: what a retry requests
    source: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gave_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the feed or sitemap said of the item (a retry has no listing to read them from).
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listed_title: Mapped[str | None] = mapped_column(Text)

    outlet: Mapped[Outlet] = relationship()


class WatchMatch(Base):
    """An article matched a watch; ``alerted`` is false for later copies of an alerted story."""

    __tablename__ = "watch_matches"
    __table_args__ = (UniqueConstraint("article_id", "watch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    watch: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"text": ..., "spans": [[start, end], ...]}] as returned by the matcher
    snippets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    alerted: Mapped[bool] = mapped_column(Boolean, default=True)
    # "<story_id>/<watch>" on the one match that alerts for a story, NULL on the others: the
    # database, not a read-then-write race, guarantees one alert per story and watch.
    alert_key: Mapped[str | None] = mapped_column(String(250), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship()


class AlertDelivery(Base):
    """The outbox: one message to one channel, retried with the same id until done.

    ``kind`` is ``instant`` (one match), ``digest`` (many matches, listed in ``payload``),
    ``system`` (source health) or ``test``. The id doubles as the webhook-id and the email
    Message-ID, so a receiver can drop a redelivery after a crash.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("match_id", "channel"),
        UniqueConstraint("dedup_key", "channel"),
        Index("ix_alert_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="instant")
    match_id: Mapped[int | None] = mapped_column(ForeignKey("watch_matches.id"))
    # For digests and system alerts: a key that makes the same message unique per channel.
    dedup_key: Mapped[str | None] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(200))
    status: Mapped[DeliveryStatus] = mapped_column(EnumString(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set at the first failed attempt (+ alerts.retry_for); `alerts retry` clears it.
    retry_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The message as rendered when queued (subject, text, html, body, thread): every attempt
    # sends exactly this. Empty only until the first attempt renders it (e.g. a template failed).
    message: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The dispatcher sending it now (``host:pid/...``), which renews ``next_attempt_at`` as its
    # lease while it lives; cleared when the attempt is recorded.
    claimed_by: Mapped[str | None] = mapped_column(String(100))

    match: Mapped[WatchMatch | None] = relationship()
    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(back_populates="delivery", order_by="DeliveryAttempt.id")


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("alert_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)

    delivery: Mapped[AlertDelivery] = relationship(back_populates="attempt_log")


class ChannelState(Base):
    """A channel switched off by its endpoint (a webhook answered 410 Gone) until re-enabled."""

    __tablename__ = "channel_states"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)


class HealthIncident(Base):
    """An open or closed source-health problem; one system alert when opened, one when closed."""

    __tablename__ = "health_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # failing | silent | extraction
    detail: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    outlet: Mapped[Outlet] = relationship()


class DaemonHeartbeat(Base):
    """The running daemon's sign of life: written every ``interval`` seconds by a scheduled
    job (so it also proves the scheduler runs), ``stopped_at`` set at a clean stop. The web
    console's /healthz reads it."""

    __tablename__ = "daemon_heartbeats"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interval: Mapped[float] = mapped_column(Float)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Full-text search objects of migration 0002 that the models do not declare (see above).
SEARCH_OBJECTS = frozenset(
    {
        "articles_fts",
        "articles_fts_data",
        "articles_fts_idx",
        "articles_fts_docsize",
        "articles_fts_config",
        "ix_articles_search",
        "search_vector",
    }
)
