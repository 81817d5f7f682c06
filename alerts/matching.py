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
3. For those watches the candidate terms are searched with one regex each (it starts with a
   literal, so the scan runs at C speed, and checks Unicode word boundaries itself), and the
   query tree is evaluated over the occurrences: NEAR counts words between them; sentences
   and paragraphs are found once per article, and only when a query asks; a subtree that
   several watches share is evaluated once. An OR outside any NEAR stops at its first true
   alternative, which is enough to explain the match.

Compiled terms and queries are cached for the whole process (``_Compiler``): a ``Matcher``
built again after a config change recompiles only the watches and lists that changed.

Terms match as whole words or phrases: ``nam`` never matches inside ``namđịnh``, and the
words of a phrase may be separated by spaces or hyphens. Accents are exact (``hải quân`` is
not ``hải quan``) unless the watch sets ``accent_insensitive``: then a term written *without*
any diacritics (``Viet Nam``) also matches accented text (``Việt Nam``); terms written with
diacritics stay exact.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import operator
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from alerts import query as q
from alerts.query import QueryError
from config import WatchConfig
from language import strip_diacritics

_WORD_RE = re.compile(r"\w+")
# Same-length replacements only: offsets into the normalised text are offsets into the original.
_PUNCT = (("’", "'"), ("‘", "'"), ("ʼ", "'"), ("\u00a0", " "), ("\u2009", " "), ("\u202f", " "))
_PHRASE_GAP = r"(?:\s*[-‐‑–—]\s*|\s+)"
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


def _accent_classes() -> dict[str, str]:
    """Base letter -> a regex class of it and every accented letter that folds to it."""
    variants: dict[str, list[str]] = {}
    for code, base in _STRIP_TABLE.items():
        char = chr(code)
        # Lower case only (the text is case-folded), and only vowels and d: the consonants'
        # rare dotted forms would cost every term its literal first letter, which makes the
        # regex search fast.
        if char == char.casefold() and base in "aeiouyd":
            variants.setdefault(base, []).append(char)
    return {base: "[" + base + "".join(chars) + "]" for base, chars in variants.items()}


_ACCENT_CLASSES = _accent_classes()


def _escape_folded(piece: str) -> str:
    return "".join(_ACCENT_CLASSES.get(ch) or re.escape(ch) for ch in piece)


def fold_accents(text: str) -> str:
    """Diacritics removed from NFC text without changing its length (``Việt`` -> ``Viet``)."""
    return text.translate(_STRIP_TABLE)


def normalize_text(text: str) -> str:
    """NFC, case-folded, straight quotes: the form both terms and articles are matched in."""
    return _straighten(unicodedata.normalize("NFC", text).casefold())


def _straighten(text: str) -> str:
    # str.replace per character beats one str.translate with a dict 10x on non-ASCII text.
    for char, plain in _PUNCT:
        if char in text:
            text = text.replace(char, plain)
    return text


# ASCII bytes that are not word characters -> a space; other bytes (UTF-8 of the rest) kept.
_ASCII_GAPS = bytes(b if b >= 0x80 or chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(256))


def _word_set(text: str) -> set[str]:
    """The set of the text's words (``\\w+`` runs), about twice as fast as ``set(findall)``.

    ASCII punctuation becomes spaces in one bytes.translate, then str.split cuts at every space;
    a piece that is not all word characters (``isalnum`` is the regex's ``\\w`` without the ``_``)
    holds non-ASCII punctuation and is cut by the regex, which few pieces need.
    """
    words = set(text.encode(errors="surrogatepass").translate(_ASCII_GAPS).decode(errors="surrogatepass").split())
    odd = list(itertools.filterfalse(str.isalnum, words))
    if odd:
        words.difference_update(odd)
        words.update(_WORD_RE.findall(" ".join(odd)))
    return words


# Accented word -> the word without accents: a news stream repeats its words, and a lookup is
# ten times cheaper than str.translate on non-ASCII text. Entries are never removed (so a
# lookup never misses under threads); past the limit, new words are folded but not kept.
_FOLDED_WORDS: dict[str, str] = {}
_FOLDED_WORDS_LIMIT = 50_000


def _fold_words(words: set[str]) -> set[str]:
    """The words without their accents (``fold_accents`` of each)."""
    new = words.difference(_FOLDED_WORDS)
    if not new:
        return set(map(_FOLDED_WORDS.__getitem__, words))
    ordered = list(new)
    folded = dict(zip(ordered, fold_accents("\n".join(ordered)).split("\n"), strict=True))
    if len(_FOLDED_WORDS) < _FOLDED_WORDS_LIMIT:
        _FOLDED_WORDS.update(folded)
    return set(map(_FOLDED_WORDS.__getitem__, words - new)).union(folded.values())


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


@dataclass(eq=False)
class _Term:
    id: int
    label: str  # as written in the query or the list
    body: str  # normalised, without the wildcard
    words: tuple[str, ...]  # its whole words (not a wildcard stem): all must be in the text
    prefix: str  # the wildcard word's stem, or ""
    folded: bool  # also matches accented spellings (written without diacritics, in such a watch)
    _regex: re.Pattern[str] | None = None
    _exact: re.Pattern[str] | None = None

    # Regexes are built and compiled on first use: most terms of most watches never get that far,
    # and a rebuild stays cheap.
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = re.compile(self._source(_escape_folded)) if self.folded else self.exact_regex()
        return self._regex

    def exact_regex(self) -> re.Pattern[str]:
        """For a folded term: the same without accent classes, faster where the text has no accents."""
        if self._exact is None:
            self._exact = re.compile(self._source(re.escape))
        return self._exact

    def _source(self, escape: Callable[[str], str]) -> str:
        # Word boundaries are checked inside the regex, and so that it still starts with a
        # literal (which the regex engine searches fast): a lookbehind *after* the first piece
        # checks the character before it; a leading (?<!\w) would make every search crawl.
        # An accent-insensitive term carries its accents as character classes ("viet" ->
        # "v[iíì…]t"), so the text is searched as it is, never copied without accents.
        body, pieces = self.body, self.body.split()
        pattern = escape(pieces[0])
        if _is_word_char(body[0]):
            pattern += rf"(?<!\w[\s\S]{{{len(pieces[0])}}})"
        pattern += "".join(_PHRASE_GAP + escape(piece) for piece in pieces[1:])
        if self.prefix:
            pattern += r"\w*"
        if self.prefix or _is_word_char(body[-1]):
            pattern += r"(?!\w)"
        return pattern

    def needs_folding(self, doc: _Document) -> bool:
        """Whether the text has an accented word that folds to one of this term's words."""
        from_accents = doc.from_accents
        if not self.folded or not from_accents:
            return False
        if not from_accents.isdisjoint(self.words):
            return True
        return bool(self.prefix) and doc.accented_prefix(self.prefix)


class _Node:
    # ``groups``: the node's necessary condition (see _requirements), checked before evaluating it.
    __slots__ = ("groups",)
    groups: tuple[frozenset[int], ...]


class _TermNode(_Node):
    """A term, or a whole @list (any of its terms): one node, so a 600-term list costs one set operation."""

    __slots__ = ("boost", "field", "tids")

    def __init__(self, tids: Iterable[int], field: str | None, boost: float) -> None:
        self.tids, self.field, self.boost = frozenset(tids), field, boost


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
    # Necessary condition, checked with a few set operations before the tree is evaluated:
    # every group must have at least one term among the article's candidate terms.
    groups: tuple[frozenset[int], ...]
    more_groups: tuple[frozenset[int], ...]  # all but the first: the index holds that one


# A hit: (start, end, term id, boost) in the normalised document.
_Hit = tuple[int, int, int, float]


class _Compiler:
    """Terms and queries in compiled form, shared by every ``Matcher`` of the process.

    A term, a subtree or a whole query is compiled once: a config reload that builds a new
    ``Matcher`` recompiles only the watches and lists that changed. Terms get process-wide ids.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.terms: list[_Term] = []
        self._written: dict[tuple[str, bool], int] = {}  # as written -> id, to skip normalising again
        self._shared: dict[tuple[object, ...], _Node] = {}
        self._queries: dict[tuple[str, bool, str], _Node] = {}
        self._plain: dict[tuple[str, bool, str | None, float, bool], _Node] = {}
        self.term_ids: dict[int, frozenset[int]] = {}  # id(root) -> every term id in it

    def query(self, text: str, accent_insensitive: bool, lists: _Lists, lists_key: str) -> _Node:
        """The compiled query; ``lists_key`` (see _lists_key) stands for the content of ``lists``."""
        key = (text, accent_insensitive, lists_key)
        root = self._queries.get(key)
        if root is None:
            root = self._queries[key] = self._compile(q.parse(text), accent_insensitive, text, lists)
            self.term_ids[id(root)] = _term_ids(root)
        return root

    def _compile(self, node: q.Node, accent_insensitive: bool, text: str, lists: _Lists) -> _Node:
        """The compiled node, shared with every identical subtree of every watch (evaluated once)."""
        if isinstance(node, q.Term):  # the commonest node: straight to its shared form
            key = (node.text, node.prefix, node.field, node.boost, accent_insensitive)
            shared = self._plain.get(key)
            if shared is None:
                shared = self._plain[key] = self._share(self._compile_node(node, accent_insensitive, text, lists))
            return shared
        return self._share(self._compile_node(node, accent_insensitive, text, lists))

    def _share(self, compiled: _Node) -> _Node:
        key = _key(compiled)
        shared = self._shared.get(key)
        if shared is None:
            compiled.groups = tuple(set(_requirements(compiled)))
            shared = self._shared[key] = compiled
        return shared

    def _compile_node(self, node: q.Node, accent_insensitive: bool, text: str, lists: _Lists) -> _Node:
        if isinstance(node, q.Term):
            tid = self.term(node.text + ("*" if node.prefix else ""), accent_insensitive)
            return _TermNode((tid,), node.field, node.boost)
        if isinstance(node, q.ListRef):
            variants = lists.get(node.name)
            if variants is None:
                known = ", ".join("@" + n for n in sorted(lists)) or "none are defined"
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
            tids = list(dict.fromkeys(self.term(w, accent_insensitive, node.position, text) for w in words))
            if not tids:
                raise QueryError(f"list @{node.name} is empty", node.position, text)
            return _TermNode(tids, node.field, node.boost)
        if isinstance(node, q.And):
            return _AllNode([self._compile(c, accent_insensitive, text, lists) for c in node.children])
        if isinstance(node, q.Or):
            children = [self._compile(c, accent_insensitive, text, lists) for c in node.children]
            # Plain alternatives with the same scope merge into one node: one set operation.
            plain: dict[tuple[str | None, float], set[int]] = {}
            rest: list[_Node] = []
            for child in children:
                if isinstance(child, _TermNode):
                    plain.setdefault((child.field, child.boost), set()).update(child.tids)
                else:
                    rest.append(child)
            merged: list[_Node] = [
                self._share(_TermNode(sorted(tids), field, boost)) for (field, boost), tids in plain.items()
            ]
            alternatives = merged + rest
            return alternatives[0] if len(alternatives) == 1 else _AnyNode(alternatives)
        if isinstance(node, q.Not):
            return _NotNode(self._compile(node.child, accent_insensitive, text, lists))
        if isinstance(node, q.Near):
            return _NearNode(
                self._compile(node.left, accent_insensitive, text, lists),
                self._compile(node.right, accent_insensitive, text, lists),
                node.unit,
                node.distance,
                node.negated,
            )
        return _LangNode(node.code)

    def term(self, written: str, accent_insensitive: bool, position: int = 0, query: str = "") -> int:
        """The id of a compiled term, shared by every watch and list that uses it."""
        known = self._written.get((written, accent_insensitive))
        if known is not None:
            return known
        tid = self._new_term(written, accent_insensitive, position, query)
        self._written[(written, accent_insensitive)] = tid
        return tid

    def _new_term(self, written: str, accent_insensitive: bool, position: int, query: str) -> int:
        # Terms are told apart as written (not as normalised), so each keeps the label its
        # author wrote, whatever another watch or list in the process wrote.
        norm = " ".join(normalize_text(written).split())
        folded = accent_insensitive and fold_accents(norm) == norm
        prefix_term = norm.endswith("*")
        body = norm.rstrip("*").rstrip()
        words = _WORD_RE.findall(body)
        if not words:
            raise QueryError(f"term {written!r} has no letters or digits", position, query)
        term = _Term(
            id=len(self.terms),
            label=written.strip(),
            body=body,
            words=tuple(dict.fromkeys(words[:-1] if prefix_term else words)),
            prefix=words[-1] if prefix_term else "",
            folded=folded,
        )
        self.terms.append(term)
        return term.id


_Lists = Mapping[str, Mapping[str, Sequence[str]]]
_COMPILER = _Compiler()


def _lists_key(lists: _Lists) -> str:
    """A digest of the lists' content: compiled queries are reused only with identical lists."""
    content = [(name, [(lang, list(lists[name][lang])) for lang in sorted(lists[name])]) for name in sorted(lists)]
    return hashlib.sha256(repr(content).encode()).hexdigest()


class Matcher:
    """Every enabled watch, compiled once; ``match`` is then a pure function of the article."""

    def __init__(self, watches: Sequence[WatchConfig], lists: _Lists) -> None:
        self.watches = [w for w in watches if w.enabled]
        self.lists = lists
        self._compiled: list[_Watch] = []
        self._lists_key = _lists_key(lists)
        with _COMPILER.lock:
            for watch in self.watches:
                self._compiled.append(self._compile_watch(watch))
            self._terms = _COMPILER.terms  # grows only; ids never change
        self._index()

    @classmethod
    def from_config(cls, watches: Sequence[WatchConfig], lists: _Lists) -> Matcher:
        return cls(watches, lists)

    def _compile_watch(self, watch: WatchConfig) -> _Watch:
        try:
            root = _COMPILER.query(watch.query, watch.accent_insensitive, self.lists, self._lists_key)
        except QueryError as exc:
            raise WatchQueryError(watch.name, exc) from None
        groups = tuple(sorted(root.groups, key=len))
        ids = _COMPILER.term_ids[id(root)]
        return _Watch(watch, root, ids, groups, groups[1:])

    def _index(self) -> None:
        """word -> terms anchored on it, per text form; term -> watches using it."""
        used = sorted(set().union(*(w.term_ids for w in self._compiled)))
        terms = [self._terms[t] for t in used]
        # One-word terms per word, per text form (exact, accent-folded): found with set operations.
        self._simple: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        # The other terms, (term, its other words) per anchor word, per text form.
        self._anchors: tuple[dict[str, list[tuple[_Term, tuple[str, ...]]]], ...] = ({}, {})
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
        doc = _Document(title or "", text or "", language)
        candidates = self._candidate_terms(doc)
        if not candidates:
            return []
        chosen = set().union(*map(self._wake.__getitem__, candidates & self._wakers))
        if len(chosen) > 1:  # (a lone watch has its second group checked below, at the same cost)
            chosen &= self._single_group.union(*map(self._wake_second.__getitem__, candidates & self._second_wakers))
        hits: list[WatchHit] = []
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
                ok, found = self._evaluate(watch.root, doc, candidates)
                if ok and found:
                    hit = self._hit(config, found, doc)
                    if hit.score >= config.min_score:
                        hits.append(hit)
        return hits

    def _candidate_terms(self, doc: _Document) -> set[int]:
        """Terms all of whose words occur in the article (so they may occur as a whole).

        Wildcard stems are looked up among the text words' first letters. Per text form: the
        words as written, and (for accent-insensitive terms) also without their accents.
        """
        words = _Words(doc.norm, self._has_folded)
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

    def _evaluate(
        self, node: _Node, doc: _Document, candidates: set[int], every: bool = False
    ) -> tuple[bool, list[_Hit]]:
        """Whether ``node`` is true here, and the hits that make it so.

        ``every``: all hits are needed (the node is inside a NEAR, where any of them may be the
        close one); otherwise an OR stops at its first true alternative, which is enough to
        explain the match.
        """
        memo = doc.memo.get(id(node))
        if memo is not None and (memo[0] or not every):
            return memo[1]
        for group in node.groups:
            if group.isdisjoint(candidates):
                result: tuple[bool, list[_Hit]] = (False, [])
                break
        else:
            result = self._evaluate_node(node, doc, candidates, every)
        doc.memo[id(node)] = (every, result)
        return result

    def _evaluate_node(self, node: _Node, doc: _Document, candidates: set[int], every: bool) -> tuple[bool, list[_Hit]]:
        if isinstance(node, _TermNode):
            hits = []
            for tid in node.tids.intersection(candidates):  # the others cannot occur: not searched
                hits += doc.occurrences(self._terms[tid], node.field, node.boost)
            return bool(hits), hits
        if isinstance(node, _AllNode):
            collected: list[_Hit] = []
            for child in node.children:
                ok, hits = self._evaluate(child, doc, candidates, every)
                if not ok:
                    return False, []
                collected += hits
            return True, collected
        if isinstance(node, _AnyNode):
            collected, any_ok = [], False
            for child in node.children:
                ok, hits = self._evaluate(child, doc, candidates, every)
                if ok:
                    if not every:
                        return True, hits
                    any_ok = True
                    collected += hits
            return any_ok, collected
        if isinstance(node, _NotNode):
            ok, _ = self._evaluate(node.child, doc, candidates)
            return not ok, []
        if isinstance(node, _NearNode):
            ok, left = self._evaluate(node.left, doc, candidates, True)
            if not ok:
                return False, []
            ok, right = self._evaluate(node.right, doc, candidates, True)
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


def _term_ids(root: _Node) -> frozenset[int]:
    return frozenset(t for n in _walk(root) if isinstance(n, _TermNode) for t in n.tids)


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


def _key(node: _Node) -> tuple[object, ...]:
    """Structural identity of a compiled node whose children are already shared."""
    if isinstance(node, _TermNode):
        return ("term", node.tids, node.field, node.boost)
    if isinstance(node, _AllNode | _AnyNode):
        return (type(node).__name__, *(id(c) for c in node.children))
    if isinstance(node, _NotNode):
        return ("not", id(node.child))
    if isinstance(node, _NearNode):
        return ("near", id(node.left), id(node.right), node.unit, node.distance, node.negated)
    assert isinstance(node, _LangNode)
    return ("lang", node.code)


def _requirements(node: _Node) -> list[frozenset[int]]:
    """Groups of terms of which at least one must occur for ``node`` to be true (necessary, not sufficient).

    Children are compiled (and their ``groups`` set) before their parent.
    """
    if isinstance(node, _TermNode):
        return [node.tids]
    if isinstance(node, _AllNode):
        return [g for child in node.children for g in child.groups]
    if isinstance(node, _AnyNode):
        per_child = [child.groups for child in node.children]
        if not all(per_child):
            return []  # a branch that needs no term (NOT, lang:) can make the OR true alone
        return [frozenset().union(*(min(groups, key=len) for groups in per_child))]
    if isinstance(node, _NearNode):
        return [*node.left.groups, *(() if node.negated else node.right.groups)]
    return []


class _Words:
    """The distinct words of one article, per text form, and what the candidate search asks of them.

    Form 0 is the words as written; form 1 adds each accented word without its accents (for
    accent-insensitive terms). Sorted words and stem sets are built on first use.
    """

    def __init__(self, text: str, with_folded: bool) -> None:
        present = _word_set(text)
        self.forms = [present]
        self.from_accents: set[str] = set()  # accented words of the text, without their accents
        if with_folded:  # only non-ASCII words change
            self.from_accents = _fold_words(set(itertools.filterfalse(str.isascii, present)))
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
        self.norm = _straighten(folded)
        self._cache: dict[int, list[tuple[int, int]]] = {}
        self.from_accents: set[str] = set()  # accented words of the text, without their accents
        self._accented_sorted: list[str] | None = None
        # compiled node -> (computed with every hit?, its result here)
        self.memo: dict[int, tuple[bool, tuple[bool, list[_Hit]]]] = {}
        self._units: dict[str, list[int]] = {}

    def accented_prefix(self, stem: str) -> bool:
        """Whether an accented word of the text, without its accents, starts with ``stem``."""
        if self._accented_sorted is None:
            self._accented_sorted = sorted(self.from_accents)
        words = self._accented_sorted
        i = bisect.bisect_left(words, stem)
        return i < len(words) and words[i].startswith(stem)

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
        regex = term.regex() if term.needs_folding(self) else term.exact_regex()
        return [m.span() for m in regex.finditer(self.norm)]

    # ---------------------------------------------------------------- proximity

    def not_near(self, left: list[_Hit], right: list[_Hit], unit: str, distance: int) -> list[_Hit]:
        """Hits of the left side that have no partner on the right side that close."""
        paired = set(self.near(left, right, unit, distance))
        return [h for h in left if h not in paired]

    def near(self, left: list[_Hit], right: list[_Hit], unit: str, distance: int) -> list[_Hit]:
        """Hits of either side that have a partner on the other side close enough."""
        keep: set[_Hit] = set()
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
            right_units: dict[int, list[_Hit]] = {}
            for b in right:
                right_units.setdefault(unit_of(b[0]), []).append(b)
            for a in left:
                for b in right_units.get(unit_of(a[0]), ()):
                    if b[1] <= a[0] or a[1] <= b[0]:
                        keep.add(a)
                        keep.add(b)
        return list(keep)  # in no order: every consumer sorts or tests membership

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


_start = operator.itemgetter(0)


class _UnitOf:
    """Maps an offset to the index of the sentence or paragraph holding it."""

    __slots__ = ("bounds",)

    def __init__(self, bounds: list[int]) -> None:
        self.bounds = bounds

    def __call__(self, offset: int) -> int:
        return bisect.bisect_right(self.bounds, offset)
