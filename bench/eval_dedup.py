"""Story linking on the development sets: pair recall by kind, false merges, shuffled orders.

Every member of every group of ``../shared/devsets/stories/`` and of
``../shared/devsets/duplicates/`` (with seeds 000 + 003, one publisher's English and
Vietnamese report of one event) goes through the real ``Ingestor`` into a temporary SQLite
database, one database per development set. The story ids read back decide which pairs were
merged. A copy that ingest refuses (the same URL, the same text) counts as a member of the
story of the article it copies, as a reader would count it.

Pairs are labelled by event, not only by group: a few events appear in two groups (a
cross-language group and a look-alike group that pairs that event with another); the
``story`` lines of the sets name them and ``SAME_EVENT`` below restates them. A pair is a
positive when both members report one event:

* ``syndicated`` (syndicated_near_identical, mirror_different_host, same_story_partial_wire_reuse),
* ``rewritten`` (same_story_rewritten: one event written independently, one language),
* ``cross-language`` (cross_language_same_story),
* ``linked across groups`` (one event in two groups; counted apart, not in the kinds above).

Every other pair is a negative: ``look-alikes`` are the pairs inside a
hard_negative_not_duplicate group (different events from one template: zero merges
required), ``other events`` every remaining pair.

Publication times (``--dates``): ``event`` (default) publishes each member on its own event's
day (the ``a / b / c`` parts of a look-alike group's ``event_date``), a few hours apart;
``group`` publishes every member of a group on the group's first date (look-alikes are then
as close as can be); ``one-day`` publishes every article at one instant, so only the texts
keep events apart.

    .venv/bin/python bench/eval_dedup.py [--dates event|group|one-day] [--orders N] [--verbose]
        [--set stories|duplicates] [--shared PATH] [--leads-only]

``--prepared`` hands ingest each record prepared (``storage.prepare``, every one embedded), as the
crawl's extraction processes hand them: the figures must be the same as without it.
``--leads-only`` compares leads only in the semantic route (no passage of the longer text
against the shorter one's lead): the figures before issue 13's partial translations.
``bench/eval_pairs.py`` scores every cross-language pair one by one.

``--orders N`` also ingests each set in N shuffled orders and prints, per kind, the worst and
mean recall and the most false merges seen. The shared data is looked up in ``--shared``,
then ``$NEWSWATCH_SHARED``, then ``../shared`` beside the repository.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from storage import db  # noqa: E402
from storage.dedup import embedding, model  # noqa: E402
from storage.dedup.index import StoryIndex  # noqa: E402
from storage.dedup.meaning import MeaningRoute  # noqa: E402
from storage.dedup.semantic import Passage  # noqa: E402
from storage.ingest import Ingestor  # noqa: E402
from storage.models import Article  # noqa: E402
from storage.prepare import content_hash, embedding_by, prepare  # noqa: E402
from storage.records import ArticleRecord  # noqa: E402
from storage.urls import canonicalize  # noqa: E402

SETS = ("stories", "duplicates")
KINDS = {
    "syndicated_near_identical": "syndicated",
    "mirror_different_host": "syndicated",
    "same_story_partial_wire_reuse": "syndicated",
    "same_story_rewritten": "rewritten",
    "cross_language_same_story": "cross-language",
}
LINKED = "linked across groups"
LOOK_ALIKES = "look-alikes"
OTHER = "across groups"
# One event in two groups, as the sets' ``story`` lines say: (group, member index or None for
# the whole group) pairs that report one event. Members with identical texts in two groups
# are found by their text and need no entry.
SAME_EVENT = [
    (("devstory-001", None), ("devstory-002", 0)),  # the frigate's arrival at Qingdao
    (("devstory-003", None), ("devstory-004", 1)),  # Bakamla's 16 May 2021 arrest
    (("devstory-011", None), ("devstory-013", 0)),  # the 16 Nov 2021 water-cannon incident
    (("devstory-020", None), ("devstory-021", 1)),  # the Dec 2024 MH370 decision
    (("devstory-022", None), ("devstory-024", 0)),  # CCG 5402 expelled on 21 Oct 2024
    (("devstory-023", None), ("devstory-024", 1)),  # CCG 5402 expelled again on 24 Oct 2024
    (("devstory-025", None), ("devstory-026", None)),  # the attack on QNg 95739 TS
    (("devstory-028", None), ("devstory-029", None)),  # the death of Nguyen Phu Trong
    (("devstory-028", None), ("devstory-030", None)),
    # Malaysia's defence minister's visit to Vietnam of 3 to 5 Dec 2023: seed 003 reports it
    # (seed 000 is its English edition), devdup-013 is his ministry's statement on it.
    (("seeds-000-003", None), ("devdup-013", None)),
]
FALLBACK_DAY = datetime(2021, 5, 23, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    group: str
    member: int
    kind: str  # the group's dup_type
    should_merge: bool
    record: ArticleRecord


def shared_dir(option: str | None) -> Path:
    for candidate in (option, os.environ.get("NEWSWATCH_SHARED"), str(ROOT.parent / "shared")):
        if candidate and (Path(candidate) / "devsets").is_dir():
            return Path(candidate)
    return ROOT.parent / "shared"


def parse_day(value: str) -> datetime | None:
    """Noon UTC of the first date in a label part: ``2024-10-21``, ``2021-09`` (the 15th),
    ``2017`` (15 June); None when the part gives no year."""
    m = re.search(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    return datetime(int(m[1]), int(m[2] or 6), int(m[3] or 15), 12, tzinfo=UTC)


def member_days(event_date: str, members: int, mode: str) -> list[datetime]:
    parts = [p.strip() for p in (event_date or "").split(" / ")]
    first = next((d for d in map(parse_day, parts) if d is not None), FALLBACK_DAY)
    own = mode == "event" and len(parts) == members
    days = [parse_day(p) or first for p in parts] if own else [first] * members
    return [day + timedelta(hours=2 * i) for i, day in enumerate(days)]


def load_set(shared: Path, name: str, mode: str) -> list[Item]:
    items = []
    for path in sorted((shared / "devsets" / name).glob("*.json")):
        group = json.loads(path.read_text(encoding="utf-8"))
        days = member_days(str(group.get("event_date") or ""), len(group["members"]), mode)
        for i, m in enumerate(group["members"]):
            host = (urlsplit(m["source"]).hostname or "unknown").rstrip(".")
            url = m["source"] if m["source"].startswith("http") else f"https://{host}/{group['group_id']}/{i}"
            record = ArticleRecord(
                url=url,
                title=m.get("title") or "",
                text=m["text"],
                outlet=host.removeprefix("www.")[:100],
                language=m.get("lang"),
                published_at=days[i],
            )
            items.append(Item(group["group_id"], i, group["dup_type"], bool(group["should_merge"]), record))
    if name == "duplicates":
        items += load_seeds(shared)
    if mode == "one-day":
        day = datetime(2024, 1, 10, 12, tzinfo=UTC)
        items = [replace(it, record=replace(it.record, published_at=day)) for it in items]
    return items


def load_seeds(shared: Path) -> list[Item]:
    """Seeds 000 and 003: one publisher's two editions (qdnd.vn, en.qdnd.vn) of one event, the
    English one a partial translation starting at the Vietnamese third paragraph. Read as a
    user imports them (``tests/e2e``): the whole file as the text, its first line cut at 120
    characters as the title (seed 000 has no headline: its first line is a paragraph)."""
    items: list[Item] = []
    for name, lang, outlet in (("000", "en", "qdnd-en"), ("003", "vi", "qdnd")):
        files = sorted((shared / "seeds").glob(f"{name}_*.txt"))
        if files:
            text = files[0].read_text(encoding="utf-8").strip()
            record = ArticleRecord(
                url=f"https://seed.example/{name}",
                title=text.splitlines()[0][:120],
                text=text,
                outlet=outlet,
                outlet_family="qdnd",
                language=lang,
                published_at=datetime(2023, 12, 3, 12, tzinfo=UTC),  # the visit's first day (003's lead)
            )
            items.append(Item("seeds-000-003", len(items), "cross_language_same_story", True, record))
    return items


def events(items: list[Item]) -> list[int]:
    """An event number per item: one per should-merge group, per look-alike member, joined by
    identical texts and by ``SAME_EVENT``."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    first_of: dict[str, int] = {}
    by_text: dict[str, int] = {}
    for i, it in enumerate(items):
        if it.should_merge:
            union(i, first_of.setdefault(it.group, i))
        union(i, by_text.setdefault(it.record.text, i))
    for a, b in SAME_EVENT:
        left = [i for i, it in enumerate(items) if (it.group, None if a[1] is None else it.member) == a]
        right = [i for i, it in enumerate(items) if (it.group, None if b[1] is None else it.member) == b]
        for i in left[:1]:
            for j in right:
                union(i, j)
    return [find(i) for i in range(len(items))]


def pair_kind(a: Item, b: Item, same_event: bool) -> str:
    if same_event:
        return KINDS.get(a.kind, a.kind) if a.group == b.group else LINKED
    return LOOK_ALIKES if a.group == b.group and a.kind == "hard_negative_not_duplicate" else OTHER


class CachedEmbedder(embedding.Embedder):
    """The product's embedder, each text embedded once per run of this script (shuffled orders
    ingest the same texts again)."""

    def __init__(self, inner: embedding.Embedder) -> None:
        super().__init__(inner._engine, inner.info)
        self._cache: dict[tuple[str, str], embedding.Vector] = {}

    def embed(self, title: str, text: str) -> embedding.Vector:
        key = (title, text)
        if key not in self._cache:
            self._cache[key] = super().embed(title, text)
        return self._cache[key]


EMBEDDER: embedding.Embedder | None = None


class LeadsOnlyRoute(MeaningRoute):
    """The meaning route comparing leads only (``--leads-only``: as before issue 13's passages)."""

    def passage(self, record: ArticleRecord, vec: embedding.Vector, other: Article) -> Passage:
        return lambda: (0.0, 0)


class LeadsOnly(StoryIndex):
    """A story index whose meaning route compares leads only."""

    def _reset(self) -> None:
        super()._reset()
        self._meaning = LeadsOnlyRoute(self.embedder, self.counters, expire=self.period is None)


INDEX: type[StoryIndex] = StoryIndex
PREPARED = False  # ``--prepared``: each record prepared first, as the crawl's extraction processes do
EMBEDDINGS: Counter[str] = Counter()  # the last ``assign``'s: leads and passages embedded


def assign(items: list[Item], verbose: bool = False) -> list[int | None]:
    """The story of every item, ingested in the given order into a fresh database; a refused
    copy is given the story of the stored article it copies. Read back once all are in: a
    later article can merge the stories of earlier ones."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/eval.db"
        db.upgrade(url)
        engine = db.make_engine(url)
        ingestor = Ingestor(db.session_factory(engine), index=INDEX(embedder=EMBEDDER))
        EMBEDDINGS.clear()
        results = []
        embed = embedding_by(lambda: EMBEDDER, None) if EMBEDDER is not None else None
        for it in items:
            result = ingestor.ingest(prepare(it.record, embed) if PREPARED else it.record)
            results.append(result)
            if verbose:
                print(f"  {it.group:<15} {it.member} {it.record.language:<3} {it.record.outlet:<28.28} "
                      f"{result.reason:<14} story={result.story_id}")  # fmt: skip
        with ingestor.sessions() as session:
            rows = session.execute(select(Article.id, Article.story_id, Article.canonical_url, Article.content_hash))
            story_of, by_url, by_hash = {}, {}, {}
            for article_id, story_id, canonical, digest in rows:
                story_of[article_id] = story_id
                by_url[canonical], by_hash[digest] = story_id, story_id
        engine.dispose()
    stories: list[int | None] = []
    for it, result in zip(items, results, strict=True):
        if result.article_id is not None:
            stories.append(story_of.get(result.article_id))
        elif result.reason == "dedup/url":
            stories.append(by_url.get(it.record.canonical_url or canonicalize(it.record.url)))
        elif result.reason.startswith("dedup/"):
            stories.append(by_hash.get(content_hash(it.record.text.strip())))
        else:
            stories.append(None)
    EMBEDDINGS.update(
        leads=ingestor.counters["dedup/embedded"], passages=ingestor.index.counters["dedup/passages_embedded"]
    )
    return stories


@dataclass
class Tally:
    pairs: int = 0
    merged: int = 0


def tally(items: list[Item], event: list[int], stories: list[int | None]) -> dict[str, Tally]:
    out: dict[str, Tally] = defaultdict(Tally)
    for (i, a), (j, b) in itertools.combinations(enumerate(items), 2):
        kind = pair_kind(a, b, event[i] == event[j])
        out[kind].pairs += 1
        out[kind].merged += int(stories[i] is not None and stories[i] == stories[j])
    return out


def describe(items: list[Item], event: list[int], stories: list[int | None]) -> None:
    """The missed positive pairs and the false merges, one line each."""
    for (i, a), (j, b) in itertools.combinations(enumerate(items), 2):
        merged = stories[i] is not None and stories[i] == stories[j]
        if (event[i] == event[j]) != merged:
            what = "missed" if event[i] == event[j] else "FALSE MERGE"
            kind = pair_kind(a, b, event[i] == event[j])
            print(f"  {what:<11} {kind:<20} {a.group}/{a.member} {a.record.language} {a.record.outlet:<22.22} "
                  f"~ {b.group}/{b.member} {b.record.language} {b.record.outlet:<22.22}")  # fmt: skip


POSITIVE = ("syndicated", "rewritten", "cross-language", LINKED)
NEGATIVE = (LOOK_ALIKES, OTHER)


def report(name: str, counts: dict[str, Tally]) -> None:
    print(f"{name}:")
    for kind in POSITIVE:
        if kind in counts:
            c = counts[kind]
            print(f"  {kind:<22} {c.merged:>4}/{c.pairs:<4} pairs merged   recall {c.merged / c.pairs:.2f}")
    for kind in NEGATIVE:
        if kind in counts:
            c = counts[kind]
            print(f"  {kind:<22} {c.merged:>4}/{c.pairs:<4} pairs merged   (false merges)")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--dates", choices=("event", "group", "one-day"), default="event")
    parser.add_argument("--orders", type=int, default=0, help="also try N shuffled ingestion orders")
    parser.add_argument("--set", choices=SETS, action="append", help="only this set (repeatable)")
    parser.add_argument("--shared", help="the shared data folder (holds devsets/)")
    parser.add_argument("--verbose", action="store_true", help="each ingest, each missed pair and false merge")
    parser.add_argument("--no-semantic", action="store_true", help="without the semantic route")
    parser.add_argument("--model", default=model.BUNDLED, help="the embedding model (dedup.model)")
    parser.add_argument("--leads-only", action="store_true", help="the semantic route on leads only, no passages")
    parser.add_argument(
        "--prepared", action="store_true", help="records prepared before ingest, as the crawl's extraction processes do"
    )
    args = parser.parse_args()
    global EMBEDDER, INDEX, PREPARED
    PREPARED = args.prepared
    if args.leads_only:
        INDEX = LeadsOnly
    if not args.no_semantic:
        try:
            EMBEDDER = CachedEmbedder(embedding.load_embedder(args.model))
        except model.EmbedderUnavailable as exc:
            print(f"semantic route off: {exc}")
    shared = shared_dir(args.shared)
    if not (shared / "devsets").is_dir():
        print(f"skipped: development sets not found under {shared} (use --shared or NEWSWATCH_SHARED)")
        return 0
    route = f"{EMBEDDER.info.name}{', leads only' if args.leads_only else ''}" if EMBEDDER else "off"
    print(f"dates: {args.dates}; semantic route: {route}")
    total: dict[str, Tally] = defaultdict(Tally)
    started = time.perf_counter()
    loaded = {name: load_set(shared, name, args.dates) for name in args.set or SETS}
    for name, items in loaded.items():
        event = events(items)
        stories = assign(items, args.verbose)
        counts = tally(items, event, stories)
        report(f"{name} ({len(items)} articles)", counts)
        if EMBEDDER is not None:
            print(f"  embedded: {EMBEDDINGS['leads']} leads, {EMBEDDINGS['passages']} passages")
        if args.verbose:
            describe(items, event, stories)
        for kind, c in counts.items():
            total[kind].pairs += c.pairs
            total[kind].merged += c.merged
    if len(loaded) > 1:
        report("both sets", total)
    print(f"({time.perf_counter() - started:.1f} s)")
    if args.orders:
        rng = random.Random(5)
        seen: dict[str, list[float]] = defaultdict(list)
        most_false: dict[str, int] = defaultdict(int)
        for _ in range(args.orders):
            merged_total: dict[str, Tally] = defaultdict(Tally)
            for items in loaded.values():
                order = rng.sample(items, len(items))
                for kind, c in tally(order, events(order), assign(order)).items():
                    merged_total[kind].pairs += c.pairs
                    merged_total[kind].merged += c.merged
            for kind, c in merged_total.items():
                if kind in POSITIVE:
                    seen[kind].append(c.merged / c.pairs)
                else:
                    most_false[kind] = max(most_false[kind], c.merged)
        print(f"{args.orders} shuffled orders (both sets together):")
        for kind in POSITIVE:
            if seen[kind]:
                values = seen[kind]
                print(f"  {kind:<22} recall worst {min(values):.2f}  mean {sum(values) / len(values):.2f}")
        for kind in NEGATIVE:
            print(f"  {kind:<22} most false merges {most_false[kind]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
