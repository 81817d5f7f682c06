"""Helpers the browse modules share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def aware(value: Any) -> datetime:
    """An aggregate over a timestamp column, as an aware UTC datetime (SQLite gives text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    aware: datetime = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware
