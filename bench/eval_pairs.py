"""Every cross-language pair of the development sets, scored: what separates the reports of one
event in two languages from different events, per class (one publisher's editions or not)?

For each pair of articles in different languages (both sets of ``bench/eval_dedup.py``, with
seeds 000 + 003), one line: positive or negative (by event, as ``eval_dedup`` labels them),
whether the two come from one publisher ("family": the preset family of the site's domain,
else its registrable domain: ``fr.vietnamplus.vn`` and ``en.vietnamplus.vn`` are VNA's,
``vietnam.vnanet.vn/french`` and ``/japanese`` one site), hours apart, and:

* ``lead``: the product's similarity, title + lead against title + lead (``embedding.lead``);
* ``passage``: what ``semantic.judge`` falls back on (the product's computation): the shorter
  text's title + lead against every passage of the longer one (``embedding.passages``: the body
  from each paragraph on, as long as a lead), or the lead similarity when higher; a partial
  translation that starts at the original's third paragraph meets it there;
* the names and figures they share (``semantic.judge``'s anchors) and the veto ``semantic.veto``
  finds, if any, with the times ignored (``one-day``: as if published together).

Then the distributions per class: the positives' lowest score against the negatives' highest,
and how many negatives above each positive.

``--cut N`` makes every pair a partial translation: the shorter text of each pair loses its
first N paragraphs (its headline kept, its names, figures and dates read from what is left),
as an edition that starts further into the story would give it; pairs whose shorter text has
no paragraph left are skipped.

    .venv/bin/python bench/eval_pairs.py [--shared PATH] [--all] [--cache FILE] [--cut N]

``--all`` prints every pair (default: the positives, and the negatives published within 3 days
of each other or that every guard but the similarity lets through). The four letters after the
veto say whether ``semantic.judge`` joins the pair on the lead (``L``) or the passage (``P``)
similarity at their own times, and (``l``, ``p``) as if published together. ``--cache`` keeps
the embeddings in a file between runs (text hash -> vector), so that a second run costs seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_dedup import Item, events, load_set, shared_dir  # noqa: E402
from storage.dedup import embedding, model  # noqa: E402
from storage.dedup.evidence import extract_signals, name_entities  # noqa: E402
from storage.dedup.semantic import MIN_SIMILARITY_ACROSS, Passage, Side, epoch, judge, veto  # noqa: E402

# Second-level labels under a country code that a publisher's domain sits below (sggp.org.vn).
_GENERIC_SECOND_LEVEL = {"com", "org", "net", "gov", "edu", "co", "ac", "info"}
# Domains whose preset declares a family (crawler/outlets/presets.toml): a publisher's sites.
_PRESET_FAMILIES = {"qdnd.vn": "qdnd", "vietnamnews.vn": "vna", "vietnamplus.vn": "vna", "bernama.com": "bernama"}


def family(item: Item) -> str:
    if item.record.outlet_family:
        return item.record.outlet_family
    host = (urlsplit(item.record.url).hostname or item.record.outlet).rstrip(".").removeprefix("www.")
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _GENERIC_SECOND_LEVEL else 2
    domain = ".".join(labels[-keep:])
    return _PRESET_FAMILIES.get(domain, domain)


class Vectors:
    """Embeddings by text, computed once (and kept in ``path`` between runs when given)."""

    def __init__(self, embedder: embedding.Embedder, path: Path | None) -> None:
        self.embedder = embedder
        self.path = path
        self.cache: dict[str, np.ndarray] = {}
        self.computed = 0
        self.seconds = 0.0
        if path is not None and path.exists():
            with np.load(path) as data:
                self.cache = {k: data[k] for k in data.files}

    def __call__(self, title: str, text: str) -> np.ndarray:
        key = hashlib.blake2b(f"{title}\x00{text}".encode(), digest_size=12).hexdigest()
        if key not in self.cache:
            started = time.process_time()
            self.cache[key] = self.embedder.embed(title, text)
            self.seconds += time.process_time() - started
            self.computed += 1
        return self.cache[key]

    def save(self) -> None:
        if self.path is not None and self.computed:
            np.savez(self.path, **self.cache)  # type: ignore[arg-type]


@dataclass
class Pair:
    a: Item
    b: Item
    positive: bool
    same_family: bool
    hours: float
    lead: float
    passage: float
    names: list[str]
    numbers: list[str]
    people: int
    veto: str | None
    by_lead: bool  # semantic.judge joins them on the lead similarity (at their own times)
    by_passage: bool  # ... on the passage similarity
    by_lead_together: bool  # the same, as if published together
    by_passage_together: bool
    guards_pass: bool  # judge would join them at any similarity, as if published together


def side(item: Item, fam: str) -> Side:
    r = item.record
    when = epoch(r.published_at) if r.published_at else 0.0
    return Side(r.title, r.text, r.language, frozenset({r.outlet, fam}), when, extract_signals(r.title, r.text))


def fixed(similarity: float) -> Passage:
    """A passage computation whose answer is already known."""
    return lambda: (similarity, 0)


def cut(item: Item, paragraphs: int) -> Item | None:
    """The article as an edition that starts ``paragraphs`` paragraphs later would give it (its
    own headline kept), or None when it has no paragraph left after those."""
    if not paragraphs:
        return item
    lines = [p.strip() for p in item.record.text.split("\n") if p.strip()]
    long = [i for i, p in enumerate(lines) if len(p) >= embedding.MIN_PARAGRAPH_CHARS]
    if len(long) <= paragraphs:
        return None
    return replace(item, record=replace(item.record, text="\n".join(lines[long[paragraphs] :])))


def score_pairs(items: list[Item], vectors: Vectors, paragraphs: int = 0) -> list[Pair]:
    """The cross-language pairs of ``items``; with ``paragraphs``, the shorter text of each pair
    starts that many paragraphs later (a partial translation), its anchors read from what is left."""
    event = events(items)
    fams = [family(it) for it in items]
    leads = [vectors(it.record.title, it.record.text) for it in items]
    bodies = [[vectors("", p) for p in embedding.passages(it.record.text)] for it in items]
    sides = [side(it, f) for it, f in zip(items, fams, strict=True)]
    cuts = [cut(it, paragraphs) for it in items]
    cut_leads = [vectors(c.record.title, c.record.text) if c else None for c in cuts]
    cut_sides = [side(c, f) if c else None for c, f in zip(cuts, fams, strict=True)]
    out = []
    for i, j in itertools.combinations(range(len(items)), 2):
        a, b = items[i], items[j]
        if not a.record.language or a.record.language == b.record.language or a.record.text == b.record.text:
            continue
        short, long = (i, j) if len(a.record.text) <= len(b.record.text) else (j, i)
        short_lead, short_side = cut_leads[short], cut_sides[short]
        if short_lead is None or short_side is None:
            continue
        lead = float(short_lead @ leads[long])
        best = max([lead, *(float(short_lead @ v) for v in bodies[long])])
        sa, sb = short_side, sides[long]
        names = sorted(sa.signals.names & sb.signals.names)
        together = replace(sb, when=sa.when)  # the vetoes as if published together
        out.append(
            Pair(
                a, b, event[i] == event[j], fams[i] == fams[j], abs(sa.when - sb.when) / 3600, lead, best,
                names, sorted(sa.signals.numbers & sb.signals.numbers), name_entities(names), veto(sa, together),
                judge(sa, sb, lead).joined, judge(sa, sb, lead, fixed(best)).joined,
                judge(sa, together, lead).joined, judge(sa, together, lead, fixed(best)).joined,
                judge(sa, together, 1.0).joined,
            )
        )  # fmt: skip
    return out


def label(it: Item) -> str:
    return f"{it.group}/{it.member} {it.record.language} {it.record.outlet[:20]}"


def show(p: Pair) -> None:
    anchors = ",".join([*p.names[:4], *p.numbers[:4]]) or "-"
    verdicts = "".join(
        c if ok else "-"
        for c, ok in zip("LPlp", (p.by_lead, p.by_passage, p.by_lead_together, p.by_passage_together), strict=True)
    )
    print(
        f"  {'POS' if p.positive else 'neg'} {'fam' if p.same_family else '   '} {p.hours:>7.0f}h "
        f"lead {p.lead:.3f} passage {p.passage:.3f} people {p.people} numbers {len(p.numbers)} "
        f"veto {p.veto or '-':<9} {verdicts} {label(p.a):<40.40} ~ {label(p.b):<40.40} [{anchors[:70]}]"
    )


def distribution(name: str, pairs: list[Pair], key: str) -> None:
    pos = sorted((getattr(p, key) for p in pairs if p.positive), reverse=True)
    neg = sorted((getattr(p, key) for p in pairs if not p.positive), reverse=True)
    if not pos:
        print(f"  {name:<34} {key:<8} no positives; negatives {len(neg)}, highest {neg[0] if neg else 0:.3f}")
        return
    lowest, highest = pos[-1], (neg[0] if neg else float("-inf"))
    above = sum(1 for v in neg if v >= lowest)
    floor = sum(1 for v in pos if v >= MIN_SIMILARITY_ACROSS)
    print(
        f"  {name:<34} {key:<8} positives {len(pos):>3}: min {lowest:.3f} median {pos[len(pos) // 2]:.3f}, "
        f">= {MIN_SIMILARITY_ACROSS}: {floor:>2}  |  negatives {len(neg):>4}: max {highest:.3f}, "
        f"top3 {', '.join(f'{v:.3f}' for v in neg[:3])}, >= lowest positive: {above}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--shared", help="the shared data folder (holds devsets/)")
    parser.add_argument("--all", action="store_true", help="print every pair")
    parser.add_argument("--cache", type=Path, help="keep embeddings in this .npz file between runs")
    parser.add_argument("--model", default=model.BUNDLED)
    parser.add_argument(
        "--cut", type=int, default=0, help="the shorter text of each pair starts this many paragraphs later"
    )
    args = parser.parse_args()
    shared = shared_dir(args.shared)
    if not (shared / "devsets").is_dir():
        print(f"skipped: development sets not found under {shared}")
        return 0
    try:
        vectors = Vectors(embedding.load_embedder(args.model), args.cache)
    except model.EmbedderUnavailable as exc:
        print(f"skipped: {exc}")
        return 0
    pairs: list[Pair] = []
    for name in ("stories", "duplicates"):
        pairs += score_pairs(load_set(shared, name, "event"), vectors, args.cut)
    vectors.save()
    within = [p for p in pairs if p.hours <= 72]
    print(f"cross-language pairs: {len(pairs)} ({sum(p.positive for p in pairs)} positive); within 3 days: "
          f"{len(within)}; embeddings computed {vectors.computed} ({vectors.seconds:.1f} s of CPU)")  # fmt: skip
    for p in sorted(pairs, key=lambda p: (not p.positive, -p.passage)):
        if args.all or p.positive or p.guards_pass or p.hours <= 72:
            show(p)
    print("distributions (negatives at any time apart, as if published together):")
    for cls, chosen in (
        ("all cross-language", pairs),
        ("one family (editions)", [p for p in pairs if p.same_family]),
        ("different publishers", [p for p in pairs if not p.same_family]),
        ("no veto", [p for p in pairs if p.veto is None]),
        ("no veto, one family", [p for p in pairs if p.veto is None and p.same_family]),
        ("every guard passes (one day)", [p for p in pairs if p.guards_pass]),
        ("every guard passes, one family", [p for p in pairs if p.guards_pass and p.same_family]),
    ):
        for key in ("lead", "passage"):
            distribution(cls, chosen, key)
    print("semantic.judge's verdict on the lead or the passage similarity (pairs joined):")
    for cls, chosen in (
        ("one family (editions)", [p for p in pairs if p.same_family]),
        ("different publishers", [p for p in pairs if not p.same_family]),
    ):
        for key in ("by_lead", "by_passage", "by_lead_together", "by_passage_together"):
            pos = sum(getattr(p, key) for p in chosen if p.positive)
            neg = sum(getattr(p, key) for p in chosen if not p.positive)
            print(
                f"  {cls:<24} {key:<20} positives {pos:>3}/{sum(p.positive for p in chosen):<3} "
                f"negatives {neg:>3}/{sum(not p.positive for p in chosen)}"
            )
    print("negatives published within 3 days of each other:")
    for key in ("lead", "passage"):
        distribution("all cross-language, within 3 days", within, key)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
