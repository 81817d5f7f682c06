"""The ``worker`` role: a procrastinate worker on the ``crawl`` queue, running ``crawl_outlet``.

Run N of them, on any machines. A crawl job is deferred per outlet (``defer_crawl``, by the
control role's tick) with two locks: ``lock`` = the outlet's host, so outlets sharing a host
(Bernama's two editions) are never crawled at once anywhere in the cluster, and
``queueing_lock`` = the outlet, so a backlog (workers busy, ticks going on) collapses into one
waiting job per outlet. The job runs the same isolated crawl child as single-process mode
(``crawler.runner.run_crawl``), records the crawl run and its failures the same way, and hands
each extracted article, prepared for ingest (``storage.prepare``: fingerprint, signals, content
hash in the crawl's extraction processes, the embedding of an article matching a watch here), to the
ingest role through ``storage.staging`` (one row per canonical URL) instead of storing it: a
job run twice (jobs run at least once) stages nothing twice, and the ingest role stores
nothing twice. Each worker takes one crawl at a time: a crawl already fetches its outlet's
pages concurrently and extracts them in its own process pool.

Reads ``[schedule] crawl_time_limit`` and the crawler's settings, like single-process mode, and
``[cluster] heartbeat`` (how often it tells the cluster it is alive).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cluster.health import Pulse
from cluster.names import CRAWL_QUEUE
from cluster.queue import queue_app, run_queue_worker
from cluster.roles import RoleContext
from config import Config, OutletConfig
from crawler.child import warm_up
from crawler.runner import run_crawl
from daemon import FAILED, crawl_line
from storage import repository, staging
from storage.models import CrawlRun
from storage.prepare import Preparer
from storage.records import ArticleRecord, IngestResult
from storage.status import CrawlStatus
from storage.urls import canonicalize

if TYPE_CHECKING:
    from crawler.runner import CrawlSummary

log = logging.getLogger(__name__)

CRAWL_TASK = "crawl_outlet"


def host_lock(outlet: OutletConfig) -> str:
    """The lock every crawl of an outlet on this host takes (host and port of its base URL)."""
    return f"host:{urlsplit(canonicalize(outlet.base_url)).netloc}"


def defer_crawl(app: App, outlet: OutletConfig) -> int | None:
    """Queue a crawl of ``outlet``; None when one is already waiting (its queueing lock)."""
    deferrer = app.configure_task(
        CRAWL_TASK, queue=CRAWL_QUEUE, lock=host_lock(outlet), queueing_lock=f"outlet:{outlet.slug}"
    )
    try:
        return int(deferrer.defer(slug=outlet.slug))
    except AlreadyEnqueued:
        return None


async def defer_crawl_async(app: App, outlet: OutletConfig, delay: float = 0.0) -> int | None:
    """Queue a crawl of ``outlet`` to start after ``delay`` seconds; None when one is waiting."""
    deferrer = app.configure_task(
        CRAWL_TASK,
        queue=CRAWL_QUEUE,
        lock=host_lock(outlet),
        queueing_lock=f"outlet:{outlet.slug}",
        schedule_in={"seconds": delay} if delay > 0 else None,
    )
    try:
        return int(await deferrer.defer_async(slug=outlet.slug))
    except AlreadyEnqueued:
        return None


class Stager:
    """The crawl's ``ingest``: stage each article for the ingest role, under the crawl run
    now running for its outlet (the queue's lock makes it the only one)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._runs: dict[str, int | None] = {}

    def __call__(self, record: ArticleRecord) -> IngestResult:
        with self.sessions.begin() as session:
            if record.outlet not in self._runs:
                outlet = repository.get_or_create_outlet(session, record.outlet)
                self._runs[record.outlet] = session.scalar(
                    select(CrawlRun.id)
                    .where(CrawlRun.outlet_id == outlet.id, CrawlRun.status == CrawlStatus.RUNNING)
                    .order_by(CrawlRun.id.desc())
                    .limit(1)
                )
            if staging.stage(session, record, self._runs[record.outlet]):
                return IngestResult("staged", "staged", record.url)
        return IngestResult("duplicate", "dedup/staged", record.url)


class CrawlWorker:
    """The crawl task's state in one worker process: the config, sessions, the stop event."""

    def __init__(
        self, cfg: Config, sessions: sessionmaker[Session], pulse: Pulse | None = None, prepare: Preparer | None = None
    ) -> None:
        self.cfg = cfg
        self.prepare = prepare  # each article prepared for the ingest role here and in the crawl's extraction processes
        self.sessions = sessions
        self.pulse = pulse or Pulse()  # its state says which outlet is being crawled (health probe)
        self.outlets = {o.slug: o for o in cfg.outlets}
        self.stop_crawls = threading.Event()  # set schedule.stop_grace after the role's stop: crawls end now

    def crawl(self, slug: str) -> CrawlSummary | None:
        outlet = self.outlets.get(slug)
        if outlet is None:  # queued by a control process with another configuration
            log.warning("crawl job for %s skipped: no such enabled outlet in this worker's configuration", slug)
            return None
        limit = float(self.cfg.schedule.crawl_time_limit)
        self.pulse.state.update(state="crawling", outlet=slug)
        try:
            [summary] = run_crawl(
                self.cfg,
                [outlet],
                Stager(self.sessions),
                self.sessions,
                time_limit=limit,
                stop=self.stop_crawls,
                exclusive=True,
                prepare=self.prepare,
            )
        finally:
            self.pulse.state.update(state="waiting for a crawl job", outlet=None)
        (log.warning if summary.status in FAILED else log.info)("%s", crawl_line(summary))
        return summary


def register(app: App, worker: CrawlWorker) -> None:
    @app.task(name=CRAWL_TASK, queue=CRAWL_QUEUE, pass_context=False)
    def crawl_outlet(slug: str) -> dict[str, Any] | None:
        summary = worker.crawl(slug)
        return None if summary is None else {"status": str(summary.status), "run_id": summary.run_id}


def run(ctx: RoleContext) -> None:
    warm_up()  # the crawl fork server's imports, before this worker takes a job
    ctx.health.pulse.state.update(state="waiting for a crawl job", outlet=None)
    worker = CrawlWorker(ctx.app.config, ctx.app.sessions, ctx.health.pulse, ctx.app.preparer())
    app = queue_app(ctx.app.config.storage.database_url)
    register(app, worker)

    def grace() -> None:  # SIGTERM: running crawls get schedule.stop_grace, then are stopped
        ctx.stop.wait()
        worker.stop_crawls.wait(float(ctx.app.config.schedule.stop_grace))
        worker.stop_crawls.set()

    threading.Thread(target=grace, name="crawl-grace", daemon=True).start()
    run_queue_worker(
        app,
        ctx.stop,
        ctx.app.config.cluster,
        ctx.health.pulse,
        queues=[CRAWL_QUEUE],
        name=f"worker {ctx.name}",
        concurrency=1,
    )
