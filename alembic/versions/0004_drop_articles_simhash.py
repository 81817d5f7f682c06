"""drop articles.simhash (never written: near-duplicates use articles.fingerprint)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 00:00:00

SQLite cannot drop a column in place in general, so the batch operation copies ``articles``
into a new table and swaps it in (``alembic/env.py`` turns foreign keys off around migrations
on SQLite, as that copy requires). The old table's triggers go with it: the full-text search
triggers of 0002 are created again (the FTS index itself is keyed on the article ids, which the
copy keeps). PostgreSQL drops the column in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As created by 0002 (a migration keeps its own copy: later code may change).
SQLITE_TRIGGERS = (
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
)


def _restore_search_triggers() -> None:
    """After a batch operation on SQLite (only a table copy loses them; adding a column does not)."""
    if op.get_bind().dialect.name == "sqlite":
        for name in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("simhash")
    _restore_search_triggers()


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch_op:
        batch_op.add_column(sa.Column("simhash", sa.BigInteger(), nullable=True))
    _restore_search_triggers()
