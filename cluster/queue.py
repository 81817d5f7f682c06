"""The task queue every role shares: a procrastinate ``App`` on Newswatch's PostgreSQL database,
and ``run_queue_worker``, which runs a procrastinate worker until the role's stop event is set.

The queue's tables come from our migrations (0007); procrastinate's connector gets the same
database as ``storage.database_url``, in libpq's URL form. Each process opens one small pool
(``POOL_SIZE`` connections: the worker's fetches and status updates, its LISTEN connection, the
heartbeat), which is what "connections per role" in README counts.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from procrastinate import App, PsycopgConnector
from sqlalchemy.engine import make_url

from cluster.health import Pulse
from config import ClusterConfig

log = logging.getLogger(__name__)

POOL_SIZE = 4  # a worker's job fetches and status updates, its LISTEN connection, heartbeats
STOP_POLL = 0.2  # seconds between looks at the stop event from the worker's event loop


def libpq_url(database_url: str) -> str:
    """``postgresql+psycopg://u:p@h/db`` -> ``postgresql://u:p@h/db`` (what psycopg connects to)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(database_url: str, pool_size: int = POOL_SIZE) -> App:
    """A procrastinate app on the database, with no task yet: each role adds its own."""
    connector = PsycopgConnector(conninfo=libpq_url(database_url), min_size=1, max_size=pool_size)
    return App(connector=connector)


async def _run(app: App, stop: threading.Event, pulse: Pulse, options: dict[str, Any]) -> None:
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(install_signal_handlers=False, **options))
        while not worker.done():
            pulse.beat()  # the event loop that runs the worker's jobs, heartbeats and fetches moves
            await asyncio.wait({worker}, timeout=STOP_POLL)
            if stop.is_set() and not worker.done():
                worker.cancel()  # procrastinate stops fetching, waits for the running jobs, unregisters
                break
        try:
            await worker
        except asyncio.CancelledError:
            if not stop.is_set():
                raise


def run_queue_worker(app: App, stop: threading.Event, cluster: ClusterConfig, pulse: Pulse, **options: Any) -> None:
    """Run a procrastinate worker with ``options`` (queues, concurrency...) until ``stop`` is
    set; then it finishes its running jobs and unregisters. Its heartbeat is written every
    ``cluster.heartbeat``; at start it prunes the workers silent for ``cluster.stall_timeout``
    (the same limit the control role's recovery uses). ``pulse`` beats while its event loop
    runs (the role's health probe). Returns early only if the worker itself stops (a side task
    failed: it logged why)."""
    options = {
        "update_heartbeat_interval": float(cluster.heartbeat),
        "stalled_worker_timeout": float(cluster.stall_timeout),
        **options,
    }
    asyncio.run(_run(app, stop, pulse, options))
    if not stop.is_set():
        raise RuntimeError("the task queue worker stopped on its own (see the log lines above)")
