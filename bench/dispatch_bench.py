#!/usr/bin/env python3
"""Cluster dispatchers on loopback: deliveries per second with 1 and 3 ``dispatch`` roles;
prints figures, asserts nothing.

For each receiver latency and each number of dispatchers: start that many
``run.py run --role dispatch`` processes on the PostgreSQL database, wait until each listens,
queue N operator messages to one webhook channel in one transaction (one NOTIFY wakes them
all; each rendered and stored when queued, as the outbox does for instant alerts), and time
from that commit until the receiver (the sandbox's, signature checked, on 127.0.0.1,
keep-alive) has every one. Also: requests beyond one per delivery (must be 0), the most
PostgreSQL connections the dispatchers held at once (sampled from ``pg_stat_activity`` by the
application name every role gives its connections), CPU per delivery, and the time from the
commit of a single new alert to its arrival, with ``schedule.dispatch_interval`` at an hour
(only NOTIFY wakes a dispatcher).

    .venv/bin/python bench/dispatch_bench.py --database-url postgresql+psycopg://... \\
        [--pending 2000] [--dispatchers 1 3] [--latency 0 0.05]

The database's public schema is reset before each run: give it a scratch database.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from alerts.channels import CONFIG_TYPES
from alerts.outbox import enqueue_system_alert
from alerts.render import Renderer
from app import App
from bench.cluster_bench import connections, cpu_seconds, reset
from config import config_from_dict
from sandbox import WebhookReceiver
from sandbox.webhook import SECRET
from storage.models import AlertDelivery

ROOT = Path(__file__).resolve().parent.parent
LATENCY_SAMPLES = 20


def dispatch_connections(engine: Engine) -> int:
    """Connections the dispatch roles hold now (each names its own: ``cluster.roles``)."""
    return sum(n for name, n in connections(engine).items() if name.startswith("newswatch dispatch "))


def run(url: str, folder: Path, pending: int, dispatchers: int, latency: float) -> str:
    reset(url)
    receiver = WebhookReceiver(secret=SECRET, keep_alive=True, delay=latency).start()
    config = folder / "config.toml"
    config.write_text(
        f'[storage]\ndatabase_url = "{url}"\n[outlets]\nenabled = []\n[schedule]\ndispatch_interval = "1h"\n'
        f'[channels.hook]\ntype = "webhook"\nurl = "{receiver.url}"\nsecret_env = "HOOK_SECRET"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")} | {"HOOK_SECRET": SECRET}
    logs = [folder / f"dispatch-{i}.log" for i in range(dispatchers)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--config", str(config), "run", "--role", "dispatch"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        for log in logs
    ]
    watcher = create_engine(url)
    try:
        deadline = time.monotonic() + 120
        while not all("listening for new deliveries" in log.read_text() for log in logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit("a dispatcher did not start:\n" + "\n".join(log.read_text()[-2000:] for log in logs))
            time.sleep(0.1)
        app = App(config_from_dict({"storage": {"database_url": url}}, env={}, channel_types=CONFIG_TYPES))
        cpu_before = [cpu_seconds(p.pid) for p in procs]
        receiver_before = time.process_time()  # this process: the receiver's threads, and the sampling
        idle = dispatch_connections(watcher)
        renderer = Renderer.from_config(app.config)
        with app.sessions.begin() as session:
            for n in range(pending):
                [queued] = enqueue_system_alert(session, ["hook"], f"bench {n}", "benchmark message", f"bench/{n}")
                delivery = session.get(AlertDelivery, queued)
                assert delivery is not None
                delivery.message = renderer.render_delivery(session, delivery).to_json()  # as the outbox does
        started = time.perf_counter()
        most = idle
        while len(receiver.accepted) < pending:
            most = max(most, dispatch_connections(watcher))
            if time.perf_counter() - started > 600:
                break
            time.sleep(0.05)
        first: dict[str, float] = {}
        for request in list(receiver.requests):
            first.setdefault(request.id, request.at)
        elapsed = max(first.values()) - started
        cpu = sum(cpu_seconds(p.pid) for p in procs) - sum(cpu_before)
        receiver_cpu = time.process_time() - receiver_before
        extra = len(receiver.requests) - len(first)
        latencies = []  # then single alerts, one at a time: commit -> received (only NOTIFY wakes them)
        for n in range(LATENCY_SAMPLES):
            with app.sessions.begin() as session:
                [one] = enqueue_system_alert(session, ["hook"], f"single {n}", "benchmark message", f"single/{n}")
            committed = time.perf_counter()
            while one not in receiver.accepted and time.perf_counter() - committed < 30:
                time.sleep(0.002)
            latencies.append(max(r.at for r in list(receiver.requests) if r.id == one) - committed)
            time.sleep(0.1)
        app.close()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
        watcher.dispose()
        receiver.stop()
    return (
        f"{dispatchers} dispatcher(s), receiver latency {latency * 1000:.0f} ms: {len(first)}/{pending} delivered in "
        f"{elapsed:.2f} s = {len(first) / elapsed:.0f}/s; extra requests {extra}; "
        f"PostgreSQL connections: {idle / dispatchers:.0f} per dispatcher idle, {most} at most for all; "
        f"CPU per delivery: {cpu / len(first) * 1000:.1f} ms in the dispatchers, "
        f"{receiver_cpu / len(first) * 1000:.1f} ms in the receiver; a single new alert: committed -> received "
        f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"({LATENCY_SAMPLES} alerts, dispatch_interval 1h: NOTIFY alone wakes the dispatchers)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a scratch PostgreSQL database (its schema is reset!)")
    parser.add_argument("--pending", type=int, default=2000)
    parser.add_argument("--dispatchers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.05], help="seconds per answer")
    args = parser.parse_args()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("dispatch roles need PostgreSQL")
    print(f"load: {os.getloadavg()[0]:.1f} (1-minute average, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        for latency in args.latency:
            for count in args.dispatchers:
                print(run(args.database_url, Path(tmp), args.pending, count, latency), flush=True)
    print(f"load: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
