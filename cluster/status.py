"""What ``status`` shows of a cluster: its processes by role, the crawl workers alive (their
procrastinate heartbeats), jobs queued, running and stalled per queue, the ingest lane's lag
(rows staged, the oldest one's age), the active ingest process and the last tick.

Read-only queries on PostgreSQL; None when the database is SQLite or no cluster ever ran on it.
The caller passes ``cluster.stall_timeout``: what counts as a silent worker and a stalled job.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from cluster.names import INGEST_KEY, QUEUES
from config import format_duration
from storage import staging
from storage.models import iso, utcnow


def cluster_status(session: Session, now: datetime, stall_timeout: float) -> dict[str, Any] | None:
    """The cluster as ``status`` shows it; a queue worker whose heartbeat is older than
    ``stall_timeout`` (``cluster.stall_timeout``) is silent, and its running jobs stalled."""
    if session.get_bind().dialect.name != "postgresql" or not inspect(session.connection()).has_table(
        "procrastinate_jobs"
    ):
        return None
    run = session.execute
    processes: dict[str, list[str]] = {}
    for (name,) in run(
        text(
            "SELECT DISTINCT application_name FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name LIKE 'newswatch %' ORDER BY application_name"
        )
    ):
        parts = name.split(" ", 2)  # "newswatch ROLE HOST:PID" (cluster.roles)
        if len(parts) == 3:
            processes.setdefault(parts[1], []).append(parts[2])
    alive, silent = run(
        text(
            "SELECT count(*) FILTER (WHERE last_heartbeat >= now() - make_interval(secs => :s)),"
            " count(*) FILTER (WHERE last_heartbeat < now() - make_interval(secs => :s)) FROM procrastinate_workers"
        ),
        {"s": stall_timeout},
    ).one()
    # Every queue the roles use is shown, an idle one too (between ticks a crawl queue is empty):
    # "none" is an answer, a missing line is not.
    jobs: dict[str, dict[str, int]] = {queue: {} for queue in QUEUES}
    for queue, state, n in run(
        text(
            "SELECT j.queue_name, CASE"
            "  WHEN j.status = 'doing' AND (w.id IS NULL OR w.last_heartbeat < now() - make_interval(secs => :s))"
            "    THEN 'stalled'"
            "  WHEN j.status = 'todo' AND j.scheduled_at > now() THEN 'scheduled'"
            "  WHEN j.status = 'todo' THEN 'queued'"
            "  WHEN j.status = 'doing' THEN 'running'"
            "  ELSE j.status::text END, count(*)"
            " FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id"
            " WHERE j.status IN ('todo', 'doing') OR j.id IN ("
            "   SELECT id FROM procrastinate_jobs WHERE status = 'failed' ORDER BY id DESC LIMIT 1000)"
            " GROUP BY 1, 2"
        ),
        {"s": stall_timeout},
    ):
        jobs.setdefault(queue, {})[state] = int(n)
    active = run(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :k"
            " AND a.datname = current_database()"
        ),
        {"k": INGEST_KEY},
    ).scalar()
    lag = lane_lag(session, now)
    if not processes and not alive and not silent and not any(jobs.values()) and not lag["staged"]:
        return None
    return {
        "processes": processes,
        "workers_alive": int(alive),
        "workers_silent": int(silent),
        "jobs": jobs,
        **lag,
        "active_ingester": active.split(" ", 2)[-1] if active else None,
        "stall_timeout": stall_timeout,
        **last_tick(session),
    }


def lane_lag(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """The ingest lane's lag: the articles staged and how long the oldest has waited (``status``
    and the ingest role's health probe)."""
    staged, oldest = staging.lag(session)
    waited = round(((now or utcnow()) - oldest).total_seconds(), 1) if oldest is not None else None
    return {"staged": staged, "oldest_staged_seconds": waited}


def last_tick(session: Session) -> dict[str, Any]:
    """When the cluster's last tick was due, whichever control process ran it (``status`` and the
    control role's health probe)."""
    at = session.scalar(
        text("SELECT max(defer_timestamp) FROM procrastinate_periodic_defers WHERE periodic_id = 'tick'")
    )
    return {"last_tick_at": iso(datetime.fromtimestamp(at, UTC), "seconds") if at else None}


def format_cluster(info: dict[str, Any]) -> str:
    roles = ", ".join(f"{role} {len(where)} ({', '.join(where)})" for role, where in sorted(info["processes"].items()))
    within = format_duration(info["stall_timeout"])
    lines = [
        f"cluster processes: {roles or 'none connected'}",
        f"queue workers alive (worker and control processes, heartbeat within {within}): "
        f"{info['workers_alive']}"
        + (f", {info['workers_silent']} silent (dead: their jobs are recovered)" if info["workers_silent"] else ""),
    ]
    for queue, counts in sorted(info["jobs"].items()):
        shown = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "none queued or running"
        lines.append(f"jobs on {queue}: {shown}")
    lag = f"{info['staged']} articles staged"
    if info["oldest_staged_seconds"] is not None:
        lag += f", the oldest {info['oldest_staged_seconds']:.0f}s ago"
    lines.append(f"ingest: {lag}; active ingester: {info['active_ingester'] or 'none'}")
    lines.append(f"control: last tick {info['last_tick_at'] or 'never'}")
    return "\n".join(lines)
