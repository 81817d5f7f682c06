"""Alert deliveries: the alerts page, one delivery with its attempts, counts and the pending queue."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.browse.common import aware
from storage.models import (
    AlertDelivery,
    Article,
    DeliveryAttempt,
    WatchMatch,
)
from storage.status import DeliveryStatus


@dataclass(frozen=True)
class AttemptLine:
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int | None


@dataclass(frozen=True)
class DeliveryLine:
    id: str
    kind: str
    channel: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    watch: str | None
    story_id: int | None
    article_id: int | None
    title: str  # the article's title, the digest's period, the system alert's subject
    attempt_log: tuple[AttemptLine, ...] = ()


def deliveries(
    session: Session,
    channel: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[DeliveryLine]:
    query = (
        select(AlertDelivery, WatchMatch.watch, WatchMatch.story_id, Article.id, Article.title)
        .outerjoin(WatchMatch, WatchMatch.id == AlertDelivery.match_id)
        .outerjoin(Article, Article.id == WatchMatch.article_id)
        .order_by(AlertDelivery.created_at.desc(), AlertDelivery.id)
        .limit(limit)
    )
    if channel:
        query = query.where(AlertDelivery.channel == channel)
    if status:
        query = query.where(AlertDelivery.status == status)
    if kind:
        query = query.where(AlertDelivery.kind == kind)
    return [
        _delivery_line(d, watch, story_id, article_id, title)
        for d, watch, story_id, article_id, title in session.execute(query)
    ]


def delivery(session: Session, delivery_id: str) -> DeliveryLine | None:
    found = session.get(AlertDelivery, delivery_id)
    if found is None:
        return None
    match = found.match
    attempts = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id).order_by(DeliveryAttempt.id)
    )
    log = tuple(AttemptLine(a.at, a.ok, a.status_code, a.error, a.duration_ms) for a in attempts)
    return _delivery_line(
        found,
        match.watch if match else None,
        match.story_id if match else None,
        match.article_id if match else None,
        match.article.title if match else None,
        log,
    )


def matchless_title(d: AlertDelivery) -> str:
    """What a delivery that carries no single article is about (the console's alerts page and
    ``alerts list`` both say it so): a digest's period and size, a system message's subject, a test."""
    payload = d.payload or {}
    if d.kind == "digest":
        return f"{payload.get('period', '')} digest: {len(payload.get('match_ids', []))} stories"
    if d.kind == "system":
        return str(payload.get("subject", ""))
    return "test message"


def _delivery_line(
    d: AlertDelivery,
    watch: str | None,
    story_id: int | None,
    article_id: int | None,
    title: str | None,
    log: tuple[AttemptLine, ...] = (),
) -> DeliveryLine:
    if title is None:
        title = matchless_title(d)
    return DeliveryLine(
        d.id,
        d.kind,
        d.channel,
        d.status,
        d.attempts,
        d.created_at,
        d.next_attempt_at if d.status == DeliveryStatus.PENDING else None,
        d.delivered_at,
        d.last_error,
        watch,
        story_id,
        article_id,
        title,
        log,
    )


def delivery_counts(session: Session) -> dict[str, Counter[str]]:
    """Per channel: deliveries by status."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    query = select(AlertDelivery.channel, AlertDelivery.status, func.count()).group_by(
        AlertDelivery.channel, AlertDelivery.status
    )
    for channel, status, n in session.execute(query):
        counts[channel][status] = n
    return dict(sorted(counts.items()))


def pending_queue(session: Session) -> tuple[int, datetime | None]:
    """How many deliveries wait to be sent, and since when the oldest waits."""
    depth, oldest = session.execute(
        select(func.count(), func.min(AlertDelivery.created_at)).where(AlertDelivery.status == DeliveryStatus.PENDING)
    ).one()
    return int(depth), aware(oldest) if oldest is not None else None
