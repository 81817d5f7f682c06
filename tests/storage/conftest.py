"""The ``database`` fixture of the storage tests: an empty database of each kind, upgraded."""

from __future__ import annotations

import pytest

from storage import db


@pytest.fixture
def database(database_url: str) -> str:
    db.upgrade(database_url)
    return database_url
