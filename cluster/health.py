"""A role's health probe: ``run.py run --role ROLE --health-port N`` answers ``GET /healthz``
on that port (``--health-host``, 127.0.0.1 by default), for a load balancer, systemd or a
Kubernetes liveness/readiness probe.

200 with ``{"role", "process", "ok": true, "database": "ok", "beat_seconds_ago", ...}`` and the
role's own details (the ingest role: ``active`` or ``standby`` and the lane's lag; a worker: the
outlet it crawls; control: the last tick; a dispatcher: its channels and whether it listens),
503 with ``"ok": false`` and the ``problems`` when PostgreSQL does not answer a fresh connection
within ``CONNECT_TIMEOUT`` or the role's loop has not beaten for ``cluster.stall_timeout``.

Each role's loop beats a ``Pulse`` (the task queue's event loop for worker and control, the
ingest lane and its standby loop, the dispatch loop's thread while it lives). The probe is
served by a thread of the standard library's HTTP server, not by the role's loop: a stuck loop
is what it must report, so it cannot be what answers. Each probe opens its own connection
(no pool: a pooled connection would answer while the server refuses new ones).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from config import format_duration

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3  # seconds a probe waits for PostgreSQL
PATH = "/healthz"

# What a role adds to its answer, read on the probe's own connection.
Details = Callable[[Session], dict[str, Any]]


class Pulse:
    """The role's loop calls ``beat`` each time round (with what it is doing, if that changed);
    the probe reads how long ago the last beat was."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._at = clock()
        self.state: dict[str, Any] = {}

    def beat(self, **state: Any) -> None:
        self._at = self.clock()
        self.state.update(state)

    def age(self) -> float:
        return self.clock() - self._at


class Health:
    """What one role process says about itself."""

    def __init__(self, role: str, process: str, database_url: str, stall_timeout: float, pulse: Pulse) -> None:
        self.role = role
        self.process = process
        self.stall_timeout = stall_timeout
        self.pulse = pulse
        self.details: Details | None = None  # set by the role's entry
        self.engine = create_engine(
            database_url,
            poolclass=NullPool,
            connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": f"-c statement_timeout={CONNECT_TIMEOUT}s"},
        )

    def check(self) -> tuple[int, dict[str, Any]]:
        """The HTTP status (200 or 503) and the JSON body of one probe."""
        age = self.pulse.age()
        body: dict[str, Any] = {"role": self.role, "process": self.process, "ok": True, "database": "ok"}
        body["beat_seconds_ago"] = round(age, 1)
        body.update(self.pulse.state)
        problems = []
        if age > self.stall_timeout:
            problems.append(
                f"the {self.role} loop has not moved for {age:.0f}s (cluster.stall_timeout "
                f"{format_duration(self.stall_timeout)})"
            )
        try:
            with Session(self.engine) as session:
                session.execute(text("SELECT 1"))
                if self.details is not None:
                    body.update(self.details(session))
        except SQLAlchemyError as exc:
            reason = str(exc).strip().splitlines()
            body["database"] = reason[0][:200] if reason else type(exc).__name__
            problems.append("PostgreSQL does not answer")
        if problems:
            body["ok"] = False
            body["problems"] = problems
        return (503 if problems else 200), body

    def close(self) -> None:
        self.engine.dispose()


class HealthServer:
    """``GET /healthz`` on ``host:port``, answered from a thread of its own."""

    def __init__(self, health: Health, host: str, port: int) -> None:
        self.health = health

        class Handler(BaseHTTPRequestHandler):
            server_version, sys_version = "newswatch", ""  # the Server header says no versions

            def do_GET(self) -> None:  # the standard library's name
                if self.path.split("?")[0] != PATH:
                    self._answer(404, {"error": f"not found: the health probe is {PATH}"})
                    return
                self._answer(*health.check())

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("health probe: " + format, *args)

        self.server = ThreadingHTTPServer((host, port), Handler)  # OSError: the port is taken
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="health-probe", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> HealthServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)
        self.health.close()
