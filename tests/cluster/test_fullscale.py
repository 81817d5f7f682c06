"""The whole cluster as issue 17 sizes it: 3 workers, 2 control, 2 ingest and 2 dispatch
processes (``run.py run --role``) on one PostgreSQL database, crawling 20 plain outlets on
127.0.0.1 (``sandbox.fleet``; six of them share two hosts, two more share a third) every
``INTERVAL`` while new articles, some of them watched, appear between ticks; a webhook receiver
and a mail sink the test starts take the alerts.

What a user would notice: each outlet is crawled once per tick, no tick missed and none run
twice; never two crawls of one outlet, nor of two outlets of one host, at once; every article the
outlets serve is stored exactly once; every watched article's alert reaches the webhook and the
mailbox, each delivery once (or twice with the same id, which receivers drop); ``status`` shows
the workers alive, the active ingester and the control processes; after SIGTERM every process
exits 0, no job is left running or waiting, and no crawl child or extraction process is left.

Sized for a shared 2-core machine, where 11 processes must fit: one small article per outlet at
the start and a few new ones per tick; a round of 20 crawls took 6-12 s at a load of 16-20.
``NEWSWATCH_FULLSCALE_TICKS`` (default 4: a minute of ticks, two minutes in all on that busy
machine) runs more, for a soak.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from cluster.worker import CRAWL_TASK as CRAWL
from sandbox import MailSink, WebhookReceiver
from sandbox.fleet import OutletFleet
from tests.alerts.helpers import ENV
from tests.cluster.cluster_helpers import (
    Cluster,
    alive,
    command_line,
    crawl_runs,
    doing_jobs,
    overlapping,
    rows,
    started,
    terminate,
)
from tests.helpers import RunCli, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

INTERVAL = 20  # seconds between an outlet's crawls
# Outlets by host: r00-r03 on one host, r04-r05 and r06-r07 on two more, the rest alone.
HOSTS = [("r00", "r01", "r02", "r03"), ("r04", "r05"), ("r06", "r07"), *((f"r{i:02d}",) for i in range(8, 20))]
SLUGS = [slug for host in HOSTS for slug in host]
WORKERS = 3
SCAN_EVERY = 2.0  # seconds between looks for the roles' children (crawl children live seconds)


def write_config(path: Path, url: str, outlets: OutletFleet, hook: WebhookReceiver, sink: MailSink) -> Path:
    tables: dict[str, list[str]] = {
        "storage": [f'database_url = "{url}"'],
        "crawler": ['download_delay = "0s"', "autothrottle = false", 'timeout = "10s"', "extract_processes = 1"],
        "outlets": ["enabled = [" + ", ".join(f'"{s}"' for s in SLUGS) + "]"],
        "schedule": [
            f'crawl_interval = "{INTERVAL}s"', 'jitter = "0s"', 'crawl_time_limit = "60s"', 'dispatch_interval = "1s"'
        ],
        "alerts": ['retry_base = "1s"'],
        "channels.hook": ['type = "webhook"', f'url = "{hook.url}"', 'secret_env = "HOOK_SECRET"', 'timeout = "5s"'],
        "channels.mail": [
            'type = "smtp"', 'host = "127.0.0.1"', f"port = {sink.port}", 'security = "none"',
            'sender = "Newswatch <alerts@newswatch.example.org>"', 'to = ["desk@example.org"]', 'timeout = "5s"',
        ],
        "watches.vn-my": ["query = '\"Malaysia\" AND \"Vietnam\"'", 'channels = ["hook", "mail"]'],
        **outlets.outlet_tables(),
    }  # fmt: skip
    path.write_text("".join(f"[{name}]\n" + "\n".join(lines) + "\n\n" for name, lines in tables.items()))
    return path


def queue_workers(engine: Engine) -> int:
    """Queue workers (crawl workers and control processes) registered now; 0 before the schema."""
    return int((rows(engine, "SELECT count(*) FROM procrastinate_workers") or [(0,)])[0][0])


def watched(outlets: OutletFleet, slug: str, n: int) -> str:
    """Publish a watched article: an ordinary local story of its own that names both countries."""
    title, text = outlets.new_story(slug)
    guests = f"Visitors from Vietnam and Malaysia came to the event, number {n} this year."
    return outlets.publish(slug, f"{title}, with guests from Vietnam and Malaysia", f"{guests}\n{text}")


def test_a_full_cluster_crawls_every_outlet_once_per_tick_stores_once_and_alerts_once(
    tmp_path: Path, postgres_url: str, run_cli: RunCli
) -> None:
    ticks = int(os.environ.get("NEWSWATCH_FULLSCALE_TICKS", "4"))
    engine = create_engine(postgres_url)
    with OutletFleet(HOSTS, articles=1) as outlets, WebhookReceiver() as hook, MailSink() as sink:
        config = write_config(tmp_path / "config.toml", postgres_url, outlets, hook, sink)
        cluster = Cluster(config, env=ENV)
        host_of = {slug: outlets.host(slug) for slug in SLUGS}
        plans: dict[str, list[datetime]] = {slug: [] for slug in SLUGS}  # each tick's plan of the next crawl
        children: dict[int, str | None] = {}  # every process the roles started, with its start time
        alerted: list[str] = []  # the watched articles' URLs
        published = [0]  # the last round of ticks after which new articles were published
        scanned = [0.0]  # when the roles' children were last looked for

        def watch() -> int:
            """Plans seen, children seen; after each round of ticks but the last, new articles:
            a filler on every other outlet and two watched ones. The rounds every outlet saw."""
            for slug, due in rows(engine, "SELECT slug, next_crawl_at FROM outlets"):
                if slug in plans and due is not None and (not plans[slug] or plans[slug][-1] != due):
                    plans[slug].append(due)
            if time.monotonic() >= scanned[0] + SCAN_EVERY:  # a cheap poll: 11 processes, many threads
                scanned[0] = time.monotonic()
                for process in cluster.processes:
                    children.update((pid, started(pid)) for pid in process.children())
            done = min(len(p) for p in plans.values())
            if published[0] < done < ticks:
                published[0] = done
                for slug in SLUGS[done % 2 :: 2]:
                    outlets.filler(slug)
                for slug in (SLUGS[(3 * done) % 20], SLUGS[(3 * done + 10) % 20]):
                    alerted.append(watched(outlets, slug, done))
            return done

        try:
            for role in ("ingest", "ingest", "dispatch", "dispatch", *["worker"] * WORKERS):
                cluster.start(role)
            # The clock starts once the crawl workers are up: the first tick queues every outlet.
            wait_until(
                lambda: queue_workers(engine),
                "the crawl workers registered",
                until=lambda n: n == WORKERS,
                context=cluster.logs,
            )
            controls = [cluster.start("control"), cluster.start("control")]
            wait_until(
                watch, "a second round of ticks", until=lambda n: n >= 2, timeout=120, every=0.5, context=cluster.logs
            )
            # status while everything runs: 3 workers and 2 control processes beat.
            wait_until(
                lambda: queue_workers(engine),
                "the control processes registered",
                until=lambda n: n == WORKERS + 2,
                context=cluster.logs,
            )
            shown = run_cli("--config", str(config), "status", env=ENV)
            assert shown.returncode == 0, shown.stderr
            [processes] = [line for line in shown.stdout.splitlines() if line.startswith("cluster processes: ")]
            for role, count in (("control", 2), ("dispatch", 2), ("ingest", 2), ("worker", WORKERS)):
                assert f"{role} {count} (" in processes, shown.stdout
            assert re.search(r"heartbeat within \d+s\): 5\b", shown.stdout), shown.stdout
            assert "active ingester: none" not in shown.stdout and "active ingester: " in shown.stdout
            assert "control: last tick never" not in shown.stdout and "control: last tick " in shown.stdout
            wait_until(
                watch, f"{ticks} rounds of ticks", until=lambda n: n >= ticks, timeout=ticks * INTERVAL + 60,
                every=0.5, context=cluster.logs,
            )  # fmt: skip
            # The clock stops; what it queued is crawled, stored and alerted.
            assert terminate(controls) == [0, 0], cluster.logs()
            watch()
            wait_until(
                lambda: rows(
                    engine,
                    "SELECT (SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')),"
                    " (SELECT count(*) FROM staged_articles),"
                    " (SELECT count(*) FROM crawl_runs WHERE status = 'running')",
                )[0],
                "every queued crawl done and its articles stored",
                until=lambda counts: tuple(counts) == (0, 0, 0),
                timeout=120,
                context=cluster.logs,
            )
            deliveries = wait_until(
                lambda: rows(
                    engine,
                    "SELECT d.id, d.channel, d.status, a.url FROM alert_deliveries d"
                    " JOIN watch_matches m ON m.id = d.match_id JOIN articles a ON a.id = m.article_id",
                ),
                "every watched article's alerts delivered",
                until=lambda found: len(found) == 2 * len(alerted) and {r[2] for r in found} == {"delivered"},
                timeout=60,
                context=cluster.logs,
            )
            for process in cluster.processes:
                children.update((pid, started(pid)) for pid in process.children())
            assert terminate(cluster.processes) == [0] * len(cluster.processes), cluster.logs()
        finally:
            cluster.stop_all()

        runs = crawl_runs(engine)
        jobs = rows(engine, "SELECT args->>'slug', status::text FROM procrastinate_jobs WHERE task_name = :t", t=CRAWL)
        stored = [r[0] for r in rows(engine, "SELECT url FROM articles")]
        served = [a.url for slug in SLUGS for a in outlets.articles(slug)]

    # Once per tick: each plan one interval after the one before (no tick skipped), and one
    # crawl job and one finished crawl run per plan (none collapsed into another, none doubled).
    for slug in SLUGS:
        steps = {(b - a).total_seconds() for a, b in itertools.pairwise(plans[slug])}
        assert len(plans[slug]) >= ticks and steps == {float(INTERVAL)}, (slug, plans[slug])
    queued = Counter(slug for slug, _ in jobs)
    # (ticks, crawl jobs) of each outlet where they differ: fewer jobs when a tick found the
    # previous tick's crawl still waiting (the workers fell behind), more when one was doubled.
    assert {s: (len(plans[s]), queued[s]) for s in SLUGS if queued[s] != len(plans[s])} == {}, plans
    assert {status for _, status in jobs} == {"succeeded"}
    assert Counter(r[0] for r in runs) == {slug: len(p) for slug, p in plans.items()}
    assert [r for r in runs if r[1] != "ok"] == []
    assert overlapping(runs, {s: s for s in SLUGS}) == []
    assert overlapping(runs, host_of) == [], "two outlets of one host were crawled at once"
    # Every article served, stored once.
    assert sorted(stored) == sorted(served)
    # Alerts: one per watched article and channel, each received once or again with its id.
    assert sorted(url for _, channel, _, url in deliveries if channel == "hook") == sorted(alerted)
    assert sorted(url for _, channel, _, url in deliveries if channel == "mail") == sorted(alerted)
    sent = Counter(request.id for request in hook.requests)
    assert set(sent) == {d for d, channel, _, _ in deliveries if channel == "hook"} and set(sent.values()) <= {1, 2}
    assert sorted(p["data"]["article"]["url"] for p in hook.accepted.values()) == sorted(alerted)
    mailed = Counter(str(m["Message-ID"]).strip("<>").split("@")[0] for m in sink.messages)
    assert set(mailed) == {d for d, channel, _, _ in deliveries if channel == "mail"} and set(mailed.values()) <= {1, 2}
    # Nothing left running: no job, no process.
    assert doing_jobs(engine) == []
    # Crawl children and their extraction processes, each worker's fork server and resource
    # tracker: each ends with, or just after, the process that started it.
    wait_until(
        lambda: {pid: command_line(pid) for pid, start in children.items() if started(pid) == start and alive(pid)},
        "every process the roles started ended",
        until=lambda left: not left,
        timeout=30,
    )
    engine.dispose()
