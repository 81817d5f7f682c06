"""Helpers shared by tests: configurations from dicts, the shared research data, the CLI, waiting
with a deadline, and the daemon in a subprocess."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from alerts.channels import CONFIG_TYPES
from config import Config, config_from_dict
from crawler.outlets import load_presets

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CONFIGURED_POSTGRES_URL = os.environ.get("NEWSWATCH_TEST_POSTGRES_URL")


def worker_postgres_url(url: str | None, worker: str | None) -> str | None:
    """The database this test process uses: the configured one, or under pytest-xdist (``make
    test`` runs one process per core) ``<database>_<worker id>`` on the same server, so workers
    never reset each other's schema. tests/conftest.py creates it at session start and drops it
    at the end."""
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = worker_postgres_url(CONFIGURED_POSTGRES_URL, os.environ.get("PYTEST_XDIST_WORKER"))


def create_worker_database(configured: str, url: str) -> None:
    """Create ``url``'s database (a worker's own) through the configured one, unless it exists
    (left behind by a run that was killed)."""
    name = make_url(url).database
    engine = create_engine(configured, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def drop_worker_database(configured: str, url: str) -> None:
    """Drop a worker's database at the end of its session (connections left open are ended)."""
    engine = create_engine(configured, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        engine.dispose()


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


# Everything a migration creates in the schema, and the revision: the same digest after a test
# means no test changed the schema, so emptying the tables gives what an upgrade would.
_SCHEMA_DIGEST = """
SELECT md5(string_agg(object, ',' ORDER BY object)) FROM (
    SELECT 'rel ' || relname || ' ' || relkind::text AS object FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'col ' || c.relname || '.' || a.attname || ' ' || a.atttypid::regtype::text
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT 'proc ' || oid::regprocedure::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = 'public'::regnamespace
    UNION ALL SELECT 'revision ' || version_num FROM alembic_version
) AS objects
"""
# Every row out (foreign keys and triggers not fired: session_replication_role, a superuser's
# setting), every sequence back to its start. DELETE, not TRUNCATE: on a small database
# TRUNCATE's new files cost most of a second on a busy server.
_EMPTY_TABLES = """
SET LOCAL session_replication_role = replica;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT oid::regclass AS name FROM pg_class
             WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND relname <> 'alembic_version'
    LOOP EXECUTE format('DELETE FROM %s', r.name); END LOOP;
    FOR r IN SELECT s.seqrelid::regclass AS name, s.seqstart AS start FROM pg_sequence s
             JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = 'public'::regnamespace
    LOOP PERFORM setval(r.name, r.start, false); END LOOP;
END $$;
"""
_upgraded: dict[str, str] = {}  # url -> schema digest right after this process upgraded it


def upgraded_postgres(url: str) -> None:
    """Leave the PostgreSQL database at ``url`` at the newest schema with no rows, as
    ``reset_postgres`` and ``storage.db.upgrade`` would: after the first time in this process,
    by emptying its tables when no test changed its schema since (about a tenth of the time)."""
    engine = create_engine(url)
    try:
        if url in _upgraded:
            try:
                with engine.begin() as conn:
                    if conn.execute(text(_SCHEMA_DIGEST)).scalar() == _upgraded[url]:
                        conn.connection.driver_connection.execute(_EMPTY_TABLES)  # type: ignore[union-attr]
                        return
            except DBAPIError:  # no schema left, or not a superuser: upgrade from scratch
                pass
        reset_postgres(url)
        from storage import db

        db.upgrade(url)
        with engine.connect() as conn:
            _upgraded[url] = str(conn.execute(text(_SCHEMA_DIGEST)).scalar_one())
    finally:
        engine.dispose()


def make_config(data: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Config:
    return config_from_dict(data or {}, env=env or {}, presets=load_presets(), channel_types=CONFIG_TYPES)


# Everyday news words: random sentences of them make texts that match no watch and are no
# near-copy of each other (each seed gives its own text).
WORDS = [
    "navy",
    "coast",
    "guard",
    "patrol",
    "vessel",
    "harbour",
    "minister",
    "talks",
    "agreement",
    "fisheries",
    "crew",
    "boat",
    "waters",
    "officers",
    "exercise",
    "cooperation",
    "training",
    "port",
    "visit",
    "delegation",
    "security",
    "maritime",
    "ministry",
    "province",
    "weather",
    "market",
    "farmers",
    "school",
    "bridge",
    "festival",
    "railway",
    "budget",
    "hospital",
    "river",
    "village",
    "council",
    "teachers",
    "engineers",
    "exports",
    "rice",
    "coffee",
    "rubber",
    "timber",
    "tourists",
    "museum",
    "airport",
]


def random_words(seed: int, count: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(count))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared research data not found at {path}")
    return path


@dataclass(frozen=True)
class CliResult:
    """What a user sees of one command: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


# The ``run_cli`` fixture: ``run_cli("status", "--json", env={...}, cwd=..., input="...")``.
RunCli = Callable[..., CliResult]


def run_process(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``run.py`` in a subprocess (NEWSWATCH_* variables cleared), for the tests where the
    process itself matters: the real entry point, signals, a second daemon. Everything else uses
    the in-process ``run_cli`` fixture (tests/conftest.py), which is much faster."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
        input=input,
    )


T = TypeVar("T")


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, the ones they started, and so on (Linux /proc)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        for task in Path(f"/proc/{pending.pop()}/task").glob("*"):
            try:
                kids = [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
            found += kids
            pending += kids
    return found


def wait_until(
    observe: Callable[[], T],
    what: str,
    *,
    until: Callable[[T], object] = bool,
    timeout: float = 90,
    every: float = 0.1,
    alive: Callable[[], bool] | None = None,
    context: Callable[[], str] | None = None,
) -> T:
    """Poll ``observe()`` until ``until(value)`` holds, and return that value.

    The one way a test waits for something another thread or process does: a deadline instead
    of a fixed sleep (quick on an idle machine, patient on a loaded one), and a failure that says
    what was awaited, the last value seen and, from ``context``, what the other side was doing
    (a daemon's log). When ``alive`` turns false (the daemon exited) it fails at once instead of
    waiting out the deadline.
    """
    deadline = time.monotonic() + timeout
    while True:
        gone = alive is not None and not alive()
        value = observe()  # after the liveness check: what a process did before it exited counts
        if until(value):
            return value
        if gone or time.monotonic() >= deadline:
            why = "the process exited" if gone else f"timed out after {timeout:g}s"
            shown = repr(value)
            shown = shown if len(shown) <= 500 else "..." + shown[-500:]
            detail = f"\n{context()[-3000:]}" if context is not None else ""
            raise AssertionError(f"{why} waiting for {what}; last seen: {shown}{detail}")
        time.sleep(every)


class DaemonProcess:
    """``run.py ARGS`` (a daemon) in a subprocess, its log (stderr) written to a file the test reads.

    ``env`` is added to this process's environment less its NEWSWATCH_* variables, or used alone
    with ``inherit_env=False`` (a daemon started with a bare environment, as by an init system).
    """

    def __init__(self, *args: str, env: dict[str, str], log_dir: Path, inherit_env: bool = True) -> None:
        self.log_path = log_dir / f"daemon-{uuid.uuid4().hex[:6]}.log"
        self._log = self.log_path.open("w")
        base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")} if inherit_env else {}
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), *args],
            cwd=ROOT,
            env=base | env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.proc.poll() is None

    def wait(
        self, observe: Callable[[], T], what: str, *, until: Callable[[T], object] = bool, timeout: float = 90
    ) -> T:
        """``wait_until`` while the daemon runs, with its log in the failure."""
        return wait_until(observe, what, until=until, timeout=timeout, alive=self.running, context=self.log)

    def wait_for_log(self, words: str, timeout: float = 60, start: int = 0) -> None:
        """Wait for ``words`` in the log (from character ``start``, e.g. ``len(log())`` earlier)."""
        self.wait(
            lambda: self.log()[start:],
            f"{words!r} in the daemon's log",
            until=lambda log: words in log,
            timeout=timeout,
        )

    def children(self) -> list[int]:
        """Every process it started, and theirs (crawl children come from a fork server)."""
        return descendants(self.proc.pid)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        """Send ``sig`` (unless it exited already) and return its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        """Never leave a daemon behind (for ``finally``)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._log.close()
