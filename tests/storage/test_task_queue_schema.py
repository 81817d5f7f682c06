"""The cluster's task queue (procrastinate) gets its schema from our migrations alone: on
PostgreSQL, ``upgrade head`` gives a database procrastinate can queue jobs in (with its
queueing lock enforced by the database) and a downgrade removes every one of its objects; on
SQLite nothing of it exists."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from storage import db


def procrastinate_objects(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            return {t for t in inspect(engine).get_table_names() if t.startswith("procrastinate")}
        with engine.connect() as conn:
            return set(
                conn.scalars(
                    text(
                        "SELECT relname FROM pg_class WHERE relname LIKE 'procrastinate%' "
                        "UNION SELECT proname FROM pg_proc WHERE proname LIKE 'procrastinate%' "
                        "UNION SELECT typname FROM pg_type WHERE typname LIKE 'procrastinate%'"
                    )
                )
            )
    finally:
        engine.dispose()


def test_the_task_queue_schema_comes_with_upgrade_head_on_postgresql_only(empty_database_url: str) -> None:
    db.upgrade(empty_database_url)
    objects = procrastinate_objects(empty_database_url)
    if empty_database_url.startswith("sqlite"):
        assert objects == set()
        return
    assert {"procrastinate_jobs", "procrastinate_workers", "procrastinate_fetch_job_v2"} <= objects

    from procrastinate import App, PsycopgConnector
    from procrastinate.exceptions import AlreadyEnqueued

    app = App(connector=PsycopgConnector(conninfo=empty_database_url.replace("postgresql+psycopg://", "postgresql://")))

    @app.task(name="crawl", queueing_lock="outlet")
    def crawl(outlet: str) -> None:  # never run here: only queued
        pass

    with app.open():
        first = crawl.defer(outlet="qdnd")
        with pytest.raises(AlreadyEnqueued):  # a backlog collapses into one waiting job
            crawl.defer(outlet="qdnd")
        (job,) = app.job_manager.list_jobs()
        assert job.id == first and job.status == "todo"

    command.downgrade(db.alembic_config(empty_database_url), "0006")
    assert procrastinate_objects(empty_database_url) == set()
    db.upgrade(empty_database_url)
    assert "procrastinate_jobs" in procrastinate_objects(empty_database_url)
