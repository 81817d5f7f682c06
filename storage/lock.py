"""One daemon per database.

A second ``run.py run`` against the same database is refused with a clear message instead of
being coordinated: two schedulers would double the load on every outlet for no gain.
SQLite: an exclusive ``flock`` on ``<database file>.daemon.lock`` (released by the kernel when
the process dies, even by SIGKILL; created owner-only). PostgreSQL: a session-level advisory
lock held on a dedicated connection for the daemon's lifetime (released when that connection
closes).

A PostgreSQL connection can be lost under a running daemon (a restart, a network blip, a
proxy), and the server then releases the lock with the session. ``watch()`` checks the holding
connection every second: when it is gone, the lock is taken again on a new connection; until
then ``held`` is false (the daemon starts no crawl), and if another daemon took the lock
meanwhile, ``on_lost`` is called and the daemon stops: never two daemons crawling.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

ADVISORY_KEY = 0x4E657773  # "News"
CHECK_EVERY = 1.0  # seconds between checks of the holding connection

log = logging.getLogger(__name__)


class AlreadyRunning(Exception):
    def __init__(self, where: str) -> None:
        super().__init__(f"another Newswatch daemon is already running on this database ({where})")
        self.where = where


class DaemonLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._fd: int | None = None
        self._conn: Any = None
        self._postgres = False
        self._held = threading.Event()
        self._stop_watch = threading.Event()
        self._watcher: threading.Thread | None = None
        self._guard = threading.Lock()  # the watcher and release() never use the connection at once

    @property
    def held(self) -> bool:
        """True while this process is known to hold the lock (always, for SQLite and memory)."""
        return self._held.is_set()

    def acquire(self) -> None:
        url = make_url(str(self.engine.url))
        if url.get_backend_name() == "sqlite":
            database = url.database
            if database and database != ":memory:":
                self._fd = _flock(database)
        elif url.get_backend_name() == "postgresql":
            self._postgres = True
            if not self._try_advisory():
                raise AlreadyRunning("PostgreSQL advisory lock")
        self._held.set()

    def watch(self, on_lost: Callable[[], None], every: float = CHECK_EVERY) -> None:
        """Check the lock every ``every`` seconds from a thread; take it again after a lost
        connection; call ``on_lost`` (once) if another process has taken it."""
        if not self._postgres:
            return  # a file lock cannot be lost while the process lives

        def loop() -> None:
            while not self._stop_watch.wait(every):
                if not self.check():
                    on_lost()
                    return

        self._watcher = threading.Thread(target=loop, name="daemon-lock", daemon=True)
        self._watcher.start()

    def check(self) -> bool:
        """Is the lock still ours? False only when another process holds it now.

        While the database cannot be reached, ``held`` is false and this returns True (no one
        else can take the lock without reaching it either; the next check tries again)."""
        with self._guard:
            if not self._postgres or self._stop_watch.is_set():
                return True
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT 1")).scalar()
                    self._conn.commit()
                    return True
                except DBAPIError:
                    self._held.clear()
                    log.warning("lost the database connection holding the daemon lock: taking it again")
                    _discard(self._conn)
                    self._conn = None
            try:
                got = self._try_advisory()
            except DBAPIError as exc:
                log.warning("cannot reach the database to take the daemon lock again: %s", _first_line(exc))
                return True
            if got:
                self._held.set()
                log.warning("daemon lock taken again after a lost connection")
                return True
            log.error("another Newswatch daemon took the lock while the connection was lost")
            self._stop_watch.set()
            return False

    def release(self) -> None:
        self._stop_watch.set()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=30)
        with self._guard:
            self._held.clear()
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = None
            if self._conn is not None:
                try:
                    # close() only returns the connection to the pool, where the session lock would live on
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                    self._conn.commit()
                    self._conn.close()
                except DBAPIError:
                    _discard(self._conn)  # a lost connection: the server ended its session and lock
                self._conn = None

    def _try_advisory(self) -> bool:
        """Take the advisory lock on a new dedicated connection; False if another session has it."""
        conn = self.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
            conn.commit()
        except DBAPIError:
            _discard(conn)
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True


def _flock(database: str) -> int:
    path = Path(database).expanduser().resolve().with_name(Path(database).name + ".daemon.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise AlreadyRunning(f"lock file {path}") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _discard(conn: Any) -> None:
    """Drop a connection whose socket is gone, without returning it to the pool."""
    try:
        conn.invalidate()
        conn.close()
    except Exception:  # already unusable: nothing left to clean
        log.debug("closing a lost lock connection failed", exc_info=True)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
