#!/usr/bin/env python3
"""Alert delivery benchmarks on loopback; prints figures, asserts nothing.

1. latency: matching articles are stored one by one (the real ingest path with the outbox
   hook) while a ``DispatchLoop`` runs as in the daemon; for each, the time from the end of
   its ingest (the commit) to the signed webhook arriving at a local receiver. Measured with
   the outbox waking the loop after commit, and with the loop on its interval alone.
2. throughput: N pending instant alerts (default 1,000) delivered to a local receiver by
   repeated ``dispatch_due`` passes.

    .venv/bin/python bench/alert_bench.py [--articles 60] [--pending 1000] [--interval 5]
        [--database-url postgresql+psycopg://...]   (default: a temporary SQLite file)

Targets (issue 6): latency p95 < 2 s; 1,000 pending alerts in < 30 s.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alerts.channels import CONFIG_TYPES
from alerts.notify import DispatchLoop
from app import App, build_app
from config import config_from_dict
from sandbox import WebhookReceiver
from storage.records import ArticleRecord

SECRET = "whsec_" + base64.b64encode(b"bench-secret-bench-secret-bench!").decode()
TEXT = (
    "The navies of Malaysia and Vietnam held talks on maritime security in the South China Sea, "
    "the defence ministry said. Report number {n} of the benchmark, with some more words to make "
    "the body a realistic length for matching and snippets: patrol, coast guard, fisheries, EEZ."
)


def arrivals(receiver: WebhookReceiver) -> dict[str, float]:
    """webhook-id -> when it first arrived (``time.perf_counter()``)."""
    first: dict[str, float] = {}
    for request in list(receiver.requests):
        first.setdefault(request.id, request.at)
    return first


def make_app(database_url: str, receiver: WebhookReceiver, interval: float) -> App:
    cfg = config_from_dict(
        {
            "storage": {"database_url": database_url},
            "channels": {"hook": {"type": "webhook", "url": receiver.url, "secret_env": "HOOK_SECRET"}},
            "watches": {"vn-my": {"query": '"Malaysia" AND "Vietnam"', "channels": ["hook"]}},
            "schedule": {"dispatch_interval": interval},
        },
        env={"HOOK_SECRET": SECRET},
        channel_types=CONFIG_TYPES,
    )
    return build_app(cfg)


def record(n: int, tag: str) -> ArticleRecord:
    return ArticleRecord(
        url=f"https://www.bernama.com/en/news.php?id={tag}{n}",
        title=f"Malaysia and Vietnam discuss maritime security ({tag} {n})",
        text=TEXT.format(n=f"{tag}-{n}") + f" {tag}{n} " * (n % 7 + 1),
        outlet="bernama-en",
        language="en",
        published_at=datetime.now(UTC) - timedelta(minutes=5),
    )


def fresh_url(base: str | None, tmp: Path, name: str) -> str:
    if base:
        from sqlalchemy import create_engine, text

        engine = create_engine(base)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return base
    return f"sqlite:///{tmp / name}.db"


def latency(base: str | None, tmp: Path, articles: int, interval: float, wake: bool) -> list[float]:
    receiver = WebhookReceiver(secret=SECRET, keep_alive=True).start()  # keep-alive, as a real receiver
    app = make_app(fresh_url(base, tmp, f"latency-{wake}"), receiver, interval)
    dispatcher = app.dispatcher()
    loop = DispatchLoop(dispatcher, interval)
    if wake:
        app.wake_dispatcher = loop.wake
    loop.start()
    ingestor = app.ingestor()
    stored: dict[int, float] = {}
    for n in range(articles):
        result = ingestor.ingest(record(n, f"lat{int(wake)}"))
        stored[result.article_id or -1] = time.perf_counter()
        time.sleep(0.05 + (n % 5) * 0.05)  # articles arrive unevenly, as from a crawl
    deadline = time.perf_counter() + interval + 15
    while len(receiver.accepted) < articles and time.perf_counter() < deadline:
        time.sleep(0.05)
    loop.stop(timeout=15)
    from sqlalchemy import select

    from storage.models import AlertDelivery, WatchMatch

    with app.sessions() as session:
        pairs = session.execute(
            select(AlertDelivery.id, WatchMatch.article_id).join(WatchMatch, AlertDelivery.match_id == WatchMatch.id)
        ).all()
    receiver.stop()
    app.engine.dispose()
    arrived = arrivals(receiver)
    return [arrived[d] - stored[a] for d, a in pairs if d in arrived]


def throughput(base: str | None, tmp: Path, pending: int) -> tuple[float, int, int]:
    receiver = WebhookReceiver(secret=SECRET, keep_alive=True).start()  # keep-alive, as a real receiver
    app = make_app(fresh_url(base, tmp, "throughput"), receiver, 5.0)
    ingestor = app.ingestor()
    for n in range(pending):
        ingestor.ingest(record(n, "tp"))
    dispatcher = app.dispatcher()
    started = time.perf_counter()
    passes = 0
    while len(receiver.accepted) < pending and passes < 50:
        dispatcher.dispatch_due()
        passes += 1
    elapsed = time.perf_counter() - started
    receiver.stop()
    app.engine.dispose()
    return elapsed, len(receiver.accepted), passes


def describe(values: list[float]) -> str:
    if not values:
        return "no deliveries"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"n={len(values)} p50={statistics.median(values) * 1000:.0f} ms p95={p95 * 1000:.0f} ms "
        f"max={ordered[-1] * 1000:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--pending", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0, help="dispatch interval (schedule.dispatch_interval)")
    parser.add_argument("--database-url", help="PostgreSQL URL to use (its public schema is reset!)")
    args = parser.parse_args()
    backend = "postgresql" if args.database_url else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        woken = latency(args.database_url, folder, args.articles, args.interval, wake=True)
        print(f"[{backend}] stored -> webhook received, loop woken by the outbox, interval {args.interval:g}s: "
              f"{describe(woken)}")  # fmt: skip
        periodic = latency(args.database_url, folder, args.articles, args.interval, wake=False)
        print(f"[{backend}] stored -> webhook received, loop on its {args.interval:g}s interval only: "
              f"{describe(periodic)}")  # fmt: skip
        elapsed, delivered, passes = throughput(args.database_url, folder, args.pending)
        print(f"[{backend}] {args.pending} pending alerts -> {delivered} received in {elapsed:.2f} s "
              f"({delivered / elapsed:.0f}/s, {passes} dispatch passes)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
