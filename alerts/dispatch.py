"""The dispatcher: send due pending deliveries, record every attempt, retry with backoff.

Each delivery goes through three short steps, none of which holds a transaction while the
network is used:

1. **claim**: one conditional UPDATE (``status = pending AND next_attempt_at <= now``) moves
   ``next_attempt_at`` forward by a lease and counts the attempt, so a second dispatcher (the
   daemon and ``alerts send`` at once) skips it. If the process dies while sending, the
   delivery is due again when the lease ends, and goes out with the same id: a webhook
   receiver or mail client drops the duplicate by its ``webhook-id`` / ``Message-ID``.
2. **send** through its channel the message stored with the delivery when it was queued (the
   same bytes on every attempt; rendered and stored at the first attempt if there is none).
3. **record** a ``DeliveryAttempt`` (time, status code, error, duration) and the outcome:
   delivered; retried after ``alerts.retry_base * 2^(attempt-1)`` with jitter (at most an
   hour apart) until ``alerts.retry_for`` has passed since the first failure, then failed;
   or, when a webhook answered 410 Gone, the channel is disabled (``ChannelState``) and its
   deliveries are marked ``disabled`` until ``alerts retry`` re-queues them.

Channels are sent to in parallel, a few messages at a time each; a channel that cannot be
reached is left alone for the rest of the pass, so one dead endpoint never delays the others.
Reads ``[alerts] retry_for``, ``retry_base`` (and, through the renderer, ``timezone``).
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import Channel, SendResult
from alerts.errors import DeliveryError, RenderError, UnknownDelivery
from alerts.outbox import new_delivery_id, pending_delivery
from alerts.render import Rendered, Renderer
from config import AlertsConfig
from storage.models import AlertDelivery, ChannelState, DeliveryAttempt, utcnow
from storage.status import DeliveryStatus

log = logging.getLogger(__name__)

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
        lease: float = 300.0,
        per_channel: int = 4,
        batch: int = 2000,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.renderer = renderer
        self.alerts = alerts
        self.clock = clock
        self.rng = rng or random.Random()
        # Longer than any channel timeout: a delivery is only re-sent by another pass once the
        # pass that claimed it must have finished or died.
        self.lease = timedelta(seconds=lease)
        self.per_channel = per_channel
        self.batch = batch
        self.counters: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}  # channel -> chunks still running
        self._skipped: set[str] = set()  # busy channels a pass had to leave out
        self.on_idle: Callable[[], None] | None = None  # set by DispatchLoop to its wake()
        self._pool: ThreadPoolExecutor | None = None

    # ----------------------------------------------------------------------- passes

    def dispatch_due(self, now: datetime | None = None, wait: bool = True) -> DispatchCounts:
        """Send every delivery that is due; safe to call repeatedly and from several processes.

        ``now`` fixes the clock for the whole pass (tests use it to jump past a backoff).
        With ``wait=False`` (the daemon's loop) the sends run in the background and the call
        returns at once; a channel still busy from an earlier pass (a slow endpoint) is skipped,
        so it never delays the next pass for the other channels.
        """
        start = now or self.clock()
        with self.sessions() as session:
            rows = session.execute(
                select(AlertDelivery.id, AlertDelivery.channel)
                .where(AlertDelivery.status == DeliveryStatus.PENDING, AlertDelivery.next_attempt_at <= start)
                .order_by(AlertDelivery.next_attempt_at, AlertDelivery.created_at)
                .limit(self.batch)
            ).all()
            disabled = set(session.scalars(select(ChannelState.name).where(ChannelState.disabled_at.is_not(None))))
        by_channel: dict[str, list[str]] = {}
        for delivery_id, channel in rows:
            by_channel.setdefault(channel, []).append(delivery_id)
        total = DispatchCounts()
        for channel in disabled & by_channel.keys():
            total += self._mark_disabled(by_channel.pop(channel), channel)
        submitted: list[tuple[str, Future[DispatchCounts]]] = []
        with self._lock:
            for channel, ids in by_channel.items():
                if channel in self._busy:
                    self._skipped.add(channel)
                    continue
                chunks = [ids[i :: self.per_channel] for i in range(min(self.per_channel, len(ids)))]
                self._busy[channel] = len(chunks)
                for chunk in chunks:
                    submitted.append((channel, self._executor().submit(self._run_chunk, chunk, now)))
        # Outside the lock: a chunk that already finished runs its callback right here, and
        # _release takes the same (non-reentrant) lock.
        futures = []
        for channel, future in submitted:
            future.add_done_callback(functools.partial(self._release, channel))
            futures.append(future)
        if not wait:
            return total
        for future in futures:
            total += future.result()
        if total != DispatchCounts():
            log.info("dispatch: %s", total)
        return total

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="dispatch")
        return self._pool

    def _release(self, channel: str, _future: Future[DispatchCounts]) -> None:
        again = False
        with self._lock:
            self._busy[channel] -= 1
            if self._busy[channel] <= 0:
                del self._busy[channel]
                again = channel in self._skipped
                self._skipped.discard(channel)
        if again and self.on_idle is not None:
            self.on_idle()  # a pass skipped this channel while it was busy: run another now

    def close(self) -> None:
        """Wait for sends in progress and stop the worker threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _run_chunk(self, ids: Sequence[str], now: datetime | None) -> DispatchCounts:
        counts: Counter[str] = Counter()
        try:
            for delivery_id in ids:
                outcome = self.deliver(delivery_id, now)
                counts[outcome.status] += 1
                if outcome.unreachable:
                    break  # the endpoint is down: the rest of this channel waits for the next pass
        except Exception:  # e.g. the database went away: what was claimed is retried after its lease
            log.exception("dispatch worker stopped")
        return DispatchCounts(counts["delivered"], counts["retrying"], counts["failed"], counts["disabled"])

    # ----------------------------------------------------------------------- one delivery

    def deliver(self, delivery_id: str, now: datetime | None = None) -> Outcome:
        """Claim, send and record one delivery (if it is still pending and due)."""
        at = now or self.clock()
        if not self._claim(delivery_id, at):
            return Outcome("skipped")
        started = time.perf_counter()
        result: SendResult | None = None
        error: DeliveryError | None = None
        with self.sessions.begin() as session:
            delivery = session.get(AlertDelivery, delivery_id)
            assert delivery is not None  # just claimed; deliveries are never deleted
            channel = self.channels.get(delivery.channel)
            try:
                if channel is None:
                    raise DeliveryError(delivery.channel, f"no channel named {delivery.channel!r} in the configuration")
                message = stored_message(self.renderer, session, delivery)
            except RenderError as exc:
                error = DeliveryError(delivery.channel, str(exc))
            except DeliveryError as exc:
                error = exc
            except Exception as exc:  # a bug or bad data must not stop the other deliveries
                log.exception("cannot render delivery %s", delivery_id)
                error = DeliveryError(delivery.channel, f"cannot render: {type(exc).__name__}: {exc}")
        if error is None and channel is not None:
            try:
                result = channel.send(message)
            except DeliveryError as exc:
                error = exc
            except Exception as exc:  # the job boundary: record it, keep the daemon running
                log.exception("channel %s failed unexpectedly on %s", channel.name, delivery_id)
                error = DeliveryError(channel.name, f"{type(exc).__name__}: {exc}")
        duration_ms = int((time.perf_counter() - started) * 1000)
        return self._record(delivery_id, at if now else self.clock(), result, error, duration_ms)

    def _claim(self, delivery_id: str, at: datetime) -> bool:
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.id == delivery_id,
                    AlertDelivery.status == DeliveryStatus.PENDING,
                    AlertDelivery.next_attempt_at <= at,
                )
                .values(next_attempt_at=at + self.lease, attempts=AlertDelivery.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(claimed, "rowcount", 0))

    def _record(
        self, delivery_id: str, at: datetime, result: SendResult | None, error: DeliveryError | None, duration_ms: int
    ) -> Outcome:
        with self.sessions.begin() as session:
            delivery = session.get(AlertDelivery, delivery_id)
            assert delivery is not None
            session.add(
                DeliveryAttempt(
                    delivery_id=delivery_id,
                    at=at,
                    ok=error is None,
                    status_code=error.status_code if error else (result.status_code if result else None),
                    error=error.message if error else (result.detail if result else None),
                    duration_ms=duration_ms,
                )
            )
            if error is None:
                delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, at, None
                outcome = Outcome("delivered", transport=result.transport if result else None)
            else:
                delivery.last_error = error.message
                if error.gone:
                    delivery.status = DeliveryStatus.DISABLED
                    _disable_channel(session, delivery.channel, at, error.message)
                    outcome = Outcome("disabled", error.message)
                elif delivery.kind == "test":
                    delivery.status = DeliveryStatus.FAILED  # a test reports its error at once; no retries
                    outcome = Outcome("failed", error.message)
                else:
                    if delivery.retry_until is None:
                        delivery.retry_until = at + timedelta(seconds=self.alerts.retry_for)
                    if at >= delivery.retry_until:
                        delivery.status = DeliveryStatus.FAILED
                        outcome = Outcome("failed", error.message)
                    else:
                        delivery.next_attempt_at = min(at + self.backoff(delivery.attempts), delivery.retry_until)
                        outcome = Outcome("retrying", error.message, unreachable=error.unreachable)
            channel, attempts = delivery.channel, delivery.attempts
        with self._lock:
            self.counters[f"alert/{outcome.status}"] += 1
        if error is None:
            log.info("delivered %s to %s in %d ms", delivery_id, channel, duration_ms)
        else:
            log.warning("delivery %s to %s failed (attempt %d, now %s): %s", delivery_id, channel, attempts,
                        outcome.status, error.message)  # fmt: skip
        return outcome

    def backoff(self, attempts: int) -> timedelta:
        """Exponential backoff with jitter (0.5x to 1.5x), at most an hour."""
        delay = min(self.alerts.retry_base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
        return timedelta(seconds=delay * (0.5 + self.rng.random()))

    def _mark_disabled(self, ids: Sequence[str], channel: str) -> DispatchCounts:
        with self.sessions.begin() as session:
            reason = session.scalar(select(ChannelState.reason).where(ChannelState.name == channel))
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id.in_(ids), AlertDelivery.status == DeliveryStatus.PENDING)
                .values(status=DeliveryStatus.DISABLED, last_error=f"channel {channel} is disabled: {reason}")
                .execution_options(synchronize_session=False)
            )
        log.warning("channel %s is disabled (%s): %d deliveries not sent", channel, reason, len(ids))
        return DispatchCounts(disabled=len(ids))

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


class DispatchLoop:
    """Runs ``dispatch_due`` every ``interval`` seconds in a thread, and at once when woken.

    The outbox wakes it after committing new deliveries, so an alert leaves within
    milliseconds of its article being stored rather than up to one interval later.
    """

    def __init__(self, dispatcher: Dispatcher, interval: float, on_error: Callable[[Exception], None] | None = None):
        self.dispatcher = dispatcher
        self.interval = interval
        self.on_error = on_error
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        dispatcher.on_idle = self.wake

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="dispatch-loop", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.dispatcher.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.dispatcher.dispatch_due(wait=False)
            except Exception as exc:  # e.g. the database is briefly unavailable: try next time
                log.exception("dispatch pass failed")
                if self.on_error is not None:
                    self.on_error(exc)
            self._wake.wait(self.interval)


def stored_message(renderer: Renderer, session: Session, delivery: AlertDelivery) -> Rendered:
    """The message every attempt of ``delivery`` sends: the one stored when it was queued, or,
    if there is none yet (its template failed then, or it was queued by an older version),
    rendered now and stored, before it is sent, for every later attempt."""
    if delivery.message:
        return Rendered.from_json(delivery.id, delivery.kind, delivery.message)
    message = renderer.render_delivery(session, delivery)
    delivery.message = message.to_json()
    return message


def dispatch_due(dispatcher: Dispatcher, now: datetime | None = None) -> DispatchCounts:
    """Function form of ``Dispatcher.dispatch_due`` for schedulers."""
    return dispatcher.dispatch_due(now)


# --------------------------------------------------------------------------- operator actions


def _disable_channel(session: Session, channel: str, at: datetime, reason: str) -> None:
    state = session.get(ChannelState, channel) or ChannelState(name=channel)
    state.disabled_at, state.reason = at, reason
    session.add(state)


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
            d.next_attempt_at = at
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
    payload = delivery.payload or {}
    if delivery.kind in ("instant", "update") and delivery.match is not None:
        update = "update: " if delivery.kind == "update" else ""
        summary = f"[{delivery.match.watch}] {update}{delivery.match.article.title}"
    elif delivery.kind == "digest":
        summary = f"{payload.get('period')} digest: {len(payload.get('match_ids', []))} stories"
    elif delivery.kind == "system":
        summary = str(payload.get("subject", ""))
    else:
        summary = "test message"
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
