#!/usr/bin/env python3
"""Accuracy of language detection (``language.detect_language``) on the devsets' texts.

Every text of ``../shared/devsets`` (relevance items, duplicate and story group members) is
labelled with its language. Each is detected three ways, as the crawler meets them:

* ``full``: title and body (an article page);
* ``lead``: title and the first 200 characters (a brief, a wire item, a short page);
* ``declared``: the full text, detection limited to the languages of a multilingual outlet that
  publishes the text's language and one other (``en`` + ``ms`` for Malay and English texts,
  ``en`` + the text's language for the others).

Prints one row per language: texts, right, ``unknown`` (no answer: what the detector says when
unsure rather than guessing) and wrong (with the wrong answers), then totals. A wrong answer is
what costs a user (a German page stored as ``en``); ``unknown`` is honest. ``--show`` prints
every text not detected right. Ends with the process's peak memory (the models loaded).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from language import detect_language  # noqa: E402


def load_texts(shared: Path) -> list[tuple[str, str, str]]:
    """(id, language, title + text) of every labelled text in the devsets."""
    texts = []
    for path in sorted((shared / "devsets").glob("*/*.json")):
        data = json.loads(path.read_text())
        members = data.get("members") or [data]
        for i, member in enumerate(members):
            body = f"{member.get('title') or ''}\n{member['text']}".strip()
            texts.append((f"{path.parent.name}/{path.stem}/{i}", member["lang"], body))
    return texts


def declared_for(language: str) -> tuple[str, ...]:
    return ("en", "ms") if language in ("en", "ms") else ("en", language)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--show", action="store_true", help="print every text not detected right")
    args = parser.parse_args()
    texts = load_texts(args.shared)
    detect_language("warm up the detector before timing anything")
    modes = {
        "full": lambda lang, text: detect_language(text),
        "lead": lambda lang, text: detect_language(text[:200]),
        "declared": lambda lang, text: detect_language(text, among=declared_for(lang)),
    }
    for mode, run in modes.items():
        rows: dict[str, Counter[str]] = {}
        misses = []
        started = time.perf_counter()
        for item_id, lang, text in texts:
            got = run(lang, text)
            outcome = "right" if got == lang else "unknown" if got is None else f"wrong:{got}"
            rows.setdefault(lang, Counter())[outcome] += 1
            if got != lang:
                misses.append((item_id, lang, got, text[:90].replace("\n", " ")))
        elapsed = (time.perf_counter() - started) / len(texts) * 1000
        print(f"\n{mode}: {len(texts)} texts, {elapsed:.1f} ms per text")
        print(f"  {'lang':<5} {'texts':>5} {'right':>5} {'unknown':>7} {'wrong':>5}  wrong answers")
        total: Counter[str] = Counter()
        for lang in sorted(rows, key=lambda k: -sum(rows[k].values())):
            row = rows[lang]
            wrong = {k.split(":")[1]: v for k, v in row.items() if k.startswith("wrong:")}
            n = sum(row.values())
            total.update({"texts": n, "right": row["right"], "unknown": row["unknown"], "wrong": sum(wrong.values())})
            shown = ", ".join(f"{k} {v}" for k, v in sorted(wrong.items()))
            print(f"  {lang:<5} {n:>5} {row['right']:>5} {row['unknown']:>7} {sum(wrong.values()):>5}  {shown}")
        accuracy = total["right"] / total["texts"]
        print(
            f"  {'all':<5} {total['texts']:>5} {total['right']:>5} {total['unknown']:>7} {total['wrong']:>5}"
            f"  accuracy {accuracy:.1%}, wrong {total['wrong'] / total['texts']:.1%}"
        )
        if args.show:
            for item_id, lang, got, lead in misses:
                print(f"    {item_id}: {lang} -> {got or 'unknown'}: {lead}")
    print(f"\npeak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
