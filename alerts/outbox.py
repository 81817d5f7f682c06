"""The outbox: match a freshly stored article and record what must be sent, in its transaction.

``Outbox`` is an ingest hook (``storage.ingest.StoredHook``): it runs inside the transaction
that stores the article, so the article, its ``WatchMatch`` rows and one pending
``AlertDelivery`` per channel of each instant watch commit together or not at all. Sending is
the dispatcher's job (``alerts.dispatch``); nothing here does I/O beyond the session.

Rules:
- one alert per story and watch: the first matching article of a story alerts; later articles
  of the same story get a match with ``alerted=False`` (digests list them as "also reported
  by"). A unique ``alert_key`` makes this hold even for two writers at once.
- no flood: an article published more than ``alerts.max_article_age`` ago (first crawl of an
  outlet, back-fill after an outage) is stored and matched but never alerts. An article
  without a date counts as new.
- digest watches (``mode = "digest"``) get their match recorded; ``alerts.digest`` collects
  them into one message per period.
- each message is rendered here, in the same transaction, and stored with its delivery: every
  attempt sends it unchanged. A template that fails leaves it to the first attempt, which
  records the error.
- a later article of an alerted story is recorded and sends nothing, unless the watch says
  ``updates = true``: then it queues one follow-up (kind ``update``) per channel, threaded with
  the first alert ("also reported by" never changes a queued message or a retry).

Also here: ``enqueue_system_alert`` for operator messages (source health) and
``new_delivery_id``. Whatever queues deliveries also ``announce``s them (``alerts.notify``):
on PostgreSQL, dispatchers listening anywhere wake when the transaction commits.
Reads ``[alerts] max_article_age`` and ``[watches.*]``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.notify import announce
from alerts.readable import found_terms
from alerts.render import Renderer
from alerts.watches import Matcher, WatchHit
from config import AlertsConfig, Config, WatchConfig
from storage.models import AlertDelivery, Article, WatchMatch, utcnow
from storage.status import DeliveryStatus

log = logging.getLogger(__name__)


def new_delivery_id() -> str:
    """A delivery id, also the webhook-id and (with a domain) the email Message-ID."""
    return f"msg_{uuid.uuid4().hex}"


def pending_delivery(
    kind: str,
    channel: str,
    now: datetime,
    *,
    match_id: int | None = None,
    dedup_key: str | None = None,
    payload: dict[str, Any] | None = None,
    delivery_id: str | None = None,
) -> AlertDelivery:
    """A delivery due now, not yet attempted: the one shape every kind of alert is queued in."""
    return AlertDelivery(
        id=delivery_id or new_delivery_id(),
        kind=kind,
        match_id=match_id,
        dedup_key=dedup_key,
        channel=channel,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        payload=payload,
    )


class Outbox:
    """The ingest hook that turns matches into pending deliveries."""

    def __init__(
        self,
        matcher: Matcher,
        watches: Sequence[WatchConfig],
        alerts: AlertsConfig,
        renderer: Renderer,
        clock: Callable[[], datetime] = utcnow,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.matcher = matcher
        # The configured renderer (user templates, timezone, labels): messages are rendered here.
        self.renderer = renderer
        self.watches = {w.name: w for w in watches if w.enabled}
        self.max_age = timedelta(seconds=alerts.max_article_age)
        self.clock = clock
        # Called after the transaction that created deliveries commits: wakes the dispatcher
        # so an alert goes out in well under a dispatch interval.
        self.on_enqueued = on_enqueued

    @classmethod
    def from_config(cls, config: Config, on_enqueued: Callable[[], None] | None = None) -> Outbox:
        matcher = Matcher.from_config(config.watches, config.lists)
        renderer = Renderer.from_config(config)
        return cls(matcher, config.watches, config.alerts, renderer, on_enqueued=on_enqueued)

    def __call__(self, session: Session, article: Article, new_story: bool) -> None:
        now = self.clock()
        fresh = article.published_at is None or article.published_at >= now - self.max_age
        article.alertable = fresh
        hits = self.matcher.match(article.title, article.text, article.language)
        queued: list[AlertDelivery] = []
        for hit in hits:
            watch = self.watches.get(hit.watch)
            if watch is None:
                continue
            already = not new_story and story_alerted(session, article.story_id, hit.watch)
            match = self._record_match(session, article, hit, alert=fresh and not already, now=now)
            if watch.mode != "instant":
                continue
            kind = "instant" if match.alerted else "update" if already and fresh and watch.updates else None
            if kind is not None:
                queued += [pending_delivery(kind, channel, now, match_id=match.id) for channel in watch.channels]
        enqueued = len(queued)
        if queued:
            session.add_all(queued)
            session.flush()
            self._render(session, queued)
            announce(session)
            if self.on_enqueued is not None:
                callback = self.on_enqueued
                event.listen(session, "after_commit", lambda _s: callback(), once=True)
        if hits:
            log.debug("article %s matched %s (%d deliveries)", article.id, [h.watch for h in hits], enqueued)

    def _render(self, session: Session, deliveries: Sequence[AlertDelivery]) -> None:
        for delivery in deliveries:
            try:
                delivery.message = self.renderer.render_delivery(session, delivery).to_json()
            except Exception as exc:  # a user template's mistake must not lose the article
                log.warning("cannot render delivery %s now (its first attempt will record why): %s", delivery.id, exc)

    def _record_match(
        self, session: Session, article: Article, hit: WatchHit, alert: bool, now: datetime
    ) -> WatchMatch:
        def build(alerted: bool) -> WatchMatch:
            return WatchMatch(
                article_id=article.id,
                story_id=article.story_id,
                watch=hit.watch,
                score=hit.score,
                terms=found_terms(hit.terms, article.title or "", article.text),
                snippets=[{"text": s.text, "spans": [list(span) for span in s.spans]} for s in hit.snippets],
                alerted=alerted,
                alert_key=f"{article.story_id}/{hit.watch}" if alerted else None,
                created_at=now,
            )

        if alert:
            match = build(True)
            try:
                with session.begin_nested():
                    session.add(match)
                    session.flush()
                return match
            except IntegrityError:
                # Another writer alerted this story for this watch first: record, don't alert.
                log.info("story %s already alerted for %s; match recorded without alert", article.story_id, hit.watch)
        match = build(False)
        session.add(match)
        session.flush()
        return match


def story_alerted(session: Session, story_id: int, watch: str) -> bool:
    """Has this story already alerted for this watch?"""
    key = f"{story_id}/{watch}"
    return session.scalar(select(WatchMatch.id).where(WatchMatch.alert_key == key)) is not None


def enqueue_system_alert(
    session: Session,
    channels: Iterable[str],
    subject: str,
    text: str,
    dedup_key: str,
    now: datetime | None = None,
) -> list[str]:
    """Queue an operator message (e.g. "outlet X has been failing for 3 crawls") to ``channels``.

    Runs in the caller's transaction. ``dedup_key`` makes it unique per channel: enqueuing the
    same key twice sends one message. Returns the ids of the deliveries created.
    """
    now = now or utcnow()
    created = []
    for channel in dict.fromkeys(channels):
        exists = session.scalar(
            select(AlertDelivery.id).where(AlertDelivery.dedup_key == dedup_key, AlertDelivery.channel == channel)
        )
        if exists is not None:
            continue
        delivery = pending_delivery(
            "system", channel, now, dedup_key=dedup_key, payload={"subject": subject, "text": text, "key": dedup_key}
        )
        try:
            with session.begin_nested():
                session.add(delivery)
                session.flush()
        except IntegrityError:
            continue  # a concurrent writer queued it
        created.append(delivery.id)
    if created:
        announce(session)
    return created
