"""The ``dispatch`` role: send alert deliveries. Run N of them, on any machines.

Each runs the single-process daemon's dispatcher (``alerts.dispatch``) on the shared database:
it claims due deliveries in batches with ``FOR UPDATE SKIP LOCKED``, so dispatchers never
wait for each other nor send the same delivery, and renews the lease of what it is sending, so
a live dispatcher's sends are never taken over however slow a channel is. It passes every
``schedule.dispatch_interval`` and at once when woken: by the ``NOTIFY`` a transaction that
queued deliveries sends at commit (``alerts.notify``; the crawl workers, ingesters and control
processes queue them), or when a channel it was busy with is free again.

A dispatcher killed mid-send (``kill -9``, a machine lost) loses nothing: its deliveries come
due again ``alerts.lease`` after its last renewal and another dispatcher sends them with the
same id, which receivers use to drop the copy. Unlike the single-process daemon it does not
release other claims at start (``recover_interrupted``): they may be a live dispatcher's.

At SIGTERM it stops listening, hands back what it claimed but has not started sending (due at
once for the others) and finishes the sends in progress. Reads ``[schedule]
dispatch_interval``, ``[alerts]`` and ``[channels.*]``.
"""

from __future__ import annotations

import logging

from alerts.notify import DispatchLoop
from cluster.roles import RoleContext

log = logging.getLogger(__name__)

STOP_POLL = 0.5  # seconds between looks at the stop event (signal handlers run between them)


def run(ctx: RoleContext) -> None:
    cfg = ctx.app.config
    dispatcher = ctx.app.dispatcher()
    interval = float(cfg.schedule.dispatch_interval)
    loop = DispatchLoop(dispatcher, interval, listen_to=cfg.storage.database_url)
    log.info(
        "dispatching to %s as %s: woken by new deliveries, and every %gs",
        ", ".join(sorted(dispatcher.channels)) or "no channels",
        dispatcher.name,
        interval,
    )
    loop.start()  # and its listener
    ctx.health.pulse.state.update(channels=sorted(dispatcher.channels), dispatcher=dispatcher.name)
    try:
        while not ctx.stop.wait(STOP_POLL):
            if loop.running:  # a pass may take long (slow channels), but the thread must live
                ctx.health.pulse.beat()
    finally:
        loop.stop(timeout=10)  # then the sends in progress end, each within its channel's timeout
