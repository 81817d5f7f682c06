"""articles: one index on (outlet_id, created_at) instead of outlet_id alone

Counting an outlet's articles of the last day, or per day, read every article of the outlet
one by one through the outlet_id index (250 ms at 100,000 articles on SQLite); the two-column
index answers those and the latest article per outlet by itself, and still serves lookups
by outlet_id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_articles_outlet_id_created_at", "articles", ["outlet_id", "created_at"], unique=False)
    op.drop_index("ix_articles_outlet_id", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_outlet_id", "articles", ["outlet_id"], unique=False)
    op.drop_index("ix_articles_outlet_id_created_at", table_name="articles")
