"""URLs that failed, and when each is tried again (the ``failed_urls`` table).

A crawl asks, per outlet, which article URLs to hold back (``held``: waiting for their retry
time, or given up) and which are due again (``due``: fetched even if no feed lists them any
more, so a retry never waits for a feed to change). After the crawl it records what happened:
``record_page_failures`` (one more attempt; the next retry from ``Backoff``, or given up),
``resolve`` (stored after all: the row goes) and ``record_source_failures`` (the feeds,
sitemaps and listings that failed in this crawl; those are read at every crawl anyway).
``failing`` is what ``run.py crawl-errors`` and ``status NAME`` show; ``retry_now`` makes pages
due again (``crawl-errors --retry``, robots refusals once ``crawler.obey_robots`` is off).

The schedule is the caller's (``crawler.retry_failed_pages``, and which reasons are given up at
once): this module only stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import FailedUrl, Outlet

# (reason, attempts so far including this one) -> seconds until the next try, or None: give up.
Backoff = Callable[[str, int], float | None]


@dataclass(frozen=True)
class PageFailure:
    """One article page that failed in a crawl."""

    url: str
    canonical_url: str
    reason: str
    detail: str
    listed_at: datetime | None = None
    listed_title: str | None = None


@dataclass(frozen=True)
class Due:
    """An article URL whose retry time has come: fetched again in this crawl."""

    url: str
    canonical_url: str
    listed_at: datetime | None
    listed_title: str | None


@dataclass(frozen=True)
class Outcome:
    """What a recorded failure means for the URL now (shown in ``crawl``'s list)."""

    attempts: int
    retry_at: datetime | None  # None: given up (``gave_up_at`` set)


def held_and_due(
    session: Session, outlet_id: int, same_hosts: ColumnElement[bool], now: datetime
) -> tuple[frozenset[str], list[Due]]:
    """Article URLs to skip in this crawl, and this outlet's URLs to fetch again now.

    ``same_hosts`` selects the rows on the outlet's hosts (two outlets may share a site, like
    seen URLs): another outlet's failing URL is held here too, and retried by its own outlet."""
    held: set[str] = set()
    due: list[Due] = []
    query = select(FailedUrl).where(FailedUrl.source.is_(False), or_(FailedUrl.outlet_id == outlet_id, same_hosts))
    for row in session.scalars(query):
        if row.outlet_id == outlet_id and row.gave_up_at is None and row.retry_at is not None and row.retry_at <= now:
            due.append(Due(row.url, row.canonical_url, row.listed_at, row.listed_title))
        else:
            held.add(row.canonical_url)
    return frozenset(held), due


def record_page_failures(
    session: Session, outlet_id: int, failures: Iterable[PageFailure], now: datetime, backoff: Backoff
) -> dict[str, Outcome]:
    """One more failed attempt for each URL; returns, per canonical URL, its state now."""
    by_url = {f.canonical_url: f for f in failures}
    rows = _rows(session, outlet_id, list(by_url), source=False)
    outcomes = {}
    for canonical, failure in by_url.items():
        row = rows.get(canonical)
        if row is None:
            row = FailedUrl(
                outlet_id=outlet_id,
                canonical_url=canonical,
                url=failure.url,
                source=False,
                attempts=0,
                first_failed_at=now,
                listed_at=failure.listed_at,
                listed_title=failure.listed_title,
            )
            session.add(row)
        row.attempts += 1
        row.reason = failure.reason[:100]
        row.detail = failure.detail
        row.last_failed_at = now
        delay = backoff(failure.reason, row.attempts)
        row.retry_at = None if delay is None else now + timedelta(seconds=delay)
        row.gave_up_at = now if delay is None else None
        outcomes[canonical] = Outcome(row.attempts, row.retry_at)
    return outcomes


def record_source_failures(
    session: Session,
    outlet_id: int,
    failures: Iterable[tuple[str, str, str, str]],
    now: datetime,
    complete: bool = True,
) -> dict[str, int]:
    """The outlet's sources that failed in the crawl just finished, as ``(url, canonical URL,
    reason, detail)``; returns, per canonical URL, the crawls in a row it failed. When the
    crawl was ``complete`` (it did not stop early), the rows of the other sources go: they
    were read, or are no longer declared."""
    by_url = {canonical: (url, reason, detail) for url, canonical, reason, detail in failures}
    rows = {row.canonical_url: row for row in _outlet_rows(session, outlet_id, source=True)}
    for canonical, old in rows.items():
        if complete and canonical not in by_url:
            session.delete(old)
    for canonical, (url, reason, detail) in by_url.items():
        row = rows.get(canonical)
        if row is None:
            row = FailedUrl(outlet_id=outlet_id, canonical_url=canonical, source=True, attempts=0, first_failed_at=now)
            session.add(row)
        row.url, row.reason, row.detail = url, reason[:100], detail
        row.attempts += 1
        row.last_failed_at = now
    return {canonical: rows[canonical].attempts if canonical in rows else 1 for canonical in by_url}


def retry_now(
    session: Session,
    now: datetime,
    outlet_id: int | None = None,
    reasons: Sequence[str] | None = None,
    since: datetime | None = None,
) -> int:
    """Pages waiting or given up become due at ``now`` (their attempts are kept, so one that
    fails again past the schedule is given up again at once); returns how many."""
    query = update(FailedUrl).where(FailedUrl.source.is_(False)).values(retry_at=now, gave_up_at=None)
    if outlet_id is not None:
        query = query.where(FailedUrl.outlet_id == outlet_id)
    if reasons is not None:
        query = query.where(FailedUrl.reason.in_(reasons))
    if since is not None:
        query = query.where(FailedUrl.last_failed_at >= since)
    done = session.execute(query.execution_options(synchronize_session=False))
    return int(getattr(done, "rowcount", 0) or 0)  # a CursorResult's


def resolve(session: Session, outlet_id: int, canonical_urls: Iterable[str]) -> None:
    """These article URLs were stored (or found to be copies of stored articles): no longer failing."""
    urls = list(canonical_urls)
    for i in range(0, len(urls), 500):
        session.execute(
            delete(FailedUrl).where(
                FailedUrl.outlet_id == outlet_id,
                FailedUrl.source.is_(False),
                FailedUrl.canonical_url.in_(urls[i : i + 500]),
            )
        )


def failing(
    session: Session, outlet: str | None = None, since: datetime | None = None, limit: int | None = None
) -> Sequence[FailedUrl]:
    """URLs failing now (pages waiting for a retry or given up, sources that failed in their
    outlet's latest crawl), the most recent failure first."""
    query = (
        select(FailedUrl)
        .options(selectinload(FailedUrl.outlet))
        .order_by(FailedUrl.last_failed_at.desc(), FailedUrl.id.desc())
    )
    if outlet is not None:
        query = query.join(Outlet).where(Outlet.slug == outlet)
    if since is not None:
        query = query.where(FailedUrl.last_failed_at >= since)
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def _rows(session: Session, outlet_id: int, canonical_urls: list[str], source: bool) -> dict[str, FailedUrl]:
    rows: dict[str, FailedUrl] = {}
    for i in range(0, len(canonical_urls), 500):
        query = select(FailedUrl).where(
            FailedUrl.outlet_id == outlet_id,
            FailedUrl.source.is_(source),
            FailedUrl.canonical_url.in_(canonical_urls[i : i + 500]),
        )
        rows.update((row.canonical_url, row) for row in session.scalars(query))
    return rows


def _outlet_rows(session: Session, outlet_id: int, source: bool) -> Sequence[FailedUrl]:
    return session.scalars(
        select(FailedUrl).where(FailedUrl.outlet_id == outlet_id, FailedUrl.source.is_(source))
    ).all()
