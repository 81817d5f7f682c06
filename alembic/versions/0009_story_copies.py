"""story copies: the same text seen at another address or outlet, recorded as a member of its story

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_story_copies_article_id_articles")),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlets.id"], name=op.f("fk_story_copies_outlet_id_outlets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_copies")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_story_copies_canonical_url")),
    )
    op.create_index(op.f("ix_story_copies_article_id"), "story_copies", ["article_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_story_copies_article_id"), table_name="story_copies")
    op.drop_table("story_copies")
