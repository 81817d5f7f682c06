"""Alembic is the only path to the schema: upgrade an empty database, then the models and the
migrations must agree (``alembic check``), on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from storage import db


def test_upgrade_head_on_empty_database_then_check(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    assert {"articles", "stories", "outlets", "crawl_runs", "watch_matches", "alert_deliveries"} <= tables
    assert db.current_revision(engine) is not None
    engine.dispose()
    command.check(db.alembic_config(database_url))  # raises if models and migrations differ


def test_upgrade_is_idempotent(database_url: str) -> None:
    db.upgrade(database_url)
    db.upgrade(database_url)


def test_read_only_commands_know_the_head_revision_without_alembic() -> None:
    from alembic.script import ScriptDirectory

    assert db.head_revisions() == set(ScriptDirectory.from_config(db.alembic_config("")).get_heads())
