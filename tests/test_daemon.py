"""The daemon's pieces without crawling: source health alerts, status, the lock, bad schedules.

Crawl runs are inserted as the crawler records them; the alerts go through the real dispatcher
to a webhook receiver on 127.0.0.1. The daemon with real crawls is in tests/e2e/test_daemon.py.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app import App, build_app
from config import Config, ConfigError, OutletConfig
from daemon import Daemon, Jobs, outlet_trigger
from sandbox import WebhookReceiver
from storage import repository
from storage.models import CrawlRun
from storage.records import ArticleRecord
from tests.alerts.helpers import ENV
from tests.helpers import DaemonProcess, RunCli, make_config, run_process


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver().start()
    yield hook
    hook.stop()


def config_data(database_url: str, hook_url: str, **health: Any) -> dict[str, Any]:
    return {
        "storage": {"database_url": database_url},
        "outlets": {"enabled": ["qdnd", "bernama-en"]},
        "channels": {"ops": {"type": "webhook", "url": hook_url, "secret_env": "HOOK_SECRET", "timeout": "2s"}},
        "alerts": {"operator_channels": ["ops"]},
        "health": {"failures_before_alert": 3, **health},
    }


def no_crawl(*_args: Any, **_kwargs: Any) -> list[Any]:
    raise AssertionError("these tests do not crawl")


def add_run(app: App, slug: str, status: str, error: str | None = None, fetched: int = 5, empty: int = 0) -> None:
    with app.sessions.begin() as session:
        outlet = repository.get_or_create_outlet(session, slug)
        now = datetime.now(UTC)
        session.add(
            CrawlRun(
                outlet_id=outlet.id,
                started_at=now,
                finished_at=now,
                status=status,
                error=error,
                fetched=fetched if status not in ("failed", "timeout") else 0,
                extract_empty=empty,
            )
        )


def system_alerts(receiver: WebhookReceiver) -> list[dict[str, Any]]:
    return [payload for payload in receiver.accepted.values() if payload.get("type") == "system.notice"]


def test_failing_outlet_alerts_once_and_once_more_on_recovery(database_url: str, receiver: WebhookReceiver) -> None:
    app = build_app(make_config(config_data(database_url, receiver.url), env=ENV))
    jobs = Jobs(app.config, app.sessions, app.ingestor(), no_crawl)
    dispatcher = app.dispatcher()

    for attempt in range(5):
        add_run(app, "qdnd", "failed", "no feed, sitemap or listing could be read (dns/error)")
        add_run(app, "bernama-en", "ok")
        jobs.check_health()
        dispatcher.dispatch_due()
        if attempt == 1:
            assert system_alerts(receiver) == []  # two failures are not an incident yet
    alerts = system_alerts(receiver)
    assert len(alerts) == 1
    text = json.dumps(alerts[0])
    assert "qdnd" in text and "failing" in text and "dns/error" in text

    add_run(app, "qdnd", "ok")
    for _ in range(3):
        jobs.check_health()
        dispatcher.dispatch_due()
    alerts = system_alerts(receiver)
    assert len(alerts) == 2
    assert "recovered" in json.dumps(alerts[1])
    dispatcher.close()

    # A second incident later is a new incident: one more alert.
    for _ in range(3):
        add_run(app, "qdnd", "timeout", "stopped at the crawl time limit (900s)")
    jobs.check_health()
    app.dispatcher().dispatch_due()
    assert len(system_alerts(receiver)) == 3


def test_silent_outlet_and_broken_extraction_alert(sqlite_url: str, receiver: WebhookReceiver) -> None:
    data = config_data(sqlite_url, receiver.url)
    data["outlets"]["bernama-en"] = {"silence_after": "1h"}
    app = build_app(make_config(data, env=ENV))
    ingestor = app.ingestor()
    url = "https://www.bernama.com/en/news.php?id=1"
    ingestor.ingest(ArticleRecord(url=url, title="Old news", text="Some text " * 40, outlet="bernama-en"))
    later = datetime.now(UTC) + timedelta(hours=2)
    jobs = Jobs(app.config, app.sessions, ingestor, no_crawl, clock=lambda: later)
    add_run(app, "qdnd", "ok", fetched=10, empty=9)
    changes = jobs.check_health()
    assert {(c.outlet, c.kind, c.opened) for c in changes} == {
        ("bernama-en", "silent", True),
        ("qdnd", "extraction", True),
    }
    app.dispatcher().dispatch_due(later)
    texts = [json.dumps(a) for a in system_alerts(receiver)]
    assert len(texts) == 2
    assert any("bernama-en" in t and "no new article" in t for t in texts)
    assert any("qdnd" in t and "layout" in t for t in texts)
    assert jobs.check_health() == []  # still open: nothing new to say


def test_status_shows_health_last_crawl_and_alerts(tmp_path: Path, receiver: WebhookReceiver, run_cli: RunCli) -> None:
    url = f"sqlite:///{tmp_path / 'nw.db'}"
    app = build_app(make_config(config_data(url, receiver.url), env=ENV))
    for _ in range(3):
        add_run(app, "qdnd", "failed", "boom")
    add_run(app, "bernama-en", "ok")
    Jobs(app.config, app.sessions, app.ingestor(), no_crawl).check_health()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\ndatabase_url = "{url}"\n[outlets]\nenabled = ["qdnd", "bernama-en"]\n'
        f'[channels.ops]\ntype = "webhook"\nurl = "{receiver.url}"\nsecret_env = "HOOK_SECRET"\n'
        '[alerts]\noperator_channels = ["ops"]\n'
    )
    rows = [
        json.loads(line)
        for line in run_cli("--config", str(config), "status", "--json", env=ENV).stdout.split("\n")
        if line
    ]
    by_slug = {r["outlet"]: r for r in rows}
    assert by_slug["qdnd"]["health"] == "failing" and by_slug["qdnd"]["consecutive_failures"] == 3
    assert by_slug["bernama-en"]["health"] == "ok" and by_slug["bernama-en"]["last_crawl_status"] == "ok"
    table = run_cli("--config", str(config), "status", env=ENV)
    assert table.returncode == 0, table.stderr
    assert "failing" in table.stdout and "1 pending" in table.stdout  # the system alert waits to be sent


def test_cron_runs_in_the_outlets_timezone_and_a_bad_one_is_a_config_error(sqlite_url: str) -> None:
    def outlet_with(cron: str) -> tuple[Config, OutletConfig]:
        data = {"storage": {"database_url": sqlite_url}, "outlets": {"enabled": ["qdnd"], "qdnd": {"cron": cron}}}
        cfg = make_config(data)
        return cfg, cfg.outlets[0]

    cfg, outlet = outlet_with("*/15 6-22 * * *")
    late = datetime(2026, 3, 2, 23, 5, tzinfo=ZoneInfo(outlet.timezone))
    fire = outlet_trigger(outlet, cfg).get_next_fire_time(None, late)
    assert fire == datetime(2026, 3, 3, 6, 0, tzinfo=ZoneInfo(outlet.timezone))
    cfg, outlet = outlet_with("every morning")
    with pytest.raises(ConfigError, match=r"outlets\.qdnd\.cron"):
        Daemon(cfg, Jobs(cfg, build_app(cfg).sessions, None, no_crawl), None)  # type: ignore[arg-type]


@pytest.mark.slow  # two daemons in subprocesses
def test_second_daemon_is_refused(tmp_path: Path) -> None:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}", "NEWSWATCH_CONFIG": str(tmp_path / "c.toml")}
    (tmp_path / "c.toml").write_text("[outlets]\nenabled = []\n")
    first = DaemonProcess("run", env=env, log_dir=tmp_path, inherit_env=False)
    try:
        first.wait_for_log("daemon started")
        second = run_process("run", env=env)
        assert second.returncode == 1
        lock = tmp_path / "nw.db.daemon.lock"
        assert second.stderr.strip().splitlines() == [
            f"error: another Newswatch daemon is already running on this database (lock file {lock})"
        ]
        once = run_process("run", "--once", env=env)
        assert once.returncode == 1 and "already running" in once.stderr
        assert first.stop(timeout=30) == 0, first.log()
    finally:
        first.kill()


def test_one_daemon_per_database_on_either_backend(database_url: str) -> None:
    from sqlalchemy import create_engine

    from storage.lock import AlreadyRunning, DaemonLock

    first, second = create_engine(database_url), create_engine(database_url)
    held = DaemonLock(first)
    held.acquire()
    try:
        with pytest.raises(AlreadyRunning, match="already running on this database"):
            DaemonLock(second).acquire()
    finally:
        held.release()
    again = DaemonLock(second)
    again.acquire()  # free once released, even with the first engine's pool still open
    again.release()
    held.acquire()  # and the first process can take it back
    held.release()
    first.dispose()
    second.dispose()


def test_status_says_whether_the_semantic_route_is_on_and_why_not(tmp_path: Path, run_cli: RunCli) -> None:
    url = f"sqlite:///{tmp_path / 'nw.db'}"
    build_app(make_config({"storage": {"database_url": url}}))
    lines = {
        "": "on: multilingual-e5-small",
        'semantic = "off"': "off (dedup.semantic = 'off')",
        f'model = "{tmp_path / "missing.bin"}"': "off: no such model file",
        f'model = "{tmp_path}"': "off: no such model file",  # a folder
    }
    for dedup, said in lines.items():
        config = tmp_path / "config.toml"
        config.write_text(f'[storage]\ndatabase_url = "{url}"\n[dedup]\n{dedup}\n')
        table = run_cli("--config", str(config), "status", env=ENV)
        assert table.returncode == 0, table.stderr
        assert f"story linking, semantic route: {said}" in table.stdout


@pytest.mark.slow  # the daemon in a subprocess
@pytest.mark.postgres
def test_on_postgresql_the_daemon_sends_what_another_process_queued_at_once(
    tmp_path: Path, receiver: WebhookReceiver, run_cli: RunCli
) -> None:
    """An article imported by another process (``run.py import``) while the daemon runs: its
    alert leaves at once, woken by the import's NOTIFY, not at the daemon's next periodic pass
    (an hour away). On SQLite another process cannot wake the daemon; it keeps the interval."""
    from tests.alerts.helpers import QUERY, TEXT, TITLE, WATCH
    from tests.helpers import POSTGRES_URL, reset_postgres

    if not POSTGRES_URL:
        pytest.skip("NEWSWATCH_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)")
    reset_postgres(POSTGRES_URL)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\ndatabase_url = "{POSTGRES_URL}"\n[outlets]\nenabled = []\n'
        '[schedule]\ndispatch_interval = "1h"\n[dedup]\nsemantic = "off"\n'
        f"[watches.{WATCH}]\nquery = '{QUERY}'\nchannels = [\"hook\"]\n"
        f'[channels.hook]\ntype = "webhook"\nurl = "{receiver.url}"\nsecret_env = "HOOK_SECRET"\ntimeout = "5s"\n',
        encoding="utf-8",
    )
    daemon = DaemonProcess("--config", str(config), "run", env=ENV, log_dir=tmp_path)
    try:
        daemon.wait_for_log("listening for new deliveries", timeout=90)
        url = "https://www.bernama.com/en/news.php?id=2400001"
        article = {"url": url, "title": TITLE, "text": TEXT, "language": "en",
                   "published_at": datetime.now(UTC).isoformat()}  # fmt: skip
        (tmp_path / "article.json").write_text(json.dumps(article), encoding="utf-8")
        imported = run_cli("--config", str(config), "import", str(tmp_path / "article.json"), env=ENV)
        assert imported.returncode == 0, imported.stderr
        sent = daemon.wait(
            lambda: [p for p in receiver.accepted.values() if p.get("type") == "watch.match"],
            "the imported article's alert at the receiver",
            timeout=60,
        )
        assert [p["data"]["article"]["url"] for p in sent] == [url]
        assert daemon.stop(signal.SIGTERM) == 0
    finally:
        daemon.kill()
