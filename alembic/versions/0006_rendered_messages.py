"""a delivery keeps the message rendered when it was queued

``alert_deliveries.message`` (JSON: subject, text, html, body, thread): every attempt of a
delivery sends these same bytes, so a retry never differs from the first try. Deliveries queued
before this revision have none; they are rendered at their next attempt and stored then.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.add_column(sa.Column("message", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_column("message")
