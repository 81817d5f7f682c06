"""Health probes of cluster roles: ``run.py run --role ROLE --health-port N`` answers
``GET /healthz`` over real HTTP on 127.0.0.1, as a load balancer, systemd or Kubernetes asks it.

What an operator would notice: 200 with the role and what it is doing (the active ingester and
the standby, the lane's lag, a worker's crawl); 503 naming the problem while PostgreSQL refuses
new connections, 200 again once it accepts them; 503 when the role's loop stops moving for the
configured ``cluster.stall_timeout`` (the loop's clock moved by the test); a port taken or a
probe without a role is a usage error.
"""

from __future__ import annotations

import functools
import json
import re
import signal
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text

from cluster.health import Health, HealthServer, Pulse
from tests.helpers import POSTGRES_URL, DaemonProcess, RunCli, wait_until

CONFIG = """\
[storage]
database_url = "{url}"

[outlets]
enabled = []

[dedup]
semantic = "off"

[cluster]
heartbeat = "500ms"
stall_timeout = "5s"
"""


def probe_port(process: DaemonProcess) -> int:
    """The port a role started with ``--health-port 0`` bound (it writes it to its log): a port
    found free here and bound by the role later could be taken in between."""
    process.wait_for_log("health probe on http://127.0.0.1:", timeout=90)
    return int(re.findall(r"health probe on http://127\.0\.0\.1:(\d+)/", process.log())[0])


def probe(port: int) -> tuple[int, dict[str, Any]] | None:
    """The status and JSON body of ``GET /healthz``; None while nothing listens."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return None


@pytest.mark.slow
@pytest.mark.postgres
def test_each_role_answers_its_probe_and_says_503_while_postgresql_refuses_connections(
    tmp_path: Path, postgres_url: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(url=postgres_url), encoding="utf-8")
    ports: dict[str, int] = {}
    roles = {"active": "ingest", "standby": "ingest", "worker": "worker"}
    started: dict[str, DaemonProcess] = {}
    try:
        for name in ("active", "standby", "worker"):  # the first ingest process takes the lock
            started[name] = DaemonProcess(
                "--config", str(config), "run", "--role", roles[name], "--health-port", "0",
                env={}, log_dir=tmp_path,
            )  # fmt: skip
            ports[name] = probe_port(started[name])
            started[name].wait(functools.partial(probe, ports[name]), f"the {name} probe answering", timeout=90)

        def state(name: str) -> dict[str, Any]:
            answer = probe(ports[name])
            return answer[1] if answer is not None and answer[0] == 200 else {}

        def settled(name: str, wanted: str) -> dict[str, Any]:
            """The body once the role's loop runs (before, ``state`` is ``starting``)."""
            return started[name].wait(
                lambda: state(name), f"{name}: {wanted}", until=lambda body: body.get("state") == wanted
            )

        body = settled("active", "active")
        assert body["role"] == "ingest" and body["ok"] is True and body["database"] == "ok"
        assert body["process"].endswith(f":{started['active'].proc.pid}")
        assert body["staged"] == 0 and body["oldest_staged_seconds"] is None
        assert settled("standby", "standby")["role"] == "ingest"
        worker = settled("worker", "waiting for a crawl job")
        assert worker["role"] == "worker" and worker["outlet"] is None

        # PostgreSQL refuses new connections to the database (the roles keep the ones they hold),
        # as told from the server's maintenance database.
        database = make_url(postgres_url).database
        maintenance = make_url(postgres_url).set(database="postgres")
        admin = create_engine(maintenance, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            try:
                refused = wait_until(
                    lambda: probe(ports["standby"]), "a 503 from the standby", until=lambda a: a and a[0] == 503
                )
            finally:
                conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        assert refused is not None
        assert refused[1]["ok"] is False and refused[1]["problems"] == ["PostgreSQL does not answer"]
        assert refused[1]["database"] != "ok"
        wait_until(lambda: probe(ports["standby"]), "200 again", until=lambda a: a and a[0] == 200)

        for process in started.values():
            assert process.stop(signal.SIGTERM) == 0, process.log()
    finally:
        for process in started.values():
            process.kill()


@pytest.mark.postgres
def test_a_role_whose_loop_stopped_moving_answers_503_until_it_moves_again(postgres_url: str) -> None:
    now = [1000.0]  # the pulse's clock, moved by the test: no waiting, no race with a busy machine
    pulse = Pulse(clock=lambda: now[0])
    health = Health("ingest", "test-host:1", postgres_url, stall_timeout=10.0, pulse=pulse)
    server = HealthServer(health, "127.0.0.1", 0).start()
    try:
        moving = probe(server.port)
        assert moving is not None and moving[0] == 200, moving
        now[0] += 12  # the loop has not beaten for 12 s
        stuck = probe(server.port)
        assert stuck is not None and stuck[0] == 503
        assert stuck[1]["ok"] is False and stuck[1]["database"] == "ok" and stuck[1]["beat_seconds_ago"] == 12
        assert stuck[1]["problems"] == ["the ingest loop has not moved for 12s (cluster.stall_timeout 10s)"]
        pulse.beat(state="active")
        again = probe(server.port)
        assert again is not None and again[0] == 200 and again[1]["state"] == "active"
    finally:
        server.stop()


def test_a_health_port_goes_with_a_role_and_a_taken_one_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(url=f"sqlite:///{tmp_path / 'nw.db'}"), encoding="utf-8")
    alone = run_cli("--config", str(config), "run", "--health-port", "8771")
    assert alone.returncode == 2 and "--health-port and --health-host go with --role" in alone.stderr
    wrong = run_cli("--config", str(config), "run", "--role", "worker", "--health-port", "70000")
    assert wrong.returncode == 2 and "expected a port from 0 to 65535, got 70000" in wrong.stderr
    if not POSTGRES_URL:
        return
    config.write_text(CONFIG.format(url=POSTGRES_URL), encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--config", str(config), "run", "--role", "worker", "--health-port", str(port))
    assert result.returncode == 2
    assert f"cannot serve the health probe on 127.0.0.1:{port}" in result.stderr
