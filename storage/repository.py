"""Repository functions: each takes the session first and never commits (the caller does)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage.models import Article, CrawlRun, FetchState, Outlet, utcnow
from storage.status import CrawlStatus


def get_or_create_outlet(session: Session, slug: str, name: str | None = None, language: str | None = None) -> Outlet:
    """The outlet's row, created if missing. Processes sharing a database (a cluster's control
    tick, its health check, workers and ingesters at first start) may create it at once: the
    one whose insert loses to the unique slug reads the winner's row."""
    outlet = session.scalar(select(Outlet).where(Outlet.slug == slug))
    if outlet is None:
        try:
            with session.begin_nested():
                outlet = Outlet(slug=slug, name=name or slug, language=language or None)
                session.add(outlet)
                session.flush()
            return outlet
        except IntegrityError:
            outlet = session.scalars(select(Outlet).where(Outlet.slug == slug)).one()
    if (name and outlet.name != name) or (language and outlet.language != language):
        outlet.name = name or outlet.name
        outlet.language = language or outlet.language
    return outlet


def article_by_canonical_url(session: Session, url: str) -> Article | None:
    return session.scalar(select(Article).where(Article.canonical_url == url))


def article_by_content_hash(session: Session, content_hash: str) -> Article | None:
    return session.scalar(select(Article).where(Article.content_hash == content_hash))


def list_articles(
    session: Session, limit: int | None = 50, since: datetime | None = None, outlet: str | None = None
) -> Sequence[Article]:
    query = (
        select(Article)
        .options(selectinload(Article.outlet))
        .order_by(func.coalesce(Article.published_at, Article.created_at).desc(), Article.id.desc())
    )
    if since is not None:
        query = query.where(func.coalesce(Article.published_at, Article.created_at) >= since)
    if outlet is not None:
        query = query.join(Outlet).where(Outlet.slug == outlet)
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def article_counts_by_outlet(session: Session, since: datetime | None = None) -> dict[str, int]:
    query = select(Outlet.slug, func.count(Article.id)).join(Article, Article.outlet_id == Outlet.id)
    if since is not None:
        query = query.where(Article.created_at >= since)
    return {slug: count for slug, count in session.execute(query.group_by(Outlet.slug))}


def start_crawl_run(session: Session, outlet: Outlet, now: datetime | None = None) -> CrawlRun:
    run = CrawlRun(outlet_id=outlet.id, started_at=now or utcnow(), status=CrawlStatus.RUNNING)
    session.add(run)
    session.flush()
    return run


def get_fetch_state(session: Session, url: str) -> FetchState | None:
    return session.scalar(select(FetchState).where(FetchState.url == url))


def set_fetch_state(session: Session, url: str, etag: str | None, last_modified: str | None) -> None:
    state = get_fetch_state(session, url)
    if state is None:
        session.add(FetchState(url=url, etag=etag, last_modified=last_modified, checked_at=utcnow()))
    else:
        state.etag, state.last_modified, state.checked_at = etag, last_modified, utcnow()


def articles_by_id(session: Session, ids: list[int]) -> dict[int, Article]:
    """The articles with these ids, read in one query (an article gone since is missing): the
    candidates the story index checks a new article against, one round trip to the database
    instead of one per candidate (the ingest lane's time is mostly round trips:
    ``bench/cluster_bench.py``)."""
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
