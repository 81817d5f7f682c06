"""the cluster's task queue (procrastinate) on PostgreSQL; nothing on SQLite

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 01:45:00

Cluster mode queues its jobs (crawls, ticks, deliveries) in procrastinate's tables, functions
and triggers. Alembic is the only path to our schema, so procrastinate's own ``schema --apply``
is never used: this revision runs the schema SQL shipped inside the installed procrastinate
package (the version pinned in requirements.lock; a different one is refused with a one-line
error, since its schema may differ from what this revision stands for). Upgrading procrastinate
later is a new revision running the package's migration files between the two versions.

SQLite has no cluster mode (procrastinate needs PostgreSQL): the revision does nothing there.
``alembic/env.py`` leaves the ``procrastinate_*`` objects out of ``alembic check``.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata, resources
from typing import Any

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PINNED = "3.10."  # the procrastinate release whose shipped schema this revision applies

DROP_ALL = r"""
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE 'procrastinate\_%'
    LOOP EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.relname); END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\_%'
    LOOP EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.signature); END LOOP;
    FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\_%'
               AND (t.typtype = 'e' OR (t.typtype = 'c' AND t.typrelid = 0 OR
                    EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
    LOOP EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname); END LOOP;
END $$;
"""


def _run_script(bind: Any, script: str) -> None:
    """Run an SQL script of many statements on the migration's connection (in its transaction),
    straight through psycopg without parameters: no layer reads its '%' as placeholders."""
    bind.connection.driver_connection.execute(script)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        installed = metadata.version("procrastinate")
    except metadata.PackageNotFoundError:
        raise SystemExit(
            "migration 0007 needs the procrastinate package (pip install -r requirements.lock)"
        ) from None
    if not installed.startswith(PINNED):
        raise SystemExit(
            f"migration 0007 applies procrastinate {PINNED}x's schema, but {installed} is installed "
            "(pip install -r requirements.lock)"
        )
    schema = (resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")
    _run_script(bind, schema)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _run_script(bind, DROP_ALL)
