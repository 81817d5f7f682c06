"""One article prepared for matching: where terms occur, what is near what, and the snippets.

``Document`` holds the article's text in its original and its normalised form (see
``normalize``) and computes everything costly on first use: the occurrences of a term (one
regex search each, cached per term), sentence and paragraph boundaries (only when a query asks
for NEAR/s or NEAR/p), and finally up to three snippets (``Snippet``) around the hits that explain a
match. Hits are ``(start, end, term id, boost)`` in the normalised text. Reads no configuration.
"""

from __future__ import annotations

import bisect
import operator
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from alerts.watches.normalize import WORD_RE, straighten

if TYPE_CHECKING:
    from alerts.watches.compiler import CompiledTerm

_SENTENCE_CHAR_RE = re.compile(r"[.!?…\n]")
_SENTENCE_TAIL = frozenset(".!?…\"'”’»)]")
_NEWLINE_RE = re.compile(r"\n")
_ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "capt", "maj", "adm", "cdr", "sgt", "gov"),
        *("sen", "rep", "st", "no", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept"),
        *("oct", "nov", "dec", "bhd", "sdn", "inc", "ltd", "co", "corp", "jr", "sr", "dato", "datuk", "tan"),
        *("sri", "hj", "mt"),
    }
)
SNIPPET_WIDTH = 200
MAX_SNIPPETS = 3

# A hit: (start, end, term id, boost) in the normalised document.
Hit = tuple[int, int, int, float]


@dataclass(frozen=True)
class Snippet:
    """A short excerpt; ``spans`` are (start, end) offsets of matched terms within ``text``."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def marked(self, before: str = "**", after: str = "**") -> str:
        out, pos = [], 0
        for start, end in self.spans:
            out += [self.text[pos:start], before, self.text[start:end], after]
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


class Document:
    """One article prepared for matching; everything costly is computed on first use."""

    def __init__(self, title: str, text: str, language: str | None) -> None:
        title = " ".join(title.split())
        self.original = unicodedata.normalize("NFC", f"{title}\n\n{text}" if title else text)
        self.title_end = len(title) if title else -1
        self.body_start = len(title) + 2 if title else 0
        self.language = language
        folded = self.original.casefold()
        self._offsets: list[int] | None = None
        if len(folded) != len(self.original):  # ß -> ss and friends: map offsets back
            chars, offsets = [], []
            for i, ch in enumerate(self.original):
                lower = ch.casefold()
                chars.append(lower)
                offsets += [i] * len(lower)
            offsets.append(len(self.original))
            folded, self._offsets = "".join(chars), offsets
        self.norm = straighten(folded)
        self._cache: dict[int, list[tuple[int, int]]] = {}
        self.from_accents: set[str] = set()  # accented words of the text, without their accents
        self._accented_sorted: list[str] | None = None
        self._units: dict[str, list[int]] = {}

    def accented_prefix(self, stem: str) -> bool:
        """Whether an accented word of the text, without its accents, starts with ``stem``."""
        if self._accented_sorted is None:
            self._accented_sorted = sorted(self.from_accents)
        words = self._accented_sorted
        i = bisect.bisect_left(words, stem)
        return i < len(words) and words[i].startswith(stem)

    def occurrences(self, term: CompiledTerm, field: str | None, boost: float) -> list[Hit]:
        spans = self._cache.get(term.id)
        if spans is None:
            spans = self._cache[term.id] = self._find(term)
        if field == "title":
            spans = [s for s in spans if s[1] <= self.title_end]
        elif field == "body":
            spans = [s for s in spans if s[0] >= self.body_start]
        return [(s, e, term.id, boost) for s, e in spans]

    def _find(self, term: CompiledTerm) -> list[tuple[int, int]]:
        regex = term.regex() if term.needs_folding(self) else term.exact_regex()
        return [m.span() for m in regex.finditer(self.norm)]

    # ---------------------------------------------------------------- proximity

    def not_near(self, left: list[Hit], right: list[Hit], unit: str, distance: int) -> list[Hit]:
        """Hits of the left side that have no partner on the right side that close."""
        paired = set(self.near(left, right, unit, distance))
        return [h for h in left if h not in paired]

    def near(self, left: list[Hit], right: list[Hit], unit: str, distance: int) -> list[Hit]:
        """Hits of either side that have a partner on the other side close enough."""
        keep: set[Hit] = set()
        if unit == "words":
            ordered = sorted(right, key=_start)  # by start only: ties need no order here
            starts = [h[0] for h in ordered]
            # Characters are a cheap first cut: n words with their gaps average under 25
            # characters each in any news text, and k words need at least 2k - 1 characters.
            reach = (distance + 1) * 25
            for a in left:
                lo = bisect.bisect_left(starts, a[0] - reach)
                hi = bisect.bisect_right(starts, a[1] + reach)
                for b in ordered[lo:hi]:
                    gap = b[0] - a[1] if a[0] <= b[0] else a[0] - b[1]
                    if gap < 0:
                        continue  # overlapping: one piece of text cannot be on both sides
                    if (a[0] < self.body_start) != (b[0] < self.body_start):
                        continue  # the title and the body are not near each other
                    if (gap + 1) // 2 <= distance or self._words_between(a, b) <= distance:
                        keep.add(a)
                        keep.add(b)
        else:
            unit_of = self._unit_finder(unit)
            right_units: dict[int, list[Hit]] = {}
            for b in right:
                right_units.setdefault(unit_of(b[0]), []).append(b)
            for a in left:
                for b in right_units.get(unit_of(a[0]), ()):
                    if b[1] <= a[0] or a[1] <= b[0]:
                        keep.add(a)
                        keep.add(b)
        return list(keep)  # in no order: every consumer sorts or tests membership

    def _words_between(self, a: Hit, b: Hit) -> int:
        first, second = (a, b) if a[0] <= b[0] else (b, a)
        if second[0] < first[1]:
            return 1 << 30  # overlapping: one piece of text cannot be on both sides
        if (first[0] < self.body_start) != (second[0] < self.body_start):
            return 1 << 30  # the title and the body are not near each other
        return len(WORD_RE.findall(self.norm, first[1], second[0]))

    def _unit_finder(self, unit: str) -> _UnitOf:
        bounds = self._units.get(unit)
        if bounds is None:
            bounds = self._units[unit] = self._boundaries(unit)
        return _UnitOf(bounds)

    def _boundaries(self, unit: str) -> list[int]:
        text = self.norm
        if unit == "paragraph":
            return [m.start() for m in _NEWLINE_RE.finditer(text)]
        # Candidates by a one-character class (a fast scan), then the checks in Python: a run of
        # . ! ? … and closing quotes or brackets, followed by a space; not an abbreviation.
        bounds = []
        end_of_text = len(text)
        skip_to = 0
        for match in _SENTENCE_CHAR_RE.finditer(text):
            at = match.start()
            if at < skip_to:
                continue
            if text[at] == "\n":
                bounds.append(at)
                continue
            end = at + 1
            while end < end_of_text and text[end] in _SENTENCE_TAIL:
                end += 1
            skip_to = end
            if end < end_of_text and not text[end].isspace():
                continue  # "1.5", "U.S.A", "vnexpress.net": not an end
            if text[at] == ".":
                word_start = at
                while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
                    word_start -= 1
                before = text[word_start:at]
                if len(before) == 1 or before in _ABBREVIATIONS or "." in before:
                    continue  # "Dr." "U.S." "A. Rahman": not the end of a sentence
            bounds.append(end - 1)
        return bounds

    # ---------------------------------------------------------------- snippets

    def snippets(self, hits: list[Hit]) -> tuple[Snippet, ...]:
        """Up to three short excerpts, preferring the ones where the most distinct terms meet."""
        spans = sorted({(h[0], h[1], h[2]) for h in hits})
        clusters: list[list[tuple[int, int, int]]] = []
        for span in spans:
            if (
                clusters
                and span[1] - clusters[-1][0][0] <= SNIPPET_WIDTH
                and ((span[0] < self.body_start) == (clusters[-1][0][0] < self.body_start))
            ):
                clusters[-1].append(span)
            else:
                clusters.append([span])
        ranked = sorted(clusters, key=lambda c: (-len({s[2] for s in c}), -len(c), c[0][0]))[:MAX_SNIPPETS]
        return tuple(self._snippet(c) for c in sorted(ranked, key=lambda c: c[0][0]))

    def _snippet(self, cluster: list[tuple[int, int, int]]) -> Snippet:
        first, last = cluster[0][0], max(s[1] for s in cluster)
        segment_start, segment_end = (
            (0, self.title_end) if first < self.body_start else (self.body_start, len(self.norm))
        )
        pad = max(30, (SNIPPET_WIDTH - (last - first)) // 2)
        lo, hi = max(segment_start, first - pad), min(segment_end, last + pad)
        while lo > segment_start and not self.norm[lo - 1].isspace() and first - lo < pad + 20:
            lo -= 1
        while hi < segment_end and not self.norm[hi].isspace() and hi - last < pad + 20:
            hi += 1
        o_lo, o_hi = self._original(lo), self._original(hi)
        text = self.original[o_lo:o_hi].replace("\n", " ")  # same length: the marks stay in place
        lead = "…" if lo > segment_start else ""
        tail = "…" if hi < segment_end else ""
        marks: list[tuple[int, int]] = []
        for start, end, _ in cluster:
            s, e = self._original(start) - o_lo + len(lead), self._original(end) - o_lo + len(lead)
            if marks and s < marks[-1][1]:
                marks[-1] = (marks[-1][0], max(marks[-1][1], e))
            else:
                marks.append((s, e))
        stripped = text.strip()
        shift = len(text) - len(text.lstrip())
        if shift or len(stripped) != len(text):
            marks = [(s - shift, e - shift) for s, e in marks]
            text = stripped
        return Snippet(lead + text + tail, tuple(marks))

    def _original(self, offset: int) -> int:
        return offset if self._offsets is None else self._offsets[offset]


_start = operator.itemgetter(0)


class _UnitOf:
    """Maps an offset to the index of the sentence or paragraph holding it."""

    __slots__ = ("bounds",)

    def __init__(self, bounds: list[int]) -> None:
        self.bounds = bounds

    def __call__(self, offset: int) -> int:
        return bisect.bisect_right(self.bounds, offset)
