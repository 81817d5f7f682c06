"""The ``ingest`` role: the one writer of articles and stories in a cluster.

Story linking keeps an index in memory (``storage.dedup.StoryIndex``) that must see every
article stored before the next one is linked, so exactly one ingest process writes at a time:
it holds a PostgreSQL advisory lock (``INGEST_KEY``) on a dedicated connection. Run two: the
other is a standby that tries the lock every ``STANDBY_POLL`` seconds and takes over when the
holder dies (PostgreSQL frees a session's lock when its connection ends, kill -9 included),
loading the index from the database first.

The active one drains ``staged_articles`` in arrival order, waking on the workers' NOTIFY (and
every ``POLL`` seconds anyway), ``BATCH`` rows at a time: each row goes through the same
``storage.ingest`` path as in single-process mode (dedup, story, alert outbox; the record comes
prepared by the worker, ``storage.prepare``) and is deleted in the same transaction as the
article it stored, with its outcome added to the crawl run that found it (stored, duplicate,
or a failure row): exactly once, whoever dies when. One transaction holds a whole batch (one
commit and one claim of the rows per batch, not per article). It checks the lock's connection before
each batch and goes back to standby if that connection was lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict

import psycopg
from sqlalchemy import Connection, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from app import App
from cluster.health import Pulse
from cluster.names import INGEST_KEY
from cluster.queue import libpq_url
from cluster.roles import RoleContext
from cluster.status import lane_lag
from storage import repository, staging
from storage.ingest import Ingestor
from storage.models import CrawlFailure, CrawlRun, SeenUrl, StagedArticle, utcnow
from storage.records import IngestResult

log = logging.getLogger(__name__)

STANDBY_POLL = 1.0  # seconds between a standby's tries of the lock
POLL = 1.0  # seconds between looks at the staging table without a NOTIFY
BATCH = 100  # staged rows read at once
RETRY_AFTER = 2.0  # seconds to wait after the database failed under the lane


class LockLost(Exception):
    """The connection holding the ingest lock is gone: another process may hold it now."""


def run(ctx: RoleContext) -> None:
    ctx.health.details = lane_lag
    while not ctx.stop.is_set():
        lock = take_lock(ctx.app, ctx.stop, ctx.health.pulse)
        if lock is None:
            return
        try:
            log.info("ingest: active (%s holds the ingest lock)", ctx.name)
            ctx.health.pulse.beat(state="active")
            IngestLane(ctx.app, lock, ctx.health.pulse).run(ctx.stop)
        except LockLost:
            log.warning("ingest: the connection holding the ingest lock was lost: standing by again")
        finally:
            _release(lock)


def take_lock(app: App, stop: threading.Event, pulse: Pulse | None = None) -> Connection | None:
    """A connection holding the ingest lock, once it is free; None if ``stop`` came first."""
    said = False
    while not stop.is_set():
        if pulse is not None:
            pulse.beat(state="standby")
        try:
            conn = app.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": INGEST_KEY}).scalar()
            conn.commit()
        except OperationalError as exc:
            log.warning("ingest: cannot reach the database for the ingest lock: %s", str(exc).splitlines()[0])
            stop.wait(RETRY_AFTER)
            continue
        if got:
            return conn
        conn.close()
        if not said:
            log.info("ingest: standing by (another ingest process is active)")
            said = True
        stop.wait(STANDBY_POLL)
    return None


def _release(conn: Connection) -> None:
    try:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": INGEST_KEY})
        conn.commit()
        conn.close()
    except DBAPIError:
        conn.invalidate()  # the session (and its lock) is gone with the connection


class IngestLane:
    """The active ingester: staged rows -> ``storage.ingest`` -> deleted, a batch per transaction."""

    def __init__(self, app: App, lock: Connection, pulse: Pulse | None = None) -> None:
        self.app = app
        self.lock = lock
        self.pulse = pulse or Pulse()
        self.ingestor: Ingestor = app.ingestor()
        with app.sessions() as session:  # what the previous holder stored, merges included
            self.ingestor.index.load(session)

    def run(self, stop: threading.Event) -> None:
        with psycopg.connect(libpq_url(self.app.config.storage.database_url), autocommit=True) as listen:
            listen.execute(f"LISTEN {staging.CHANNEL}")
            while not stop.is_set():
                self.pulse.beat()
                self._check_lock()
                try:
                    done = self.drain_batch(stop)
                except OperationalError as exc:
                    log.warning("ingest: database error, retrying in %.0fs: %s", RETRY_AFTER, str(exc).splitlines()[0])
                    stop.wait(RETRY_AFTER)
                    continue
                if done < BATCH:
                    for _ in listen.notifies(timeout=POLL, stop_after=1):
                        pass

    def _check_lock(self) -> None:
        try:
            self.lock.execute(text("SELECT 1")).scalar()
            self.lock.commit()
        except DBAPIError as exc:
            raise LockLost() from exc

    def drain_batch(self, stop: threading.Event) -> int:
        """Ingest up to ``BATCH`` staged rows, oldest first, in one transaction; how many were read.

        The rows are claimed (deleted), their articles stored and their outcomes counted in that
        one transaction, so a crash stores all of them or none, and leaves none staged that was
        stored. When a row fails, the batch is rolled back and its rows are ingested one by one
        (``ingest_one``: the bad one becomes a failure row, the others are stored)."""
        with self.app.sessions() as session:
            rows = staging.next_batch(session, BATCH)
        if not rows or stop.is_set():
            return len(rows)
        try:
            self._ingest_together(rows)
        except OperationalError:
            self.ingestor.forget()  # the lane retries the batch
            raise
        except Exception:
            log.warning("ingest: a batch of %d staged rows failed: storing them one by one", len(rows), exc_info=True)
            self.ingestor.forget()
            for row in rows:
                if stop.is_set():
                    break
                self.ingest_one(row)
                self.pulse.beat()
        return len(rows)

    def _ingest_together(self, rows: list[StagedArticle]) -> None:
        started = time.monotonic()
        with self.app.sessions() as session, session.begin():
            claimed = staging.remove_many(session, [row.id for row in rows])
            counts = _Counts()
            for row in rows:
                if row.id not in claimed:
                    log.warning("ingest: staged row %s was ingested by another process meanwhile", row.id)
                    continue
                record = staging.record_from_json(row.record)
                result = self.ingestor.ingest(record, session=session)
                counts.add(session, row.crawl_run_id, record.outlet, row.canonical_url, result)
                self.pulse.beat()
            counts.write(session)
        log.debug("ingest: %d staged rows in %.3fs", len(rows), time.monotonic() - started)

    def ingest_one(self, row: StagedArticle) -> IngestResult:
        """One staged row in a transaction of its own (after its batch failed)."""
        record = staging.record_from_json(row.record)
        staged_id, run_id, canonical = row.id, row.crawl_run_id, row.canonical_url

        def then(session: Session, result: IngestResult) -> None:
            if not staging.remove(session, staged_id):
                raise _AlreadyIngested()  # another ingester did it (a lost lock): roll back ours
            _count(session, run_id, record.outlet, canonical, result)

        try:
            return self.ingestor.ingest(record, then)
        except _AlreadyIngested:
            log.warning("ingest: %s was ingested by another process meanwhile", record.url)
            return IngestResult("duplicate", "dedup/staged", record.url)
        except OperationalError:
            raise  # the database: the row stays staged, the lane retries
        except Exception as exc:  # one bad record never blocks the lane: it becomes a failure row
            log.exception("ingest: storing %s failed", record.url)
            failed = IngestResult("invalid", "store/error", record.url)
            with self.app.sessions.begin() as session:
                if staging.remove(session, staged_id):
                    _count(session, run_id, record.outlet, canonical, failed, f"{exc.__class__.__name__}: {exc}"[:300])
            return failed


class _AlreadyIngested(Exception):
    pass


class _Counts:
    """Ingest outcomes added to the crawl runs that found the articles (as single-process mode
    counts them), with one statement per run for a whole batch."""

    def __init__(self) -> None:
        self.runs: dict[int, Counter[str]] = defaultdict(Counter)

    def add(
        self, session: Session, run_id: int | None, outlet: str, canonical: str, result: IngestResult, detail: str = ""
    ) -> None:
        # A copy under another URL: remembered, so the next crawl does not fetch it again.
        copy = result.status == "duplicate" and result.reason == "dedup/content"
        if copy and session.scalar(select(SeenUrl.id).where(SeenUrl.canonical_url == canonical)) is None:
            row = repository.get_or_create_outlet(session, outlet)
            session.add(SeenUrl(outlet_id=row.id, canonical_url=canonical, reason="duplicate", seen_at=utcnow()))
        if run_id is None:
            return
        column = _COLUMN.get(result.status, "failed")
        self.runs[run_id][column] += 1
        if column == "failed":
            detail = detail or "the extracted article was not valid"
            session.add(CrawlFailure(run_id=run_id, url=result.url, reason=result.reason, detail=detail, at=utcnow()))

    def write(self, session: Session) -> None:
        for run_id, counts in self.runs.items():
            values = {name: getattr(CrawlRun, name) + n for name, n in counts.items()}
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))


_COLUMN = {"stored": "stored", "duplicate": "duplicates"}  # the crawl run's column; any other outcome failed


def _count(
    session: Session, run_id: int | None, outlet: str, canonical: str, result: IngestResult, detail: str = ""
) -> None:
    """Add one outcome to the crawl run that found the article."""
    counts = _Counts()
    counts.add(session, run_id, outlet, canonical, result, detail)
    counts.write(session)
