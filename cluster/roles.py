"""Cluster roles: ``run.py run --role NAME``, each a process the user starts (one per
systemd template unit in ``deploy/``), any number of them on any machine, sharing one
PostgreSQL database.

``ROLES`` is the registry, role name -> entry function; ``run_role`` does what every role
needs before its entry runs: PostgreSQL (SQLite has one writer and no task queue: a clear
usage error), the schema at the newest revision (migrated by the first role to start, under an
advisory lock, so roles starting together never migrate at once), and the single-process
daemon's lock taken *shared*: a ``run.py run`` without a role on the same database is refused
while roles run, and a role is refused while such a daemon runs (one of the two would crawl
every outlet twice). The entry then runs until SIGTERM, SIGINT or SIGHUP sets ``stop``; with
``--health-port`` a thread answers health probes meanwhile (``cluster.health``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from cluster.health import PATH, Health, HealthServer, Pulse

if TYPE_CHECKING:
    from app import App

log = logging.getLogger(__name__)

MIGRATE_KEY = 0x4E774D67  # "NwMg": one role migrates at a time


class RoleError(Exception):
    """A role cannot start here (wrong database, a single-process daemon on it)."""


@dataclass(frozen=True)
class RoleContext:
    """What a role's entry gets: the app (config, engine, sessions, ingest), the event the stop
    signals set, this process's name in ``status`` (``host:pid``), and its health: the role's
    loop beats ``health.pulse``; the role may add ``health.details`` (``cluster.health``)."""

    app: App
    stop: threading.Event
    name: str
    health: Health


@dataclass(frozen=True)
class Role:
    entry: Callable[[RoleContext], None]
    summary: str


def _worker(ctx: RoleContext) -> None:
    from cluster.worker import run

    run(ctx)


def _dispatch(ctx: RoleContext) -> None:
    from cluster.dispatch import run

    run(ctx)


def _ingest(ctx: RoleContext) -> None:
    from cluster.ingest import run

    run(ctx)


def _control(ctx: RoleContext) -> None:
    from cluster.control import run

    run(ctx)


ROLES: dict[str, Role] = {
    "control": Role(_control, "the clock: crawl ticks, stalled-job recovery, source health, digests (run 2)"),
    "worker": Role(_worker, "crawl outlets: takes crawl jobs from the queue (run N)"),
    "ingest": Role(_ingest, "store what workers extracted: one active, the others stand by (run 2)"),
    "dispatch": Role(_dispatch, "send alerts: claims due deliveries in batches, woken by NOTIFY (run N)"),
}


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_role(app: App, name: str, stop: threading.Event, health_at: tuple[str, int] | None = None) -> None:
    """Check the database, migrate it, hold the shared daemon lock, run the role until ``stop``;
    with ``health_at`` (host, port), answer health probes there meanwhile."""
    role = ROLES.get(name)
    if role is None:
        raise RoleError(f"unknown role {name!r}: expected one of {', '.join(sorted(ROLES))}")
    url = app.config.storage.database_url
    if make_url(url).get_backend_name() != "postgresql":
        shown = make_url(url).render_as_string(hide_password=True)
        raise RoleError(
            f"run --role needs PostgreSQL (storage.database_url is {shown}): cluster roles share one "
            "PostgreSQL database; on SQLite run 'run.py run' without a role"
        )
    # Every connection the role opens says which role it serves (``status``, pg_stat_activity);
    # put back after, for a caller that goes on in this process (the tests).
    previous = os.environ.get("PGAPPNAME")
    os.environ["PGAPPNAME"] = f"newswatch {name} {process_name()}"
    health = Health(name, process_name(), url, float(app.config.cluster.stall_timeout), Pulse())
    health.pulse.beat(state="starting")  # locks and migrations: the role's loop is not running yet
    server = None
    try:
        if health_at is not None:
            host, port = health_at
            try:
                server = HealthServer(health, host, port).start()
            except OSError as exc:
                raise RoleError(f"cannot serve the health probe on {host}:{port}: {exc.strerror or exc}") from None
            log.info("health probe on http://%s:%d%s", host, server.port, PATH)
        _run(app, role, name, stop, health)
    finally:
        if server is not None:
            server.stop()
        else:
            health.close()
        if previous is None:
            os.environ.pop("PGAPPNAME", None)
        else:
            os.environ["PGAPPNAME"] = previous


def _run(app: App, role: Role, name: str, stop: threading.Event, health: Health) -> None:
    with app.engine.connect() as lock_conn:
        _take_shared_daemon_lock(lock_conn)
        with app.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATE_KEY})
            try:
                app.upgrade()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATE_KEY})
                conn.commit()
        health.pulse.beat(state="running")  # the roles with more to say replace it
        ctx = RoleContext(app, stop, process_name(), health)
        log.info("role %s started (%s)", name, ctx.name)
        role.entry(ctx)
        log.info("role %s stopped", name)


def _take_shared_daemon_lock(conn: Connection) -> None:
    """The single-process daemon holds ``storage.lock.ADVISORY_KEY`` exclusively; every role
    holds it shared on ``conn`` (for the role's lifetime: the session keeps it)."""
    from storage.lock import ADVISORY_KEY

    got: Any = conn.execute(text("SELECT pg_try_advisory_lock_shared(:k)"), {"k": ADVISORY_KEY}).scalar()
    conn.commit()
    if not got:
        raise RoleError(
            "a single-process Newswatch daemon ('run.py run' without --role) is running on this database: "
            "stop it before starting cluster roles"
        )
