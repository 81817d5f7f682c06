"""kill -9 of a worker mid-crawl while the next tick has already queued the outlet's next crawl:
procrastinate's documented stalled-job retry fails on the queueing lock's unique index, and the
dead job would hold the outlet's lock for ever. ``recover_stalled`` closes it so the waiting
crawl runs. Real PostgreSQL, a real worker process, a real SIGKILL."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import UniqueViolation
from sqlalchemy import create_engine, text

from app import App as NewswatchApp
from cluster import control
from cluster.queue import queue_app as control_queue_app
from cluster.recovery import Recovered, recover_stalled
from storage import db
from tests.helpers import make_config, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

HEARTBEAT = 0.5  # the worker's heartbeat interval in these tests (10 s by default)


def queue_app(url: str, marker: Path | None = None, hang: bool = False) -> App:
    """The crawl task as cluster mode declares it: one job per outlet at a time (``lock``), one
    waiting job per outlet (``queueing_lock``)."""
    app = App(connector=PsycopgConnector(conninfo=url.replace("postgresql+psycopg://", "postgresql://")))

    @app.task(name="crawl", pass_context=False)
    def crawl(outlet: str) -> None:
        if marker is not None:
            with marker.open("a") as out:
                out.write(f"{outlet} {os.getpid()}\n")
        if hang:
            time.sleep(600)  # killed long before

    return app


def run_hanging_worker(url: str, marker: str) -> None:
    app = queue_app(url, Path(marker), hang=True)
    app.run_worker(update_heartbeat_interval=HEARTBEAT, install_signal_handlers=False)


def kill_the_worker_running_a_job(url: str, marker: Path) -> None:
    """Start a worker that takes the waiting job and hangs in it, then ``kill -9`` it."""
    worker = multiprocessing.get_context("spawn").Process(target=run_hanging_worker, args=(url, str(marker)))
    worker.start()
    try:
        wait_until(lambda: marker.exists() and marker.read_text(), "the worker taking the job", timeout=60)
        os.kill(worker.pid or 0, signal.SIGKILL)
        worker.join(10)
    finally:
        if worker.is_alive():
            worker.kill()


def wait_for_a_stale_heartbeat(url: str, seconds: float) -> None:
    """Until the dead worker's heartbeat is older than ``seconds`` (by PostgreSQL's clock, the
    one the stalled-job query reads)."""
    wait_until(
        lambda: _heartbeat_age(url),
        f"the dead worker's heartbeat older than {seconds:g}s",
        until=lambda age: age > seconds,
    )


def defer_crawl(app: App, outlet: str) -> int:
    task = app.tasks["crawl"]
    return int(task.configure(lock=f"outlet:{outlet}", queueing_lock=f"outlet:{outlet}").defer(outlet=outlet))


def statuses(app: App) -> dict[int, str]:
    return {int(job.id or 0): str(job.status) for job in app.job_manager.list_jobs()}


@pytest.fixture
def queue_url(postgres_url: str) -> str:
    db.upgrade(postgres_url)
    return postgres_url


def test_a_worker_killed_mid_crawl_with_the_next_tick_queued_does_not_lock_the_outlet_for_ever(
    queue_url: str, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    app = queue_app(queue_url)
    with app.open():
        first = defer_crawl(app, "qdnd")
        kill_the_worker_running_a_job(queue_url, marker)
        assert statuses(app)[first] == "doing"
        # The next tick queues the outlet's next crawl while the dead one still holds the lock.
        second = defer_crawl(app, "qdnd")
        wait_for_a_stale_heartbeat(queue_url, HEARTBEAT * 3)

        # The pitfall, as procrastinate documents the recovery: the retry fails on the
        # queueing lock, and the dead job stays "doing" with the outlet's lock.
        (stalled,) = asyncio.run(_stalled(queue_url))
        assert stalled == first
        with pytest.raises(UniqueViolation):
            asyncio.run(_plain_retry(queue_url, first))
        assert statuses(app) == {first: "doing", second: "todo"}

        recovered = asyncio.run(_recover(queue_url))
        assert [(r.job_id, r.outcome) for r in recovered] == [(first, "superseded")]
        assert statuses(app) == {first: "failed", second: "todo"}

    # A live worker now runs the waiting crawl: the outlet is crawled again.
    runner = queue_app(queue_url, marker)
    asyncio.run(_drain(runner))
    with runner.open():
        assert statuses(runner) == {first: "failed", second: "succeeded"}
    assert marker.read_text().count("qdnd") == 2


def test_a_stalled_crawl_with_nothing_queued_after_it_is_retried(queue_url: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    app = queue_app(queue_url)
    with app.open():
        first = defer_crawl(app, "thesun")
        kill_the_worker_running_a_job(queue_url, marker)
        wait_for_a_stale_heartbeat(queue_url, HEARTBEAT * 3)
        recovered = asyncio.run(_recover(queue_url))
        assert [(r.job_id, r.outcome) for r in recovered] == [(first, "retried")]
        assert statuses(app) == {first: "todo"}
    runner = queue_app(queue_url, marker)
    asyncio.run(_drain(runner))
    with runner.open():
        assert statuses(runner) == {first: "succeeded"}


def test_the_control_roles_recovery_waits_for_the_configured_stall_timeout(queue_url: str, tmp_path: Path) -> None:
    """``cluster.stall_timeout`` is what the control role's recovery uses: at the same moment, with
    the dead worker's heartbeat a few seconds old, a control configured with an hour leaves its
    job alone and one configured with one second recovers it."""
    marker = tmp_path / "ran"
    app = queue_app(queue_url)
    with app.open():
        first = defer_crawl(app, "qdnd")
        kill_the_worker_running_a_job(queue_url, marker)
        wait_for_a_stale_heartbeat(queue_url, 1.5)

        assert asyncio.run(_control_recover(queue_url, "1h")) == []
        assert statuses(app) == {first: "doing"}
        assert asyncio.run(_control_recover(queue_url, "1s")) == [{"job": first, "task": "crawl", "outcome": "retried"}]
        assert statuses(app) == {first: "todo"}


def _heartbeat_age(url: str) -> float:
    """Seconds since the newest heartbeat of any worker (the killed one is the only one)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            age = conn.execute(
                text("SELECT extract(epoch FROM now() - max(last_heartbeat)) FROM procrastinate_workers")
            ).scalar()
    finally:
        engine.dispose()
    return float(age or 0)


async def _control_recover(url: str, stall_timeout: str) -> list[dict[str, object]]:
    """One pass of the control role's periodic ``recover`` task, for a configuration whose
    ``cluster.stall_timeout`` is ``stall_timeout``."""
    cfg = make_config(
        {
            "storage": {"database_url": url},
            "outlets": {"enabled": []},
            "dedup": {"semantic": "off"},
            "cluster": {"heartbeat": "100ms", "stall_timeout": stall_timeout},
        }
    )
    newswatch = NewswatchApp(cfg)
    queue = control_queue_app(url)
    control.register(queue, control.Control(newswatch, queue), control.tick_seconds(cfg))
    try:
        async with queue.open_async():
            result: list[dict[str, object]] = await queue.tasks["recover"](timestamp=0)
            return result
    finally:
        newswatch.close()


async def _stalled(url: str) -> list[int]:
    async with queue_app(url).open_async() as app:
        return [int(j.id or 0) for j in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=HEARTBEAT * 2)]


async def _plain_retry(url: str, job_id: int) -> None:
    async with queue_app(url).open_async() as app:
        (job,) = [j for j in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=HEARTBEAT * 2)]
        assert job.id == job_id
        await app.job_manager.retry_job(job)


async def _recover(url: str) -> list[Recovered]:
    async with queue_app(url).open_async() as app:
        return await recover_stalled(app, seconds_since_heartbeat=HEARTBEAT * 2)


async def _drain(app: App) -> None:
    async with app.open_async():
        await app.run_worker_async(wait=False, install_signal_handlers=False, listen_notify=False)
