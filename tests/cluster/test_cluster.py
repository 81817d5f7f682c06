"""Cluster mode as an operator runs it: ``run.py run --role`` processes (control, worker,
ingest) on one PostgreSQL database, crawling the sandbox outlets on 127.0.0.1 every few seconds.

What a user would notice: every outlet is crawled once per tick and never twice at once, nor
two outlets of one host (Bernama's two editions) at once; every article the sandbox serves is
stored exactly once, the same set as a single-process crawl stores; ``status`` shows the
cluster's processes, live workers, jobs and the active ingester.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from sandbox import OutletSites
from tests.cluster.cluster_helpers import (
    OUTLETS,
    Cluster,
    crawl_runs,
    overlapping,
    rows,
    single_process,
    write_config,
)
from tests.helpers import RunCli, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HOSTS = {slug: ("bernama" if slug.startswith("bernama") else slug) for slug in OUTLETS}


@pytest.fixture
def sandbox() -> Iterator[OutletSites]:
    with OutletSites() as server:
        yield server


def test_outlets_are_crawled_once_per_tick_never_overlapping_and_stored_once(
    tmp_path: Path, postgres_url: str, sandbox: OutletSites, run_cli: RunCli
) -> None:
    expected = set(single_process(tmp_path, sandbox, run_cli)[0])
    config = write_config(tmp_path / "config.toml", postgres_url, sandbox, interval="6s")
    engine = create_engine(postgres_url)
    cluster = Cluster(config)
    # Each due tick plans the outlet's next crawl one interval on (outlets.next_crawl_at) and
    # queues one: "once per tick" is read from the plans, as crawl starts also carry how long a
    # job waited for a free worker (seconds on a busy machine).
    plans: dict[str, list[datetime]] = {slug: [] for slug in OUTLETS}

    def runs_and_plans() -> list[tuple[str, str, datetime, datetime | None]]:
        for slug, due in rows(engine, "SELECT slug, next_crawl_at FROM outlets"):
            if slug in plans and due is not None and (not plans[slug] or plans[slug][-1] != due):
                plans[slug].append(due)
        return crawl_runs(engine)

    try:
        cluster.start("ingest")
        cluster.start("control")
        cluster.start("control")
        cluster.start("worker")
        cluster.start("worker")
        seen = wait_until(
            runs_and_plans,
            "two finished crawls of every outlet",
            until=lambda runs: all(sum(1 for r in runs if r[0] == s and r[3] is not None) >= 2 for s in OUTLETS),
            timeout=90,
            context=cluster.logs,
        )
        # Two workers may finish those crawls before a process started slowly (a busy machine)
        # is up: status is read once all four queue workers registered, as it counts them.
        wait_until(
            lambda: rows(engine, "SELECT count(*) FROM procrastinate_workers")[0][0],
            "the four queue workers registered",
            until=lambda n: n == 4,
            context=cluster.logs,
        )
        shown = run_cli("--config", str(config), "status")
        assert shown.returncode == 0, shown.stderr
        assert "cluster processes: control 2 (" in shown.stdout
        assert "cluster processes: control 2 (" in shown.stdout and "worker 2 (" in shown.stdout
        assert "heartbeat within 10s): 4" in shown.stdout  # 2 workers and 2 control processes
        ingester = next(line for line in shown.stdout.splitlines() if line.startswith("ingest: "))
        assert "active ingester: " in ingester and "active ingester: none" not in ingester
        assert "jobs on crawl: " in shown.stdout
        stored = wait_until(
            lambda: {r[0] for r in rows(engine, "SELECT content_hash FROM articles")},
            "the single-process crawl's articles stored",
            until=lambda urls: urls >= expected,
            timeout=30,
            context=cluster.logs,
        )
    finally:
        cluster.stop_all()
    runs = crawl_runs(engine)
    assert overlapping(runs, {s: s for s in OUTLETS}) == []
    assert overlapping(runs, HOSTS) == [], "two outlets of one host were crawled at once"
    assert stored == expected
    assert [r for r in runs if r[1] not in ("ok", "partial")] == [], cluster.logs()
    # Once per tick: with a 6 s interval, each plan one interval after the one before, and no
    # outlet crawled more often than planned (a tick queues the crawl just before its plan
    # commits: one may be in flight).
    for slug in OUTLETS:
        steps = [(b - a).total_seconds() for a, b in itertools.pairwise(plans[slug])]
        assert steps and set(steps) == {6.0}, (slug, plans[slug])
        assert sum(1 for r in seen if r[0] == slug) <= len(plans[slug]) + 1, (slug, seen, plans[slug])
    assert rows(engine, "SELECT count(*) FROM staged_articles")[0][0] == 0
    # The workers' log lines say where the articles went (the ingest role stores them).
    worker_logs = "".join(p.log() for role, p in zip(cluster.roles, cluster.processes, strict=True) if role == "worker")
    assert "staged " in worker_logs and " for the ingest role" in worker_logs
    engine.dispose()
