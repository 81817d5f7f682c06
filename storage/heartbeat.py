"""The daemon's heartbeat: one row it rewrites every few seconds, read by the web console's
/healthz to tell a daemon that stopped ticking (hung, or killed) from one that stopped cleanly.

Repository-style functions: the session comes first and nothing is committed. Reads no
configuration.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import DaemonHeartbeat

DAEMON = "daemon"


@dataclass(frozen=True)
class Liveness:
    """What /healthz says about the daemon: ``state`` is ``none`` (never ran on this
    database), ``stopped`` (stopped cleanly), ``ticking`` or ``stale`` (no beat for three
    intervals: hung, or died without stopping)."""

    state: str
    beat_at: datetime | None
    pid: int | None

    @property
    def healthy(self) -> bool:
        return self.state != "stale"


def start(session: Session, now: datetime, interval: float, name: str = DAEMON) -> None:
    row = session.get(DaemonHeartbeat, name)
    if row is None:
        row = DaemonHeartbeat(name=name)
        session.add(row)
    row.pid, row.host = os.getpid(), socket.gethostname()[:200]
    row.started_at = row.beat_at = now
    row.interval, row.stopped_at = interval, None


def beat(session: Session, now: datetime, name: str = DAEMON) -> None:
    row = session.get(DaemonHeartbeat, name)
    if row is not None:
        row.beat_at = now


def stop(session: Session, now: datetime, name: str = DAEMON) -> None:
    row = session.get(DaemonHeartbeat, name)
    if row is not None:
        row.beat_at = row.stopped_at = now


def liveness(session: Session, now: datetime, name: str = DAEMON) -> Liveness:
    row = session.scalar(select(DaemonHeartbeat).where(DaemonHeartbeat.name == name))
    if row is None:
        return Liveness("none", None, None)
    if row.stopped_at is not None:
        return Liveness("stopped", row.beat_at, row.pid)
    late = now - row.beat_at > timedelta(seconds=3 * row.interval + 5)
    return Liveness("stale" if late else "ticking", row.beat_at, row.pid)
