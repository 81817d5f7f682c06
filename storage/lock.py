"""One daemon per database.

A second ``run.py run`` against the same database is refused with a clear message instead of
being coordinated: two schedulers would double the load on every outlet for no gain.
SQLite: an exclusive ``flock`` on ``<database file>.daemon.lock`` (released by the kernel when
the process dies, even by SIGKILL). PostgreSQL: a session-level advisory lock held on a
dedicated connection for the daemon's lifetime (released when that connection closes).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

ADVISORY_KEY = 0x4E657773  # "News"


class AlreadyRunning(Exception):
    def __init__(self, where: str) -> None:
        super().__init__(f"another Newswatch daemon is already running on this database ({where})")
        self.where = where


class DaemonLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._fd: int | None = None
        self._conn: Any = None

    def acquire(self) -> None:
        url = make_url(str(self.engine.url))
        if url.get_backend_name() == "sqlite":
            database = url.database
            if not database or database == ":memory:":
                return
            path = Path(database).expanduser().resolve().with_name(Path(database).name + ".daemon.lock")
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise AlreadyRunning(f"lock file {path}") from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd = fd
        elif url.get_backend_name() == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
            conn.commit()
            if not got:
                conn.close()
                raise AlreadyRunning("PostgreSQL advisory lock")
            self._conn = conn

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            # close() only returns the connection to the pool, where the session lock would live on
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            self._conn.commit()
            self._conn.close()
            self._conn = None
