"""Watch matching: a pure function from an article's text to the watches it matches.

``Matcher.from_config(watches, lists)`` compiles every enabled watch once (the ``query``,
``min_score``, ``accent_insensitive`` and ``languages`` keys of ``[watches.<name>]``, and the
``[lists.<name>]`` term lists); ``Matcher.match(title, text, language)`` returns one ``WatchHit``
per matching watch, with the score, the terms that fired and highlighted snippets. No I/O, no
database: the alerts pipeline stores the hits.

How an article is matched, cheapest step first, so a thousand watches cost little more than one:

1. The title and text are normalised once (Unicode NFC, case-folded, curly quotes made
   straight; every step keeps character offsets, so snippets are cut from the original text).
2. The set of its words (Unicode ``\\w+`` runs) is intersected with an index of every word
   of every term: a term can only occur when all its words do. Only watches with such a
   candidate term go further, and only if their query could still be true.
3. For those watches the candidate terms are searched with one regex each (literal prefix,
   so the scan is C-speed), checked against Unicode word boundaries, and the query tree is
   evaluated over the occurrences (NEAR counts words between them; sentences and
   paragraphs are found once per article, and only when a query asks).

Terms match as whole words or phrases: ``nam`` never matches inside ``namđịnh``, and the
words of a phrase may be separated by spaces or hyphens. Accents are exact (``hải quân`` is
not ``hải quan``) unless the watch sets ``accent_insensitive``: then a term written *without*
any diacritics (``Viet Nam``) also matches accented text (``Việt Nam``); terms written with
diacritics stay exact.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from alerts import query as q
from alerts.query import QueryError
from config import WatchConfig
from storage.text import strip_diacritics

_WORD_RE = re.compile(r"\w+")
# Same-length replacements only: offsets into the normalised text are offsets into the original.
_PUNCT = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u00a0": " ", "\u2009": " ", "\u202f": " "})
_PHRASE_GAP = r"(?:\s*[-‐‑–—]\s*|\s+)"
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n")
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


def _build_strip_table() -> dict[int, str]:
    """Precomposed Latin letters -> their base letter, one character for one (offsets survive)."""
    table: dict[int, str] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        base = strip_diacritics(char)
        if base != char and len(base) == 1:
            table[code] = base
    return table


_STRIP_TABLE = _build_strip_table()


def fold_accents(text: str) -> str:
    """Diacritics removed from NFC text without changing its length (``Việt`` -> ``Viet``)."""
    return text.translate(_STRIP_TABLE)


def normalize_text(text: str) -> str:
    """NFC, case-folded, straight quotes: the form both terms and articles are matched in."""
    return unicodedata.normalize("NFC", text).casefold().translate(_PUNCT)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


# --------------------------------------------------------------------------- results


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


class WatchQueryError(QueryError):
    """A watch's query does not parse or names an unknown list; ``key`` is its config key."""

    def __init__(self, watch: str, error: QueryError) -> None:
        super().__init__(error.message, error.position, error.query)
        self.watch = watch
        self.key = f"watches.{watch}.query"


# --------------------------------------------------------------------------- compiled form


@dataclass(frozen=True)
class _Term:
    id: int
    label: str  # as written in the query or the list
    pattern: re.Pattern[str]
    anchor: str  # a word that must be in the text ("" for a lone wildcard word)
    others: tuple[str, ...]  # the other whole words that must be in it
    prefix: str  # the wildcard word's stem, or ""
    folded: bool  # searched in the accent-folded text
    starts_word: bool
    ends_word: bool


class _Node:
    __slots__ = ()


class _TermNode(_Node):
    __slots__ = ("boost", "field", "tid")

    def __init__(self, tid: int, field: str | None, boost: float) -> None:
        self.tid, self.field, self.boost = tid, field, boost


class _AllNode(_Node):
    __slots__ = ("children",)

    def __init__(self, children: list[_Node]) -> None:
        self.children = children


class _AnyNode(_Node):
    __slots__ = ("children",)

    def __init__(self, children: list[_Node]) -> None:
        self.children = children


class _NotNode(_Node):
    __slots__ = ("child",)

    def __init__(self, child: _Node) -> None:
        self.child = child


class _NearNode(_Node):
    __slots__ = ("distance", "left", "negated", "right", "unit")

    def __init__(self, left: _Node, right: _Node, unit: str, distance: int, negated: bool) -> None:
        self.left, self.right, self.unit, self.distance, self.negated = left, right, unit, distance, negated


class _LangNode(_Node):
    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code


@dataclass(frozen=True)
class _Watch:
    config: WatchConfig
    root: _Node
    term_ids: frozenset[int]


# A hit: (start, end, term id, boost) in the normalised document.
_Hit = tuple[int, int, int, float]


class Matcher:
    """Every enabled watch, compiled once; ``match`` is then a pure function of the article."""

    def __init__(self, watches: Sequence[WatchConfig], lists: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self.watches = [w for w in watches if w.enabled]
        self.lists = lists
        self._terms: list[_Term] = []
        self._term_keys: dict[tuple[str, bool], int] = {}
        self._compiled: list[_Watch] = []
        for watch in self.watches:
            self._compiled.append(self._compile_watch(watch, watch.query))
        self._index()

    @classmethod
    def from_config(cls, watches: Sequence[WatchConfig], lists: Mapping[str, Mapping[str, Sequence[str]]]) -> Matcher:
        return cls(watches, lists)

    # ------------------------------------------------------------------ compiling

    def _compile_watch(self, watch: WatchConfig, text: str) -> _Watch:
        try:
            ast = q.parse(text)
            root = self._compile(ast, watch.accent_insensitive, text)
        except QueryError as exc:
            raise WatchQueryError(watch.name, exc) from None
        ids = frozenset(n.tid for n in _walk(root) if isinstance(n, _TermNode))
        return _Watch(watch, root, ids)

    def _compile(self, node: q.Node, accent_insensitive: bool, text: str) -> _Node:
        if isinstance(node, q.Term):
            tid = self._term(node.text + ("*" if node.prefix else ""), accent_insensitive)
            return _TermNode(tid, node.field, node.boost)
        if isinstance(node, q.ListRef):
            variants = self.lists.get(node.name)
            if variants is None:
                known = ", ".join("@" + n for n in sorted(self.lists)) or "none are defined"
                raise QueryError(f"unknown list @{node.name}: expected one of {known}", node.position, text)
            if node.language is not None:
                if node.language not in variants:
                    raise QueryError(
                        f"list @{node.name} has no {node.language!r} variant: expected one of "
                        f"{', '.join(sorted(variants))}",
                        node.position,
                        text,
                    )
                words: Iterable[str] = variants[node.language]
            else:
                words = [w for language in variants for w in variants[language]]
            tids = list(dict.fromkeys(self._term(w, accent_insensitive, node.position, text) for w in words))
            if not tids:
                raise QueryError(f"list @{node.name} is empty", node.position, text)
            children: list[_Node] = [_TermNode(t, node.field, node.boost) for t in tids]
            return children[0] if len(children) == 1 else _AnyNode(children)
        if isinstance(node, q.And):
            return _AllNode([self._compile(c, accent_insensitive, text) for c in node.children])
        if isinstance(node, q.Or):
            return _AnyNode([self._compile(c, accent_insensitive, text) for c in node.children])
        if isinstance(node, q.Not):
            return _NotNode(self._compile(node.child, accent_insensitive, text))
        if isinstance(node, q.Near):
            return _NearNode(
                self._compile(node.left, accent_insensitive, text),
                self._compile(node.right, accent_insensitive, text),
                node.unit,
                node.distance,
                node.negated,
            )
        return _LangNode(node.code)

    def _term(self, written: str, accent_insensitive: bool, position: int = 0, query: str = "") -> int:
        """The id of a compiled term, shared by every watch and list that uses it."""
        norm = " ".join(normalize_text(written).split())
        folded = accent_insensitive and fold_accents(norm) == norm
        key = (norm, folded)
        if key in self._term_keys:
            return self._term_keys[key]
        prefix_term = norm.endswith("*")
        body = norm.rstrip("*").rstrip()
        words = _WORD_RE.findall(body)
        if not words:
            raise QueryError(f"term {written!r} has no letters or digits", position, query)
        pattern = _PHRASE_GAP.join(re.escape(piece) for piece in body.split())
        stem = ""
        if prefix_term:
            pattern += r"\w*"
            stem = words.pop()
        anchor = max(words, key=len) if words else ""
        others = tuple(w for w in dict.fromkeys(words) if w != anchor)
        term = _Term(
            id=len(self._terms),
            label=written.strip(),
            pattern=re.compile(pattern),
            anchor=anchor,
            others=others,
            prefix=stem,
            folded=folded,
            starts_word=_is_word_char(body[0]),
            ends_word=prefix_term or _is_word_char(body[-1]),
        )
        self._terms.append(term)
        self._term_keys[key] = term.id
        return term.id

    def _index(self) -> None:
        """word -> terms anchored on it, per text form; term -> watches using it."""
        self._anchors: tuple[dict[str, list[_Term]], dict[str, list[_Term]]] = ({}, {})
        self._stem_only: list[_Term] = []
        self._has_folded = any(t.folded for t in self._terms)
        for term in self._terms:
            if term.anchor:
                self._anchors[term.folded].setdefault(term.anchor, []).append(term)
            else:
                self._stem_only.append(term)
        self._watches_by_term: list[list[_Watch]] = [[] for _ in self._terms]
        for watch in self._compiled:
            for tid in watch.term_ids:
                self._watches_by_term[tid].append(watch)

    def compile_query(self, name: str, text: str, accent_insensitive: bool = False) -> Matcher:
        """A matcher for one ad-hoc query (``backtest --query``), sharing this one's lists."""
        return Matcher([WatchConfig(name=name, query=text, accent_insensitive=accent_insensitive)], self.lists)

    # ------------------------------------------------------------------ matching

    def match(self, title: str, text: str, language: str | None = None) -> list[WatchHit]:
        doc = _Document(title or "", text or "", language)
        candidates = self._candidate_terms(doc)
        if not candidates:
            return []
        watches: dict[int, _Watch] = {}
        for tid in candidates:
            for watch in self._watches_by_term[tid]:
                watches[id(watch)] = watch
        hits: list[WatchHit] = []
        for watch in sorted(watches.values(), key=lambda w: w.config.name):
            config = watch.config
            if config.languages and language and language not in config.languages:
                continue
            if not _possible(watch.root, candidates, language):
                continue
            ok, found = self._evaluate(watch.root, doc)
            if not ok or not found:
                continue
            hit = self._hit(config, found, doc)
            if hit.score >= config.min_score:
                hits.append(hit)
        return hits

    def _candidate_terms(self, doc: _Document) -> set[int]:
        present = set(_WORD_RE.findall(doc.norm))
        found: set[int] = set()
        forms = [(present, self._anchors[False])]
        if self._has_folded:
            forms.append(({fold_accents(w) for w in present}, self._anchors[True]))
        ordered: dict[bool, list[str]] = {}  # sorted words, for wildcard stems; built on first need
        for words, anchors in forms:
            for word in words.intersection(anchors):
                for term in anchors[word]:
                    if all(o in words for o in term.others) and (not term.prefix or _has_prefix(ordered, forms, term)):
                        found.add(term.id)
        for term in self._stem_only:
            if _has_prefix(ordered, forms, term):
                found.add(term.id)
        return found

    def _evaluate(self, node: _Node, doc: _Document) -> tuple[bool, list[_Hit]]:
        if isinstance(node, _TermNode):
            hits = doc.occurrences(self._terms[node.tid], node.field, node.boost)
            return bool(hits), hits
        if isinstance(node, _AllNode):
            collected: list[_Hit] = []
            for child in node.children:
                ok, hits = self._evaluate(child, doc)
                if not ok:
                    return False, []
                collected += hits
            return True, collected
        if isinstance(node, _AnyNode):
            collected, any_ok = [], False
            for child in node.children:
                ok, hits = self._evaluate(child, doc)
                if ok:
                    any_ok = True
                    collected += hits
            return any_ok, collected
        if isinstance(node, _NotNode):
            ok, _ = self._evaluate(node.child, doc)
            return not ok, []
        if isinstance(node, _NearNode):
            ok, left = self._evaluate(node.left, doc)
            if not ok:
                return False, []
            ok, right = self._evaluate(node.right, doc)
            if node.negated:
                hits = doc.not_near(left, right, node.unit, node.distance) if ok else left
                return bool(hits), hits
            if not ok:
                return False, []
            hits = doc.near(left, right, node.unit, node.distance)
            return bool(hits), hits
        assert isinstance(node, _LangNode)
        return doc.language == node.code, []

    def _hit(self, config: WatchConfig, hits: list[_Hit], doc: _Document) -> WatchHit:
        """Score: per distinct term, boost x (1 + ln occurrences), plus its boost again if in the title."""
        unique = sorted(set(hits))
        by_term: dict[int, list[_Hit]] = {}
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


def _walk(node: _Node) -> Iterable[_Node]:
    yield node
    if isinstance(node, _AllNode | _AnyNode):
        for child in node.children:
            yield from _walk(child)
    elif isinstance(node, _NotNode):
        yield from _walk(node.child)
    elif isinstance(node, _NearNode):
        yield from _walk(node.left)
        yield from _walk(node.right)


def _possible(node: _Node, candidates: set[int], language: str | None) -> bool:
    """Could the query be true, judging only by which terms might occur? (NOT always could.)"""
    if isinstance(node, _TermNode):
        return node.tid in candidates
    if isinstance(node, _AllNode):
        return all(_possible(c, candidates, language) for c in node.children)
    if isinstance(node, _AnyNode):
        return any(_possible(c, candidates, language) for c in node.children)
    if isinstance(node, _NearNode):
        return _possible(node.left, candidates, language) and (
            node.negated or _possible(node.right, candidates, language)
        )
    if isinstance(node, _LangNode):
        return language == node.code
    return True


def _has_prefix(ordered: dict[bool, list[str]], forms: Sequence[tuple[set[str], object]], term: _Term) -> bool:
    """Whether some word of the text (in the term's form) starts with the term's wildcard stem."""
    if term.folded not in ordered:
        ordered[term.folded] = sorted(forms[term.folded][0])
    words = ordered[term.folded]
    i = bisect.bisect_left(words, term.prefix)
    return i < len(words) and words[i].startswith(term.prefix)


# --------------------------------------------------------------------------- one article


class _Document:
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
        self.norm = folded.translate(_PUNCT)
        self._accent_folded: str | None = None
        self._cache: dict[int, list[tuple[int, int]]] = {}
        self._units: dict[str, list[int]] = {}

    def occurrences(self, term: _Term, field: str | None, boost: float) -> list[_Hit]:
        spans = self._cache.get(term.id)
        if spans is None:
            spans = self._cache[term.id] = self._find(term)
        if field == "title":
            spans = [s for s in spans if s[1] <= self.title_end]
        elif field == "body":
            spans = [s for s in spans if s[0] >= self.body_start]
        return [(s, e, term.id, boost) for s, e in spans]

    def _find(self, term: _Term) -> list[tuple[int, int]]:
        if term.folded:
            if self._accent_folded is None:
                self._accent_folded = fold_accents(self.norm)
            text = self._accent_folded
        else:
            text = self.norm
        end_of_text = len(text)
        spans = []
        for match in term.pattern.finditer(text):
            start, end = match.span()
            if term.starts_word and start > 0 and _is_word_char(text[start - 1]):
                continue
            if term.ends_word and end < end_of_text and _is_word_char(text[end]):
                continue
            spans.append((start, end))
        return spans

    # ---------------------------------------------------------------- proximity

    def not_near(self, left: list[_Hit], right: list[_Hit], unit: str, distance: int) -> list[_Hit]:
        """Hits of the left side that have no partner on the right side that close."""
        paired = set(self.near(left, right, unit, distance))
        return [h for h in left if h not in paired]

    def near(self, left: list[_Hit], right: list[_Hit], unit: str, distance: int) -> list[_Hit]:
        """Hits of either side that have a partner on the other side close enough."""
        keep: set[_Hit] = set()
        if unit == "words":
            ordered = sorted(right)
            starts = [h[0] for h in ordered]
            reach = (distance + 1) * 40  # no word is longer than this: a cheap upper bound in characters
            for a in left:
                lo = bisect.bisect_left(starts, a[0] - reach)
                hi = bisect.bisect_right(starts, a[1] + reach)
                for b in ordered[lo:hi]:
                    if self._words_between(a, b) <= distance:
                        keep.add(a)
                        keep.add(b)
        else:
            unit_of = self._unit_finder(unit)
            right_units: dict[int, list[_Hit]] = {}
            for b in right:
                right_units.setdefault(unit_of(b[0]), []).append(b)
            for a in left:
                for b in right_units.get(unit_of(a[0]), ()):
                    if b[1] <= a[0] or a[1] <= b[0]:
                        keep.add(a)
                        keep.add(b)
        return sorted(keep)

    def _words_between(self, a: _Hit, b: _Hit) -> int:
        first, second = (a, b) if a[0] <= b[0] else (b, a)
        if second[0] < first[1]:
            return 1 << 30  # overlapping: one piece of text cannot be on both sides
        if (first[0] < self.body_start) != (second[0] < self.body_start):
            return 1 << 30  # the title and the body are not near each other
        return len(_WORD_RE.findall(self.norm, first[1], second[0]))

    def _unit_finder(self, unit: str) -> _UnitOf:
        bounds = self._units.get(unit)
        if bounds is None:
            bounds = self._units[unit] = self._boundaries(unit)
        return _UnitOf(bounds)

    def _boundaries(self, unit: str) -> list[int]:
        text = self.norm
        if unit == "paragraph":
            return [m.start() for m in re.finditer(r"\n", text)]
        bounds = []
        for match in _SENTENCE_END_RE.finditer(text):
            if text[match.start()] == ".":
                word_start = match.start()
                while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
                    word_start -= 1
                before = text[word_start : match.start()]
                if len(before) == 1 or before in _ABBREVIATIONS or "." in before:
                    continue  # "Dr." "U.S." "A. Rahman": not the end of a sentence
            bounds.append(match.end() - 1 if text[match.start()] != "\n" else match.start())
        return bounds

    # ---------------------------------------------------------------- snippets

    def snippets(self, hits: list[_Hit]) -> tuple[Snippet, ...]:
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


class _UnitOf:
    """Maps an offset to the index of the sentence or paragraph holding it."""

    __slots__ = ("bounds",)

    def __init__(self, bounds: list[int]) -> None:
        self.bounds = bounds

    def __call__(self, offset: int) -> int:
        return bisect.bisect_right(self.bounds, offset)
