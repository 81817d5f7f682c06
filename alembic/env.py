"""Alembic environment: runs migrations against the URL run.py (or the caller) chose."""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context

from storage.db import make_engine
from storage.models import SEARCH_OBJECTS, Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("database_url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy types, so migrations never import models."""
    from storage.models import EnumString, UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, EnumString):
        return f"sa.String(length={obj.impl.length})"
    return False


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave the full-text search objects (created by migration 0002) and the task queue's
    tables (``procrastinate_*``, migration 0007, PostgreSQL only), none declared in the models,
    out of autogenerate and ``alembic check``."""
    return name not in SEARCH_OBJECTS and not (name or "").startswith("procrastinate_")


def database_url() -> str:
    url = (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("NEWSWATCH_DATABASE_URL")
    )
    if not url:
        raise SystemExit("alembic: no database URL (use run.py db upgrade, -x url=..., or NEWSWATCH_DATABASE_URL)")
    return str(url)


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url())
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the original, which enforced foreign
            # keys refuse while other tables point at it. The pragma only takes effect outside a
            # transaction, so it is set before the migrations' transaction begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
