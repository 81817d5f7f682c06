"""The daemon behind ``run.py run`` and ``run.py run --once``: scheduled crawls, source health,
digests and continuous alert dispatch, wired together in one process.

This is composition, like ``app`` (and used only by ``cli``): the crawler, storage and alerts
packages never import each other, this module calls all three. ``Jobs`` is the work itself
(crawl, check health, queue digests); ``Daemon`` runs it on a schedule.

- One APScheduler job per enabled outlet, on ``outlets.<slug>.cron`` (crontab, in the outlet's
  timezone) or every ``outlets.<slug>.interval`` / ``schedule.crawl_interval`` with
  ``schedule.jitter``; every outlet is first crawled within seconds of the start. Jobs coalesce
  (a backlog after a sleep runs once), never overlap for one outlet (``max_instances=1``) and
  still run when they are late by less than an interval (``misfire_grace_time``).
- Each job crawls its outlet in a child process (``crawler.runner``), cut off after
  ``schedule.crawl_time_limit``, so a crash, hang or leak in one outlet's crawl never reaches
  the daemon or the other outlets. Items are ingested here, one at a time (one shared
  near-duplicate index, guarded by a lock).
- After each crawl, and every few minutes for silence, ``storage.health.evaluate`` opens and
  closes incidents; each opening and each recovery queues one system alert to
  ``alerts.operator_channels`` (its key is the incident's id, so it is queued once).
- The dispatch loop sends due deliveries every ``schedule.dispatch_interval`` and at once when
  a commit queued new ones: in this process (the outbox wakes it), and on PostgreSQL in any
  process (``alerts retry``, ``import``, a script: it listens for their ``NOTIFY``, as the
  cluster's dispatchers do); digests are queued every minute (``alerts.digest`` decides which
  period has ended).
- A heartbeat row (``storage.heartbeat``) is rewritten every ``HEARTBEAT_EVERY`` seconds by a
  scheduled job and marked stopped at a clean stop, so the web console's /healthz tells a
  hung or killed daemon from a stopped one.

Reads ``[schedule]``, ``[health]``, ``[alerts] operator_channels`` and the outlets' ``interval``,
``cron`` and ``silence_after``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.digest import enqueue_digests
from alerts.dispatch import Dispatcher
from alerts.notify import DispatchLoop
from alerts.outbox import enqueue_system_alert
from config import Config, ConfigError, OutletConfig
from crawler.runner import CrawlSummary
from storage import health, heartbeat, repository
from storage.models import HealthIncident, utcnow
from storage.records import ArticleRecord, IngestResult
from storage.status import CRAWL_UNSUCCESSFUL

if TYPE_CHECKING:
    from storage.ingest import Ingestor

log = logging.getLogger("newswatch.daemon")

DIGEST_EVERY = 60.0  # seconds between digest checks (a digest period ends on the hour at most)
HEALTH_EVERY_MAX = 300.0  # the silence check runs at least this often
HEARTBEAT_EVERY = 15.0  # seconds between the daemon's heartbeats (the web console's /healthz reads them)


class CrawlFn(Protocol):
    """``crawler.runner.run_crawl``."""

    def __call__(
        self,
        cfg: Config,
        outlets: Sequence[OutletConfig],
        ingest: Callable[[ArticleRecord], IngestResult],
        sessions: sessionmaker[Session],
        *,
        time_limit: float | None = None,
        stop: threading.Event | None = None,
    ) -> Sequence[CrawlSummary]: ...


FAILED = CRAWL_UNSUCCESSFUL  # a crawl with one of these statuses kept nothing (run --once exits 1)


def crawl_line(s: CrawlSummary) -> str:
    """One log line per crawl, with its counts."""
    kept = f"staged {s.staged} for the ingest role" if s.staged else f"stored {s.stored}"
    line = (
        f"crawl {s.outlet}: {s.status} in {s.seconds:.1f}s: discovered {s.discovered}, "
        f"known {s.skipped_known}, old {s.skipped_old}, fetched {s.fetched}, {kept}, "
        f"duplicates {s.duplicates}, empty {s.extract_empty}, failed {s.failed}"
    )
    return f"{line} ({s.error})" if s.error else line


def outlet_trigger(outlet: OutletConfig, cfg: Config) -> BaseTrigger:
    """The outlet's schedule; a crontab that does not parse is a configuration error."""
    if outlet.cron:
        try:
            return CronTrigger.from_crontab(outlet.cron, timezone=ZoneInfo(outlet.timezone))
        except ValueError as exc:
            raise ConfigError(cfg.path, f"outlets.{outlet.slug}.cron", f"not a crontab expression: {exc}") from None
    interval = float(outlet.interval or cfg.schedule.crawl_interval)
    return IntervalTrigger(seconds=max(interval, 1.0), jitter=int(cfg.schedule.jitter) or None, timezone="UTC")


class Jobs:
    """The daemon's jobs, without the schedule: crawl outlets, check their health, queue digests.

    ``run --once`` and ``demo`` call them directly; ``Daemon`` calls them from scheduled jobs.
    """

    def __init__(
        self,
        cfg: Config,
        sessions: sessionmaker[Session],
        ingestor: Ingestor,
        crawl: CrawlFn,
        wake_dispatcher: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.cfg = cfg
        self.sessions = sessions
        self.ingestor = ingestor
        self._crawl = crawl
        self.wake_dispatcher = wake_dispatcher
        self.clock = clock
        self._ingest_lock = threading.Lock()  # one StoryIndex shared by every outlet's job
        self._health_lock = threading.Lock()  # a crawl job and the health job never race on incidents
        self.stop_crawls = threading.Event()  # set: running crawls end now (recorded as interrupted)

    def ingest(self, record: ArticleRecord) -> IngestResult:
        with self._ingest_lock:
            return self.ingestor.ingest(record)

    def crawl(self, outlets: Sequence[OutletConfig]) -> list[CrawlSummary]:
        limit = float(self.cfg.schedule.crawl_time_limit)
        summaries = list(
            self._crawl(self.cfg, outlets, self.ingest, self.sessions, time_limit=limit, stop=self.stop_crawls)
        )
        for summary in summaries:  # crawler.runner logs each crawl's counts; failures get a warning here
            (log.warning if summary.status in FAILED else log.debug)("%s", crawl_line(summary))
        self.check_health(outlets)
        return summaries

    def check_health(self, outlets: Sequence[OutletConfig] | None = None) -> list[health.IncidentChange]:
        """Evaluate each outlet's health; queue one system alert per opened or closed incident."""
        chosen = self.cfg.outlets if outlets is None else outlets
        operators = self.cfg.alerts.operator_channels
        now = self.clock()
        changes: list[health.IncidentChange] = []
        queued = 0
        with self._health_lock, self.sessions.begin() as session:
            for outlet in chosen:
                row = repository.get_or_create_outlet(session, outlet.slug, outlet.name, outlet.language)
                silence = float(outlet.silence_after) if outlet.silence_after is not None else None
                for change in health.evaluate(session, row, self.cfg.health, now, silence):
                    changes.append(change)
                    incident = session.scalar(
                        select(HealthIncident.id)
                        .where(HealthIncident.outlet_id == row.id, HealthIncident.kind == change.kind)
                        .order_by(HealthIncident.id.desc())
                        .limit(1)
                    )
                    subject, text = system_alert_text(outlet, change)
                    (log.warning if change.opened else log.info)("source health: %s", subject)
                    if not operators:
                        continue
                    state = "opened" if change.opened else "recovered"
                    key = f"health/{incident}/{state}"
                    queued += len(enqueue_system_alert(session, operators, subject, text, key, now))
        if changes and not operators:
            log.warning("no alerts.operator_channels configured: source health alerts are only logged")
        if queued:
            self.wake_dispatcher()
        return changes

    def record_next_runs(self, next_runs: Mapping[str, datetime | None]) -> None:
        with self.sessions.begin() as session:
            for outlet in self.cfg.outlets:
                if outlet.slug in next_runs:
                    row = repository.get_or_create_outlet(session, outlet.slug, outlet.name, outlet.language)
                    row.next_crawl_at = next_runs[outlet.slug]

    def queue_digests(self) -> None:
        if enqueue_digests(self.sessions, self.cfg, self.clock()):
            self.wake_dispatcher()


KIND_WORDS = {
    "failing": ("is failing", "crawls succeed again"),
    "silent": ("has gone silent", "new articles arrive again"),
    "extraction": ("pages give no text (layout change?)", "article text is extracted again"),
    "unmatched": ("keeps none of the links it finds (article_pattern?)", "crawls find articles again"),
}


def system_alert_text(outlet: OutletConfig, change: health.IncidentChange) -> tuple[str, str]:
    """Subject and body of the operator message for an incident opening or closing."""
    problem, fixed = KIND_WORDS.get(change.kind, (change.kind, "recovered"))
    if change.opened:
        subject = f"Newswatch source problem: {outlet.slug} {problem}"
        body = (
            f"{outlet.name} ({outlet.base_url}): {change.detail}.\n\n"
            "Until this is fixed, stories from this outlet may be missed. "
            f"Details: run.py status, and the daemon's log lines for 'crawl {outlet.slug}'.\n"
            "You get one more message when it recovers."
        )
    else:
        subject = f"Newswatch source recovered: {outlet.slug}"
        body = f"{outlet.name}: {fixed}; the '{change.kind}' problem is over ({change.detail})."
    return subject, body


class Daemon:
    """The scheduler, the dispatch loop and the jobs between them."""

    def __init__(
        self,
        cfg: Config,
        jobs: Jobs,
        dispatcher: Dispatcher,
        rng: random.Random | None = None,
        may_crawl: Callable[[], bool] = lambda: True,
    ) -> None:
        """``may_crawl`` is asked before each crawl: false while the single-instance lock is
        not known to be held (``storage.lock.DaemonLock.held``), so the crawl is skipped."""
        for outlet in cfg.outlets:
            outlet_trigger(outlet, cfg)  # a bad crontab stops the start, with its key
        self.cfg = cfg
        self.jobs = jobs
        interval = float(cfg.schedule.dispatch_interval)
        self.loop = DispatchLoop(dispatcher, interval, listen_to=cfg.storage.database_url)
        jobs.wake_dispatcher = self.loop.wake
        self.rng = rng or random.Random()
        self.may_crawl = may_crawl
        self.outlets = {o.slug: o for o in cfg.outlets}
        # The jobs as added: the scheduler updates these objects' next_run_time. Jobs read it
        # from here, because scheduler.get_job() waits for a lock that shutdown(wait=True)
        # holds while it waits for the jobs: a deadlock at SIGTERM.
        self._jobs: dict[str, Job] = {}
        self._running: set[str] = set()  # outlets being crawled now (set operations are atomic)
        self._stopping = threading.Event()
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            executors={"default": ThreadPoolExecutor(len(cfg.outlets) + 4)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    def start(self) -> None:
        # Outlet rows first: concurrent first crawls must not race to create them.
        self.jobs.record_next_runs(dict.fromkeys(self.outlets))
        self.loop.start()
        now = utcnow()
        first_within = min(float(self.cfg.schedule.jitter), 10.0)
        for outlet in self.cfg.outlets:
            interval = float(outlet.interval or self.cfg.schedule.crawl_interval)
            self._jobs[outlet.slug] = self.scheduler.add_job(
                self.crawl_job,
                outlet_trigger(outlet, self.cfg),
                args=[outlet.slug],
                id=f"crawl/{outlet.slug}",
                name=f"crawl {outlet.slug}",
                misfire_grace_time=3600 if outlet.cron else max(int(interval), 30),
                next_run_time=now + timedelta(seconds=self.rng.uniform(0, first_within)),
            )
        every = min(max(float(self.cfg.schedule.crawl_interval), 5.0), HEALTH_EVERY_MAX)
        self.scheduler.add_job(self.health_job, IntervalTrigger(seconds=every), id="health", name="health")
        self.scheduler.add_job(
            self.digest_job, IntervalTrigger(seconds=DIGEST_EVERY), id="digests", name="digests", next_run_time=now
        )
        with self.jobs.sessions.begin() as session:
            heartbeat.start(session, now, HEARTBEAT_EVERY)
        self.scheduler.add_job(self.heartbeat_job, IntervalTrigger(seconds=HEARTBEAT_EVERY), id="heartbeat")
        self.scheduler.start()
        self._record_next_runs()

    def stop(self, grace: float | None = None) -> None:
        """Stop scheduling; give running crawls ``grace`` seconds (default ``schedule.stop_grace``),
        then stop them; finish sends.

        A crawl child ignores SIGTERM/SIGINT (a terminal's Ctrl-C or systemd signal the whole
        process group) so that only the daemon decides: without this, a stop could wait for a
        whole ``crawl_time_limit``. A crawl stopped here keeps what it stored; its run is
        recorded as ``interrupted`` and the next start crawls the outlet again.
        """
        self._stopping.set()  # a job the scheduler handed out just now does not start crawling
        self.scheduler.pause()
        if grace is None:
            grace = float(self.cfg.schedule.stop_grace)
        deadline = time.monotonic() + grace
        while self._running and time.monotonic() < deadline:
            time.sleep(0.1)
        if self._running:
            log.warning(
                "stopping: crawls of %s still running after %.0fs: stopped", ", ".join(sorted(self._running)), grace
            )
        self.jobs.stop_crawls.set()
        while self._running:  # until every crawl job has recorded its run and returned
            time.sleep(0.1)
        self.scheduler.shutdown(wait=True)
        self.loop.stop(timeout=60)
        self._jobs.clear()
        self.jobs.record_next_runs(dict.fromkeys(self.outlets))  # nothing is scheduled any more
        with self.jobs.sessions.begin() as session:
            heartbeat.stop(session, utcnow())

    def _record_next_runs(self, slugs: Iterable[str] | None = None) -> None:
        chosen = self.outlets if slugs is None else slugs
        self.jobs.record_next_runs({slug: self._next_run(slug) for slug in chosen})

    def _next_run(self, slug: str) -> datetime | None:
        job = self._jobs.get(slug)
        return getattr(job, "next_run_time", None) if job is not None else None

    # Job boundaries: whatever goes wrong is logged with its context; the daemon keeps going.

    def crawl_job(self, slug: str) -> None:
        self._running.add(slug)
        try:
            if self._stopping.is_set():
                return
            if not self.may_crawl():
                log.warning("crawl of %s skipped: the daemon lock is not held (database connection lost)", slug)
                return
            self.jobs.crawl([self.outlets[slug]])
        except Exception:
            log.exception("crawl job for %s failed", slug)
        finally:
            self._running.discard(slug)
        try:
            self._record_next_runs([slug])
        except Exception:
            log.exception("cannot record the next crawl time of %s", slug)

    def health_job(self) -> None:
        try:
            self.jobs.check_health()
        except Exception:
            log.exception("health check failed")

    def digest_job(self) -> None:
        try:
            self.jobs.queue_digests()
        except Exception:
            log.exception("digest check failed")

    def heartbeat_job(self) -> None:
        """A scheduled job, not a thread of its own: a beat also proves the scheduler runs."""
        try:
            with self.jobs.sessions.begin() as session:
                heartbeat.beat(session, utcnow())
        except Exception:
            log.exception("cannot record the daemon's heartbeat")
