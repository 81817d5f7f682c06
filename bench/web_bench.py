"""The web console with 100,000 stored articles: response times and the serving process's memory.

Fills a database (a temporary SQLite file, and PostgreSQL when ``--postgres URL`` is given; its
``public`` schema is wiped) through the migrations and bulk inserts: N synthetic articles of
about 200 words from 7 outlets over 30 days, grouped into stories of one to three articles,
one story in twenty alerted by the watch ``bench`` (with snippets) and crawl runs for every
outlet and day. The console then runs in a child process (``uvicorn`` as ``run.py run --serve``
runs it) and the bench requests, one at a time over a kept-alive connection on 127.0.0.1:

* the stories page (first page; filtered by an outlet; a search for a common word and for a
  rare one), the ``bench`` watch's Atom feed, the outlets page (charts) and /metrics.

It prints p50 and p95 of the response time of each (after warm-up requests), and the
serving process's resident memory after the run and at its peak (VmRSS, VmHWM).
Target (issue 16): p95 under 100 ms for the stories page and the feed.

    .venv/bin/python bench/web_bench.py [--articles 100000] [--requests 50] [--postgres URL]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from storage import db  # noqa: E402
from storage.models import Article, CrawlRun, Outlet, Story, WatchMatch  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
OUTLETS = ["qdnd", "qdnd-en", "vietnamnews", "bernama-en", "bernama-bm", "thesun", "vietnamplus"]
_rng = random.Random(16)
VOCAB = ["".join(_rng.choices("abcdeghiklmnopqrstuvy", k=_rng.randint(3, 9))) for _ in range(20000)]
COMMON, RARE = VOCAB[0], VOCAB[-1]  # one word in most texts, one in about one text in a thousand


def synthetic(rng: random.Random, words: int) -> str:
    chosen = rng.choices(VOCAB[1:-1], k=words)
    chosen[rng.randrange(words)] = COMMON
    if rng.random() < 0.001:
        chosen[rng.randrange(words)] = RARE
    return " ".join(chosen)


def fill(url: str, articles: int) -> None:
    db.upgrade(url)
    engine = db.make_engine(url)
    rng = random.Random(7)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Outlet), [{"slug": s, "name": s, "language": "en", "created_at": NOW} for s in OUTLETS])
        outlet_ids = {slug: id_ for slug, id_ in conn.execute(text("SELECT slug, id FROM outlets"))}
        runs = [
            {
                "outlet_id": outlet_ids[s],
                "started_at": NOW - timedelta(days=d, hours=h),
                "finished_at": NOW - timedelta(days=d, hours=h) + timedelta(seconds=30),
                "status": rng.choice(["ok"] * 8 + ["partial", "failed"]),
                "discovered": 20,
                "fetched": 10,
                "stored": 8,
                "duplicates": 2,
            }
            for s in OUTLETS
            for d in range(30)
            for h in range(0, 24, 2)
        ]
        conn.execute(insert(CrawlRun), runs)
    article_id = story_id = 0
    batch_articles: list[dict[str, Any]] = []
    batch_stories: list[dict[str, Any]] = []
    batch_matches: list[dict[str, Any]] = []
    while article_id < articles:
        story_id += 1
        size = min(rng.choice((1, 1, 1, 2, 3)), articles - article_id)
        first = article_id + 1
        when = NOW - timedelta(seconds=30 * 86400 * (1 - article_id / articles))
        body = synthetic(rng, 200)
        title = " ".join(rng.choices(VOCAB, k=8)).capitalize()
        for n in range(size):
            article_id += 1
            text_ = body if n == 0 else body + " " + synthetic(rng, 20)
            batch_articles.append(
                {
                    "id": article_id,
                    "outlet_id": outlet_ids[OUTLETS[(story_id + n) % len(OUTLETS)]],
                    "story_id": story_id,
                    "url": f"https://news.example.org/{article_id}",
                    "canonical_url": f"https://news.example.org/{article_id}",
                    "title": title if n == 0 else f"{title} ({n})",
                    "text": text_,
                    "language": ("en", "vi", "ms")[story_id % 3],
                    "published_at": when,
                    "fetched_at": when,
                    "created_at": when,
                    "content_hash": hashlib.sha256(text_.encode()).hexdigest(),
                    "alertable": True,
                }
            )
        batch_stories.append(
            {
                "id": story_id,
                "title": title,
                "first_article_id": first,
                "article_count": size,
                "created_at": when,
                "updated_at": when,
            }
        )
        if story_id % 20 == 0:
            snippet = {"text": body[:160], "spans": [[0, 5]]}
            batch_matches.append(
                {
                    "article_id": first,
                    "story_id": story_id,
                    "watch": "bench",
                    "score": 3.5,
                    "terms": [body.split()[0]],
                    "snippets": [snippet],
                    "alerted": True,
                    "alert_key": f"{story_id}/bench",
                    "created_at": when,
                }
            )
        if len(batch_articles) >= 5000 or article_id >= articles:
            with engine.begin() as conn:
                conn.execute(insert(Story), batch_stories)
                conn.execute(insert(Article), batch_articles)
                if batch_matches:
                    conn.execute(insert(WatchMatch), batch_matches)
            batch_articles, batch_stories, batch_matches = [], [], []
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("stories", "articles", "watch_matches", "crawl_runs"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
        else:
            conn.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":  # what autovacuum does to a table that has grown
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"  filled: {articles:,} articles in {story_id:,} stories in {time.perf_counter() - started:.0f}s")


def serve(url: str) -> None:
    """The child: the console as ``run.py run --serve`` runs it (uvicorn in a thread), on a port
    the system picks when it binds (a port probed free beforehand could be taken meanwhile),
    printed on stdout once it listens; until killed."""
    from config import config_from_dict
    from web.app import create_app
    from web.server import Console

    cfg = config_from_dict({"storage": {"database_url": url}, "watches": {"bench": {"query": "bench"}}})
    engine = db.make_engine(url)
    console = Console(create_app(cfg, db.session_factory(engine)), "127.0.0.1", 0)
    console.start()
    print(console.port, flush=True)
    threading.Event().wait()


def memory(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def measure(url: str, requests: int, label: str, only: list[str] | None = None) -> None:
    child = subprocess.Popen([sys.executable, __file__, "--serve", url], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = child.stdout.readline().strip()  # printed once it listens; empty if it died first
        if not port.isdigit():
            raise RuntimeError("the console did not start")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            pages = {
                "stories page": "/stories",
                "stories of one outlet": "/stories?outlet=thesun",
                f"search, common word ({COMMON})": f"/stories?q={COMMON}",
                f"search, rare word ({RARE})": f"/stories?q={RARE}",
                "watch feed (Atom)": "/feeds/watches/bench.atom",
                "outlets page (charts)": "/outlets",
                "/metrics": "/metrics",
            }
            if only:
                pages = {k: v for k, v in pages.items() if any(o in k for o in only)}
            print(f"{label}: response time over {requests} requests each (client on 127.0.0.1, after 3 warm-ups)")
            for name, path in pages.items():
                times = []
                for i in range(requests + 3):
                    t0 = time.perf_counter()
                    answer = client.get(path)
                    elapsed = (time.perf_counter() - t0) * 1000
                    answer.raise_for_status()
                    if i >= 3:
                        times.append(elapsed)
                times.sort()
                p95 = times[max(0, int(len(times) * 0.95) - 1)]
                print(f"  {name:<34} p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")
        rss, peak = memory(child.pid)
        print(f"  serving process memory: {rss:.0f} MB resident after the run, peak {peak:.0f} MB")
    finally:
        child.terminate()
        child.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL database (its schema is wiped)")
    parser.add_argument("--sqlite", metavar="PATH", help="keep the SQLite database here; reuse it if it exists")
    parser.add_argument("--pages", metavar="NAME", nargs="*", help="only these pages (e.g. outlets)")
    parser.add_argument("--reuse", action="store_true", help="keep what the PostgreSQL database holds (a filled one)")
    parser.add_argument("--serve", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory(prefix="web-bench-") as folder:
        path = Path(args.sqlite) if args.sqlite else Path(folder) / "bench.db"
        url = f"sqlite:///{path}"
        print(f"SQLite ({url})")
        if not path.exists():
            fill(url, args.articles)
        measure(url, args.requests, "SQLite", args.pages)
    if args.postgres:
        print("PostgreSQL")
        if not args.reuse:
            engine = create_engine(args.postgres)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            fill(args.postgres, args.articles)
        measure(args.postgres, args.requests, "PostgreSQL", args.pages)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
