"""What an operator and a starting daemon do to deliveries, beside sending them.

``alerts list`` reads them (``list_deliveries``, ``delivery_summary``: status, attempts, the
dispatcher sending one now); ``alerts retry`` re-queues them with a fresh retry window and
re-enables their channels (``requeue``); a successful ``alerts test`` re-enables a channel
(``enable_channel``); the daemon, at start, makes sends a dead process claimed but never
recorded due again (``recover_interrupted``). The sending itself is ``alerts.dispatch``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.errors import UnknownDelivery
from alerts.notify import announce
from storage.browse.deliveries import matchless_title
from storage.models import AlertDelivery, ChannelState, DeliveryAttempt, utcnow
from storage.status import DeliveryStatus

log = logging.getLogger(__name__)


def enable_channel(sessions: sessionmaker[Session], channel: str) -> None:
    with sessions.begin() as session:
        session.execute(delete(ChannelState).where(ChannelState.name == channel))


def recover_interrupted(sessions: sessionmaker[Session], now: datetime | None = None) -> list[str]:
    """Make sends that a dead process claimed but never recorded due again now.

    The daemon calls this at start, holding the one-daemon lock: a claim with no recorded
    attempt (more ``attempts`` than ``DeliveryAttempt`` rows) belongs to a process that died
    mid-send, so waiting out its lease would only delay the alert. Each gets an attempt row
    saying so, and goes out again with the same id (receivers drop the duplicate, if the first
    send arrived). Returns the ids made due.
    """
    at = now or utcnow()
    recorded = (
        select(func.count(DeliveryAttempt.id)).where(DeliveryAttempt.delivery_id == AlertDelivery.id).scalar_subquery()
    )
    with sessions.begin() as session:
        found = session.scalars(
            select(AlertDelivery).where(
                AlertDelivery.status == DeliveryStatus.PENDING,
                AlertDelivery.next_attempt_at > at,
                AlertDelivery.attempts > recorded,
            )
        ).all()
        for d in found:
            error = "interrupted: the process stopped while sending (sent again with the same id)"
            session.add(DeliveryAttempt(delivery_id=d.id, at=at, ok=False, error=error, duration_ms=None))
            d.next_attempt_at, d.claimed_by = at, None
        ids = [d.id for d in found]
    if ids:
        log.info("%d deliveries were interrupted by a stop; sending them again: %s", len(ids), ", ".join(ids))
    return ids


def requeue(sessions: sessionmaker[Session], ids: Sequence[str] = (), now: datetime | None = None) -> list[str]:
    """Make deliveries due now with a fresh retry window; re-enable their channels.

    With ``ids``: those deliveries (pending ones waiting for a retry, failed or disabled ones;
    delivered ones are left alone). Without: every failed and disabled delivery.
    Returns the ids re-queued.
    """
    at = now or utcnow()
    with sessions.begin() as session:
        query = select(AlertDelivery)
        if ids:
            found = session.scalars(query.where(AlertDelivery.id.in_(list(ids)))).all()
            missing = sorted(set(ids) - {d.id for d in found})
            if missing:
                raise UnknownDelivery(missing)
        else:
            found = session.scalars(
                query.where(AlertDelivery.status.in_((DeliveryStatus.FAILED, DeliveryStatus.DISABLED)))
            ).all()
        chosen = [d for d in found if d.status != DeliveryStatus.DELIVERED and d.kind != "test"]
        for d in chosen:
            d.status, d.next_attempt_at, d.retry_until = DeliveryStatus.PENDING, at, None
        channels = {d.channel for d in chosen}
        if channels:
            session.execute(delete(ChannelState).where(ChannelState.name.in_(channels)))
            announce(session)
        return [d.id for d in chosen]


def list_deliveries(
    session: Session, failed_only: bool = False, limit: int | None = 100, ids: Sequence[str] = ()
) -> Sequence[AlertDelivery]:
    query = select(AlertDelivery).order_by(AlertDelivery.created_at.desc(), AlertDelivery.id)
    if failed_only:
        query = query.where(AlertDelivery.status.in_((DeliveryStatus.FAILED, DeliveryStatus.DISABLED)))
    if ids:
        query = query.where(AlertDelivery.id.in_(list(ids)))
    if limit:
        query = query.limit(limit)
    return session.scalars(query).all()


def delivery_summary(delivery: AlertDelivery) -> dict[str, Any]:
    """A delivery as ``alerts list`` shows it (and ``--json`` prints it), with its attempts."""
    if delivery.kind in ("instant", "update") and delivery.match is not None:
        update = "update: " if delivery.kind == "update" else ""
        summary = f"[{delivery.match.watch}] {update}{delivery.match.article.title}"
    else:
        summary = matchless_title(delivery)
    return {
        "id": delivery.id,
        "kind": delivery.kind,
        "channel": delivery.channel,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "summary": summary,
        "watch": delivery.match.watch if delivery.match is not None else None,
        "url": delivery.match.article.url if delivery.match is not None else None,
        "created_at": delivery.created_at.isoformat(),
        "next_attempt_at": delivery.next_attempt_at.isoformat() if delivery.status == DeliveryStatus.PENDING else None,
        "claimed_by": delivery.claimed_by,  # the dispatcher sending it now (next_attempt_at: its lease)
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        "last_error": delivery.last_error,
        "attempt_log": [
            {
                "at": a.at.isoformat(),
                "ok": a.ok,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in delivery.attempt_log
        ],
    }
