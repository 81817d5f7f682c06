"""Outlets: each one's health and counts, its recent crawl runs and failures, and daily activity for the charts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from storage import health
from storage.models import (
    Article,
    CrawlFailure,
    CrawlRun,
    Outlet,
)


@dataclass(frozen=True)
class OutletLine:
    slug: str
    name: str
    health: health.OutletHealth
    articles: int
    articles_24h: int
    next_crawl_at: datetime | None = None  # while a daemon schedules it


@dataclass(frozen=True)
class CrawlLine:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    discovered: int
    fetched: int
    stored: int
    duplicates: int
    extract_empty: int
    failed: int
    error: str | None


@dataclass(frozen=True)
class FailureLine:
    run_id: int
    at: datetime
    url: str
    reason: str
    detail: str | None


@dataclass(frozen=True)
class Activity:
    """Per day (UTC): articles stored and crawls by outcome, for one outlet's chart."""

    days: tuple[date, ...]
    articles: dict[date, int] = field(default_factory=dict)
    crawls: dict[date, Counter[str]] = field(default_factory=dict)


def outlets(session: Session, since_24h: datetime) -> list[OutletLine]:
    rows = session.scalars(select(Outlet).order_by(Outlet.slug)).all()
    totals = dict(session.execute(select(Article.outlet_id, func.count()).group_by(Article.outlet_id)).all())
    recent = dict(
        session.execute(
            select(Article.outlet_id, func.count()).where(Article.created_at >= since_24h).group_by(Article.outlet_id)
        ).all()
    )
    return [
        OutletLine(
            o.slug, o.name, health.outlet_health(session, o), totals.get(o.id, 0), recent.get(o.id, 0), o.next_crawl_at
        )
        for o in rows
    ]


def outlet_by_slug(session: Session, slug: str) -> OutletLine | None:
    row = session.scalar(select(Outlet).where(Outlet.slug == slug))
    if row is None:
        return None
    total = session.scalar(select(func.count()).where(Article.outlet_id == row.id)) or 0
    return OutletLine(row.slug, row.name, health.outlet_health(session, row), total, 0, row.next_crawl_at)


def crawl_runs(session: Session, slug: str, limit: int = 20) -> list[CrawlLine]:
    query = (
        select(CrawlRun)
        .join(Outlet, Outlet.id == CrawlRun.outlet_id)
        .where(Outlet.slug == slug)
        .order_by(CrawlRun.id.desc())
        .limit(limit)
    )
    return [
        CrawlLine(
            r.id,
            r.started_at,
            r.finished_at,
            r.status,
            r.discovered,
            r.fetched,
            r.stored,
            r.duplicates,
            r.extract_empty,
            r.failed,
            r.error,
        )
        for r in session.scalars(query)
    ]


def crawl_failures(session: Session, slug: str, limit: int = 50) -> list[FailureLine]:
    """The outlet's most recent failed pages, with their URLs and reasons."""
    query = (
        select(CrawlFailure)
        .join(CrawlRun, CrawlRun.id == CrawlFailure.run_id)
        .join(Outlet, Outlet.id == CrawlRun.outlet_id)
        .where(Outlet.slug == slug)
        .order_by(CrawlFailure.id.desc())
        .limit(limit)
    )
    return [FailureLine(e.run_id, e.at, e.url, e.reason, e.detail) for e in session.scalars(query)]


def activity(session: Session, days: Sequence[date]) -> dict[str, Activity]:
    """Per outlet slug: articles stored per day and crawls per day by status, over ``days``."""
    if not days:
        return {}
    start = datetime(days[0].year, days[0].month, days[0].day, tzinfo=UTC)
    dialect = session.get_bind().dialect.name
    result: dict[str, Activity] = {}

    def of(slug: str) -> Activity:
        return result.setdefault(slug, Activity(tuple(days)))

    article_day = _day(Article.created_at, dialect)
    query = (
        select(Outlet.slug, article_day, func.count())
        .join(Article, Article.outlet_id == Outlet.id)
        .where(Article.created_at >= start)
        .group_by(Outlet.slug, article_day)
    )
    for slug, day, n in session.execute(query):
        of(slug).articles[date.fromisoformat(str(day))] = n
    crawl_day = _day(CrawlRun.started_at, dialect)
    query2 = (
        select(Outlet.slug, crawl_day, CrawlRun.status, func.count())
        .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
        .where(CrawlRun.started_at >= start)
        .group_by(Outlet.slug, crawl_day, CrawlRun.status)
    )
    for slug, day, status, n in session.execute(query2):
        of(slug).crawls.setdefault(date.fromisoformat(str(day)), Counter())[status] = n
    return result


def _day(column: Any, dialect: str) -> ColumnElement[str]:
    """The UTC day of a stored timestamp as YYYY-MM-DD, in SQL."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # SQLite keeps UTC timestamps as ISO text
