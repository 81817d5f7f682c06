"""Waking dispatchers: ``DispatchLoop`` (a dispatch pass every ``schedule.dispatch_interval``
and at once when woken), and on PostgreSQL ``NOTIFY`` when a transaction queues deliveries,
``LISTEN`` in each dispatch loop.

Whoever queues deliveries (the outbox after a stored article, system alerts, digests,
``alerts retry``) calls ``announce`` in the same transaction. PostgreSQL delivers the
notification when, and only if, that transaction commits, to every session listening on
``CHANNEL``, on any machine. A ``Listener`` is such a session: a psycopg connection of its own
in autocommit, whose thread calls ``on_notify`` (a dispatch loop's ``wake``) for each one, so a
new alert leaves within milliseconds rather than one ``schedule.dispatch_interval`` later.

Notifications are a wake-up, never the queue itself: one lost (the listener was reconnecting,
a dispatcher started after the commit) only delays the delivery to the next periodic pass, and
the listener asks for a pass after every (re)connection. Every dispatch loop on PostgreSQL
listens (``DispatchLoop`` below: the cluster's dispatchers and the single-process daemon
alike). SQLite has no notifications: there, ``announce`` does nothing and the daemon is
woken in-process by the outbox's ``on_enqueued`` (what another process queues waits for the
next ``schedule.dispatch_interval``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from alerts.dispatch import Dispatcher

log = logging.getLogger(__name__)

CHANNEL = "newswatch_deliveries"
RECONNECT_MAX = 30.0  # seconds between attempts to get a lost listening connection back


def announce(session: Session) -> None:
    """Tell listening dispatchers, at commit, that this transaction queued deliveries.

    PostgreSQL folds identical notifications of one transaction into one, so calling this once
    per queued delivery costs nothing more than once per transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL (``postgresql+psycopg://...``) as libpq reads it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """A thread that ``LISTEN``s on ``CHANNEL`` and calls ``on_notify`` for each notification,
    and once after each (re)connection, since notifications sent meanwhile were missed.

    A lost connection (PostgreSQL restarted, a network cut) is logged once and retried with a
    growing delay; the periodic pass keeps sending meanwhile."""

    def __init__(self, database_url: str, on_notify: Callable[[], None], *, poll: float = 1.0) -> None:
        self.conninfo = libpq_url(database_url)
        self.on_notify = on_notify
        self.poll = poll  # how often the thread looks at the stop flag
        self.connections = 0  # connections made so far (one more after each reconnection)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Listener:
        self._thread = threading.Thread(target=self._run, name="dispatch-listen", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connections += 1
                    again = " again" if self.connections > 1 else ""
                    log.info("listening for new deliveries%s (LISTEN %s)", again, CHANNEL)
                    delay = 0.5
                    self.on_notify()  # what was queued while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self.poll):
                            self.on_notify()
            except psycopg.Error as exc:
                if self._stop.is_set():
                    return
                if delay == 0.5:
                    log.warning(
                        "cannot listen for new deliveries (%s): sending on the periodic pass until it is back",
                        str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    )
                self._stop.wait(delay)
                delay = min(delay * 2, RECONNECT_MAX)


class DispatchLoop:
    """Runs ``dispatch_due`` every ``interval`` seconds in a thread, and at once when woken.

    The outbox of this process wakes it after committing new deliveries, so an alert leaves
    within milliseconds of its article being stored rather than up to one interval later. With
    ``listen_to`` a PostgreSQL URL, it also listens for the ``NOTIFY`` that a commit queuing
    deliveries sends from any process (``announce``); on SQLite ``listen_to`` is ignored.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        interval: float,
        on_error: Callable[[Exception], None] | None = None,
        listen_to: str | None = None,
    ):
        self.dispatcher = dispatcher
        self.interval = interval
        self.on_error = on_error
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        dispatcher.on_idle = self.wake
        self.listener: Listener | None = None
        if listen_to is not None and make_url(listen_to).get_backend_name() == "postgresql":
            self.listener = Listener(listen_to, self.wake)

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="dispatch-loop", daemon=True)
        self._thread.start()
        if self.listener is not None:
            self.listener.start()

    def stop(self, timeout: float | None = None) -> None:
        if self.listener is not None:
            self.listener.stop(timeout)
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
