"""Engines, sessions and schema upgrades.

There is no module-level engine: ``app`` builds one from ``storage.database_url`` and hands
a session factory to whoever needs it; the caller owns each session and its transaction.
SQLite gets WAL mode, a busy timeout and enforced foreign keys, so the daemon and a CLI
command can use the same file at once; a new database file (and folder) is created owner-only.
Readers check the schema (``require_schema``) and never migrate; ``upgrade`` (Alembic) is the
only path to it.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS = PROJECT_ROOT / "alembic" / "versions"


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another backend or an in-memory database)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database).expanduser()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for a SQLite file, create its folder first."""
    if make_url(url).get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if path is not None:
            _create_private(path)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _create_private(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by the owner only, whatever the umask:
    SQLite gives its -wal and -shm files the database file's permissions. An existing file
    keeps its own."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Any:
    from alembic.config import Config as AlembicConfig

    # stdout as it is now: Alembic's default is the sys.stdout of the moment it was first
    # imported, which (imported lazily) may be a stream that a test's capture closed since.
    cfg = AlembicConfig(str(ALEMBIC_INI), stdout=sys.stdout)
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (creating it if empty).

    A database already at the newest revision is left as it is without loading Alembic, which
    would read every migration file to find nothing to do (each write command and each daemon
    start upgrades first)."""
    engine = make_engine(url)  # creates the SQLite folder if needed
    try:
        if revision == "head" and {current_revision(engine)} == head_revisions():
            return
    finally:
        engine.dispose()
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (``None``: no schema yet), read without Alembic."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@functools.cache
def head_revisions(versions: Path = MIGRATIONS) -> frozenset[str]:
    """The newest revision(s) shipped with this code: those no other migration revises.

    Read from the migration files' ``revision`` and ``down_revision`` assignments rather than
    through Alembic, whose import would double the start-up time of a read-only command
    (``tests/storage/test_migrations.py`` checks that the two agree); parsed once per process
    (the code a process runs does not change under it)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in versions.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr | None = None
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            name = target.id if isinstance(target, ast.Name) else None
            if name == "revision":
                revisions.add(ast.literal_eval(value))
            elif name == "down_revision":
                down = ast.literal_eval(value)
                revised.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - revised)


class SchemaNotReady(Exception):
    """The database is missing, empty or at an older schema: a reader cannot use it as it is."""

    def __init__(self, url: str, current: str | None, heads: frozenset[str]) -> None:
        where = make_url(url).render_as_string(hide_password=True)
        if current is None:
            problem = f"no Newswatch database at {where} yet"
        else:
            needed = " or ".join(sorted(heads))
            problem = f"the database at {where} has schema revision {current}, this version needs {needed}"
        super().__init__(f"{problem}: run 'run.py db upgrade' (or start the daemon) first")
        self.url = url
        self.current = current
        self.heads = heads


def require_schema(url: str, engine: Callable[[], Engine]) -> None:
    """Raise ``SchemaNotReady`` unless the database at ``url`` is at the newest revision.

    Never creates anything: a SQLite file that does not exist is not opened (opening would
    create it), and nothing is migrated. ``engine`` is called only when there is a file or a
    server to connect to."""
    path = _sqlite_file(url)
    if path is not None and not path.is_file():
        raise SchemaNotReady(url, None, frozenset())
    current = current_revision(engine())
    heads = head_revisions()
    if current is None or current not in heads:
        raise SchemaNotReady(url, current, heads)
