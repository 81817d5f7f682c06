"""Digests: one message per period and channel listing the new stories of digest watches.

A watch with ``mode = "digest"`` gets its matches recorded by the outbox but no message of its
own. ``enqueue_digests`` (called by the daemon every few minutes, and by ``alerts send``) looks,
for each channel and period kind (``digest = "hourly"`` or ``"daily"``), at the last period that
has ended: hourly on the hour, daily at ``alerts.digest_time`` in ``alerts.timezone``. It
queues one ``digest`` delivery listing every alerting match (one per story and watch) since
the previous digest of that channel, grouped by watch. The key ``digest/<period>/<end>`` is
unique per channel, so a period is never sent twice, and because each digest starts where the
previous one ended, a daemon that was down at the period's end loses nothing. Periods without
new stories send nothing. Reads ``[alerts] timezone``, ``digest_time`` and ``[watches.*]``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from alerts.notify import announce
from alerts.outbox import pending_delivery
from config import Config
from storage.models import AlertDelivery, WatchMatch, utcnow

log = logging.getLogger(__name__)

PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}
# A match committed just after a period's end may carry a time just before it: wait a little.
GRACE = timedelta(minutes=1)
MAX_LOOKBACK = timedelta(days=7)


def period_end(period: str, now: datetime, zone: ZoneInfo, digest_time: str = "08:00") -> datetime:
    """The end of the last ``period`` that ended at or before ``now`` (aware, in ``zone``)."""
    local = now.astimezone(zone)
    if period == "hourly":
        return local.replace(minute=0, second=0, microsecond=0)
    hour, minute = (int(part) for part in digest_time.split(":"))
    end = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if end > local:
        end = datetime.combine(local.date() - timedelta(days=1), time(hour, minute), tzinfo=zone)
    return end


def enqueue_digests(sessions: sessionmaker[Session], config: Config, now: datetime | None = None) -> list[str]:
    """Queue the digests whose period has ended; return the ids of the deliveries created."""
    now = now or utcnow()
    zone = ZoneInfo(config.alerts.timezone)
    groups: dict[tuple[str, str], list[str]] = {}
    for watch in config.watches:
        if watch.enabled and watch.mode == "digest":
            for channel in watch.channels:
                groups.setdefault((channel, watch.digest), []).append(watch.name)
    created = []
    for (channel, period), watches in sorted(groups.items()):
        end = period_end(period, now - GRACE, zone, config.alerts.digest_time).astimezone(UTC)
        key = f"digest/{period}/{end.isoformat()}"
        with sessions.begin() as session:
            delivery_id = _enqueue(session, channel, period, watches, end, key, now)
        if delivery_id:
            created.append(delivery_id)
    return created


def _enqueue(
    session: Session, channel: str, period: str, watches: list[str], end: datetime, key: str, now: datetime
) -> str | None:
    exists = select(AlertDelivery.id).where(AlertDelivery.dedup_key == key, AlertDelivery.channel == channel)
    if session.scalar(exists) is not None:
        return None
    previous = session.scalars(
        select(AlertDelivery)
        .where(
            AlertDelivery.kind == "digest",
            AlertDelivery.channel == channel,
            AlertDelivery.dedup_key.like(f"digest/{period}/%"),
        )
        .order_by(AlertDelivery.created_at.desc())
        .limit(1)
    ).first()
    start = end - PERIODS[period]
    if previous is not None and previous.payload and previous.payload.get("end"):
        start = max(datetime.fromisoformat(previous.payload["end"]), end - MAX_LOOKBACK)
    if start >= end:
        return None
    match_ids = session.scalars(
        select(WatchMatch.id)
        .where(
            WatchMatch.watch.in_(watches),
            WatchMatch.alerted.is_(True),
            WatchMatch.created_at >= start,
            WatchMatch.created_at < end,
        )
        .order_by(WatchMatch.id)
    ).all()
    if not match_ids:
        return None
    delivery = pending_delivery(
        "digest",
        channel,
        now,
        dedup_key=key,
        payload={
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "watches": sorted(watches),
            "match_ids": list(match_ids),
        },
    )
    try:
        with session.begin_nested():
            session.add(delivery)
            session.flush()
    except IntegrityError:
        return None  # another process queued this digest at the same moment
    announce(session)
    log.info("digest %s for %s: %d stories", key, channel, len(match_ids))
    return delivery.id
