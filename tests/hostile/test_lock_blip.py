"""The single-instance guarantee survives a lost database connection.

The review's input first: the daemon runs on PostgreSQL through a TCP proxy; the proxy is
stopped for two seconds (the server ends the session, and the advisory lock with it) and
started again. Before, the daemon no longer held its lock (a second daemon then crawled beside
it) and exited with an OperationalError on SIGTERM. Then the class: a second daemon that takes
the lock during the outage makes the first one stop, whatever the order of events.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.helpers import POSTGRES_URL, DaemonProcess, reset_postgres, run_process
from tests.hostile.tcp_proxy import TcpProxy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="NEWSWATCH_TEST_POSTGRES_URL not set"),
]


def start_daemon(config: Path, database_url: str) -> DaemonProcess:
    return DaemonProcess(
        "--config", str(config), "run", env={"NEWSWATCH_DATABASE_URL": database_url}, log_dir=config.parent
    )


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, TcpProxy, str]]:
    assert POSTGRES_URL
    reset_postgres(POSTGRES_URL)
    url = make_url(POSTGRES_URL)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    config = tmp_path / "config.toml"
    config.write_text('[outlets]\nenabled = []\n[schedule]\ndispatch_interval = "1s"\n')
    try:
        yield config, proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.stop()


def test_after_a_blip_the_lock_is_taken_again_a_second_daemon_is_refused_and_sigterm_exits_0(
    setup: tuple[Path, TcpProxy, str],
) -> None:
    config, proxy, via_proxy = setup
    first = start_daemon(config, via_proxy)
    try:
        first.wait_for_log("daemon started")
        proxy.stop()
        first.wait_for_log("lost the database connection holding the daemon lock")
        time.sleep(2)
        proxy.start()
        first.wait_for_log("daemon lock taken again")
        second = run_process("--config", str(config), "run", env={"NEWSWATCH_DATABASE_URL": POSTGRES_URL or ""})
        assert second.returncode == 1
        assert "already running on this database (PostgreSQL advisory lock)" in second.stderr
        mark = len(first.log())
        assert first.stop() == 0, first.log()
        after_sigterm = first.log()[mark:]
        assert "storage/lock.py" not in after_sigterm and "\nerror:" not in after_sigterm, first.log()
        assert first.log().rstrip().endswith("stopped"), first.log()
    finally:
        first.kill()


@pytest.mark.parametrize("pause", [0.0, 0.5, 3.0])
def test_sigterm_right_after_a_blip_exits_0(setup: tuple[Path, TcpProxy, str], pause: float) -> None:
    config, proxy, via_proxy = setup
    first = start_daemon(config, via_proxy)
    try:
        first.wait_for_log("daemon started")
        proxy.stop()
        time.sleep(pause)
        proxy.start()
        mark = len(first.log())
        assert first.stop() == 0, first.log()
        # a dispatch pass cut by the blip may log its failure (a job boundary); the stop itself
        # and the lock's release raise nothing
        after = first.log()[mark:]
        assert "storage/lock.py" not in after and "\nerror:" not in after, first.log()
        assert first.log().rstrip().endswith("stopped"), first.log()
    finally:
        first.kill()


def test_a_daemon_that_took_the_lock_during_the_outage_makes_the_first_one_stop(
    setup: tuple[Path, TcpProxy, str],
) -> None:
    config, proxy, via_proxy = setup
    first = start_daemon(config, via_proxy)
    second = None
    try:
        first.wait_for_log("daemon started")
        proxy.stop()
        first.wait_for_log("lost the database connection holding the daemon lock")
        second = start_daemon(config, POSTGRES_URL or "")  # straight to the server: it gets the lock
        second.wait_for_log("daemon started")
        proxy.start()
        assert first.proc.wait(timeout=30) == 1, first.log()
        assert "another Newswatch daemon took the database lock" in first.log()
        assert second.proc.poll() is None, "the daemon holding the lock must keep running"
        assert second.stop() == 0, second.log()
    finally:
        first.kill()
        if second is not None:
            second.kill()
