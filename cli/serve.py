"""``serve``: the web console (stories, articles, alerts, outlets, watches, Atom feeds,
/metrics, /healthz) on the database, until Ctrl-C or SIGTERM; see README "Web console".

Read-only: it never migrates (the daemon and ``db upgrade`` do) and refuses a database that is
not at the newest schema. A bind address other than loopback is refused (exit 2) unless
``[web] token_env`` or ``password_env`` gives a secret. ``run --serve`` serves the same console
from the daemon's process (``cli.run``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.command import CommandError, Commands, UsageError, add_command

if TYPE_CHECKING:
    from app import App
    from web.server import Console


def console_for(app: App, host: str | None, port: int | None) -> Console:
    """The console on ``host``:``port`` (default: ``[web]``'s), after the bind check."""
    from web.app import create_app
    from web.errors import UnsafeBind
    from web.security import check_bind
    from web.server import Console

    web = app.config.web
    chosen = host or web.host
    try:
        check_bind(web, chosen)
    except UnsafeBind as exc:
        raise UsageError(str(exc)) from None
    return Console(create_app(app.config, app.sessions), chosen, web.port if port is None else port)


def add_bind_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: [web] host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: [web] port, 8765; 0: any free port)")


def start_console(console: Console) -> None:
    """Listen (in a thread); print the address; a port taken is an error the user can act on."""
    from web.errors import WebError

    try:
        console.start()
    except WebError as exc:
        raise CommandError(str(exc)) from None
    print(f"Newswatch console on {console.url} (Ctrl-C stops it)", flush=True)


def serve(app: App, args: argparse.Namespace) -> int:
    from cli.run import StopFlag

    app.require_schema()
    console = console_for(app, args.host, args.port)
    stop = StopFlag()
    start_console(console)
    try:
        stop.wait()
    finally:
        console.stop()
    return 0


def register(commands: Commands) -> None:
    parser = add_command(
        commands, "serve", serve, help="the web console: stories, alerts, outlets, watches, Atom feeds, /metrics"
    )
    add_bind_options(parser)
