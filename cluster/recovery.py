"""Stalled-job recovery: jobs left ``doing`` by a worker that died (kill -9, a lost machine).

procrastinate finds them through the workers' heartbeats (``get_stalled_jobs``) and documents
retrying them (``retry_job``). That retry turns the job back into ``todo``, which fails on the
queueing lock's unique index (one ``todo`` job per queueing lock) when the next tick has already
queued a successor with the same queueing lock; the dead job then stays ``doing``, holds its
``lock`` for ever, and every later job with that lock (the outlet's next crawls) waits behind
it: the outlet is never crawled again.

``recover_stalled`` retries each stalled job, and when a successor is already waiting, closes
the dead job as ``failed`` instead, which frees its lock so the successor runs (it does the
same work: a crawl of that outlet now). Workers whose heartbeat stopped are then pruned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from procrastinate import App
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Status

log = logging.getLogger(__name__)

QUEUEING_LOCK_INDEX = "procrastinate_jobs_queueing_lock_idx_v1"


@dataclass(frozen=True)
class Recovered:
    job_id: int
    task: str
    lock: str | None
    outcome: str  # "retried": queued again; "superseded": closed, a successor was waiting


async def recover_stalled(app: App, seconds_since_heartbeat: float) -> list[Recovered]:
    """Retry or close every job of a worker silent for ``seconds_since_heartbeat``."""
    manager = app.job_manager
    recovered = []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat):
        assert job.id is not None
        try:
            await manager.retry_job(job)
            outcome = "retried"
        except UniqueViolation as exc:
            if exc.constraint_name != QUEUEING_LOCK_INDEX:
                raise
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            outcome = "superseded"
        log.warning("stalled job %s (%s, lock %s) of a silent worker: %s", job.id, job.task_name, job.lock, outcome)
        recovered.append(Recovered(job.id, job.task_name, job.lock, outcome))
    await manager.prune_stalled_workers(seconds_since_heartbeat)
    return recovered
