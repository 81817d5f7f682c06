"""The dispatcher: send due pending deliveries, record every attempt, retry with backoff.

Each delivery goes through three short steps, none of which holds a transaction while the
network is used:

1. **claim**: one statement takes up to ``batch`` due deliveries (``status = pending AND
   next_attempt_at <= now``, oldest first; on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so N
   dispatchers take disjoint batches without waiting for each other), moves their
   ``next_attempt_at`` forward by a lease (``alerts.lease``), counts the attempt and writes our
   name in ``claimed_by``. While we send, a thread renews the lease of what we hold, so a live
   dispatcher's deliveries never come due for another, however slow the channel. If the
   process dies, its deliveries are due again when their lease ends and go out with the same
   id: a webhook receiver or mail client drops the duplicate by its ``webhook-id`` /
   ``Message-ID``. Claimed deliveries not attempted (the endpoint was found down, a stop) are
   handed back at once.
2. **send** through its channel the message stored with the delivery when it was queued (the
   same bytes on every attempt; rendered and stored at the first attempt if there is none).
3. **record** a ``DeliveryAttempt`` (time, status code, error, duration) and the outcome:
   delivered; retried after ``alerts.retry_base * 2^(attempt-1)`` with jitter (at most an
   hour apart) until ``alerts.retry_for`` has passed since the first failure, then failed;
   or, when a webhook answered 410 Gone, the channel is disabled (``ChannelState``) and its
   deliveries are marked ``disabled`` until ``alerts retry`` re-queues them.

Channels are sent to in parallel, a few messages at a time each; a channel that cannot be
reached is left alone for the rest of the pass, so one dead endpoint never delays the others.
Reads ``[alerts] retry_for``, ``retry_base``, ``lease`` (and, through the renderer, ``timezone``).
"""

from __future__ import annotations

import functools
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import Channel, SendResult
from alerts.deliveries import enable_channel
from alerts.errors import DeliveryError, RenderError
from alerts.outbox import new_delivery_id, pending_delivery
from alerts.render import Rendered, Renderer
from config import AlertsConfig
from storage.models import AlertDelivery, ChannelState, DeliveryAttempt, utcnow
from storage.status import DeliveryStatus

log = logging.getLogger(__name__)


def due(at: datetime) -> list[ColumnElement[bool]]:
    """A pending delivery whose next attempt (a retry time, or a dead claimer's lease) has come."""
    return [AlertDelivery.status == DeliveryStatus.PENDING, AlertDelivery.next_attempt_at <= at]


MAX_BACKOFF = 3600.0  # retries stay at most an hour apart, so a recovered endpoint hears soon


@dataclass(frozen=True)
class DispatchCounts:
    delivered: int = 0
    retrying: int = 0  # failed this time, will be tried again
    failed: int = 0  # gave up (retry_for passed)
    disabled: int = 0  # the endpoint said 410 Gone, or the channel is disabled

    def __add__(self, other: DispatchCounts) -> DispatchCounts:
        return DispatchCounts(
            self.delivered + other.delivered,
            self.retrying + other.retrying,
            self.failed + other.failed,
            self.disabled + other.disabled,
        )

    def __str__(self) -> str:
        return f"delivered {self.delivered}, will retry {self.retrying}, failed {self.failed}, disabled {self.disabled}"


@dataclass(frozen=True)
class Outcome:
    # A delivery's new status, or retrying (failed this time) or skipped (claimed by someone else).
    status: Literal["delivered", "retrying", "failed", "disabled", "skipped"]
    error: str | None = None
    unreachable: bool = False
    transport: str | None = None  # the transport security a delivered message used


@dataclass(frozen=True)
class Claimed:
    """A delivery as its claim returned it: all that sending and recording it need, so neither
    reads it again (a claim, one statement; a send; a record, one transaction)."""

    id: str
    channel: str
    kind: str
    attempts: int  # counting this one
    retry_until: datetime | None
    message: dict[str, Any] | None  # rendered when queued (None: render at this attempt)


CLAIMED = (
    AlertDelivery.id,
    AlertDelivery.channel,
    AlertDelivery.kind,
    AlertDelivery.attempts,
    AlertDelivery.retry_until,
    AlertDelivery.message,
)


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        channels: Mapping[str, Channel],
        renderer: Renderer,
        alerts: AlertsConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        lease: float | None = None,
        per_channel: int = 4,
        batch: int = 100,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.renderer = renderer
        self.alerts = alerts
        self.clock = clock
        self.rng = rng or random.Random()
        # Renewed every third of itself while a send runs, so a slow channel never outlives it;
        # what a dead dispatcher held is due again at most this long after it died.
        self.lease = timedelta(seconds=float(alerts.lease) if lease is None else lease)
        self.per_channel = per_channel
        self.batch = batch  # deliveries claimed at once: several dispatchers share a backlog
        self.name = (name or f"{socket.gethostname()}:{os.getpid()}/{uuid.uuid4().hex[:6]}")[:100]
        self.counters: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}  # channel -> chunks still running
        self._unreached: set[str] = set()  # busy channels whose endpoint could not be reached
        self._held: set[str] = set()  # claimed by us, attempt not recorded yet: their lease is renewed
        self.on_idle: Callable[[], None] | None = None  # set by alerts.notify.DispatchLoop to its wake()
        self._pool: ThreadPoolExecutor | None = None
        self._renewer: threading.Thread | None = None
        self._closing = threading.Event()

    # ----------------------------------------------------------------------- passes

    def dispatch_due(self, now: datetime | None = None, wait: bool = True) -> DispatchCounts:
        """Send every delivery that is due; safe to call repeatedly and from several processes.

        Deliveries are claimed ``batch`` at a time, oldest due first, in one statement: on
        PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so dispatchers claiming at once each take
        different rows without waiting for each other (SQLite ignores it: it has one writer).

        ``now`` fixes the clock for the whole pass (tests use it to jump past a backoff).
        With ``wait=False`` (the daemon's loop) one batch is claimed, its sends run in the
        background and the call returns at once; a channel still busy from an earlier pass (a
        slow endpoint) is left out, so it never delays the others, and when it is free again
        another pass runs. With ``wait=True`` batches are claimed and sent until nothing is due.
        """
        start = now or self.clock()
        total = self._disable_due(start)
        unreachable: set[str] = set()  # endpoints found down in this call: tried again next call
        while True:
            with self._lock:
                busy = set(self._busy)
            claimed = self._claim_batch(start, exclude=busy | unreachable)
            futures = self._submit(claimed, now)
            if not wait:
                return total
            for channel, future in futures:
                counts, reached = future.result()
                total += counts
                if not reached:
                    unreachable.add(channel)
            if not claimed:
                break
        if total != DispatchCounts():
            log.info("dispatch: %s", total)
        return total

    def _submit(
        self, claimed: Sequence[Claimed], now: datetime | None
    ) -> list[tuple[str, Future[tuple[DispatchCounts, bool]]]]:
        """Send claimed deliveries, a few chunks per channel in parallel, in the background."""
        by_channel: dict[str, list[Claimed]] = {}
        for delivery in claimed:
            by_channel.setdefault(delivery.channel, []).append(delivery)
        submitted = []
        with self._lock:
            for channel, ids in by_channel.items():
                chunks = [ids[i :: self.per_channel] for i in range(min(self.per_channel, len(ids)))]
                self._busy[channel] = self._busy.get(channel, 0) + len(chunks)
                for chunk in chunks:
                    submitted.append((channel, self._executor().submit(self._run_chunk, chunk, now)))
        # Outside the lock: a chunk that already finished runs its callback right here, and
        # _release takes the same (non-reentrant) lock.
        for channel, future in submitted:
            future.add_done_callback(functools.partial(self._release, channel))
        return submitted

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="dispatch")
        return self._pool

    def _release(self, channel: str, future: Future[tuple[DispatchCounts, bool]]) -> None:
        again = False
        with self._lock:
            if not future.result()[1]:
                self._unreached.add(channel)
            self._busy[channel] -= 1
            if self._busy[channel] <= 0:
                del self._busy[channel]
                # More may be due (a backlog larger than a batch, or left out while busy); not
                # for a channel found down: that would hammer it until its backoff.
                again = channel not in self._unreached
                self._unreached.discard(channel)
        if again and self.on_idle is not None:
            self.on_idle()

    def close(self) -> None:
        """Finish the sends in progress, hand back the claimed deliveries not started yet (due
        again at once, for another dispatcher or the next start) and stop the worker threads."""
        self._closing.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        self._closing.clear()

    def _run_chunk(self, chunk: Sequence[Claimed], now: datetime | None) -> tuple[DispatchCounts, bool]:
        """Send one chunk of claimed deliveries; False with the counts if the endpoint was down."""
        counts: Counter[str] = Counter()
        reached = True
        ids = [delivery.id for delivery in chunk]
        try:
            for i, delivery in enumerate(chunk):
                if self._closing.is_set():
                    self._unclaim(ids[i:], now or self.clock())
                    break
                outcome = self._send(delivery, now)
                counts[outcome.status] += 1
                if outcome.unreachable:  # the rest of this channel waits for the next pass
                    reached = False
                    self._unclaim(ids[i + 1 :], now or self.clock())
                    break
        except Exception:  # e.g. the database went away: what was claimed is retried after its lease
            log.exception("dispatch worker stopped")
        finally:
            with self._lock:
                self._held.difference_update(ids)  # no longer renewed: unrecorded ones come due
        return DispatchCounts(counts["delivered"], counts["retrying"], counts["failed"], counts["disabled"]), reached

    # ----------------------------------------------------------------------- claims

    def _claim_batch(self, at: datetime, exclude: set[str]) -> list[Claimed]:
        """Claim up to ``batch`` due deliveries (not of the channels in ``exclude``), oldest first.

        PostgreSQL: one statement; the rows are picked in a materialized CTE with ``FOR UPDATE
        SKIP LOCKED`` (as a plain ``IN (subquery)`` the planner may run the pick more than
        once and one dispatcher takes more than a batch). SQLite has one writer: the candidates
        are claimed one conditional UPDATE each, as a single daemon always did (and no
        RETURNING, which older SQLite libraries lack)."""
        oldest = (
            select(AlertDelivery.id)
            .where(*due(at), *([AlertDelivery.channel.not_in(sorted(exclude))] if exclude else []))
            .order_by(AlertDelivery.next_attempt_at, AlertDelivery.created_at)
            .limit(self.batch)
        )
        with self.sessions.begin() as session:
            if session.get_bind().dialect.name != "postgresql":
                candidates = list(session.scalars(oldest))
            else:
                picked = oldest.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
                rows = session.execute(
                    update(AlertDelivery)
                    .where(AlertDelivery.id == picked.c.id, *due(at))
                    .values(**self._claim_values(at))
                    .returning(*CLAIMED, AlertDelivery.next_attempt_at, AlertDelivery.created_at)
                    .execution_options(synchronize_session=False)
                ).all()
                claimed = [Claimed(*row[: len(CLAIMED)]) for row in sorted(rows, key=lambda row: row[-1])]
                self._hold([delivery.id for delivery in claimed])
                return claimed
        return [delivery for delivery in map(functools.partial(self._claim, at=at), candidates) if delivery]

    def _claim_values(self, at: datetime) -> dict[str, Any]:
        """What claiming writes: our lease, one more attempt, our name."""
        return {"next_attempt_at": at + self.lease, "attempts": AlertDelivery.attempts + 1, "claimed_by": self.name}

    def _claim(self, delivery_id: str, at: datetime) -> Claimed | None:
        """Claim one delivery if it is pending and due: a conditional UPDATE, then its row."""
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == delivery_id, *due(at))
                .values(**self._claim_values(at))
                .execution_options(synchronize_session=False)
            )
            if not getattr(claimed, "rowcount", 0):
                return None
            row = session.execute(select(*CLAIMED).where(AlertDelivery.id == delivery_id)).one()
        self._hold([delivery_id])
        return Claimed(*row)

    def _hold(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        with self._lock:
            self._held.update(ids)
            if self._renewer is None:
                self._renewer = threading.Thread(target=self._renew_leases, name="dispatch-lease", daemon=True)
                self._renewer.start()

    def _renew_leases(self) -> None:
        """Every third of the lease, push the lease of what we are sending forward: a live
        dispatcher's deliveries are never due for another, however slow the channel."""
        while not self._closing.wait(self.lease.total_seconds() / 3):
            with self._lock:
                held = sorted(self._held)
            if not held:
                continue
            try:
                with self.sessions.begin() as session:
                    session.execute(
                        update(AlertDelivery)
                        .where(
                            AlertDelivery.id.in_(held),
                            AlertDelivery.claimed_by == self.name,
                            AlertDelivery.status == DeliveryStatus.PENDING,
                        )
                        .values(next_attempt_at=self.clock() + self.lease)
                        .execution_options(synchronize_session=False)
                    )
            except Exception as exc:  # the database is away: try again; the sends go on
                log.warning("cannot renew the lease of %d deliveries being sent: %s", len(held), exc)

    def _unclaim(self, ids: Sequence[str], at: datetime) -> None:
        """Hand back claimed deliveries that were not attempted: due at ``at``, uncounted."""
        if not ids:
            return
        with self.sessions.begin() as session:
            session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.id.in_(list(ids)),
                    AlertDelivery.claimed_by == self.name,
                    AlertDelivery.status == DeliveryStatus.PENDING,
                )
                .values(next_attempt_at=at, attempts=AlertDelivery.attempts - 1, claimed_by=None)
                .execution_options(synchronize_session=False)
            )
        with self._lock:
            self._held.difference_update(ids)

    # ----------------------------------------------------------------------- one delivery

    def deliver(self, delivery_id: str, now: datetime | None = None) -> Outcome:
        """Claim, send and record one delivery (if it is still pending and due)."""
        claimed = self._claim(delivery_id, now or self.clock())
        if claimed is None:
            return Outcome("skipped")
        try:
            return self._send(claimed, now)
        finally:
            with self._lock:
                self._held.discard(delivery_id)

    def _send(self, delivery: Claimed, now: datetime | None) -> Outcome:
        """Send one claimed delivery and record the attempt (at ``now``, else the time it ends)."""
        started = time.perf_counter()
        result: SendResult | None = None
        error: DeliveryError | None = None
        channel = self.channels.get(delivery.channel)
        try:
            if channel is None:
                raise DeliveryError(delivery.channel, f"no channel named {delivery.channel!r} in the configuration")
            message = self._message(delivery)
        except RenderError as exc:
            error = DeliveryError(delivery.channel, str(exc))
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a bug or bad data must not stop the other deliveries
            log.exception("cannot render delivery %s", delivery.id)
            error = DeliveryError(delivery.channel, f"cannot render: {type(exc).__name__}: {exc}")
        if error is None and channel is not None:
            try:
                result = channel.send(message)
            except DeliveryError as exc:
                error = exc
            except Exception as exc:  # the job boundary: record it, keep the daemon running
                log.exception("channel %s failed unexpectedly on %s", channel.name, delivery.id)
                error = DeliveryError(channel.name, f"{type(exc).__name__}: {exc}")
        duration_ms = int((time.perf_counter() - started) * 1000)
        return self._record(delivery, now or self.clock(), result, error, duration_ms)

    def _message(self, delivery: Claimed) -> Rendered:
        """The message stored with the delivery; rendered (and stored) now if there is none."""
        if delivery.message:
            return Rendered.from_json(delivery.id, delivery.kind, delivery.message)
        with self.sessions.begin() as session:
            row = session.get(AlertDelivery, delivery.id)
            assert row is not None  # just claimed; deliveries are never deleted
            return stored_message(self.renderer, session, row)

    def _record(
        self, delivery: Claimed, at: datetime, result: SendResult | None, error: DeliveryError | None, duration_ms: int
    ) -> Outcome:
        """Record the attempt and the delivery's new state, in one transaction."""
        values: dict[str, Any] = {"claimed_by": None}
        if error is None:
            values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": at, "last_error": None}
            outcome = Outcome("delivered", transport=result.transport if result else None)
        else:
            values["last_error"] = error.message
            if error.gone:
                values["status"] = DeliveryStatus.DISABLED
                outcome = Outcome("disabled", error.message)
            elif delivery.kind == "test":
                values["status"] = DeliveryStatus.FAILED  # a test reports its error at once; no retries
                outcome = Outcome("failed", error.message)
            else:
                retry_until = delivery.retry_until or at + timedelta(seconds=self.alerts.retry_for)
                values["retry_until"] = retry_until
                if at >= retry_until:
                    values["status"] = DeliveryStatus.FAILED
                    outcome = Outcome("failed", error.message)
                else:
                    values["next_attempt_at"] = min(at + self.backoff(delivery.attempts), retry_until)
                    outcome = Outcome("retrying", error.message, unreachable=error.unreachable)
        with self.sessions.begin() as session:
            session.execute(
                insert(DeliveryAttempt).values(
                    delivery_id=delivery.id,
                    at=at,
                    ok=error is None,
                    status_code=error.status_code if error else (result.status_code if result else None),
                    error=error.message if error else (result.detail if result else None),
                    duration_ms=duration_ms,
                )
            )
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == delivery.id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if error is not None and error.gone:
                _disable_channel(session, delivery.channel, at, error.message)
        with self._lock:
            self._held.discard(delivery.id)
            self.counters[f"alert/{outcome.status}"] += 1
        if error is None:
            log.info("delivered %s to %s in %d ms", delivery.id, delivery.channel, duration_ms)
        else:
            log.warning("delivery %s to %s failed (attempt %d, now %s): %s", delivery.id, delivery.channel,
                        delivery.attempts, outcome.status, error.message)  # fmt: skip
        return outcome

    def backoff(self, attempts: int) -> timedelta:
        """Exponential backoff with jitter (0.5x to 1.5x), at most an hour."""
        delay = min(self.alerts.retry_base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
        return timedelta(seconds=delay * (0.5 + self.rng.random()))

    def _disable_due(self, at: datetime) -> DispatchCounts:
        """Mark the due deliveries of disabled channels (a webhook said 410 Gone) ``disabled``."""
        total = 0
        with self.sessions.begin() as session:
            for channel, reason in session.execute(
                select(ChannelState.name, ChannelState.reason).where(ChannelState.disabled_at.is_not(None))
            ).all():
                done = session.execute(
                    update(AlertDelivery)
                    .where(AlertDelivery.channel == channel, *due(at))
                    .values(status=DeliveryStatus.DISABLED, last_error=f"channel {channel} is disabled: {reason}")
                    .execution_options(synchronize_session=False)
                )
                count = int(getattr(done, "rowcount", 0) or 0)
                if count:
                    log.warning("channel %s is disabled (%s): %d deliveries not sent", channel, reason, count)
                total += count
        return DispatchCounts(disabled=total)

    # ----------------------------------------------------------------------- tests

    def send_test(self, channel: str, now: datetime | None = None) -> Outcome:
        """Send a clearly marked test message to ``channel`` now; the outcome has the exact error."""
        at = now or self.clock()
        delivery_id = new_delivery_id()
        with self.sessions.begin() as session:
            session.add(
                pending_delivery(
                    "test",
                    channel,
                    at,
                    dedup_key=f"test/{delivery_id}",
                    payload={"channel": channel},
                    delivery_id=delivery_id,
                )
            )
        outcome = self.deliver(delivery_id, now)
        if outcome.status == "delivered":
            enable_channel(self.sessions, channel)
        return outcome


def stored_message(renderer: Renderer, session: Session, delivery: AlertDelivery) -> Rendered:
    """The message every attempt of ``delivery`` sends: the one stored when it was queued, or,
    if there is none yet (its template failed then, or it was queued by an older version),
    rendered now and stored, before it is sent, for every later attempt."""
    if delivery.message:
        return Rendered.from_json(delivery.id, delivery.kind, delivery.message)
    message = renderer.render_delivery(session, delivery)
    delivery.message = message.to_json()
    return message


def _disable_channel(session: Session, channel: str, at: datetime, reason: str) -> None:
    state = session.get(ChannelState, channel) or ChannelState(name=channel)
    state.disabled_at, state.reason = at, reason
    session.add(state)
