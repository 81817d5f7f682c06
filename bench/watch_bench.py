#!/usr/bin/env python3
"""Watch matching speed: throughput with 1,000 generated watches, latency with the default config.

Prints figures, asserts nothing. Everything runs in one process on one core.

* **rebuild**: building the ``Matcher`` for 1,000 generated watches totalling 10,000 terms,
  and for the shipped ``config.toml``: *cold* (a new ``Matcher``: every query parsed and
  compiled) and *after a config change* (one watch's query edited, ``Matcher.rebuild``: the
  matcher's compiled terms and queries keep the unchanged ones, which is what a reload costs).
* **throughput**: MB/s of article text (UTF-8 bytes of title + text) matched against 1,000
  generated watches, over ~5 KB articles (the real texts are about 2 KB: each article joins
  texts of one language until it reaches 5 KB), in two settings:
  - *topical*: terms are specific words and phrases (each found in at most two of the texts),
    as watches for named people, places, ships and agencies are. This is the realistic case.
  - *broad*: terms are any word of the texts except the 150 most frequent; most watches have
    a candidate term in every article, so nearly all of them get evaluated. A stress test.
  Each watch has 10 terms: ``(a OR b OR "c d") AND (e OR f*) NEAR/10 (g OR h) NEAR/s (i OR title:j) -k``.
* **latency**: per article with the default config: over the real texts one by one (the
  relevance devset, the duplicate-set members, the seeds), and over ~5 KB articles made by
  shuffling paragraphs of the relevant texts together (every one matches, in three languages at
  once: a worst case), and over ~5 KB articles joined from the texts the devset labels
  irrelevant (football, trade, other countries: what most of a news stream looks like).

The texts are the shared research data in ``../shared`` (devsets and seeds), read at run time.

The last lines compare the figures with the targets of issue 4, one line each: at least
10 MB/s with 1,000 watches of 10,000 terms (topical and broad), under 1 ms mean per ~5 KB
article with the default config, and under 100 ms to rebuild after a config change. Timings
are the best of ``--repeats`` runs, as timeit takes them: on a shared machine the slower runs
measure the neighbours. Throughput is judged on the sum of each article's fastest match over
all passes (a pass is too short to be preempted often, a whole run is not); the best whole run
and its CPU time (``thread_time``) are printed next to it, so the noise shows.

    .venv/bin/python bench/watch_bench.py [--mb 20] [--seed 1] [--repeats 7]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.watches import Matcher  # noqa: E402
from config import WatchConfig, load_config  # noqa: E402
from crawler.outlets import load_presets  # noqa: E402
from language import detect_language  # noqa: E402


def load_texts(shared: Path, duplicates: bool = False) -> list[str]:
    texts = [json.loads(p.read_text())["text"] for p in sorted((shared / "devsets" / "relevance").glob("*.json"))]
    texts += [p.read_text() for p in sorted((shared / "seeds").glob("*.txt"))]
    if duplicates:
        for path in sorted((shared / "devsets" / "duplicates").glob("*.json")):
            texts += [m["text"] for m in json.loads(path.read_text())["members"]]
    return texts


def make_articles(texts: list[str], rng: random.Random, count: int, size: int = 5000) -> list[tuple[str, str]]:
    paragraphs = [p.strip() for t in texts for p in t.split("\n") if len(p.strip()) > 40]
    articles = []
    for _ in range(count):
        body: list[str] = []
        while sum(len(p) + 1 for p in body) < size:
            body.append(rng.choice(paragraphs))
        articles.append((rng.choice(paragraphs)[:90], "\n".join(body)))
    return articles


def make_watches(
    texts: list[str], rng: random.Random, topical: bool, count: int = 1000
) -> tuple[list[WatchConfig], int]:
    tokenized = [re.findall(r"[^\W\d_]{3,}", t.casefold()) for t in texts]
    frequency = Counter(w for words in tokenized for w in words)
    spread = Counter(w for words in tokenized for w in set(words))
    common = {w for w, _ in frequency.most_common(150)}
    if topical:
        vocabulary = sorted(w for w in spread if spread[w] <= 2 and w not in common)
    else:
        vocabulary = sorted(w for w in frequency if w not in common)
    allowed = set(vocabulary)
    bigrams = sorted(
        {f"{a} {b}" for words in tokenized for a, b in itertools.pairwise(words) if a in allowed and b in allowed}
    )
    terms = 0

    def term() -> str:
        nonlocal terms
        terms += 1
        roll = rng.random()
        if roll < 0.2:
            return f'"{rng.choice(bigrams)}"'
        word = rng.choice(vocabulary)
        return f"{word[:5]}*" if roll < 0.3 and len(word) > 6 else word

    watches = []
    for i in range(count):
        query = (
            f"({term()} OR {term()} OR {term()}) AND ({term()} OR {term()}) NEAR/10 ({term()} OR {term()}) "
            f"NEAR/s ({term()} OR title:{term()}) -{term()}"
        )
        watches.append(WatchConfig(name=f"w{i:04d}", query=query))
    return watches, terms


TARGET_MB_S = 10.0
TARGET_LATENCY_MS = 1.0
TARGET_REBUILD_MS = 100.0


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def rebuild_times(
    watches: list[WatchConfig], lists: Mapping[str, Mapping[str, tuple[str, ...]]], repeats: int = 3
) -> tuple[float, float]:
    """Best of ``repeats``: a cold build (a new matcher), and a rebuild of it after one query changed."""
    cold = changed = float("inf")
    for attempt in range(repeats):
        start = time.perf_counter()
        matcher = Matcher.from_config(watches, lists)
        cold = min(cold, time.perf_counter() - start)
        edited = [*watches[:-1], dataclasses.replace(watches[-1], query=f"({watches[-1].query}) -edit{attempt}")]
        start = time.perf_counter()
        matcher.rebuild(edited, lists)
        changed = min(changed, time.perf_counter() - start)
    return cold, changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="megabytes of article text for throughput")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7, help="runs per figure; the best one counts")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / "devsets" / "relevance").is_dir():
        print(f"skipped: shared texts not found under {shared}")
        return 0
    rng = random.Random(args.seed)
    texts = load_texts(shared)
    real = load_texts(shared, duplicates=True)
    real_articles = [("", t) for t in real]
    by_language: dict[str, list[str]] = {}
    for t in real:
        by_language.setdefault(detect_language(t) or "en", []).append(t)
    five_kb: list[tuple[str, str]] = []
    for group in by_language.values():
        rng.shuffle(group)
        current: list[str] = []
        for t in group + group:
            current.append(t)
            if sum(len(x.encode()) for x in current) >= 5000:
                five_kb.append(("", "\n".join(current)))
                current = []
    mashed = make_articles(texts, rng, count=300)
    rejected = [json.loads(p.read_text()) for p in sorted((shared / "devsets" / "relevance").glob("*.json"))]
    off_topic: list[tuple[str, str]] = []
    for language in ("en", "vi", "ms"):
        pool = [r["text"] for r in rejected if not r["label"] and r["lang"] == language]
        for i in range(len(pool)):
            joined = "\n".join(pool[i:] + pool[:i])
            off_topic.append(("", joined[: max(5000, len(pool[i]))]))

    cfg = load_config(ROOT / "config.toml", env={}, presets=load_presets())
    targets: list[str] = []
    cold, changed = rebuild_times(list(cfg.watches), cfg.lists, args.repeats)
    default = Matcher.from_config(cfg.watches, cfg.lists)
    list_terms = sum(len(v) for lists in cfg.lists.values() for v in lists.values())
    print(
        f"rebuild, default config ({len(cfg.watches)} watch, {list_terms} list terms): cold {cold * 1000:.1f} ms, "
        f"after a config change {changed * 1000:.1f} ms"
    )
    rebuilds = {"default config": changed}

    for topical in (True, False):
        kind = "topical" if topical else "broad"
        watches, term_count = make_watches(real, rng, topical)
        cold, changed = rebuild_times(watches, {}, args.repeats)
        rebuilds[f"{len(watches)} {kind} watches"] = changed
        matcher = Matcher.from_config(watches, {})
        print(
            f"rebuild, {len(watches)} {kind} watches ({term_count} terms): cold {cold * 1000:.1f} ms, "
            f"after a config change {changed * 1000:.1f} ms"
        )
        articles = five_kb
        size = sum(len(x.encode()) for _, x in articles)
        rounds = max(1, round(args.mb * 1e6 / size / (1 if topical else 4) / 3))
        hits, elapsed, cpu = 0, float("inf"), float("inf")
        fastest = [float("inf")] * len(articles)  # each article's best time over all passes
        clock = time.perf_counter
        for _ in range(args.repeats):  # the best run: a shared machine has noisy neighbours
            start, start_cpu = clock(), time.thread_time()
            for _ in range(rounds):
                for i, (title, text) in enumerate(articles):
                    before = clock()
                    hits += len(matcher.match(title, text, None))
                    fastest[i] = min(fastest[i], clock() - before)
            elapsed = min(elapsed, clock() - start)
            cpu = min(cpu, time.thread_time() - start_cpu)
        total_mb = size * rounds / 1e6
        steady = size / 1e6 / sum(fastest)
        print(
            f"throughput, {kind} watches: {steady:.1f} MB/s from each article's best pass; best whole run "
            f"{total_mb:.1f} MB in {elapsed:.2f} s = {total_mb / elapsed:.1f} MB/s "
            f"(CPU time {total_mb / cpu:.1f} MB/s); "
            f"{len(articles)} articles x {rounds} x {args.repeats}, mean {size // len(articles)} bytes, "
            f"{hits / (args.repeats * len(articles) * rounds):.2f} watch hits per article"
        )
        targets.append(
            f"target throughput >= {TARGET_MB_S:.0f} MB/s, {len(watches)} {kind} watches ({term_count} terms): "
            f"{steady:.1f} MB/s (best whole run {total_mb / elapsed:.1f}), {verdict(steady >= TARGET_MB_S)}"
        )

    for label, articles in (
        ("real texts one by one", real_articles),
        ("~5 KB, real texts of one language joined", five_kb),
        ("~5 KB, texts the watch must reject, joined", off_topic),
        ("~5 KB, paragraphs of relevant texts mixed", mashed),
    ):
        latencies, matched = [], 0
        for title, text in articles:
            hit = default.match(title, text, None)  # warm: regexes compile on first use
            best = float("inf")
            for _ in range(args.repeats):  # the best, as timeit does: the rest is other processes' noise
                start = time.perf_counter()
                default.match(title, text, None)
                best = min(best, time.perf_counter() - start)
            latencies.append(best * 1000)
            matched += bool(hit)
        sizes = [len(t.encode()) + len(x.encode()) for t, x in articles]
        print(
            f"latency, default config, {label} ({len(articles)}, mean {statistics.mean(sizes) / 1000:.1f} KB, "
            f"{matched} match): mean {statistics.mean(latencies):.3f} ms, "
            f"median {statistics.median(latencies):.3f} ms, "
            f"p95 {sorted(latencies)[int(len(latencies) * 0.95)]:.3f} ms, max {max(latencies):.3f} ms"
        )
        if articles is five_kb:
            mean = statistics.mean(latencies)
            targets.append(
                f"target latency < {TARGET_LATENCY_MS:.0f} ms per ~5 KB article, default config: mean {mean:.3f} ms "
                f"(p95 {sorted(latencies)[int(len(latencies) * 0.95)]:.3f} ms), {verdict(mean < TARGET_LATENCY_MS)}"
            )
    for label, seconds in rebuilds.items():
        targets.append(
            f"target rebuild after a config change < {TARGET_REBUILD_MS:.0f} ms, {label}: {seconds * 1000:.1f} ms, "
            f"{verdict(seconds * 1000 < TARGET_REBUILD_MS)}"
        )
    print("\n".join(targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
