"""failed URLs and their retries; where an article's publication date came from

``failed_urls``: one row per URL of an outlet whose last fetch failed, with its attempts, its
next retry or the time it was given up (``storage.failed_urls``). ``articles.date_source``:
which source gave ``published_at`` (``run.py articles show``); NULL for articles stored before.

Adding a column does not copy ``articles`` on SQLite; dropping it (the downgrade) does, and the
copy loses the full-text search triggers of 0002, which are created again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
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


def upgrade() -> None:
    op.create_table(
        "failed_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gave_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("listed_title", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlets.id"], name=op.f("fk_failed_urls_outlet_id_outlets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_urls")),
        sa.UniqueConstraint(
            "outlet_id", "source", "canonical_url", name=op.f("uq_failed_urls_outlet_id_source_canonical_url")
        ),
    )
    op.create_index(op.f("ix_failed_urls_last_failed_at"), "failed_urls", ["last_failed_at"], unique=False)
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("date_source", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("date_source")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    op.drop_index(op.f("ix_failed_urls_last_failed_at"), table_name="failed_urls")
    op.drop_table("failed_urls")
