"""Cluster mode when processes die: ``kill -9`` of a worker mid-crawl, of the active ingest
process mid-drain, of one control process. Real role subprocesses, real PostgreSQL, the sandbox
outlets on 127.0.0.1.

What a user would notice: the outlet whose crawl died is crawled again within the stall timeout
(even though the next tick already queued its next crawl: the queueing-lock pitfall), the dead
run is closed as ``interrupted``, its crawl child does not outlive it, and no job is left
running; the standby ingester carries on and every article is stored exactly once, in the same
stories as a single-process crawl; with one control process killed, ticks go on.
"""

from __future__ import annotations

import itertools
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from config import ClusterConfig
from sandbox import OutletSites
from tests.cluster.cluster_helpers import (
    Cluster,
    active_ingester,
    alive,
    crawl_runs,
    doing_jobs,
    iter_children,
    role_pids,
    rows,
    single_process,
    stories,
    texts,
    write_config,
)
from tests.helpers import RunCli, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


def database(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_worker_killed_mid_crawl_is_replaced_and_its_run_closed(
    tmp_path: Path, engine: Engine, run_cli: RunCli
) -> None:
    outlets = ("thesun",)
    with OutletSites() as sandbox:
        expected, _ = single_process(tmp_path, sandbox, run_cli, outlets)
        # A fetch waits up to 10 min for the hanging feed: a crawl child that outlived its worker
        # would live that long, so a generous deadline for its end still proves it died with it.
        config = write_config(tmp_path / "config.toml", database(engine), sandbox, "5s", outlets, fetch_timeout="10m")
        sandbox.set_fault("thesun", "hang")  # the first crawl hangs on its feed: killed there
        cluster = Cluster(config)
        try:
            cluster.start("ingest")
            cluster.start("control")
            doomed = cluster.start("worker")
            wait_until(
                lambda: [r for r in crawl_runs(engine) if r[1] == "running"],
                "a running crawl",
                timeout=60,
                context=cluster.logs,
            )
            children = wait_until(lambda: list(iter_children(doomed.proc.pid)), "the crawl child", context=cluster.logs)
            cluster.start("worker")
            os.kill(doomed.proc.pid, signal.SIGKILL)
            killed_at = datetime.now(UTC)
            doomed.proc.wait(10)
            wait_until(lambda: not any(alive(c) for c in children), "the crawl child gone with its worker", timeout=60)
            sandbox.set_fault("thesun", None)
            # The next tick queues a successor while the dead job still holds the outlet's lock.
            runs = wait_until(
                lambda: crawl_runs(engine),
                "a crawl after the kill that finished",
                until=lambda runs: any(r[1] == "ok" and r[2] > killed_at for r in runs),
                timeout=ClusterConfig().stall_timeout + 40,
                context=cluster.logs,
            )
            assert runs[0][1] == "interrupted"
            wait_until(lambda: sorted(texts(engine)), "every article stored", until=lambda t: t == sorted(expected))
        finally:
            cluster.stop_all()
    assert sorted(texts(engine)) == sorted(expected)  # each once
    assert doing_jobs(engine) == []
    # The control process recovered the dead job (closed it: the next tick had queued a successor).
    assert any("stalled job" in p.log() for p in cluster.processes), cluster.logs()


def test_the_standby_ingester_takes_over_and_nothing_is_lost_or_stored_twice(
    tmp_path: Path, engine: Engine, run_cli: RunCli
) -> None:
    outlets = ("qdnd-en", "bernama-en", "bernama-bm", "thesun")
    with OutletSites(extra_articles=15) as sandbox:
        expected, expected_stories = single_process(tmp_path, sandbox, run_cli, outlets)
        config = write_config(tmp_path / "config.toml", database(engine), sandbox, "60s", outlets)
        cluster = Cluster(config)
        try:
            # Workers first: the articles pile up in the staging table, then the ingesters drain it.
            cluster.start("control")
            cluster.start("worker")
            cluster.start("worker")
            wait_until(
                lambda: rows(engine, "SELECT count(*) FROM staged_articles")[0][0] if crawl_runs(engine) else 0,
                "articles staged",
                until=lambda n: n >= 40,
                timeout=60,
                context=cluster.logs,
            )
            first = cluster.start("ingest")
            wait_until(lambda: active_ingester(engine), "an active ingester", context=cluster.logs)
            standby = cluster.start("ingest")
            wait_until(
                lambda: role_pids(engine, "ingest"),
                "the standby connected",
                until=lambda pids: pids == {first.proc.pid, standby.proc.pid},
                context=cluster.logs,
            )
            wait_until(lambda: len(texts(engine)), "the first articles stored", until=lambda n: n >= 5)
            assert active_ingester(engine) == first.proc.pid
            os.kill(first.proc.pid, signal.SIGKILL)
            first.proc.wait(10)
            wait_until(
                lambda: active_ingester(engine),
                "the standby active",
                until=lambda pid: pid not in (None, first.proc.pid),
                context=cluster.logs,
            )
            wait_until(
                lambda: (
                    rows(engine, "SELECT count(*) FROM staged_articles")[0][0] == 0
                    and not [r for r in crawl_runs(engine) if r[1] == "running"]
                ),
                "the staging table drained",
                timeout=60,
                context=cluster.logs,
            )
        finally:
            cluster.stop_all()
    stored = texts(engine)
    assert len(stored) == len(set(stored))
    assert sorted(stored) == sorted(expected)
    assert stories(engine) == expected_stories
    # Each crawl run counts what the ingesters made of what it found: nothing counted twice.
    for staged, stored_n, duplicates in rows(
        engine, "SELECT (stats->>'staged')::int, stored, duplicates FROM crawl_runs WHERE stats->>'staged' IS NOT NULL"
    ):
        assert stored_n + duplicates == staged


PERIOD = 10  # the outlet's interval (seconds): ticks every 2 s look for it (cluster.control.tick_seconds)


def test_ticks_go_on_when_one_control_process_is_killed(tmp_path: Path, engine: Engine) -> None:
    outlets = ("qdnd-en",)
    # The ticks are what is watched: each due tick plans the outlet's next crawl one interval on
    # (``outlets.next_crawl_at``). Crawl starts would also measure how long the one worker took
    # over the previous crawl (on a busy machine, longer than an interval).
    plans: list[tuple[datetime, datetime]] = []  # (next crawl planned, when the test saw it)

    def planned() -> list[tuple[datetime, datetime]]:
        found = rows(engine, "SELECT next_crawl_at FROM outlets WHERE slug = 'qdnd-en'")
        due = found[0][0] if found else None
        if due is not None and (not plans or plans[-1][0] != due):
            plans.append((due, datetime.now(UTC)))
        return plans

    with OutletSites() as sandbox:
        config = write_config(tmp_path / "config.toml", database(engine), sandbox, f"{PERIOD}s", outlets)
        cluster = Cluster(config)
        try:
            first = cluster.start("control")
            cluster.start("control")
            cluster.start("worker")
            cluster.start("ingest")
            wait_until(planned, "the first crawl planned", timeout=60, context=cluster.logs)
            # The one killed is one that runs ticks (both defer them; either may run them). The
            # plans are observed all along, so the one made just before the kill is in ``plans``
            # (a wait that did not look at them could miss one and see a gap that was not there).
            start = len(first.log())
            first.wait(
                lambda: (planned(), first.log()[start:])[1],
                "a tick started by the control process to kill",
                until=lambda log: "Starting job tick[" in log,
                timeout=60,
            )
            os.kill(first.proc.pid, signal.SIGKILL)
            killed_at = datetime.now(UTC)
            first.proc.wait(10)
            wait_until(
                planned,
                "two ticks planning a crawl after the kill",
                until=lambda seen: sum(1 for _, at in seen if at > killed_at) >= 2,
                timeout=60,
                context=cluster.logs,
            )
            wait_until(
                lambda: crawl_runs(engine),
                "a crawl queued after the kill run",
                until=lambda runs: any(r[2] > killed_at for r in runs),
                timeout=60,
                context=cluster.logs,
            )
        finally:
            cluster.stop_all()
    after = [(due, at) for due, at in plans if at > killed_at]
    # Ticks go on without a gap of more than one period: after the kill, each plan is exactly one
    # period after the one before. That is the tick's own evidence, read from the database, not
    # the test's clock: a tick plans ``due + period`` only while that is still ahead of it
    # (``cluster.control.next_crawl``); a tick later than a whole period after ``due`` plans
    # ``now + period``, off the grid. (When the test saw a plan measures its own polling on a
    # busy machine, so it is not asserted.) Two control processes ticking the same outlet would
    # not plan twice: the plan is taken under a row lock and a due outlet is planned once.
    for (before, _), (due, _seen_at) in itertools.pairwise(plans[-len(after) - 1 :]):
        assert (due - before).total_seconds() == PERIOD, plans
