"""``run.py serve`` and ``run.py run --serve`` as an operator starts them: the console's address
printed, the pages answering, SIGTERM stopping it with status 0; a public address without
credentials refused before anything starts."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from storage import db, heartbeat
from storage.models import utcnow
from tests.helpers import ROOT, RunCli
from tests.web.conftest import Served

pytestmark = pytest.mark.slow  # starts run.py


@contextmanager
def started(config: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``run.py --config CONFIG ARGS...``; yields the process and the console's URL it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        url = ""
        while not url and time.monotonic() < deadline and proc.poll() is None:
            if selector.select(timeout=0.5):
                line = proc.stdout.readline()
                if line.startswith("Newswatch console on "):
                    url = line.split()[3]
        stderr = proc.stderr.read() if proc.stderr and proc.poll() is not None else ""
        assert url, f"no console address printed; stderr: {stderr}"
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


def write_config(path: Path, database_url: str, extra: str = "") -> Path:
    path.write_text(f'[storage]\ndatabase_url = "{database_url}"\n[outlets]\nenabled = []\n{extra}', encoding="utf-8")
    return path


def test_serve_prints_its_address_answers_and_stops_on_sigterm(served: Served, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", served.config.storage.database_url)
    with started(config, "serve", "--port", "0") as (proc, url):
        assert url.startswith("http://127.0.0.1:")
        page = httpx.get(url + "stories", timeout=10)
        assert page.status_code == 200 and "MMEA detains Vietnamese fishing boat" in page.text
        assert stop(proc) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "healthz", timeout=2)


def test_serve_refuses_a_public_address_without_credentials(run_cli: RunCli, sqlite_url: str, tmp_path: Path) -> None:
    db.upgrade(sqlite_url)
    config = write_config(tmp_path / "config.toml", sqlite_url)
    result = run_cli("--config", str(config), "serve", "--host", "0.0.0.0")
    assert result.returncode == 2
    assert "refusing to serve on 0.0.0.0 without credentials" in result.stderr
    assert "web.token_env" in result.stderr


def test_daemon_serves_the_console_and_its_heartbeat(sqlite_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", sqlite_url)
    with started(config, "run", "--serve", "--port", "0") as (proc, url):
        health = httpx.get(url + "healthz", timeout=10).json()
        assert health["status"] == "ok" and health["daemon"] == "ticking"
        assert httpx.get(url + "outlets", timeout=10).status_code == 200
        assert stop(proc) == 0
    engine = db.make_engine(sqlite_url)
    with db.session_factory(engine)() as session:
        assert heartbeat.liveness(session, utcnow()).state == "stopped"
    engine.dispose()
