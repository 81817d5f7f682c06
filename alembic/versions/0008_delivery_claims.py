"""a delivery being sent names the dispatcher that claimed it

``alert_deliveries.claimed_by`` (``host:pid/…`` of the dispatcher; empty when no one is sending
it): set by the claim, cleared when the attempt is recorded. A dispatcher renews the lease of
the deliveries it holds by this name, so several dispatchers never re-send each other's live
sends, while a dead one's deliveries come due again when their lease ends.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch:
        batch.drop_column("claimed_by")
