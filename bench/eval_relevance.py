#!/usr/bin/env python3
"""Precision, recall and F1 of the default watch on the labelled relevance devset and the seeds.

Reads ``config.toml`` (or ``--config``) for the ``vietnam-malaysia-defence`` watch (or
``--watch``) and its ``[lists.*]``, and the shared research data in ``../shared``:
``devsets/relevance/*.json`` (labelled true/false) and ``seeds/*.txt`` (all relevant); then,
as a second table, the English, Vietnamese and Malay texts of ``devsets/stories/*.json``, which
are labelled by story group for story linking, not for relevance:
``tests/fixtures/watches/story_relevance.json`` says which groups are on the watch's topic
(judged from each group's ``story`` description against the topic in ``devsets/README.md``).
``--brief`` adds a third table: every text of both sets as a short wire item gives it (no title,
the lead paragraph only). Prints one row per language and a total per set; ``--show`` also
prints every wrong decision with the terms that fired, which is how a watch is tuned.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.watches import Matcher  # noqa: E402
from config import load_config  # noqa: E402
from crawler.outlets import load_presets  # noqa: E402
from language import detect_language  # noqa: E402


@dataclass(frozen=True)
class Item:
    id: str
    language: str
    title: str
    text: str
    label: bool


# Which stories devset groups are on the topic, with why (shared with the tests).
STORY_LABELS = ROOT / "tests" / "fixtures" / "watches" / "story_relevance.json"
WATCH_LANGUAGES = ("en", "vi", "ms")


def load_story_items(shared: Path) -> list[Item]:
    on_topic = json.loads(STORY_LABELS.read_text())["on_topic"]
    items = []
    for path in sorted((shared / "devsets" / "stories").glob("*.json")):
        data = json.loads(path.read_text())
        label = data["group_id"] in on_topic
        for i, member in enumerate(data["members"]):
            if member["lang"] in WATCH_LANGUAGES:
                title = member.get("title") or ""
                items.append(Item(f"{data['group_id']}/{i}", member["lang"], title, member["text"], label))
    return items


def load_items(shared: Path) -> list[Item]:
    items = []
    for path in sorted((shared / "devsets" / "relevance").glob("*.json")):
        data = json.loads(path.read_text())
        items.append(Item(data["id"], data["lang"], data["title"] or "", data["text"], bool(data["label"])))
    for path in sorted((shared / "seeds").glob("*.txt")):
        text = path.read_text()
        items.append(Item(f"seed-{path.stem[:3]}", detect_language(text) or "en", "", text, True))
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.toml"))
    parser.add_argument("--watch", default="vietnam-malaysia-defence")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--show", action="store_true", help="print every wrong decision")
    parser.add_argument(
        "--brief", action="store_true",
        help="also score every text as a short wire item would give it: no title, first paragraph only",
    )  # fmt: skip
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / "devsets" / "relevance").is_dir():
        print(f"skipped: shared devset not found under {shared}")
        return 0
    cfg = load_config(args.config, env={}, presets=load_presets())
    watches = [w for w in cfg.watches if w.name == args.watch]
    if not watches:
        print(f"no watch named {args.watch!r} in {args.config}", file=sys.stderr)
        return 2
    matcher = Matcher.from_config(watches, cfg.lists)
    evaluate(matcher, load_items(shared), f"watch {args.watch}: devset {shared / 'devsets' / 'relevance'} + seeds",
             args.show)  # fmt: skip
    if (shared / "devsets" / "stories").is_dir():
        print()
        evaluate(matcher, load_story_items(shared), "stories devset texts (en, vi, ms), labelled by group", args.show)
    if args.brief:
        every = load_items(shared) + load_story_items(shared)
        print()
        evaluate(matcher, [brief(item) for item in every], "both sets as briefs: no title, first paragraph", args.show)
    return 0


def brief(item: Item) -> Item:
    """The item as a short wire brief: no headline, only the lead paragraph (the first one of
    at least 80 characters: datelines and bylines are shorter)."""
    paragraphs = [p.strip() for p in item.text.split("\n") if p.strip()]
    lead = next((p for p in paragraphs if len(p) >= 80), paragraphs[0] if paragraphs else "")
    return Item(item.id, item.language, "", lead, item.label)


def evaluate(matcher: Matcher, items: list[Item], heading: str, show: bool) -> None:
    counts: dict[str, list[int]] = {}  # language -> [tp, fp, fn, tn]
    for item in items:
        hits = matcher.match(item.title, item.text, item.language)
        predicted = bool(hits)
        row = counts.setdefault(item.language, [0, 0, 0, 0])
        row[(0 if predicted else 2) if item.label else (1 if predicted else 3)] += 1
        if show and predicted != item.label:
            kind = "false positive" if predicted else "false negative"
            print(f"{kind}: {item.id} {item.title[:70]!r}")
            for hit in hits:
                print(f"    score {hit.score} terms {', '.join(hit.terms)}")
                for snippet in hit.snippets:
                    print(f"    > {snippet.marked()}")
    print(heading)
    print(
        f"{'language':<9} {'items':>5} {'tp':>3} {'fp':>3} {'fn':>3} {'tn':>3} {'precision':>9} {'recall':>6} {'f1':>5}"
    )
    total = [0, 0, 0, 0]
    for language in [*sorted(counts), "all"]:
        row = counts[language] if language != "all" else total
        if language != "all":
            total = [a + b for a, b in zip(total, row, strict=True)]
        tp, fp, fn, tn = row
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(
            f"{language:<9} {sum(row):>5} {tp:>3} {fp:>3} {fn:>3} {tn:>3} {precision:>9.3f} {recall:>6.3f} {f1:>5.3f}"
        )


if __name__ == "__main__":
    sys.exit(main())
