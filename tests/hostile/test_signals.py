"""Nothing left running: a crawl child never outlives the command that started it.

The review's input first: SIGTERM to ``run --once`` or ``crawl`` (what cron, ``timeout`` and
systemd send) left the crawl child running, fetching on, or hung past its time limit. Then the
class: each of SIGTERM, SIGINT and SIGHUP, to each command that starts a crawl child, ends the
child and records the crawl as interrupted; and SIGKILL of the parent, which no handler sees,
still takes the child with it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.site import Page, Site
from tests.helpers import ROOT, descendants, random_words, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def hanging_site() -> Iterator[Site]:
    site = Site().start()
    site.routes["/robots.txt"] = Page("User-agent: *\n", content_type="text/plain")
    site.routes["/feed.xml"] = Page("<rss/>", hang=120)  # the crawl waits on it
    yield site
    site.stop()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start(tmp_path: Path, site: Site, *command: str, stop_grace: str = "20s") -> tuple[subprocess.Popen[str], Path]:
    db = tmp_path / "nw.db"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[storage]\ndatabase_url = "sqlite:///{db}"\n'
        '[crawler]\ndownload_delay = "0s"\nretries = 0\ntimeout = "5m"\n'
        f'[schedule]\ncrawl_time_limit = "10m"\njitter = "0s"\nstop_grace = "{stop_grace}"\n'
        '[outlets]\nenabled = ["slow"]\n[outlets.slow]\nname = "Slow"\nlanguage = "en"\ntimezone = "UTC"\n'
        f'base_url = "{site.url}"\nfeeds = ["/feed.xml"]\narticle_pattern = "^/news/"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--config", str(cfg), *command],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own group: only the signal the test sends reaches it
    )  # fmt: skip
    return proc, db


def wait_for_child(proc: subprocess.Popen[str], site: Site) -> list[int]:
    """Once a crawl child fetches the feed: every process the command started (the crawl child,
    its extraction processes, the fork server it came from)."""
    return wait_until(
        lambda: descendants(proc.pid) if "/feed.xml" in site.paths() else [],
        "a crawl child fetching the feed",
        timeout=60,
        alive=lambda: proc.poll() is None,
        context=lambda: proc.communicate()[1] if proc.poll() is not None else "",
    )


def gone_within(pids: list[int], seconds: float) -> bool:
    try:
        wait_until(
            lambda: [pid for pid in pids if alive(pid)], f"processes {pids} to end", until=lambda left: not left,
            timeout=seconds,
        )  # fmt: skip
    except AssertionError:
        return False
    return True


def kill_left(pids: list[int]) -> None:
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def statuses(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT status FROM crawl_runs")]


@pytest.mark.parametrize("command", [("crawl",), ("run", "--once")], ids=["crawl", "run --once"])
def test_kill_9_of_the_parent_takes_the_crawl_child_with_it(
    tmp_path: Path, hanging_site: Site, command: tuple[str, ...]
) -> None:
    proc, _ = start(tmp_path, hanging_site, *command)
    crawl = wait_for_child(proc, hanging_site)
    try:
        proc.kill()
        proc.wait(timeout=10)
        assert gone_within(crawl, 10), "the crawl child outlived its parent"
    finally:
        kill_left(crawl)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
@pytest.mark.parametrize("command", [("crawl",), ("run", "--once")], ids=["crawl", "run --once"])
def test_a_signal_to_the_command_ends_its_crawl_child_and_records_the_crawl_interrupted(
    tmp_path: Path, hanging_site: Site, command: tuple[str, ...], signum: signal.Signals
) -> None:
    proc, db = start(tmp_path, hanging_site, *command)
    crawl = wait_for_child(proc, hanging_site)
    try:
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
        _, err = proc.communicate()
        assert code == 128 + signum, err
        assert gone_within(crawl, 5), "the crawl child is still running"
        assert statuses(db) == ["interrupted"]
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
        kill_left(crawl)


def test_the_daemon_stops_on_sighup_like_on_sigterm_and_leaves_no_crawl_child(
    tmp_path: Path, hanging_site: Site
) -> None:
    proc, db = start(tmp_path, hanging_site, "run", stop_grace="1s")  # the hang outlasts any grace
    crawl = wait_for_child(proc, hanging_site)
    try:
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=60) == 0, proc.communicate()[1]
        assert gone_within(crawl, 5)
        assert statuses(db) == ["interrupted"]
    finally:
        if proc.poll() is None:
            proc.kill()
        kill_left(crawl)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_to_the_whole_group_lets_the_daemon_finish_its_running_crawl(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """systemd stops a service with SIGTERM to every process of it, a closed terminal sends SIGHUP
    to its whole group: the crawl child, and the fork server it came from, go on through the
    daemon's grace period, and what the crawl finds then is stored."""
    site = Site().start()
    body = "".join(f"<p>{random_words(i, 40).capitalize()}.</p>" for i in range(5))
    site.routes["/robots.txt"] = Page("User-agent: *\n", content_type="text/plain")
    site.routes["/feed.xml"] = Page(  # answers 3 s after the request, the signal in between
        f"<rss><channel><item><title>Patrol</title><link>{site.url}/news/patrol</link></item></channel></rss>",
        content_type="application/rss+xml",
        hang=3,
    )
    site.routes["/news/patrol"] = Page(f"<html><body><article><h1>Patrol</h1>{body}</article></body></html>")
    proc, db = start(tmp_path, site, "run")
    try:
        crawl = wait_for_child(proc, site)
        os.killpg(proc.pid, signum)
        assert proc.wait(timeout=60) == 0, proc.communicate()[1]
        assert statuses(db) == ["ok"], proc.communicate()[1]
        with sqlite3.connect(db) as conn:
            assert [row[0] for row in conn.execute("SELECT url FROM articles")] == [f"{site.url}/news/patrol"]
        assert gone_within(crawl, 5)
    finally:
        if proc.poll() is None:
            proc.kill()
        kill_left(descendants(proc.pid))
        site.stop()
