"""Watch matching: a pure function from an article's text to the watches it matches.

``Matcher.from_config(watches, lists)`` compiles every enabled watch once (the ``query``,
``min_score``, ``accent_insensitive`` and ``languages`` keys of ``[watches.<name>]``, and the
``[lists.<name>]`` term lists); ``Matcher.match(title, text, language)`` returns one ``WatchHit``
per matching watch, with the score, the terms that fired and highlighted snippets. No I/O, no
database: the alerts pipeline stores the hits.

How an article is matched, cheapest step first, so a thousand watches cost little more than one:

1. The title and text are normalised once (``normalize``; ``document`` keeps the offsets, so
   snippets are cut from the original text).
2. The set of its words (Unicode ``\\w+`` runs) is intersected with an index of every word
   of every term: a term can only occur when all its words do. Only watches with such a
   candidate term go further, and only if their query could still be true.
3. For those watches the candidate terms are searched with one regex each (it starts with a
   literal, so the scan runs at C speed, and checks Unicode word boundaries itself), and the
   compiled query is evaluated over the occurrences (``compiler``): NEAR counts words between
   them; sentences and paragraphs are found once per article, and only when a query asks; a
   subtree that several watches share is evaluated once.

The compiled terms and queries belong to the matcher (no process-wide cache): ``rebuild`` makes
the matcher of a changed configuration and compiles only the watches and lists that changed.

Terms match as whole words or phrases: ``nam`` never matches inside ``namđịnh``, and the
words of a phrase may be separated by spaces or hyphens. Accents are exact (``hải quân`` is
not ``hải quan``) unless the watch sets ``accent_insensitive``: then a term written *without*
any diacritics (``Viet Nam``) also matches accented text (``Việt Nam``); terms written with
diacritics stay exact.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from alerts.errors import QueryError, WatchQueryError
from alerts.watches.compiler import CompiledNode, CompiledTerm, Compiler, Evaluation, Lists, lists_key
from alerts.watches.document import Document, Hit, Snippet
from alerts.watches.normalize import FoldedWords, word_set
from config import WatchConfig


@dataclass(frozen=True)
class WatchHit:
    watch: str
    score: float
    terms: tuple[str, ...]
    snippets: tuple[Snippet, ...]

    def to_json(self) -> dict[str, object]:
        """The form ``run.py match`` prints: snippets as text with the terms marked."""
        return {
            "watch": self.watch,
            "score": self.score,
            "terms": list(self.terms),
            "snippets": [s.marked() for s in self.snippets],
        }


@dataclass(frozen=True)
class _Watch:
    config: WatchConfig
    root: CompiledNode
    term_ids: frozenset[int]
    # Necessary condition, checked with a few set operations before the tree is evaluated:
    # every group must have at least one term among the article's candidate terms.
    groups: tuple[frozenset[int], ...]
    more_groups: tuple[frozenset[int], ...]  # all but the first: the index holds that one


class Matcher:
    """Every enabled watch, compiled once; ``match`` is then a pure function of the article."""

    def __init__(self, watches: Sequence[WatchConfig], lists: Lists, *, compiler: Compiler | None = None) -> None:
        self.watches = [w for w in watches if w.enabled]
        self.lists = lists
        self._compiler = compiler or Compiler()
        self._folded = FoldedWords()
        self._compiled: list[_Watch] = []
        key = lists_key(lists)
        with self._compiler.lock:
            for watch in self.watches:
                self._compiled.append(self._compile_watch(watch, key))
            self._terms = self._compiler.terms  # grows only; ids never change
        self._index()

    @classmethod
    def from_config(cls, watches: Sequence[WatchConfig], lists: Lists) -> Matcher:
        """Compile the watches; raise ``WatchQueryError`` (naming the watch's key) for a bad query."""
        return cls(watches, lists)

    def rebuild(self, watches: Sequence[WatchConfig], lists: Lists) -> Matcher:
        """The matcher of a changed configuration: what did not change is not compiled again.

        The two share compiled terms and queries; this one keeps matching meanwhile.
        """
        return Matcher(watches, lists, compiler=self._compiler)

    def _compile_watch(self, watch: WatchConfig, lists_key: str) -> _Watch:
        try:
            root = self._compiler.query(watch.query, watch.accent_insensitive, self.lists, lists_key)
        except QueryError as exc:
            raise WatchQueryError(watch.name, exc) from None
        groups = tuple(sorted(root.groups, key=len))
        return _Watch(watch, root, self._compiler.term_ids(root), groups, groups[1:])

    def _index(self) -> None:
        """word -> terms anchored on it, per text form; term -> watches using it."""
        used = sorted(set().union(*(w.term_ids for w in self._compiled)))
        terms = [self._terms[t] for t in used]
        # One-word terms per word, per text form (exact, accent-folded): found with set operations.
        self._simple: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        # The other terms, (term, its other words) per anchor word, per text form.
        self._anchors: tuple[dict[str, list[tuple[CompiledTerm, tuple[str, ...]]]], ...] = ({}, {})
        # Lone wildcard words, per text form: stem length -> stem -> term ids.
        self._stem_only: tuple[dict[int, dict[str, list[int]]], ...] = ({}, {})
        self._has_folded = any(t.folded for t in terms)
        # Anchor each term on its word that the fewest terms share ("malaysia" is in dozens of
        # terms, "thực" in few), so a common word in the text wakes few terms to check.
        shared = Counter(w for term in terms for w in term.words)
        for term in terms:
            if not term.words:
                by_length = self._stem_only[term.folded].setdefault(len(term.prefix), {})
                by_length.setdefault(term.prefix, []).append(term.id)
                continue
            anchor = min(term.words, key=lambda w: (shared[w], -len(w)))
            others = tuple(w for w in term.words if w != anchor)
            if not others and not term.prefix:
                self._simple[term.folded].setdefault(anchor, []).append(term.id)
            else:
                self._anchors[term.folded].setdefault(anchor, []).append((term, others))
        self._compiled.sort(key=lambda w: w.config.name)
        self._simple_words = tuple(frozenset(self._simple[f]) for f in (0, 1))
        self._anchor_words = tuple(frozenset(self._anchors[f]) for f in (0, 1))
        self._stem_count = tuple(sum(len(s) for s in by_length.values()) for by_length in self._stem_only)
        # A watch is woken only when its two smallest required groups both have a candidate term
        # (no other term alone can make it true): two unions and an intersection of sets, so the
        # thousand watches that share a common word cost no Python loop.
        # (Without any group, only possible with NOT inside OR, any of its terms wakes it.)
        first: dict[int, list[int]] = {}
        second: dict[int, list[int]] = {}
        single = []
        for index, watch in enumerate(self._compiled):
            for tid in watch.groups[0] if watch.groups else watch.term_ids:
                first.setdefault(tid, []).append(index)
            if len(watch.groups) > 1:
                for tid in watch.groups[1]:
                    second.setdefault(tid, []).append(index)
            else:
                single.append(index)
        self._wake = {tid: frozenset(indexes) for tid, indexes in first.items()}
        self._wake_second = {tid: frozenset(indexes) for tid, indexes in second.items()}
        self._wakers, self._second_wakers = frozenset(first), frozenset(second)
        self._single_group = frozenset(single)

    # ------------------------------------------------------------------ matching

    def match(self, title: str, text: str, language: str | None = None) -> list[WatchHit]:
        doc = Document(title or "", text or "", language)
        candidates = self._candidate_terms(doc)
        if not candidates:
            return []
        chosen = set().union(*map(self._wake.__getitem__, candidates & self._wakers))
        if len(chosen) > 1:  # (a lone watch has its second group checked below, at the same cost)
            chosen &= self._single_group.union(*map(self._wake_second.__getitem__, candidates & self._second_wakers))
        hits: list[WatchHit] = []
        evaluation = Evaluation(doc, candidates, self._terms)
        compiled = self._compiled
        for index in sorted(chosen):  # watches in name order: stable output
            watch = compiled[index]
            config = watch.config
            if language and config.languages and language not in config.languages:
                continue
            for group in watch.more_groups:  # the first group holds the term that woke it
                if group.isdisjoint(candidates):
                    break
            else:
                ok, found = evaluation.of(watch.root)
                if ok and found:
                    hit = self._hit(config, found, doc)
                    if hit.score >= config.min_score:
                        hits.append(hit)
        return hits

    def _candidate_terms(self, doc: Document) -> set[int]:
        """Terms all of whose words occur in the article (so they may occur as a whole).

        Wildcard stems are looked up among the text words' first letters. Per text form: the
        words as written, and (for accent-insensitive terms) also without their accents.
        """
        words = _Words(doc.norm, self._folded if self._has_folded else None)
        doc.from_accents = words.from_accents
        found: set[int] = set()
        for folded, present in enumerate(words.forms):
            simple = self._simple[folded]
            # A set with a set: CPython iterates the smaller one (a dict would be walked whole).
            hit_words = present & self._simple_words[folded]
            if hit_words:  # one-word terms: nothing more to check, and no Python loop
                found.update(*map(simple.__getitem__, hit_words))
            anchors = self._anchors[folded]
            for word in present & self._anchor_words[folded]:
                for term, others in anchors[word]:
                    if others and not present.issuperset(others):
                        continue
                    if term.prefix and not words.has_prefix(folded, term.prefix):
                        continue
                    found.add(term.id)
            # Lone wildcard words: either each stem length's set of the words' first letters,
            # or each stem looked up in the sorted words, whichever takes fewer steps.
            by_length = self._stem_only[folded]
            if not by_length:
                continue
            if len(by_length) * len(present) <= 2 * len(present) + 10 * self._stem_count[folded]:
                for length, stems in by_length.items():
                    for stem in words.stems(folded, length).intersection(stems):
                        found.update(stems[stem])
            else:
                for stems in by_length.values():
                    for stem, ids in stems.items():
                        if words.has_prefix(folded, stem):
                            found.update(ids)
        return found

    def _hit(self, config: WatchConfig, hits: list[Hit], doc: Document) -> WatchHit:
        """Score: per distinct term, boost x (1 + ln occurrences), plus its boost again if in the title."""
        unique = sorted(set(hits))
        by_term: dict[int, list[Hit]] = {}
        for hit in unique:
            by_term.setdefault(hit[2], []).append(hit)
        score = 0.0
        for term_hits in by_term.values():
            boost = max(h[3] for h in term_hits)
            score += boost * (1 + math.log(len(term_hits)))
            if any(h[1] <= doc.title_end for h in term_hits):
                score += boost
        labels = tuple(self._terms[tid].label for tid in sorted(by_term, key=lambda t: by_term[t][0][0]))
        return WatchHit(config.name, round(score, 2), labels, doc.snippets(unique))


class _Words:
    """The distinct words of one article, per text form, and what the candidate search asks of them.

    Form 0 is the words as written; form 1 adds each accented word without its accents (for
    accent-insensitive terms). Sorted words and stem sets are built on first use.
    """

    def __init__(self, text: str, folded: FoldedWords | None) -> None:
        present = word_set(text)
        self.forms = [present]
        self.from_accents: set[str] = set()  # accented words of the text, without their accents
        if folded is not None:  # some term is accent-insensitive; only non-ASCII words change
            self.from_accents = folded.fold(set(itertools.filterfalse(str.isascii, present)))
            self.forms.append(present | self.from_accents)
        self._sorted: dict[int, list[str]] = {}
        self._stems: dict[tuple[int, int], set[str]] = {}

    def has_prefix(self, form: int, stem: str) -> bool:
        """Whether some word (in this form) starts with ``stem``."""
        words = self._sorted.get(form)
        if words is None:
            words = self._sorted[form] = sorted(self.forms[form])
        i = bisect.bisect_left(words, stem)
        return i < len(words) and words[i].startswith(stem)

    def stems(self, form: int, length: int) -> set[str]:
        """The first ``length`` characters of every word (in this form)."""
        stems = self._stems.get((form, length))
        if stems is None:
            stems = self._stems[form, length] = set(map(operator.itemgetter(slice(None, length)), self.forms[form]))
        return stems
