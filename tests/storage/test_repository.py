"""Repository functions where processes sharing one database meet.

Found by the full-scale cluster test: at a cluster's first start, the control role's tick and
its health check (and workers, ingesters) create the outlets' rows at the same moment; the
health check failed on the unique slug. Two sessions on PostgreSQL, the second's insert
waiting on the first's uncommitted row, as the processes did.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import sessionmaker

from storage import db
from storage.models import Outlet
from storage.repository import get_or_create_outlet
from tests.helpers import wait_until


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    db.upgrade(postgres_url)
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


def waiting(engine: Engine) -> int:
    """Lock requests waiting now (the second insert, on the first one's row)."""
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar() or 0)


@pytest.mark.postgres
def test_an_outlet_created_by_two_processes_at_once_is_one_row_for_both(engine: Engine) -> None:
    sessions = sessionmaker(engine)
    found: dict[str, object] = {}

    def second() -> None:
        try:
            with sessions.begin() as session:
                found["id"] = get_or_create_outlet(session, "qdnd", "QĐND").id
        except Exception as exc:  # what the test reports
            found["error"] = exc

    with sessions() as first, first.begin():
        mine = get_or_create_outlet(first, "qdnd", "QĐND")  # inserted, not committed yet
        other = threading.Thread(target=second)
        other.start()
        wait_until(lambda: waiting(engine), "the second insert waiting for the first transaction")
        mine_id = mine.id
    other.join(30)
    assert found == {"id": mine_id}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Outlet)) == 1
