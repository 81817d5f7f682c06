#!/usr/bin/env python3
"""Cluster mode on one machine: throughput, extraction against bare trafilatura, the ingest
lane, and PostgreSQL connections per role. Prints figures (with the load average), asserts
nothing.

Every role is a real ``run.py run --role ROLE`` process on the PostgreSQL database given with
``--database-url`` (or ``NEWSWATCH_BENCH_POSTGRES_URL``); a role names its connections
(``newswatch ROLE HOST:PID``), so ``pg_stat_activity`` counts them per role. The
database's public schema is reset before each run: give it a scratch database (``test``,
CI's, is refused).

Parts (``--parts``, default all):

* ``latency``: ``--outlets`` loopback outlets (60), each on its own port (its own host for the
  crawl lock) with an RSS feed of ``--articles`` (100) generated article pages, every response
  sent after ``--latency`` seconds (0.2), ``--concurrency`` requests in flight per outlet (the
  default ``crawler.concurrency_per_domain``, 2), no download delay: articles stored per second with 1, 2, 3 workers
  (``--workers``) plus one ingest and one control process, from the first crawl job's start
  to the last article stored; CPU per role and the most connections per role while it ran.
* ``pages``: real-size pages (the recorded vnexpress page around recorded qdnd bodies, as
  ``bench/pipeline_bench.py`` builds them; 250-270 KB) spread over ``--page-outlets`` outlets
  with no latency: bare trafilatura's documents/s in this process against the pipeline's
  articles/s, single-process (``run_crawl`` into PostgreSQL in this process, as the daemon
  crawls) and with 1 and 2 workers, and how many cores were busy.
* ``ingest``: ``--staged`` (3000) articles pre-filled in ``staged_articles`` (the latency
  part's generated articles), then one ingest process drains them: articles/s, by thousand as
  the database grows; then the same rows drained in this process under cProfile: the share of
  the time in language detection, the dedup fingerprint (shingles, signals, embedding), the
  story search, matching and the alert outbox, the commits.

    .venv/bin/python bench/cluster_bench.py --database-url postgresql+psycopg://... \\
        [--parts latency pages ingest] [--outlets 60] [--articles 100] [--workers 1 2 3]
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.pipeline_bench import make_pages  # noqa: E402
from config.sections import CrawlerConfig  # noqa: E402
from sandbox import render  # noqa: E402
from sandbox.filler import filler_stories  # noqa: E402
from sandbox.model import Article  # noqa: E402
from sandbox.ports import QuietHandler  # noqa: E402

STALL = 120.0  # seconds without progress before a run is given up


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min, {os.cpu_count()} cores)"


# ---------------------------------------------------------------------- loopback outlets


class Replica:
    """Loopback outlets, one HTTP server (port) each: ``/robots.txt``, ``/rss.xml`` listing every
    page, ``/news/N.html``; every answer leaves after ``latency`` seconds (a far-away site)."""

    def __init__(self, pages: Sequence[Sequence[bytes]], latency: float) -> None:
        self.latency = latency
        self.servers = [_Site(self, list(p)) for p in pages]
        self.requests = 0
        self._lock = threading.Lock()
        for server in self.servers:
            threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True).start()

    def count(self) -> None:
        with self._lock:
            self.requests += 1

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def outlets(self, language: str) -> dict[str, dict[str, Any]]:
        """``[outlets.<slug>]`` tables: one per site, plain declarations (no preset)."""
        return {
            f"replica-{i:02d}": {
                "name": f"Replica {i:02d}",
                "base_url": site.url,
                "language": language,
                "timezone": "UTC",
                "article_pattern": r"^/news/\d+\.html$",
                "feeds": ["/rss.xml"],
            }
            for i, site in enumerate(self.servers)
        }


class _Site(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, replica: Replica, pages: list[bytes]) -> None:
        self.replica, self.pages = replica, pages
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        now = datetime.now(UTC)
        items = [(f"Item {i}", f"{self.url}/news/{i}.html", "", now - timedelta(minutes=i)) for i in range(len(pages))]
        self.feed = render.rss("Replica", self.url, "Replica outlet", "en", items)


class _Handler(QuietHandler):
    server: _Site
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16

    def do_GET(self) -> None:
        site = self.server
        time.sleep(site.replica.latency)
        site.replica.count()
        status, body, kind = 200, b"User-agent: *\nAllow: /\n", "text/plain"
        if self.path == "/rss.xml":
            body, kind = site.feed, "application/rss+xml; charset=utf-8"
        elif self.path.startswith("/news/") and self.path.endswith(".html"):
            number = self.path[len("/news/") : -len(".html")]
            if number.isdigit() and int(number) < len(site.pages):
                body, kind = site.pages[int(number)], "text/html; charset=utf-8"
            else:
                status, body = 404, b"not found"
        elif self.path != "/robots.txt":
            status, body = 404, b"not found"
        self.reply(status, body, kind)


def generated_pages(outlets: int, articles: int) -> list[list[bytes]]:
    """Article pages of ordinary size (about 8 KB: a news site's template around four
    paragraphs), different text on every page (``sandbox.filler``)."""
    now = datetime.now(UTC).replace(microsecond=0)
    sites = []
    for i in range(outlets):
        slug = f"replica-{i:02d}"
        pages = []
        for n, story in enumerate(filler_stories(slug, "en", articles, "news")):
            article = Article(
                slug, story.id, "", f"/news/{n}.html", "news", story.title, story.lead, story.body,
                now - timedelta(minutes=n), "en", False, "Staff reporter", "",
            )  # fmt: skip
            pages.append(render.thesun_article(article, "http://127.0.0.1", []))
        sites.append(pages)
    return sites


# ---------------------------------------------------------------------- the database


def reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def connections(engine: Engine) -> Counter[str]:
    """Connections to this database open now per role process (a role names every connection
    ``newswatch ROLE HOST:PID``: ``cluster.roles``)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT application_name, count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name LIKE 'newswatch %' GROUP BY 1"
            )
        )
        return Counter({name: int(n) for name, n in rows})


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its children it waited for (crawl children, their pools)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------- roles


def children() -> dict[int, list[int]]:
    """Every process's children (Linux: /proc)."""
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(entry.name))
    return found


def cpu_waits(pid: int) -> dict[int, float]:
    """Seconds each thread of a process has spent runnable but waiting for a CPU (schedstat)."""
    waits = {}
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                waits[int(task.name)] = int((task / "schedstat").read_text().split()[1]) / 1e9
            except (OSError, IndexError, ValueError):
                continue
    except OSError:
        pass
    return waits


@dataclass
class ProcessTree:
    """A process and its descendants; ``used`` counts from ``mark()``: their CPU time, and how
    long their threads were runnable but waiting for a CPU (the machine's other jobs, or each
    other). Sampled: a process that lived less than a sampling period may be missed."""

    pid: int
    cpu: float = 0.0
    waits: dict[int, float] = field(default_factory=dict)  # thread id -> seconds, latest sample
    marked: tuple[float, float] = (0.0, 0.0)

    def sample(self, tree: dict[int, list[int]] | None = None) -> None:
        tree = children() if tree is None else tree
        # Each live process with the children it reaped: a crawl child forked from a fork
        # server is the server's child, and the server is reaped only when the role ends.
        total, pending = 0.0, [self.pid]
        while pending:
            pid = pending.pop()
            total += cpu_seconds(pid)
            self.waits.update(cpu_waits(pid))
            pending.extend(tree.get(pid, []))
        self.cpu = max(self.cpu, total)

    def mark(self) -> None:
        self.marked = (self.cpu, sum(self.waits.values()))

    @property
    def used(self) -> tuple[float, float]:
        """(CPU seconds, seconds waiting for a CPU) since ``mark()``."""
        return self.cpu - self.marked[0], sum(self.waits.values()) - self.marked[1]


@dataclass
class RoleProcess:
    role: str
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def __post_init__(self) -> None:
        self.tree = ProcessTree(self.proc.pid)


@dataclass
class Cluster:
    """Role processes on one database, with one config file."""

    url: str
    folder: Path
    tables: dict[str, dict[str, Any]]
    roles: list[RoleProcess] = field(default_factory=list)

    def start(self, role: str) -> RoleProcess:
        name = f"{role}-{sum(r.role == role for r in self.roles) + 1}"
        config = self.folder / "config.toml"
        config.write_text(toml({**self.tables, "storage": {"database_url": self.url}}), encoding="utf-8")
        log = self.folder / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--config", str(config), "run", "--role", role],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        process = RoleProcess(role, name, proc, log)
        self.roles.append(process)
        return process

    def check(self) -> None:
        for r in self.roles:
            if r.proc.poll() is not None:
                raise SystemExit(f"{r.name} exited ({r.proc.returncode}):\n{r.log.read_text()[-3000:]}")

    def stop(self) -> None:
        for r in self.roles:
            if r.proc.poll() is None:
                r.proc.send_signal(signal.SIGTERM)
        for r in self.roles:
            try:
                r.proc.wait(60)
            except subprocess.TimeoutExpired:
                r.proc.kill()
                r.proc.wait()


def toml(tables: dict[str, dict[str, Any]]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return str(v)

    return "".join(
        f"[{name}]\n" + "".join(f"{k} = {value(v)}\n" for k, v in body.items()) + "\n" for name, body in tables.items()
    )


def settings(outlets: dict[str, dict[str, Any]], concurrency: int, extract_processes: int) -> dict[str, dict[str, Any]]:
    """The config every role and the single-process run share: politeness delays off (loopback),
    robots.txt obeyed, each outlet crawled once (a long interval)."""
    return {
        "crawler": {
            "download_delay": "0s",
            "autothrottle": False,
            "concurrency_per_domain": concurrency,
            "extract_processes": extract_processes,
        },
        "schedule": {"crawl_interval": "1h", "jitter": "0s", "crawl_time_limit": "30m"},
        "outlets": {"enabled": sorted(outlets)},
        **{f"outlets.{slug}": table for slug, table in outlets.items()},
    }


@dataclass(frozen=True)
class RunFigures:
    stored: int
    seconds: float
    cpu: dict[str, float]  # role -> CPU seconds (its processes and their children)
    waited: dict[str, float]  # role -> seconds its threads were runnable, waiting for a CPU
    most: dict[str, int]  # role -> most connections at once (all its processes)
    idle: dict[str, int]  # role -> connections before the first crawl
    processes: dict[str, int]  # role -> processes
    crawl_seconds: float  # mean crawl run time
    crawl_runs: int
    statuses: Counter[str]
    ingest_lag: float  # seconds from the last crawl's end to the last article stored

    @property
    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds > 0 else 0.0

    def cores(self) -> float:
        return sum(self.cpu.values()) / self.seconds if self.seconds > 0 else 0.0


def run_cluster(url: str, folder: Path, tables: dict[str, dict[str, Any]], workers: int, expected: int) -> RunFigures:
    """Start 1 ingest and ``workers`` workers, then 1 control (whose first tick queues every
    outlet); wait until every outlet was crawled and the staging table is empty."""
    reset(url)
    cluster = Cluster(url, folder, tables)
    watcher = create_engine(url)
    most: Counter[str] = Counter()
    try:
        ingest = cluster.start("ingest")
        for _ in range(workers):
            cluster.start("worker")
        _wait(cluster, lambda: "ingest: active" in ingest.log.read_text(), "the ingest role to become active")
        _wait(cluster, lambda: _queue_workers(watcher) >= workers, f"{workers} workers to register")
        cluster.start("control")
        _wait(cluster, lambda: _queue_workers(watcher) >= workers + 1, "the control role to register")
        idle = _by_role(connections(watcher))
        tree = children()
        for r in cluster.roles:
            r.tree.sample(tree)
            r.tree.mark()
        outlets = len(tables["outlets"]["enabled"])
        last, progressed = -1, time.monotonic()
        while True:
            cluster.check()
            tree = children()
            for r in cluster.roles:
                r.tree.sample(tree)
            for role, n in _by_role(connections(watcher)).items():
                most[role] = max(most[role], n)
            done = scalar(
                watcher,
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'crawl_outlet'"
                " AND status NOT IN ('todo', 'doing')",
            )
            staged = scalar(watcher, "SELECT count(*) FROM staged_articles")
            stored = scalar(watcher, "SELECT count(*) FROM articles")
            if done >= outlets and staged == 0:
                break
            if stored + done != last:
                last, progressed = stored + done, time.monotonic()
            elif time.monotonic() - progressed > STALL:
                print(f"  (no progress for {STALL:.0f} s: {done} crawls done, {stored} stored, {staged} staged)")
                break
            time.sleep(0.5)
        tree = children()
        for r in cluster.roles:
            r.tree.sample(tree)
        with watcher.connect() as conn:
            started, last_stored, stored = conn.execute(
                text(
                    "SELECT (SELECT min(e.at) FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id"
                    "        WHERE j.task_name = 'crawl_outlet' AND e.type = 'started'),"
                    " (SELECT max(created_at) FROM articles), (SELECT count(*) FROM articles)"
                )
            ).one()
            mean_crawl, runs, last_crawl = conn.execute(
                text(
                    "SELECT avg(extract(epoch FROM finished_at - started_at)), count(*), max(finished_at)"
                    " FROM crawl_runs WHERE finished_at IS NOT NULL"
                )
            ).one()
            statuses = Counter(
                {str(s): int(n) for s, n in conn.execute(text("SELECT status, count(*) FROM crawl_runs GROUP BY 1"))}
            )
        if stored != expected:
            print(f"  ({stored} stored of {expected} served; crawl runs {dict(statuses)})")
        seconds = (_aware(last_stored) - _aware(started)).total_seconds() if stored else 0.0
        cpu: dict[str, float] = {}
        waited: dict[str, float] = {}
        for r in cluster.roles:
            used, wait = r.tree.used
            cpu[r.role] = cpu.get(r.role, 0.0) + used
            waited[r.role] = waited.get(r.role, 0.0) + wait
        return RunFigures(
            stored, seconds, cpu, waited, dict(most), idle, dict(Counter(r.role for r in cluster.roles)),
            float(mean_crawl or 0), int(runs), statuses,
            (_aware(last_stored) - _aware(last_crawl)).total_seconds() if stored and last_crawl else 0.0,
        )  # fmt: skip
    finally:
        cluster.stop()
        watcher.dispose()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _by_role(found: Counter[str]) -> Counter[str]:
    """Connections per role, from ``newswatch ROLE HOST:PID`` -> n."""
    roles: Counter[str] = Counter()
    for name, n in found.items():
        roles[name.split(" ")[1]] += n
    return roles


def _queue_workers(engine: Engine) -> int:
    try:
        return int(scalar(engine, "SELECT count(*) FROM procrastinate_workers") or 0)
    except Exception:  # the first role has not migrated the database yet
        return 0


def _wait(cluster: Cluster, ready: Callable[[], bool], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        cluster.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def describe(figures: RunFigures) -> str:
    cpu = ", ".join(
        f"{role} {s / figures.seconds:.2f} ({figures.waited.get(role, 0.0) / figures.seconds:.2f})"
        for role, s in sorted(figures.cpu.items())
    )
    conns = ", ".join(
        f"{role} {figures.idle.get(role, 0) / k:.0f}/{figures.most.get(role, 0) / k:.0f}"
        for role, k in sorted(figures.processes.items())
    )
    return (
        f"{figures.rate:6.1f} articles/s ({figures.stored} stored in {figures.seconds:.1f} s; "
        f"{figures.crawl_runs} crawls of {figures.crawl_seconds:.1f} s on average; ingest done "
        f"{max(figures.ingest_lag, 0.0):.1f} s after the last crawl); cores busy {figures.cores():.2f}, by role (and "
        f"waiting for a CPU): {cpu}; "
        f"PostgreSQL connections per process, idle/most: {conns}"
    )


# ---------------------------------------------------------------------- parts


def part_latency(url: str, folder: Path, args: argparse.Namespace) -> None:
    pages = generated_pages(args.outlets, args.articles)
    size = sum(len(p) for site in pages for p in site) / sum(len(site) for site in pages) / 1024
    replica = Replica(pages, args.latency)
    try:
        tables = settings(replica.outlets("en"), args.concurrency, args.extract_processes)
        print(
            f"latency-bound replica: {args.outlets} outlets x {args.articles} articles (~{size:.0f} KiB pages), "
            f"{args.latency * 1000:.0f} ms per response, {args.concurrency} requests in flight per outlet, "
            f"extract_processes={args.extract_processes}; 1 ingest + 1 control + N workers"
        )
        base: float | None = None
        for workers in args.workers:
            print(f"  [{load()}]", flush=True)
            figures = run_cluster(url, folder, tables, workers, args.outlets * args.articles)
            if workers == 1:
                base = figures.rate
            ratio = f"; x{figures.rate / base:.2f} of one worker" if base else ""
            print(f"  {workers} worker(s): {describe(figures)}{ratio}", flush=True)
        print(f"  [{load()}]")
    finally:
        replica.close()


def part_pages(url: str, folder: Path, args: argparse.Namespace) -> None:
    pages = make_pages(args.pages)
    per = -(-len(pages) // args.page_outlets)
    replica = Replica([pages[i : i + per] for i in range(0, len(pages), per)], 0.0)
    try:
        outlets = replica.outlets("vi")
        sizes = sorted(len(p) for p in pages)
        print(
            f"real-size pages: {len(pages)} pages of {sizes[0] / 1024:.0f}-{sizes[-1] / 1024:.0f} KiB over "
            f"{len(outlets)} outlets, no latency; extract_processes={args.extract_processes}"
        )
        print(f"  [{load()}]", flush=True)
        reference = trafilatura_rate(pages, replica.servers[0].url)
        print(f"  bare trafilatura, this process: {reference:6.1f} documents/s (one core)", flush=True)
        tables = settings(outlets, args.concurrency, args.extract_processes)
        rate, seconds, busy = single_process(url, tables, len(pages))
        print(
            f"  single process (run_crawl in this process, PostgreSQL): {rate:6.1f} articles/s in {seconds:.1f} s, "
            f"{rate / reference:.2f}x trafilatura, cores busy {busy:.2f} (this process and its children)",
            flush=True,
        )
        for workers in args.page_workers:
            print(f"  [{load()}]", flush=True)
            figures = run_cluster(url, folder, tables, workers, len(pages))
            print(
                f"  {workers} worker(s): {describe(figures)}; {figures.rate / reference:.2f}x trafilatura", flush=True
            )
        print(f"  [{load()}]")
    finally:
        replica.close()


def trafilatura_rate(pages: list[bytes], base: str) -> float:
    for page in pages[:3]:
        trafilatura.extract(page, url=base)
    started = time.perf_counter()
    for i, page in enumerate(pages):
        trafilatura.extract(page, url=f"{base}/news/{i}.html")
    return len(pages) / (time.perf_counter() - started)


def single_process(url: str, tables: dict[str, dict[str, Any]], expected: int) -> tuple[float, float, float]:
    """(articles/s, seconds, cores busy) of one ``run_crawl`` of every outlet into PostgreSQL in
    this process (cores busy: this process, the loopback outlets' threads included, and its
    children)."""
    from app import build_app
    from crawler.runner import run_crawl

    reset(url)
    cfg = _config(url, tables)
    app = build_app(cfg)
    try:
        app.upgrade()
        ingestor = app.ingestor()
        me, done = ProcessTree(os.getpid()), threading.Event()
        me.sample()
        me.mark()

        def sampling() -> None:
            while not done.wait(0.5):
                me.sample()

        sampler = threading.Thread(target=sampling)
        sampler.start()
        started = time.perf_counter()
        try:
            summaries = run_crawl(cfg, cfg.outlets, ingestor.ingest, app.sessions, time_limit=1800)
        finally:
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
        me.sample()
        stored = sum(s.stored for s in summaries)
        if stored != expected:
            print(f"  ({stored} stored of {expected}: {[(s.outlet, str(s.status)) for s in summaries]})")
        return stored / seconds, seconds, me.used[0] / seconds
    finally:
        app.engine.dispose()


def part_ingest(url: str, folder: Path, args: argparse.Namespace) -> None:
    outlets = 20
    records = _records(outlets, -(-args.staged // outlets))[: args.staged]
    tables: dict[str, dict[str, Any]] = {"outlets": {"enabled": []}, "dedup": {"semantic": args.semantic}}
    print(
        f"ingest lane: {len(records)} generated articles staged beforehand ({outlets} outlets), then one ingest "
        f"process drains them; dedup.semantic = {args.semantic!r}"
    )
    print(f"  [{load()}]", flush=True)
    _prefill(url, records, tables)
    cluster = Cluster(url, folder, tables)
    watcher = create_engine(url)
    try:
        process = cluster.start("ingest")
        _wait(cluster, lambda: "ingest: active" in process.log.read_text(), "the ingest role to become active")
        process.tree.sample()
        process.tree.mark()
        step = max(100, len(records) // 6)
        marks: list[tuple[int, float]] = []
        while True:
            cluster.check()
            process.tree.sample()
            stored = int(scalar(watcher, "SELECT count(*) FROM articles"))
            if stored and (not marks or stored >= marks[-1][0] + step):
                marks.append((stored, time.monotonic()))
            if not scalar(watcher, "SELECT count(*) FROM staged_articles"):
                break
            time.sleep(0.2)
        with watcher.connect() as conn:
            first, last, stored = conn.execute(
                text("SELECT min(created_at), max(created_at), count(*) FROM articles")
            ).one()
        seconds = (_aware(last) - _aware(first)).total_seconds()
        steps = ", ".join(
            f"{a}-{b}: {(b - a) / (tb - ta):.0f}/s" for (a, ta), (b, tb) in itertools.pairwise(marks) if tb > ta
        )
        print(
            f"  {stored / seconds:6.1f} articles/s ({stored} stored in {seconds:.1f} s, first to last), ingest "
            f"busy {process.tree.used[0] / seconds:.2f} cores, waiting for a CPU {process.tree.used[1] / seconds:.2f}; "
            f"as the database grows: {steps}",
            flush=True,
        )
    finally:
        cluster.stop()
        watcher.dispose()
    if args.profiled:
        print(f"  [{load()}]", flush=True)
        profile_lane(url, records[: args.profiled], tables)
        print(f"  [{load()}]")


def _records(outlets: int, per_outlet: int) -> list[Any]:
    """Generated articles as a crawl of the replica outlets hands them over (language declared),
    interleaved by outlet as workers would stage them."""
    from storage.records import ArticleRecord

    now = datetime.now(UTC).replace(microsecond=0)
    by_outlet = [filler_stories(f"replica-{o:02d}", "en", per_outlet, "news") for o in range(outlets)]
    return [
        ArticleRecord(
            url=f"http://127.0.0.1:{9000 + o}/news/{i}.html",
            title=stories[i].title,
            text="\n".join(stories[i].body),
            outlet=f"replica-{o:02d}",
            language="en",
            published_at=now - timedelta(minutes=i),
            fetched_at=now,
            outlet_name=f"Replica {o:02d}",
        )
        for i in range(per_outlet)
        for o, stories in enumerate(by_outlet)
    ]


def _prefill(url: str, records: list[Any], tables: dict[str, dict[str, Any]]) -> None:
    """A fresh database with ``records`` in ``staged_articles``, prepared as workers stage them
    (``storage.prepare``: the fingerprint and, for an article that matches a watch, the embedding)."""
    from app import build_app
    from storage import staging

    reset(url)
    app = build_app(_config(url, tables))
    try:
        app.upgrade()
        prepare = app.preparer()
        with app.sessions.begin() as session:
            for record in records:
                staging.stage(session, prepare(record), None)
    finally:
        app.engine.dispose()


def _config(url: str, tables: dict[str, dict[str, Any]]) -> Any:
    from config import config_from_dict

    data = {k: v for k, v in tables.items() if not k.startswith("outlets.")}
    data["outlets"] = {
        **data.get("outlets", {}),
        **{k.split(".", 1)[1]: v for k, v in tables.items() if k.startswith("outlets.")},
    }
    data["storage"] = {"database_url": url}
    return config_from_dict(data, env={})


# Where the ingest lane's time goes: (label, qualified function names whose cumulative time it is).
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("read the staged rows (batch select, JSON -> record)", ("next_batch", "record_from_json")),
    ("language detection (records staged unprepared)", ("detect_language",)),
    ("dedup: URL and exact-text look-ups", ("article_by_canonical_url", "article_by_content_hash")),
    ("dedup fingerprint (computed here only for records staged unprepared)", ("Ingestor._fingerprint",)),
    ("  of which the embedding (semantic route)", ("Embedder.embed",)),
    ("  of which whether to embed (watch matching)", ("MatchesAWatch.__call__",)),
    ("story search (index + candidates from the database)", ("StoryIndex.find_stories",)),
    ("insert the article and its story (flush)", ("Session.flush",)),
    ("watch matching and the alert outbox (on_stored)", ("Outbox.__call__",)),
    ("staged row deleted, crawl run counted", ("_count", "remove")),
    ("commit", ("Session.commit", "SessionTransaction.commit")),
    ("index update after commit", ("StoryIndex.add",)),
]


def profile_lane(url: str, records: list[Any], tables: dict[str, dict[str, Any]]) -> None:
    """Drain ``records`` from the staging table with ``cluster.ingest.IngestLane`` in this
    process under cProfile; print the share of each stage."""
    from app import build_app
    from cluster.ingest import IngestLane

    _prefill(url, records, tables)
    app = build_app(_config(url, tables))
    stop = threading.Event()
    try:
        with app.engine.connect() as lock:
            lane = IngestLane(app, lock)
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            while lane.drain_batch(stop):
                pass
            profile.disable()
            seconds = time.perf_counter() - started
        stats = pstats.Stats(profile)
        stored = lane.ingestor.counters["stored"]
        embedded = lane.ingestor.counters["dedup/embedded"]
        print(
            f"  in this process under cProfile: {len(records)} rows in {seconds:.1f} s ({len(records) / seconds:.0f}/s "
            f"profiled), {stored} stored, {embedded} embedded (dedup.semantic = "
            f"{app.config.dedup.semantic!r}); share of the time:"
        )
        for label, names in STAGES:
            spent = sum(_cumulative(stats, name)[0] for name in names)
            print(f"    {spent / seconds:5.1%}  {spent / len(records) * 1000:6.2f} ms/article  {label}")
        spent, calls = _cumulative(stats, "Cursor.execute")
        print(
            f"    {spent / seconds:5.1%}  {spent / len(records) * 1000:6.2f} ms/article  across them all: SQL "
            f"statements ({calls / len(records):.1f} per article, {spent / max(calls, 1) * 1000:.2f} ms each, "
            "round trip included)"
        )
    finally:
        app.engine.dispose()


def _cumulative(stats: pstats.Stats, qualified: str) -> tuple[float, int]:
    """Cumulative seconds and calls of the function ``Class.name`` or ``name`` (cProfile's
    cumulative time counts a recursion once)."""
    name = qualified.rsplit(".", 1)[-1]
    owner = qualified.rsplit(".", 1)[0] if "." in qualified else None
    total, calls = 0.0, 0
    for (filename, line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func != name:
            continue
        if owner is not None and not _defines(filename, line, owner):
            continue
        total, calls = total + ct, calls + nc
    return total, calls


def _defines(filename: str, line: int, owner: str) -> bool:
    """Whether the function at ``filename:line`` is a method of class ``owner`` (by the source)."""
    try:
        lines = Path(filename).read_text(encoding="utf-8").splitlines()[:line]
    except OSError:
        return False
    for text_line in reversed(lines):
        if text_line.startswith("class "):
            return text_line[len("class ") :].split("(")[0].split(":")[0].strip() == owner
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("NEWSWATCH_BENCH_POSTGRES_URL"))
    parser.add_argument(
        "--parts", nargs="+", choices=["latency", "pages", "ingest"], default=["latency", "pages", "ingest"]
    )
    parser.add_argument("--outlets", type=int, default=60)
    parser.add_argument("--articles", type=int, default=100, help="articles per outlet")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--concurrency", type=int, default=CrawlerConfig().concurrency_per_domain, help="crawler.concurrency_per_domain"
    )
    parser.add_argument("--extract-processes", type=int, default=0, help="crawler.extract_processes")
    parser.add_argument("--pages", type=int, default=120, help="real-size pages")
    parser.add_argument("--page-outlets", type=int, default=4)
    parser.add_argument("--page-workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--staged", type=int, default=3000)
    parser.add_argument("--profiled", type=int, default=1000, help="rows drained under cProfile (0: none)")
    parser.add_argument("--semantic", default="watched", help="dedup.semantic for the ingest part")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set NEWSWATCH_BENCH_POSTGRES_URL (a scratch PostgreSQL database)")
    url = make_url(args.database_url)
    if url.get_backend_name() != "postgresql":
        parser.error("cluster roles need PostgreSQL")
    if url.database == "test":
        parser.error("the database 'test' is CI's: give a scratch database")
    print(load())
    with tempfile.TemporaryDirectory() as tmp:
        for part in args.parts:
            {"latency": part_latency, "pages": part_pages, "ingest": part_ingest}[part](
                args.database_url, Path(tmp), args
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
