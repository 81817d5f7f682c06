"""Deduplication cost at scale: start-up, index memory and per-article cost with N stored articles.

Generates N synthetic articles (random vocabulary with names and numbers, about 300 words)
at a realistic rate, ``--per-day`` articles a day (1,000 by default, so 1,000,000 cover about
three years), and bulk inserts them into a temporary SQLite database, each in its own story,
in batches within one transaction. So that 1,000,000 take minutes rather than hours, only the
articles ``StoryIndex.load`` can read get their own text and real fingerprints (``storage.prepare``):
``load`` selects the rows published (else stored) at or after two ``--window`` before the
newest (``StoryIndex._rows``), and these are generated one day beyond that. Every older row is
a copy of one of ``--sample`` articles fingerprinted for real (text, fingerprint and signals,
with its own URL and content hash), so the database holds N rows with realistic column
sizes, and its full-text index all their words, while the fingerprinting ``load`` never reads
is not computed. Then it measures:

* start-up: a fresh ``StoryIndex.load`` from the database (best of three), and how many of
  the N articles it holds (those within two ``--window`` of the newest: the index is bounded
  by the window, not by history);
* index memory: the bytes ``tracemalloc`` sees allocated by ``load`` (and the index's own
  estimate), per stored and per held article, and the process's peak RSS;
* dedup cost per new article, published at the newest time: ``fingerprint`` + ``find_story``
  (candidate lookup and verification against stored texts) for 1,000 new articles, a third
  edited copies of stored ones of the last window, a third rewrites of them (the same names
  and numbers and one sentence in common, everything else reworded), a third new texts; plus
  the whole ``Ingestor.ingest`` for comparison;
* embedding cost: the semantic route's title-and-lead embedding (the bundled model), per
  article, when the model loads here; added to the above for the cost of a watched article.

Targets (issue 13): start-up < 5 s; memory that of the window's articles, not of N.

    .venv/bin/python bench/dedup_bench.py [--articles 100000] [--per-day 1000] [--sample 2000]
        [--new 1000] [--window-days 7] [--dir DIRECTORY]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from sqlalchemy import insert  # noqa: E402

from storage import db  # noqa: E402
from storage.dedup import embedding, model  # noqa: E402
from storage.dedup.fingerprint import Fingerprint  # noqa: E402
from storage.dedup.index import StoryIndex  # noqa: E402
from storage.ingest import Ingestor  # noqa: E402
from storage.models import Article, Outlet, Story  # noqa: E402
from storage.prepare import content_hash, prepare  # noqa: E402
from storage.records import ArticleRecord  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TABLES = Article.metadata.tables  # Core inserts: the bulk load's fastest path
_rng = random.Random(5)
VOCAB = ["".join(_rng.choices("abcdefghiklmnopqrstuvwxy", k=_rng.randint(2, 9))) for _ in range(30000)]
NAMES = [w.capitalize() for w in VOCAB[:3000]]


def synthetic_text(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(words):
        x = rng.random()
        out.append(rng.choice(NAMES) if x < 0.08 else str(rng.randint(10, 9999)) if x < 0.1 else rng.choice(VOCAB))
        if i % 20 == 19:
            out[-1] += "."
    return " ".join(out)


def edited_copy(text: str, seed: int) -> str:
    """A syndicated copy: new dateline, a few words changed, a local paragraph added."""
    rng = random.Random(seed)
    words = text.split()
    for _ in range(6):
        words[rng.randrange(len(words))] = rng.choice(VOCAB)
    local = synthetic_text(seed + 10_000_000, 40)
    return "HANOI: " + " ".join(words) + "\n\n" + local


def rewritten_copy(text: str, seed: int) -> str:
    """An outlet's own write-up: the first sentence kept word for word, every other word
    replaced except the names and numbers (so the rewrite path's verification runs)."""
    rng = random.Random(seed)
    words = text.split()
    kept = [w if i < 20 or w[0].isupper() or w[0].isdigit() else rng.choice(VOCAB) for i, w in enumerate(words)]
    return " ".join(kept)


def fingerprint_ids(ids: list[int]) -> list[tuple[int, str, bytes | None, dict[str, object] | None]]:
    rows = []
    for i in ids:
        text = synthetic_text(i)
        fp = fingerprint(ArticleRecord(url=f"https://x/{i}", title=f"T{i}", text=text, outlet="o"))
        rows.append((i, text, fp.data, fp.signals))
    return rows


def fingerprint(record: ArticleRecord) -> Fingerprint:
    """What ingest stores with the article (``storage.prepare``, no embedding)."""
    prepared = prepare(record).prepared
    assert prepared is not None
    return Fingerprint(prepared.fingerprint, prepared.signals)


def published(i: int, per_day: float) -> datetime:
    """Article ``i``'s time: ``per_day`` articles a day from T0, evenly."""
    return T0 + timedelta(seconds=i * 86400 / per_day)


def populate(url: str, n: int, per_day: float, window_days: float, sample: int) -> None:
    """Store ``n`` articles (see the module's docstring): real fingerprints for the rows from one
    day before the index's reach (two windows behind the newest) and for ``sample`` older ones
    spread over the history, copies of those for every other row."""
    t = time.perf_counter()
    engine = db.make_engine(url)
    loaded_from = max(0, n - 1 - math.ceil((2 * window_days + 1) * per_day))
    sample_ids = sorted({k * loaded_from // sample for k in range(sample)}) if loaded_from else []
    real = sample_ids + list(range(loaded_from, n))
    rows: dict[int, tuple[int, str, bytes | None, dict[str, object] | None]] = {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        for chunk in pool.map(fingerprint_ids, [real[s : s + 1000] for s in range(0, len(real), 1000)]):
            rows.update((row[0], row) for row in chunk)
    print(
        f"fingerprinted {len(real):,} articles for real in {time.perf_counter() - t:.1f} s "
        f"({n - loaded_from:,} from id {loaded_from:,} on, {len(sample_ids):,} sampled older ones)",
        flush=True,
    )
    t = time.perf_counter()
    batch = 10_000
    with engine.begin() as conn:
        # A page cache that holds the indexes being filled: with SQLite's default (2 MB) the
        # one transaction spills and rewrites the same pages to the journal over and over.
        conn.exec_driver_sql("PRAGMA cache_size = -1000000")  # KiB: 1 GB, this child only
        outlet = {"id": 1, "slug": "synthetic", "name": "synthetic", "created_at": T0}
        conn.execute(insert(TABLES[Outlet.__tablename__]), [outlet])
        for start in range(0, n, batch):
            stories, articles = [], []
            for i in range(start, min(start + batch, n)):
                own = rows.get(i)
                _, text, data, signals = own or rows[sample_ids[i % len(sample_ids)]]
                digest = content_hash(text) if own else hashlib.sha256(f"synthetic {i}".encode()).hexdigest()
                when = published(i, per_day)
                stories.append({"id": i + 1, "title": f"T{i}", "first_article_id": i + 1, "article_count": 1,
                                "created_at": when, "updated_at": when})  # fmt: skip
                articles.append({"id": i + 1, "outlet_id": 1, "story_id": i + 1, "url": f"https://x/{i}",
                                 "canonical_url": f"https://x/{i}", "title": f"T{i}", "text": text,
                                 "language": "en", "published_at": when, "fetched_at": when, "created_at": when,
                                 "content_hash": digest, "fingerprint": data, "signals": signals})  # fmt: skip
            conn.execute(insert(TABLES[Story.__tablename__]), stories)
            conn.execute(insert(TABLES[Article.__tablename__]), articles)
            if (start + batch) % 100_000 == 0:
                print(f"  {start + batch:,} inserted, {time.perf_counter() - t:.0f} s", flush=True)
    engine.dispose()
    print(f"inserted {n:,} articles and stories in {time.perf_counter() - t:.1f} s (one transaction)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--per-day", type=float, default=1000.0, help="stored articles a day (default 1,000)")
    parser.add_argument("--sample", type=int, default=2000, help="older articles fingerprinted for real")
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--window-days", type=float, default=7.0, help="dedup.window (default 7 days)")
    parser.add_argument("--dir", help="where the temporary database goes (default the system's temporary directory)")
    args = parser.parse_args()
    n = args.articles
    window = args.window_days * 86400
    print(
        f"{n:,} stored articles, {args.per_day:,.0f} a day over {n / args.per_day:,.0f} days; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        db.upgrade(url)
        t = time.perf_counter()
        # In a child process, so that the peak RSS printed below is the measuring process's.
        child = multiprocessing.Process(target=populate, args=(url, n, args.per_day, args.window_days, args.sample))
        child.start()
        child.join()
        if child.exitcode != 0:
            print(f"populating the database failed (exit code {child.exitcode})", file=sys.stderr)
            return 1
        size = os.path.getsize(f"{tmp}/bench.db")
        print(f"generated and stored {n:,} synthetic articles in {time.perf_counter() - t:.1f} s; "
              f"database file {size / 1e6:,.0f} MB")  # fmt: skip
        sessions = db.session_factory(db.make_engine(url))

        loads = []
        for _ in range(3):
            index = StoryIndex(window)
            with sessions() as s:
                t = time.perf_counter()
                index.load(s)
                loads.append(time.perf_counter() - t)
        held = len(index)
        print(
            f"start-up (load the index): {min(loads):.2f} s (best of 3); it holds {held:,} of the {n:,} stored "
            f"articles (those published within two windows of {args.window_days:g} days of the newest)"
        )

        del index
        tracemalloc.start()
        index = StoryIndex(window)
        with sessions() as s:
            before = tracemalloc.get_traced_memory()[0]
            index.load(s)
            s.expunge_all()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"index memory: {(after - before) / 1e6:.1f} MB by tracemalloc ({(after - before) / max(held, 1):.0f} "
            f"bytes per held article, {(after - before) / n:.0f} per stored one), "
            f"{index.memory_bytes() / max(held, 1):.0f} bytes per held article by the index's own count; "
            f"peak RSS of this process {rss:.0f} MB"
        )

        rng = random.Random(11)
        new_when = published(n - 1, args.per_day)  # the newest time: new articles arrive now
        recent = (max(0, n - 1 - int(args.window_days * args.per_day)), n - 1)  # articles of the last window
        records = []
        for j in range(args.new):
            if j % 3 == 0:  # a copy of an article stored within the window
                src = rng.randrange(*recent)
                text = edited_copy(synthetic_text(src), j)
            elif j % 3 == 1:  # a rewrite of one
                src = rng.randrange(*recent)
                text = rewritten_copy(synthetic_text(src), j)
            else:
                text = synthetic_text(50_000_000 + j)
            outlet = "synthetic-rewriter" if j % 3 == 1 else "synthetic"  # a rewrite is another outlet's
            records.append(ArticleRecord(url=f"https://new/{j}", title=f"N{j}", text=text, outlet=outlet,
                                         language="en", published_at=new_when))  # fmt: skip
        costs, merged = [], [0, 0, 0]  # copies joined, rewrites joined, new texts joined (false merges)
        with sessions() as s:
            for j, rec in enumerate(records):
                t = time.perf_counter()
                fp = fingerprint(rec)
                story = index.find_story(s, rec, fp, new_when)
                costs.append(time.perf_counter() - t)
                merged[j % 3] += story is not None
        costs.sort()
        print(
            f"dedup per new article (fingerprint + find_story): mean {statistics.mean(costs) * 1000:.2f} ms, "
            f"median {costs[len(costs) // 2] * 1000:.2f} ms, p95 {costs[int(len(costs) * 0.95)] * 1000:.2f} ms; "
            f"{merged[0]}/{len(records[::3])} copies and {merged[1]}/{len(records[1::3])} rewrites joined their "
            f"story, {merged[2]} new texts joined one"
        )

        ingestor = Ingestor(sessions, index=index, clock=lambda: new_when)
        t = time.perf_counter()
        for rec in records[:200]:
            ingestor.ingest(rec)
        per = (time.perf_counter() - t) / 200 * 1000
        print(f"whole ingest (SQLite, one transaction each) for comparison: {per:.2f} ms/article")

        try:
            embedder = embedding.load_embedder()
        except model.EmbedderUnavailable as exc:
            print(f"embedding: not measured ({exc})")
        else:
            lead_texts = [(rec.title, rec.text) for rec in records[:21]]
            embedder.embed(*lead_texts.pop())  # warm up, on a text not timed (its vector is kept)
            t = time.perf_counter()
            for title, text in lead_texts:
                embedder.embed(title, text)
            each = (time.perf_counter() - t) / len(lead_texts) * 1000
            print(
                f"embedding (title + lead, {embedder.info.name}): {each:.0f} ms per article; a watched "
                f"article's dedup cost with it: about {each + statistics.mean(costs) * 1000:.0f} ms"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process at the end: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
