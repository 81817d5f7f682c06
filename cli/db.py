"""``db upgrade``: apply the schema migrations (Alembic) up to the newest revision."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.command import Commands, add_command

if TYPE_CHECKING:
    from app import App


def upgrade(app: App, args: argparse.Namespace) -> int:
    from storage import db

    app.upgrade()
    print(f"database at revision {db.current_revision(app.engine)}")
    return 0


def register(commands: Commands) -> None:
    parser = commands.add_parser("db", help="database maintenance (db upgrade)")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add_command(actions, "upgrade", upgrade, help="apply migrations up to the newest schema")
