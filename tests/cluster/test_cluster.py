"""Cluster mode as an operator runs it: ``run.py run --role`` processes (control, worker,
ingest) on one PostgreSQL database, crawling the sandbox outlets on 127.0.0.1 every few seconds.

What a user would notice: every outlet is crawled once per tick and never twice at once, nor
two outlets of one host (Bernama's two editions) at once; every article the sandbox serves is
stored exactly once, the same set as a single-process crawl stores.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from sandbox import OutletSites
from tests.cluster.cluster_helpers import OUTLETS, Cluster, crawl_runs, overlapping, rows, write_config
from tests.helpers import POSTGRES_URL, RunCli, reset_postgres, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HOSTS = {slug: ("bernama" if slug.startswith("bernama") else slug) for slug in OUTLETS}


@pytest.fixture
def postgres_url() -> str:
    if not POSTGRES_URL:
        pytest.skip("NEWSWATCH_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def sandbox() -> Iterator[OutletSites]:
    with OutletSites() as server:
        yield server


def single_process_texts(tmp_path: Path, sandbox: OutletSites, run_cli: RunCli) -> set[str]:
    """The texts ``run.py crawl`` stores from the same sandbox on SQLite (by content hash: which
    of an article's several URLs is stored depends on which arrives first)."""
    config = write_config(tmp_path / "single.toml", f"sqlite:///{tmp_path / 'single.db'}", sandbox)
    result = run_cli("--config", str(config), "crawl", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'single.db'}")
    try:
        return {r[0] for r in rows(engine, "SELECT content_hash FROM articles")}
    finally:
        engine.dispose()


def test_outlets_are_crawled_once_per_tick_never_overlapping_and_stored_once(
    tmp_path: Path, postgres_url: str, sandbox: OutletSites, run_cli: RunCli
) -> None:
    expected = single_process_texts(tmp_path, sandbox, run_cli)
    config = write_config(tmp_path / "config.toml", postgres_url, sandbox, interval="6s")
    engine = create_engine(postgres_url)
    cluster = Cluster(config)
    try:
        cluster.start("ingest")
        cluster.start("control")
        cluster.start("control")
        cluster.start("worker")
        cluster.start("worker")
        wait_until(
            lambda: crawl_runs(engine),
            "two finished crawls of every outlet",
            until=lambda runs: all(sum(1 for r in runs if r[0] == s and r[3] is not None) >= 2 for s in OUTLETS),
            timeout=90,
            context=cluster.logs,
        )
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
    # Once per tick: with a 6 s interval, no outlet ran more often than the ticks allow.
    for slug in OUTLETS:
        starts = sorted(r[2] for r in runs if r[0] == slug)
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= 5.0, (slug, gaps)
    assert rows(engine, "SELECT count(*) FROM staged_articles")[0][0] == 0
    engine.dispose()
