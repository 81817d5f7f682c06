"""The ``control`` role: the cluster's clock. Run two (or more) for high availability.

Each control process is a procrastinate worker on the ``control`` queue whose app declares the
periodic tasks below. procrastinate defers a periodic task once per period across the whole
cluster (a unique row per task and timestamp), so two control processes never double a tick,
and when one dies the other's deferrer goes on: no gap beyond one period.

- ``tick`` (every ``tick_seconds``, from the shortest outlet interval): each outlet whose
  ``next_crawl_at`` is due gets a crawl job (``cluster.worker.defer_crawl``: a backlog collapses
  into one waiting job per outlet) and its next time from its ``interval`` or ``cron``, as the
  single-process scheduler computes it; ``schedule.jitter`` delays the job, not the plan. The
  outlet rows are locked for the tick's transaction, so two ticks running at once (a slow one
  and the next) queue nothing twice; the jobs are queued before the plan commits, so a control
  killed mid-tick costs at most a crawl that a waiting job absorbs.
- ``recover`` (every ``RECOVER_EVERY`` s, or half ``cluster.stall_timeout`` when that is
  shorter): ``cluster.recovery.recover_stalled`` for jobs of workers whose heartbeat stopped
  ``cluster.stall_timeout`` ago (kill -9, a lost machine).
- ``health`` (as often as single-process mode checks it), ``digests`` (every minute), each with
  a lock so a slow one never overlaps the next; ``cleanup`` (hourly): finished jobs older than
  ``KEEP_JOBS_HOURS``.

Reads ``[schedule]`` (``crawl_interval``, ``jitter``), the outlets' ``interval`` and ``cron``,
``[cluster]`` (``heartbeat``, ``stall_timeout``) and what the health and digest jobs read
(``[health]``, ``[alerts]``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import Any

from procrastinate import App
from sqlalchemy import select

from app import App as NewswatchApp
from cluster.names import CONTROL_QUEUE
from cluster.queue import queue_app, run_queue_worker
from cluster.recovery import recover_stalled
from cluster.roles import RoleContext
from cluster.status import last_tick
from cluster.worker import defer_crawl_async
from config import Config, OutletConfig
from crawler.runner import run_crawl
from daemon import DIGEST_EVERY, HEALTH_EVERY_MAX, Jobs, outlet_trigger
from storage import repository
from storage.models import Outlet, utcnow

log = logging.getLogger(__name__)

RECOVER_EVERY = 5  # seconds
KEEP_JOBS_HOURS = 24  # finished crawl jobs kept this long (status, troubleshooting)
TICK_STEPS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)  # seconds that divide a minute


def tick_seconds(cfg: Config) -> int:
    """A fifth of the shortest outlet interval, as a divisor of a minute (1 to 30 s): an outlet
    is queued at most that late; a cron outlet within the minute."""
    shortest = min((float(o.interval or cfg.schedule.crawl_interval) for o in cfg.outlets if not o.cron), default=300)
    return max([s for s in TICK_STEPS if s <= shortest / 5] or [1])


def recover_seconds(cfg: Config) -> int:
    """How often stalled jobs are looked for: every ``RECOVER_EVERY`` s, or twice per stall
    timeout when that is shorter, so a dead worker's job is recovered within about one and a
    half stall timeouts."""
    wanted = min(float(RECOVER_EVERY), float(cfg.cluster.stall_timeout) / 2)
    return max([s for s in TICK_STEPS if s <= wanted] or [1])


def every(seconds: float) -> str:
    """A procrastinate cron line (seconds in the 6th column) for a period of ``seconds``."""
    whole = int(seconds)
    if whole < 60:
        return f"* * * * * */{whole}"
    return f"*/{max(1, whole // 60)} * * * *"


def next_crawl(outlet: OutletConfig, cfg: Config, due: datetime | None, now: datetime) -> datetime:
    """When to queue the outlet's next crawl, without jitter: the next cron time, or one interval
    after the one due (a run missed while no control ran is made up once, not repeatedly)."""
    if outlet.cron:
        fire = outlet_trigger(outlet, cfg).get_next_fire_time(None, now)
        return fire if fire is not None else now + timedelta(days=1)
    interval = timedelta(seconds=float(outlet.interval or cfg.schedule.crawl_interval))
    following = (due or now) + interval
    return following if following > now else now + interval


class Control:
    """The periodic jobs' work, on one Newswatch app."""

    def __init__(self, app: NewswatchApp, queue: App, rng: random.Random | None = None) -> None:
        self.cfg = app.config
        self.sessions = app.sessions
        self.queue = queue
        self.rng = rng or random.Random()
        self.jobs = Jobs(app.config, app.sessions, app.ingestor(), run_crawl)  # health and digests only

    def tick(self, loop: asyncio.AbstractEventLoop) -> list[str]:
        """Queue every due outlet's crawl and plan its next; the outlets queued."""
        now = utcnow()
        queued = []
        with self.sessions.begin() as session:
            for outlet in self.cfg.outlets:  # rows first, so the locking select below sees them all
                repository.get_or_create_outlet(session, outlet.slug, outlet.name, outlet.language)
        with self.sessions.begin() as session:
            slugs = [o.slug for o in self.cfg.outlets]
            rows = {
                row.slug: row
                for row in session.scalars(
                    select(Outlet).where(Outlet.slug.in_(slugs)).order_by(Outlet.id).with_for_update()
                )
            }
            for outlet in self.cfg.outlets:
                row = rows[outlet.slug]
                due = row.next_crawl_at
                if due is not None and due > now:
                    continue
                jitter = self.rng.uniform(0, float(self.cfg.schedule.jitter))
                job = asyncio.run_coroutine_threadsafe(defer_crawl_async(self.queue, outlet, jitter), loop).result()
                row.next_crawl_at = next_crawl(outlet, self.cfg, due, now)
                queued.append(outlet.slug)
                log.debug("tick: %s queued (job %s), next at %s", outlet.slug, job, row.next_crawl_at)
        return queued


def register(queue: App, control: Control, tick: int) -> None:
    @queue.periodic(cron=every(tick), periodic_id="tick")
    @queue.task(name="tick", queue=CONTROL_QUEUE, pass_context=False)
    async def tick_task(timestamp: int) -> list[str]:
        return await asyncio.to_thread(control.tick, asyncio.get_running_loop())

    @queue.periodic(cron=every(recover_seconds(control.cfg)), periodic_id="recover")
    @queue.task(name="recover", queue=CONTROL_QUEUE, pass_context=False)
    async def recover_task(timestamp: int) -> list[dict[str, Any]]:
        stall = float(control.cfg.cluster.stall_timeout)
        recovered = await recover_stalled(queue, seconds_since_heartbeat=stall)
        return [{"job": r.job_id, "task": r.task, "outcome": r.outcome} for r in recovered]

    health_every = min(max(float(control.cfg.schedule.crawl_interval), 5.0), HEALTH_EVERY_MAX)

    @queue.periodic(cron=every(health_every), periodic_id="health")
    @queue.task(name="health", queue=CONTROL_QUEUE, lock="control/health", pass_context=False)
    async def health_task(timestamp: int) -> int:
        return len(await asyncio.to_thread(control.jobs.check_health))

    @queue.periodic(cron=every(DIGEST_EVERY), periodic_id="digests")
    @queue.task(name="digests", queue=CONTROL_QUEUE, lock="control/digests", pass_context=False)
    async def digests_task(timestamp: int) -> None:
        await asyncio.to_thread(control.jobs.queue_digests)

    @queue.periodic(cron="17 * * * *", periodic_id="cleanup")
    @queue.task(name="cleanup", queue=CONTROL_QUEUE, pass_context=False)
    async def cleanup_task(timestamp: int) -> None:
        await queue.job_manager.delete_old_jobs(nb_hours=KEEP_JOBS_HOURS, include_failed=True, include_aborted=True)


def run(ctx: RoleContext) -> None:
    queue = queue_app(ctx.app.config.storage.database_url)
    control = Control(ctx.app, queue)
    tick = tick_seconds(ctx.app.config)
    ctx.health.details = last_tick
    register(queue, control, tick)
    log.info("control: ticks every %ds for %d outlets", tick, len(ctx.app.config.outlets))
    run_queue_worker(
        queue,
        ctx.stop,
        ctx.app.config.cluster,
        ctx.health.pulse,
        queues=[CONTROL_QUEUE],
        name=f"control {ctx.name}",
        concurrency=4,  # a slow health check never holds up the next tick
        delete_jobs="successful",  # a tick a second would otherwise pile up rows
    )
