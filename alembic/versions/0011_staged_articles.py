"""cluster mode's hand-off from crawl workers to the ingest role: staged_articles

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:00:00

A crawl worker stages each extracted article (one row per canonical URL); the single active
ingest role stores it and deletes the row in the same transaction. The table exists on SQLite
too (one schema for both backends) and stays empty there: single-process mode ingests directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staged_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("outlet", sa.String(length=100), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("staged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_runs.id"],
            name=op.f("fk_staged_articles_crawl_run_id_crawl_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_articles")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_staged_articles_canonical_url")),
    )
    op.create_index(op.f("ix_staged_articles_outlet"), "staged_articles", ["outlet"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staged_articles_outlet"), table_name="staged_articles")
    op.drop_table("staged_articles")
