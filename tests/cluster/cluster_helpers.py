"""A cluster on one machine for the tests: roles as real ``run.py run --role`` subprocesses on
the test PostgreSQL database, crawling the sandbox's outlets on 127.0.0.1."""

from __future__ import annotations

import itertools
import signal
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, inspect, text

from sandbox import OutletSites
from tests.helpers import DaemonProcess

# Bernama's two editions share one host: never crawled at once. A crawl costs seconds of start-up
# (its child process), so the tests keep to a few outlets.
OUTLETS = ("qdnd-en", "bernama-en", "bernama-bm", "thesun")


def write_config(
    path: Path,
    url: str,
    sandbox: OutletSites,
    interval: str = "4s",
    outlets: tuple[str, ...] = OUTLETS,
    fetch_timeout: str = "5s",
    **extra: list[str],
) -> Path:
    tables: dict[str, list[str]] = {
        "storage": [f'database_url = "{url}"'],
        "crawler": [
            'download_delay = "0s"',
            "autothrottle = false",
            f'timeout = "{fetch_timeout}"',
            "extract_processes = 1",
        ],
        "outlets": [f"enabled = {list(outlets)!r}".replace("'", '"')],
        "schedule": [f'crawl_interval = "{interval}"', 'jitter = "0s"', 'crawl_time_limit = "30s"'],
    }
    for slug, table in sandbox.outlet_overrides().items():
        tables[f"outlets.{slug}"] = [f'base_url = "{table["base_url"]}"']
    for name, lines in extra.items():
        tables.setdefault(name, []).extend(lines)
    path.write_text("".join(f"[{name}]\n" + "\n".join(lines) + "\n\n" for name, lines in tables.items()))
    return path


class Cluster:
    """Role processes started with ``start(role)``; every one is killed at the end."""

    def __init__(self, config: Path, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.env = env or {}
        self.processes: list[DaemonProcess] = []
        self.roles: list[str] = []

    def start(self, role: str) -> DaemonProcess:
        process = DaemonProcess(
            "--config", str(self.config), "run", "--role", role, env=self.env, log_dir=self.config.parent
        )
        self.processes.append(process)
        self.roles.append(role)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {role} pid {p.proc.pid}\n{p.log()[-2500:]}"
            for role, p in zip(self.roles, self.processes, strict=True)
        )

    def stop_all(self) -> None:
        try:
            terminate(self.processes, timeout=40)
        finally:
            for process in self.processes:
                process.kill()


def terminate(processes: list[DaemonProcess], timeout: float = 60) -> list[int]:
    """SIGTERM to each process still running, all at once and only once (a second one during
    its shutdown would end it the default way), then each one's exit status."""
    for process in processes:
        if process.running():
            process.proc.send_signal(signal.SIGTERM)
    return [process.proc.wait(timeout) for process in processes]


def rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    """Rows of a query; none while the schema does not exist yet."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("staged_articles"):
            return []
        return list(conn.execute(text(sql), params))


def crawl_runs(engine: Engine) -> list[tuple[str, str, datetime, datetime | None]]:
    """(outlet, status, started, finished) of every crawl run."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in rows(
            engine,
            "SELECT o.slug, r.status, r.started_at, r.finished_at"
            " FROM crawl_runs r JOIN outlets o ON o.id = r.outlet_id ORDER BY r.id",
        )
    ]


def overlapping(runs: list[tuple[str, str, datetime, datetime | None]], group: dict[str, str]) -> list[str]:
    """Pairs of finished runs of one group (an outlet, or outlets on one host) that overlap in time."""
    found = []
    by_group: dict[str, list[tuple[datetime, datetime, str]]] = {}
    for slug, _status, started, finished in runs:
        if finished is not None:
            by_group.setdefault(group[slug], []).append((started, finished, slug))
    for name, spans in by_group.items():
        spans.sort()
        for (s1, f1, a), (s2, _f2, b) in itertools.pairwise(spans):
            if s2 < f1:
                found.append(f"{name}: {a} {s1:%T.%f}-{f1:%T.%f} and {b} from {s2:%T.%f}")
    return found


def iter_children(pid: int) -> Iterator[int]:
    """Every process whose parent is ``pid`` (the crawl child of a worker)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                yield int(entry.name)


def role_pids(engine: Engine, role: str) -> set[int]:
    """Processes of ``role`` connected now, from their connections' application_name."""
    found = rows(
        engine,
        "SELECT DISTINCT application_name FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name LIKE :name",
        name=f"newswatch {role} %",
    )
    return {int(r[0].rsplit(":", 1)[1]) for r in found}


def active_ingester(engine: Engine) -> int | None:
    """The pid of the ingest process holding the ingest lock (None: none)."""
    from cluster.names import INGEST_KEY

    found = rows(
        engine,
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :key AND a.datname = current_database()",
        key=INGEST_KEY,
    )
    return int(found[0][0].rsplit(":", 1)[1]) if found else None


def texts(engine: Engine) -> list[str]:
    """Content hashes of the stored articles (one per article: duplicates would show)."""
    return [r[0] for r in rows(engine, "SELECT content_hash FROM articles")]


def stories(engine: Engine) -> set[frozenset[str]]:
    """Each story as the set of its articles' texts."""
    grouped: dict[int, set[str]] = {}
    for story_id, digest in rows(engine, "SELECT story_id, content_hash FROM articles"):
        grouped.setdefault(story_id, set()).add(digest)
    return {frozenset(g) for g in grouped.values()}


def doing_jobs(engine: Engine) -> list[Any]:
    return rows(engine, "SELECT id, task_name, args FROM procrastinate_jobs WHERE status = 'doing'")


def started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot; None: gone): with the pid, it names
    one process, as pids are reused."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "(gone)"


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def single_process(
    tmp_path: Path, sandbox: OutletSites, run_cli: Callable[..., Any], outlets: tuple[str, ...] = OUTLETS
) -> tuple[list[str], set[frozenset[str]]]:
    """The texts (by content hash: which of an article's several URLs is stored depends on which
    arrives first) and stories ``run.py crawl`` stores from the same sandbox on SQLite."""
    url = f"sqlite:///{tmp_path / 'single.db'}"
    config = write_config(tmp_path / "single.toml", url, sandbox, outlets=outlets)
    result = run_cli("--config", str(config), "crawl", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    engine = create_engine(url)
    try:
        return texts(engine), stories(engine)
    finally:
        engine.dispose()
