"""Everything /metrics reports, in a handful of grouped queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.browse.common import aware
from storage.browse.deliveries import pending_queue
from storage.models import (
    AlertDelivery,
    Article,
    CrawlRun,
    Outlet,
    Story,
)
from storage.status import CrawlStatus


@dataclass(frozen=True)
class Totals:
    """Everything /metrics reports, read in a handful of grouped queries."""

    crawls: dict[tuple[str, str], int]  # (outlet, status) -> runs
    articles: dict[str, int]  # outlet -> stored articles
    duplicates: dict[str, int]  # outlet -> duplicates seen by its crawls
    stories: int
    deliveries: dict[tuple[str, str], int]  # (channel, status) -> deliveries
    pending: int
    oldest_pending: datetime | None
    last_success: dict[str, datetime]  # outlet -> end of its last crawl that did not fail


def totals(session: Session) -> Totals:
    crawls = {
        (slug, str(status)): n
        for slug, status, n in session.execute(
            select(Outlet.slug, CrawlRun.status, func.count())
            .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
            .group_by(Outlet.slug, CrawlRun.status)
        )
    }
    articles = dict(
        session.execute(
            select(Outlet.slug, func.count()).join(Article, Article.outlet_id == Outlet.id).group_by(Outlet.slug)
        ).all()
    )
    duplicates = dict(
        session.execute(
            select(Outlet.slug, func.coalesce(func.sum(CrawlRun.duplicates), 0))
            .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
            .group_by(Outlet.slug)
        ).all()
    )
    succeeded = CrawlRun.status.in_((CrawlStatus.OK, CrawlStatus.PARTIAL))
    last = {
        slug: at
        for slug, at in session.execute(
            select(Outlet.slug, func.max(CrawlRun.finished_at))
            .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
            .where(succeeded)
            .group_by(Outlet.slug)
        )
        if at is not None
    }
    deliveries = {
        (channel, str(status)): n
        for channel, status, n in session.execute(
            select(AlertDelivery.channel, AlertDelivery.status, func.count()).group_by(
                AlertDelivery.channel, AlertDelivery.status
            )
        )
    }
    pending, oldest = pending_queue(session)
    return Totals(
        crawls,
        articles,
        {k: int(v) for k, v in duplicates.items()},
        session.scalar(select(func.count()).select_from(Story)) or 0,
        deliveries,
        pending,
        oldest,
        {k: aware(v) for k, v in last.items()},
    )
