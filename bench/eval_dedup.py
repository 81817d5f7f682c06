"""Pair precision and recall of story assignment on the development duplicate groups, by kind.

Every member of every group in ``../shared/devsets/duplicates/`` (and seeds 000 + 003, the
same story in English and Vietnamese) goes through the real ``Ingestor`` into one temporary
SQLite database; the story ids read back decide which pairs were merged. A pair inside a
``should_merge`` group is a positive; every other pair (inside a hard-negative group, or
across groups) is a negative, so a false merge anywhere is counted.

    .venv/bin/python bench/eval_dedup.py [--verbose] [--one-day] [--orders N]

``--one-day`` publishes every article at one instant, so only the texts keep groups apart
(the window no longer helps); ``--orders N`` also ingests the items in N shuffled orders
and prints the worst and mean recall and the most false merges seen (an article that bridges
two earlier stories merges them, so the order should no longer matter much).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from storage import db  # noqa: E402
from storage.dedup import StoryIndex  # noqa: E402
from storage.ingest import Ingestor  # noqa: E402
from storage.models import Article  # noqa: E402
from storage.records import ArticleRecord  # noqa: E402

SHARED = ROOT.parent / "shared"


def event_time(value: str) -> datetime:
    """The group's event date (the first full date in the label), noon UTC; else a fixed day."""
    m = re.search(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value or "")
    if m:
        return datetime(int(m[1]), int(m[2]), int(m[3] or 15), 12, tzinfo=UTC)
    return datetime(2021, 5, 23, 12, tzinfo=UTC)


def load_items() -> list[tuple[str, str, bool, ArticleRecord]]:
    """(group, kind, should_merge, record) for every member."""
    items = []
    for path in sorted((SHARED / "devsets" / "duplicates").glob("*.json")):
        group = json.loads(path.read_text(encoding="utf-8"))
        when = event_time(str(group.get("event_date") or ""))
        for i, m in enumerate(group["members"]):
            host = urlsplit(m["source"]).hostname or "unknown"
            record = ArticleRecord(
                url=m["source"] if m["source"].startswith("http") else f"https://{host}/{group['group_id']}/{i}",
                title=m.get("title") or "",
                text=m["text"],
                outlet=host.removeprefix("www.")[:100],
                language=m.get("lang"),
                published_at=when,
            )
            items.append((group["group_id"], group["dup_type"], bool(group["should_merge"]), record))
    seeds = SHARED / "seeds"
    # The seeds come from one publisher's two editions (qdnd.vn, en.qdnd.vn).
    for name, lang, outlet in (("000", "en", "qdnd-en"), ("003", "vi", "qdnd")):
        files = sorted(seeds.glob(f"{name}_*.txt"))
        if files:
            text = files[0].read_text(encoding="utf-8")
            title, _, body = text.partition("\n")
            record = ArticleRecord(
                url=f"https://seed.example/{name}",
                title=title.strip(),
                text=body.strip() or title,
                outlet=outlet,
                outlet_family="qdnd",
                language=lang,
                published_at=datetime(2023, 11, 20, 12, tzinfo=UTC),
            )
            items.append(("seeds-000-003", "cross_language_same_story", True, record))
    return items


Item = tuple[str, str, bool, ArticleRecord]


def assign(items: list[Item], verbose: bool = False) -> list[int | None]:
    """The story id of every item, ingested in the given order into a fresh database.

    Read back from the database once all are in: a later article can merge the stories of
    earlier ones (and SQLite may hand a merged story's id to a new story)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/eval.db"
        db.upgrade(url)
        engine = db.make_engine(url)
        ingestor = Ingestor(db.session_factory(engine), index=StoryIndex())
        article_ids = []
        for group, _kind, _, record in items:
            result = ingestor.ingest(record)
            if verbose:
                print(f"{group:<16} {record.language} {result.status:<9} {result.reason:<14} story={result.story_id}")
            article_ids.append(result.article_id)
        with ingestor.sessions() as session:
            story_of = dict(session.execute(select(Article.id, Article.story_id)).tuples().all())
        engine.dispose()
    if verbose and ingestor.index.counters["dedup/merged"]:
        print(f"stories merged by a bridging article: {ingestor.index.counters['dedup/merged']}")
    return [story_of.get(a) if a is not None else None for a in article_ids]


def score(items: list[Item], stories: list[int | None]) -> tuple[int, int, int]:
    """(positive pairs merged, positive pairs, false merges)."""
    tp = total = false = 0
    for (a, sa), (b, sb) in itertools.combinations(zip(items, stories, strict=True), 2):
        merged = sa is not None and sa == sb
        if a[0] == b[0] and a[2]:
            tp, total = tp + merged, total + 1
        else:
            false += merged
    return tp, total, false


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--one-day", action="store_true", help="publish every article at one instant")
    parser.add_argument("--orders", type=int, default=0, help="also try N shuffled ingestion orders")
    args = parser.parse_args()
    if not (SHARED / "devsets" / "duplicates").is_dir():
        print(f"skipped: development set not found under {SHARED}")
        return 0
    items = load_items()
    if args.one_day:
        day = datetime(2024, 1, 10, 12, tzinfo=UTC)
        items = [(g, k, m, replace(r, published_at=day)) for g, k, m, r in items]
    stories = assign(items, args.verbose)
    # pairs: (kind) -> [tp, fn] for positives, false merges per kind for negatives
    positives: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    negatives: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [pairs, merged]
    for (a, sa), (b, sb) in itertools.combinations(zip(items, stories, strict=True), 2):
        merged = sa is not None and sa == sb
        if a[0] == b[0] and a[2]:
            positives[a[1]][0 if merged else 1] += 1
        else:
            kind = a[1] if a[0] == b[0] else "across_groups"
            negatives[kind][0] += 1
            negatives[kind][1] += int(merged)
    print(f"{'kind':<34} {'pairs':>5} {'merged':>6} {'recall':>7}")
    tp = fn = 0
    for kind, (hit, miss) in sorted(positives.items()):
        tp, fn = tp + hit, fn + miss
        print(f"{kind:<34} {hit + miss:>5} {hit:>6} {hit / (hit + miss):>7.2f}")
    false = 0
    print(f"\n{'negatives':<34} {'pairs':>5} {'merged':>6}")
    for kind, (pairs, n_merged) in sorted(negatives.items()):
        false += n_merged
        print(f"{kind:<34} {pairs:>5} {n_merged:>6}")
    precision = tp / (tp + false) if tp + false else 1.0
    print(f"\npair precision {precision:.3f}  recall {tp / (tp + fn):.3f}  (false merges: {false})")
    if args.orders:
        rng = random.Random(5)
        recalls, most_false = [], 0
        for _ in range(args.orders):
            order = rng.sample(items, len(items))
            hit, total, n_false = score(order, assign(order))
            recalls.append(hit / total)
            most_false = max(most_false, n_false)
        print(
            f"{args.orders} shuffled orders: worst recall {min(recalls):.3f}, "
            f"mean recall {sum(recalls) / len(recalls):.3f}, most false merges {most_false}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
