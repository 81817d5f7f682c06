"""``run.py run --role ROLE``: the role framework as an operator meets it.

On SQLite a role is refused with one line (exit 2) and nothing is created; an unknown role names
the known ones. On PostgreSQL a role runs until SIGTERM (exit 0, its worker registered while it
runs and gone after), and a single-process daemon and cluster roles on the same database refuse
each other, whichever came first: together they would crawl every outlet twice.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.helpers import DaemonProcess, RunCli, run_process

CONFIG = """\
[storage]
database_url = "{url}"

[outlets]
enabled = []  # nothing to crawl: these tests are about the processes
"""


def write_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(url=url), encoding="utf-8")
    return path


def test_a_role_on_sqlite_is_refused_with_one_line_and_creates_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    db = tmp_path / "nw.db"
    config = write_config(tmp_path, f"sqlite:///{db}")
    before = os.environ.get("PGAPPNAME")
    result = run_cli("--config", str(config), "run", "--role", "worker")
    assert os.environ.get("PGAPPNAME") == before  # this process's connections keep their name
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: run --role needs PostgreSQL (storage.database_url is sqlite:///{db}): cluster roles share one "
        "PostgreSQL database; on SQLite run 'run.py run' without a role"
    ]
    assert not db.exists()


def test_an_unknown_role_names_the_known_ones(tmp_path: Path, run_cli: RunCli) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'nw.db'}")
    result = run_cli("--config", str(config), "run", "--role", "crawler")
    assert result.returncode == 2
    assert "error: unknown role 'crawler': expected one of " in result.stderr
    assert "worker" in result.stderr


def test_a_role_does_not_go_with_once(tmp_path: Path, run_cli: RunCli) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'nw.db'}")
    result = run_cli("--config", str(config), "run", "--role", "worker", "--once")
    assert result.returncode == 2
    assert "does not go with --once" in result.stderr


def registered_workers(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT to_regclass('procrastinate_workers')")).scalar():
                return 0
            return int(conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar() or 0)
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_role_runs_until_sigterm_and_a_single_process_daemon_is_refused_beside_it(
    tmp_path: Path, postgres_url: str
) -> None:
    config = write_config(tmp_path, postgres_url)
    worker = DaemonProcess("--config", str(config), "run", "--role", "worker", env={}, log_dir=tmp_path)
    try:
        worker.wait(lambda: registered_workers(postgres_url), "the worker registered on the task queue", timeout=60)
        daemon = run_process("--config", str(config), "run", timeout=60)
        assert daemon.returncode == 1
        assert "another Newswatch daemon is already running on this database" in daemon.stderr
        assert worker.stop(signal.SIGTERM) == 0, worker.log()
    finally:
        worker.kill()
    assert registered_workers(postgres_url) == 0  # it unregistered on the way out
    assert "role worker stopped" in worker.log()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_role_is_refused_while_a_single_process_daemon_runs(tmp_path: Path, postgres_url: str) -> None:
    config = write_config(tmp_path, postgres_url)
    daemon = DaemonProcess("--config", str(config), "run", env={}, log_dir=tmp_path)
    try:
        daemon.wait_for_log("daemon started", timeout=60)
        role = run_process("--config", str(config), "run", "--role", "worker", timeout=60)
        assert role.returncode == 2
        assert "a single-process Newswatch daemon ('run.py run' without --role) is running" in role.stderr
        assert daemon.running()
        assert daemon.stop(signal.SIGTERM) == 0
    finally:
        daemon.kill()


def test_every_role_has_a_systemd_template_unit_that_runs_it() -> None:
    from cluster.roles import ROLES
    from tests.helpers import ROOT

    for name in ROLES:
        unit = ROOT / "deploy" / f"newswatch-{name}@.service"
        assert unit.is_file(), f"no deploy/{unit.name} for the role {name}"
        text = unit.read_text(encoding="utf-8")
        assert f" run --role {name}\n" in text
        assert "NoNewPrivileges=true" in text and "[Install]" in text
