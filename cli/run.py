"""``run``: the daemon (scheduled crawls, source health, digests, alert dispatch) until
SIGTERM or Ctrl-C; ``run --once``: one full cycle, a summary, an exit status.

One daemon per database: a second one, or a ``run --once`` beside a running daemon, is
refused (``storage.lock``). The lock is taken before migrating, so two starts never migrate
at once.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from cli.command import CommandError, Commands, UsageError, add_command
from cli.serve import add_bind_options
from cli.signals import STOP_SIGNALS, StopSignals

if TYPE_CHECKING:
    from app import App
    from daemon import Jobs

log = logging.getLogger("newswatch")


def run(app: App, args: argparse.Namespace) -> int:
    if args.role is not None:
        return run_role(app, args)
    if args.health_port is not None or args.health_host is not None:
        raise UsageError(
            "--health-port and --health-host go with --role; the daemon's health probe is the web console's "
            "/healthz (run --serve)"
        )
    from alerts.deliveries import recover_interrupted
    from cli.serve import console_for, start_console
    from crawler.runner import run_crawl
    from daemon import Daemon, Jobs
    from storage.lock import AlreadyRunning, DaemonLock

    cfg = app.config
    console = console_for(app, args.host, args.port) if args.serve else None  # a bad address stops us first
    lock = DaemonLock(app.engine)
    try:
        lock.acquire()  # before migrating: two processes must not migrate at once
    except AlreadyRunning as exc:
        raise CommandError(str(exc)) from None
    try:
        app.upgrade()
        recover_interrupted(app.sessions)  # sends a killed daemon left half-done go out again now
        jobs = Jobs(cfg, app.sessions, app.ingestor(), partial(run_crawl, prepare=app.preparer()))
        if args.once:
            with StopSignals() as signals:
                jobs.stop_crawls = signals.event
                return signals.exit_status(_run_once(app, jobs))
        daemon = Daemon(cfg, jobs, app.dispatcher(), may_crawl=lambda: lock.held)
        app.wake_dispatcher = daemon.loop.wake
        stop = StopFlag()
        lock.watch(stop.lock_lost)
        daemon.start()
        log.info(
            "daemon started with %d outlets and %d watches (pid %d)", len(cfg.outlets), len(cfg.watches), os.getpid()
        )
        if console is not None:
            start_console(console)
        try:
            stop.wait()
        finally:
            if console is not None:
                console.stop()
        if stop.lost:  # another daemon crawls now: stop ours at once
            daemon.stop(grace=0)
            raise CommandError("stopped: another Newswatch daemon took the database lock while our connection was lost")
        log.info("stopping: waiting for running crawls (at most %gs) and sends", float(cfg.schedule.stop_grace))
        daemon.stop()
        log.info("stopped")
        return 0
    finally:
        lock.release()


def run_role(app: App, args: argparse.Namespace) -> int:
    """``run --role NAME``: one process of cluster mode (``cluster.roles``) until a stop signal."""
    from cluster.roles import RoleError
    from cluster.roles import run_role as run_cluster_role

    if args.once or args.serve:
        raise UsageError("--role runs one cluster role: it does not go with --once or --serve")
    if args.health_host is not None and args.health_port is None:
        raise UsageError("--health-host needs --health-port")
    if args.health_port is not None and not 0 <= args.health_port <= 65535:
        raise UsageError(f"--health-port: expected a port from 0 to 65535, got {args.health_port}")
    health_at = None if args.health_port is None else (args.health_host or "127.0.0.1", args.health_port)
    with StopSignals() as signals:
        try:
            run_cluster_role(app, args.role, signals.event, health_at)
        except RoleError as exc:
            raise UsageError(str(exc)) from None
    return 0


def _run_once(app: App, jobs: Jobs) -> int:
    """Crawl every enabled outlet once (concurrently), send what is due, print a summary."""
    from cli.crawl import report_crawls

    dispatcher = app.dispatcher()
    summaries = jobs.crawl(app.config.outlets)
    jobs.queue_digests()
    sent = dispatcher.dispatch_due()
    dispatcher.close()
    return report_crawls(summaries, f"alerts: {sent}")


class StopFlag:
    """Set by SIGTERM, SIGINT or SIGHUP; the daemon loop polls it.

    The handler only records the signal: it runs between two bytecodes of the main thread,
    which may be in the middle of writing a log line, and logging from it would raise
    ("reentrant call") and lose the stop request."""

    def __init__(self) -> None:
        self.requested = False
        self.lost = False
        self.signal_name = ""
        self._event = threading.Event()
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._set)

    def lock_lost(self) -> None:
        """Called from the lock's watcher thread when another daemon holds the lock now."""
        self.lost = True
        self._event.set()

    def _set(self, signum: int, _frame: Any) -> None:
        self.requested = True
        self.signal_name = signal.Signals(signum).name
        self._event.set()

    def wait(self) -> None:
        while not self._event.wait(0.5):  # short waits: signal handlers run between them
            pass
        if self.requested:
            log.info("received %s", self.signal_name)


def register(commands: Commands) -> None:
    parser = add_command(commands, "run", run, help="run the daemon: scheduled crawls, matching and alerts")
    parser.add_argument(
        "--once", action="store_true", help="one cycle: crawl every outlet, send alerts, print a summary, exit"
    )
    parser.add_argument("--serve", action="store_true", help="also serve the web console (see the serve command)")
    parser.add_argument(
        "--role",
        metavar="ROLE",
        help="cluster mode (PostgreSQL): run one cluster role (see README 'Running a cluster')",
    )
    parser.add_argument(
        "--health-port",
        type=int,
        metavar="PORT",
        help="with --role: answer health probes (GET /healthz: 200, or 503 when PostgreSQL or the role's loop "
        "is stuck) on this port (0: any free port, written to the log)",
    )
    parser.add_argument("--health-host", metavar="HOST", help="with --health-port: the address (default 127.0.0.1)")
    add_bind_options(parser)
