"""What a reader sees of a match: the words found, not the patterns; names, not codes.

A watch's terms are patterns (``detain*``, ``"Viet Nam"``, ``@boats``' ``tàu`` and ``tàu cá``);
an alert lists what the article actually says, once per concept:

* each term is shown as the words it matched first in the title or text (``detain*`` ->
  ``detained``), found again here with the same folding the matcher uses (case, and accents,
  so ``Viet Nam`` shows as the ``Việt Nam`` the text has);
* forms that fold to the same words are one concept (``Viet Nam`` / ``Việt Nam``), a concept
  inside a longer one is merged into it (``tàu`` into ``tàu cá``), and so are two that overlap
  where they occur (``tàu cá Việt`` and ``Việt Nam`` are ``tàu cá Việt Nam``);
* in the order they first occur in the article.

Also here: the short label a watch puts in front of subjects, and the
choice of snippets that add something to the headline. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from language import fold

MAX_LABEL = 16  # characters of a watch name kept in a subject prefix (then "…")
ELLIPSIS = "…"


def short_label(name: str, label: str = "") -> str:
    """A watch's subject prefix: its ``label``, else its name cut at a word to ``MAX_LABEL``."""
    if label:
        return label
    if len(name) <= MAX_LABEL:
        return name
    words = re.split(r"(?<=[-_ ])", name)
    kept = ""
    for word in words:
        if len(kept) + len(word.rstrip("-_ ")) > MAX_LABEL:
            break
        kept += word
    kept = kept.rstrip("-_ ") or name[:MAX_LABEL]
    return kept + ELLIPSIS


class _Folded:
    """A text folded character by character, with a map back to the original offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        parts, where = [], []
        for i, char in enumerate(text):
            folded = fold(char)
            parts.append(folded)
            where += [i] * len(folded)
        self.folded = "".join(parts)
        self.where = where

    def find(self, pattern: re.Pattern[str]) -> tuple[int, int] | None:
        found = pattern.search(self.folded)
        if found is None or found.end() == found.start():
            return None
        return self.where[found.start()], self.where[found.end() - 1] + 1


def _pattern(term: str) -> re.Pattern[str] | None:
    words = re.findall(r"\w+", fold(term))
    if not words:
        return None
    body = r"[\s\-‐–]+".join(re.escape(w) for w in words)
    tail = r"\w*" if term.rstrip().endswith("*") else ""
    return re.compile(rf"(?<!\w){body}{tail}(?!\w)")


def _key(words: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(words)))


def found_terms(terms: Iterable[str], title: str, text: str) -> list[str]:
    """The words each term matched, one per concept, in the order they occur (see module)."""
    document = _Folded(f"{title}\n{text}" if title else text)
    end_of_text = len(document.text)
    found: dict[tuple[str, ...], tuple[int, int, str]] = {}  # concept -> first (start, end, words)
    for term in terms:
        pattern = _pattern(term)
        span = document.find(pattern) if pattern is not None else None
        start, end = span if span is not None else (end_of_text, end_of_text)
        words = document.text[start:end] if span is not None else term.rstrip("*").strip('"')
        key = _key(words)
        if key and (key not in found or start < found[key][0]):
            found[key] = (start, end, " ".join(words.split()))
    keys = list(found)
    nested = {k for k in keys for other in keys if other != k and _inside(k, other)}
    shown: list[tuple[int, int, str]] = []
    for start, end, words in sorted(found[k] for k in keys if k not in nested):
        if shown and start < shown[-1][1] <= end_of_text and start < end_of_text:
            # Overlapping words of two terms ("tàu cá Việt" + "Việt Nam"): one concept, as written.
            first = shown[-1][0]
            shown[-1] = (first, max(end, shown[-1][1]), " ".join(document.text[first : max(end, shown[-1][1])].split()))
        else:
            shown.append((start, end, words))
    return [words for _, _, words in shown]


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return n < len(long) and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def telling_snippets(snippets: Sequence[Mapping[str, Any]], title: str, keep: int = 2) -> list[dict[str, Any]]:
    """Snippets that add to the headline, at most ``keep``: one whose words are (nearly) all in
    the title repeats it and is left out. Their ellipses are the one ``…`` style."""
    title_words = set(_key(title))
    chosen = []
    for snippet in snippets:
        text = str(snippet.get("text", ""))
        words = _key(text)
        if not words or (title_words and sum(w in title_words for w in words) >= 0.8 * len(words)):
            continue
        chosen.append({"text": text, "spans": [list(span) for span in snippet.get("spans", [])]})
        if len(chosen) == keep:
            break
    return [_one_ellipsis(s) for s in chosen]


def _one_ellipsis(snippet: dict[str, Any]) -> dict[str, Any]:
    """``...`` written as ``…``, offsets of the spans moved to match; none after a full stop."""
    text, spans = snippet["text"], snippet["spans"]
    while "..." in text:
        at = text.index("...")
        text = text[:at] + ELLIPSIS + text[at + 3 :]
        spans = [[s - 2 if s > at else s, e - 2 if e > at else e] for s, e in spans]
    if text.endswith(ELLIPSIS) and text[:-1].rstrip().endswith((".", "!", "?")):
        text = text[:-1].rstrip()  # cut after a whole sentence: nothing is missing from it
    return {"text": text, "spans": spans}
