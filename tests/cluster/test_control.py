"""The control role's schedule and the ingest lane's one-transaction rule, without processes.

``next_crawl``: an outlet's next crawl from its ``interval`` (a run missed while no control ran
is made up once, not once per missed interval) or ``cron`` (in the outlet's timezone);
``tick_seconds``: how often due outlets are looked for. The ingest lane's exactly-once rests
on ``Ingestor.ingest(record, then)``: the staged row's deletion commits with the article or
neither does; a batch of rows commits at once, and a row that cannot be stored costs only itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import App, build_app
from cluster.control import next_crawl, tick_seconds
from cluster.ingest import IngestLane
from storage import repository, staging
from storage.models import Article, CrawlFailure, CrawlRun, StagedArticle
from storage.records import IngestResult
from tests.alerts.helpers import record
from tests.helpers import make_config

NOW = datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC)


def test_an_interval_outlet_is_due_one_interval_after_the_crawl_that_was_due() -> None:
    cfg = make_config({"outlets": {"enabled": ["qdnd"], "qdnd": {"interval": "10m"}}})
    [outlet] = cfg.outlets
    assert next_crawl(outlet, cfg, None, NOW) == NOW + timedelta(minutes=10)  # first crawl: now, then every 10 min
    due = NOW - timedelta(seconds=4)  # the tick came 4 s after the due time: no drift
    assert next_crawl(outlet, cfg, due, NOW) == due + timedelta(minutes=10)
    # No control ran for two hours: one crawl now, the next one interval later (not 12 at once).
    assert next_crawl(outlet, cfg, NOW - timedelta(hours=2), NOW) == NOW + timedelta(minutes=10)


def test_a_cron_outlet_is_due_at_its_next_cron_time_in_its_timezone() -> None:
    cfg = make_config({"outlets": {"enabled": ["qdnd"], "qdnd": {"cron": "30 6 * * *"}}})
    [outlet] = cfg.outlets  # qdnd: Asia/Ho_Chi_Minh, UTC+7
    assert outlet.timezone == "Asia/Ho_Chi_Minh"
    assert next_crawl(outlet, cfg, None, NOW) == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


def test_ticks_come_often_enough_for_the_shortest_interval() -> None:
    def ticks(**intervals: str) -> int:
        outlets = {slug: {"interval": value} for slug, value in intervals.items()}
        return tick_seconds(make_config({"outlets": {"enabled": list(intervals), **outlets}}))

    assert ticks(qdnd="10m", thesun="1h") == 30  # at most 30 s late on 10 min
    assert ticks(qdnd="1m") == 12
    assert ticks(qdnd="7s") == 1
    assert 60 % ticks(qdnd="23s") == 0  # always a divisor of a minute (a cron line of seconds)


@pytest.fixture
def postgres_app() -> Iterator[App]:
    from tests.helpers import POSTGRES_URL, reset_postgres

    if not POSTGRES_URL:
        pytest.skip("NEWSWATCH_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)")
    reset_postgres(POSTGRES_URL)
    app = build_app(make_config({"storage": {"database_url": POSTGRES_URL}}))
    yield app
    app.close()


@pytest.mark.postgres
def test_a_staged_row_and_its_article_commit_together_or_not_at_all(postgres_app: App) -> None:
    app = postgres_app
    with app.sessions.begin() as session:
        assert staging.stage(session, record(1), None)
        assert not staging.stage(session, record(1), None)  # one row per URL: a job run twice

    class Crash(Exception):
        pass

    def crash_after_storing(session: Session, result: IngestResult) -> None:
        assert result.status == "stored"
        raise Crash  # the process dies before the commit

    with app.sessions() as session:
        [row] = staging.next_batch(session, 10)
    with pytest.raises(Crash):
        app.ingestor().ingest(staging.record_from_json(row.record), crash_after_storing)
    with app.sessions() as session:
        assert session.scalar(select(func.count(Article.id))) == 0
        assert session.scalar(select(func.count(StagedArticle.id))) == 1  # still there: ingested again later

    def remove(session: Session, result: IngestResult) -> None:
        assert staging.remove(session, row.id)

    stored = app.ingestor().ingest(staging.record_from_json(row.record), remove)
    assert stored.status == "stored"
    with app.sessions() as session:
        assert session.scalar(select(func.count(Article.id))) == 1
        assert session.scalar(select(func.count(StagedArticle.id))) == 0


@pytest.mark.postgres
def test_the_lane_stores_a_batch_in_one_transaction_and_a_bad_row_costs_only_itself(postgres_app: App) -> None:
    app = postgres_app
    with app.sessions.begin() as session:
        run_id = repository.start_crawl_run(session, repository.get_or_create_outlet(session, "bernama-en")).id
        for n in (1, 2, 3):
            # Row 2 cannot be stored (PostgreSQL refuses a 40-character language code).
            staging.stage(session, record(n, language="x" * 40 if n == 2 else "en"), run_id)
    with app.engine.connect() as lock:
        lane = IngestLane(app, lock)
        assert lane.drain_batch(threading.Event()) == 3  # the batch fails, then each row alone
        assert lane.drain_batch(threading.Event()) == 0
        with app.sessions.begin() as session:
            staging.stage(session, record(4), run_id)
            staging.stage(session, record(4, url="https://mirror.example.org/4"), run_id)  # a copy
        assert lane.drain_batch(threading.Event()) == 2  # one transaction
    with app.sessions() as session:
        assert session.scalar(select(func.count(StagedArticle.id))) == 0
        assert sorted(session.scalars(select(Article.url))) == [record(n).url for n in (1, 3, 4)]
        run = session.get(CrawlRun, run_id)
        assert run is not None and (run.stored, run.duplicates, run.failed) == (3, 1, 1)
        assert list(session.execute(select(CrawlFailure.reason, CrawlFailure.url))) == [("store/error", record(2).url)]


@pytest.mark.postgres
def test_status_shows_every_queue_when_it_is_idle(postgres_app: App) -> None:
    """Between ticks the crawl queue is empty: status still names it (an operator reading "too few
    workers?" from it must see "none", not a missing line)."""
    from sqlalchemy import create_engine

    from cluster.status import cluster_status, format_cluster

    url = postgres_app.config.storage.database_url
    worker = create_engine(url, connect_args={"application_name": "newswatch worker test-host:4242"})
    try:
        with worker.connect(), postgres_app.sessions() as session:
            info = cluster_status(session, datetime.now(UTC), 10.0)
            assert info is not None
            shown = format_cluster(info)
    finally:
        worker.dispose()
    assert "cluster processes: worker 1 (test-host:4242)" in shown
    assert "jobs on crawl: none queued or running" in shown
    assert "jobs on control: none queued or running" in shown
