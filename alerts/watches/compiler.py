"""Queries in compiled form: terms with their regexes, and a tree of nodes that evaluate themselves.

``Compiler.query`` turns a query's AST (``syntax``) into compiled nodes with one ``fold``: each
term and each ``@list`` becomes one ``TermNode`` of term ids (a 600-term list costs one set
operation), plain alternatives of an OR merge into one, and every node is shared with each
identical subtree of every watch, so a subtree several watches use is evaluated once per
article. Each node also carries ``groups``, its necessary condition: sets of terms of which at
least one must occur for it to be true, checked with a few set operations before evaluating it.

Evaluating is per article (``Evaluation``): ``Evaluation.of`` is the one entry to a node,
which prunes by ``groups`` and remembers each node's result; each node class says only what it
means in terms of its children's results (``evaluate``). An OR outside any NEAR stops at its
first true alternative, which is enough to explain the match; inside a NEAR every hit counts,
since any of them may be the close one.

A ``Compiler`` belongs to one ``Matcher`` and the matchers rebuilt from it (``Matcher.rebuild``):
a term, a subtree or a whole query is compiled once, so a config change recompiles only the
watches and lists that changed. Terms are written as their author wrote them and told apart
that way, so each keeps its label; accents are exact unless the watch is accent-insensitive and
the term is written without any (``Viet Nam`` then matches ``Việt Nam``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from alerts.errors import QueryError
from alerts.watches import syntax
from alerts.watches.document import Document, Hit
from alerts.watches.normalize import WORD_RE, escape_folded, fold_accents, is_word_char, normalize_text
from alerts.watches.syntax import fold, walk

_PHRASE_GAP = r"(?:\s*[-‐‑–—]\s*|\s+)"

Lists = Mapping[str, Mapping[str, Sequence[str]]]
# A node's result in one article: whether it is true there, and the hits that make it so.
Result = tuple[bool, list[Hit]]


@dataclass(eq=False)
class CompiledTerm:
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
            self._regex = re.compile(self._source(escape_folded)) if self.folded else self.exact_regex()
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
        if is_word_char(body[0]):
            pattern += rf"(?<!\w[\s\S]{{{len(pieces[0])}}})"
        pattern += "".join(_PHRASE_GAP + escape(piece) for piece in pieces[1:])
        if self.prefix:
            pattern += r"\w*"
        if self.prefix or is_word_char(body[-1]):
            pattern += r"(?!\w)"
        return pattern

    def needs_folding(self, doc: Document) -> bool:
        """Whether the text has an accented word that folds to one of this term's words."""
        from_accents = doc.from_accents
        if not self.folded or not from_accents:
            return False
        if not from_accents.isdisjoint(self.words):
            return True
        return bool(self.prefix) and doc.accented_prefix(self.prefix)


# --------------------------------------------------------------------------- compiled nodes


class CompiledNode:
    """A node of a compiled query. ``children`` are its operands (``walk`` and ``fold`` follow
    them); ``groups`` is its necessary condition, set when the compiler shares it."""

    __slots__ = ("children", "groups")
    children: tuple[CompiledNode, ...]
    groups: tuple[frozenset[int], ...]

    def key(self) -> tuple[object, ...]:
        """Structural identity, given that the children are already shared."""
        raise NotImplementedError

    def requirements(self) -> list[frozenset[int]]:
        """Groups of terms of which at least one must occur for the node to be true (necessary,
        not sufficient), from the children's ``groups``."""
        return []

    def evaluate(self, ev: Evaluation, every: bool) -> Result:
        """Whether the node is true in ``ev``'s article, and the hits that make it so; children
        are evaluated through ``ev.of``."""
        raise NotImplementedError


class TermNode(CompiledNode):
    """A term, or a whole @list (any of its terms): one node, so a 600-term list costs one set operation."""

    __slots__ = ("boost", "field", "tids")

    def __init__(self, tids: Iterable[int], field: str | None, boost: float) -> None:
        self.tids, self.field, self.boost = frozenset(tids), field, boost
        self.children = ()

    def key(self) -> tuple[object, ...]:
        return ("term", self.tids, self.field, self.boost)

    def requirements(self) -> list[frozenset[int]]:
        return [self.tids]

    def evaluate(self, ev: Evaluation, every: bool) -> Result:
        hits: list[Hit] = []
        doc, terms = ev.doc, ev.terms
        for tid in self.tids.intersection(ev.candidates):  # the others cannot occur: not searched
            hits += doc.occurrences(terms[tid], self.field, self.boost)
        return bool(hits), hits


class AllNode(CompiledNode):
    __slots__ = ()

    def __init__(self, children: Sequence[CompiledNode]) -> None:
        self.children = tuple(children)

    def key(self) -> tuple[object, ...]:
        return ("all", *map(id, self.children))

    def requirements(self) -> list[frozenset[int]]:
        return [g for child in self.children for g in child.groups]

    def evaluate(self, ev: Evaluation, every: bool) -> Result:
        collected: list[Hit] = []
        for child in self.children:
            ok, hits = ev.of(child, every)
            if not ok:
                return False, []
            collected += hits
        return True, collected


class AnyNode(CompiledNode):
    __slots__ = ()

    def __init__(self, children: Sequence[CompiledNode]) -> None:
        self.children = tuple(children)

    def key(self) -> tuple[object, ...]:
        return ("any", *map(id, self.children))

    def requirements(self) -> list[frozenset[int]]:
        per_child = [child.groups for child in self.children]
        if not all(per_child):
            return []  # a branch that needs no term (NOT, lang:) can make the OR true alone
        return [frozenset().union(*(min(groups, key=len) for groups in per_child))]

    def evaluate(self, ev: Evaluation, every: bool) -> Result:
        collected: list[Hit] = []
        any_ok = False
        for child in self.children:
            ok, hits = ev.of(child, every)
            if ok:
                if not every:
                    return True, hits
                any_ok = True
                collected += hits
        return any_ok, collected


class NotNode(CompiledNode):
    __slots__ = ()

    def __init__(self, child: CompiledNode) -> None:
        self.children = (child,)

    def key(self) -> tuple[object, ...]:
        return ("not", id(self.children[0]))

    def evaluate(self, ev: Evaluation, every: bool) -> Result:
        ok, _ = ev.of(self.children[0])
        return not ok, []


class NearNode(CompiledNode):
    __slots__ = ("distance", "negated", "unit")

    def __init__(self, left: CompiledNode, right: CompiledNode, unit: str, distance: int, negated: bool) -> None:
        self.children = (left, right)
        self.unit, self.distance, self.negated = unit, distance, negated

    def key(self) -> tuple[object, ...]:
        left, right = self.children
        return ("near", id(left), id(right), self.unit, self.distance, self.negated)

    def requirements(self) -> list[frozenset[int]]:
        left, right = self.children
        return [*left.groups, *(() if self.negated else right.groups)]

    def evaluate(self, ev: Evaluation, every: bool) -> Result:
        left_node, right_node = self.children
        ok, left = ev.of(left_node, True)
        if not ok:
            return False, []
        ok, right = ev.of(right_node, True)
        if self.negated:
            hits = ev.doc.not_near(left, right, self.unit, self.distance) if ok else left
            return bool(hits), hits
        if not ok:
            return False, []
        hits = ev.doc.near(left, right, self.unit, self.distance)
        return bool(hits), hits


class LangNode(CompiledNode):
    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code
        self.children = ()

    def key(self) -> tuple[object, ...]:
        return ("lang", self.code)

    def evaluate(self, ev: Evaluation, every: bool) -> Result:
        return ev.doc.language == self.code, []


class Evaluation:
    """Compiled nodes evaluated over one article: each node at most once, unless a NEAR then
    needs every hit of a node first evaluated for a plain yes."""

    __slots__ = ("candidates", "doc", "memo", "terms")

    def __init__(self, doc: Document, candidates: set[int], terms: Sequence[CompiledTerm]) -> None:
        self.doc = doc
        self.candidates = candidates  # the terms that may occur here: no other is searched
        self.terms = terms
        # id(node) -> (computed with every hit?, its result here)
        self.memo: dict[int, tuple[bool, Result]] = {}

    def of(self, node: CompiledNode, every: bool = False) -> Result:
        """``node``'s result; ``every``: all its hits are needed (it is inside a NEAR)."""
        memo = self.memo.get(id(node))
        if memo is not None and (memo[0] or not every):
            return memo[1]
        for group in node.groups:
            if group.isdisjoint(self.candidates):
                result: Result = (False, [])
                break
        else:
            result = node.evaluate(self, every)
        self.memo[id(node)] = (every, result)
        return result


# --------------------------------------------------------------------------- compiler


def lists_key(lists: Lists) -> str:
    """A digest of the lists' content: compiled queries are reused only with identical lists."""
    content = [(name, [(lang, list(lists[name][lang])) for lang in sorted(lists[name])]) for name in sorted(lists)]
    return hashlib.sha256(repr(content).encode()).hexdigest()


class Compiler:
    """Terms and queries in compiled form, each compiled once. Terms get ids that never change."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held by whoever compiles: a rebuild may run beside a match
        self.terms: list[CompiledTerm] = []  # grows only
        self._written: dict[tuple[str, bool], int] = {}  # as written -> id, to skip normalising again
        self._shared: dict[tuple[object, ...], CompiledNode] = {}
        self._parsed: dict[str, syntax.Node] = {}
        self._queries: dict[tuple[str, bool, str], CompiledNode] = {}
        self._plain: dict[tuple[str, bool, str | None, float, bool], CompiledNode] = {}
        self._term_ids: dict[int, frozenset[int]] = {}  # id(root) -> every term id in it

    def query(self, text: str, accent_insensitive: bool, lists: Lists, lists_key: str) -> CompiledNode:
        """The compiled query; ``lists_key`` (see ``lists_key``) stands for the content of ``lists``."""
        key = (text, accent_insensitive, lists_key)
        root = self._queries.get(key)
        if root is None:
            tree = self._parsed.get(text)
            if tree is None:
                tree = self._parsed[text] = syntax.parse(text)
            root = self._queries[key] = fold(tree, functools.partial(self._node, accent_insensitive, text, lists))
            self._term_ids[id(root)] = frozenset(t for n in walk(root) if isinstance(n, TermNode) for t in n.tids)
        return root

    def term_ids(self, root: CompiledNode) -> frozenset[int]:
        """Every term of a compiled query."""
        return self._term_ids[id(root)]

    def _node(
        self, accent_insensitive: bool, text: str, lists: Lists, node: syntax.Node, children: list[CompiledNode]
    ) -> CompiledNode:
        """The compiled ``node``, given its compiled children, shared with every identical one."""
        if isinstance(node, syntax.Term):  # the commonest node: straight to its shared form
            key = (node.text, node.prefix, node.field, node.boost, accent_insensitive)
            shared = self._plain.get(key)
            if shared is None:
                tid = self.term(node.text + ("*" if node.prefix else ""), accent_insensitive)
                shared = self._plain[key] = self._share(TermNode((tid,), node.field, node.boost))
            return shared
        if isinstance(node, syntax.ListRef):
            return self._share(self._list(node, accent_insensitive, text, lists))
        if isinstance(node, syntax.And):
            return self._share(AllNode(children))
        if isinstance(node, syntax.Or):
            # Plain alternatives with the same scope merge into one node: one set operation.
            plain: dict[tuple[str | None, float], set[int]] = {}
            rest: list[CompiledNode] = []
            for child in children:
                if isinstance(child, TermNode):
                    plain.setdefault((child.field, child.boost), set()).update(child.tids)
                else:
                    rest.append(child)
            merged: list[CompiledNode] = [
                self._share(TermNode(sorted(tids), field, boost)) for (field, boost), tids in plain.items()
            ]
            alternatives = merged + rest
            return self._share(alternatives[0] if len(alternatives) == 1 else AnyNode(alternatives))
        if isinstance(node, syntax.Not):
            return self._share(NotNode(children[0]))
        if isinstance(node, syntax.Near):
            return self._share(NearNode(children[0], children[1], node.unit, node.distance, node.negated))
        return self._share(LangNode(node.code))

    def _share(self, compiled: CompiledNode) -> CompiledNode:
        key = compiled.key()
        shared = self._shared.get(key)
        if shared is None:
            compiled.groups = tuple(set(compiled.requirements()))
            shared = self._shared[key] = compiled
        return shared

    def _list(self, node: syntax.ListRef, accent_insensitive: bool, text: str, lists: Lists) -> TermNode:
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
        return TermNode(tids, node.field, node.boost)

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
        # author wrote, whatever another watch or list of the same compiler wrote.
        norm = " ".join(normalize_text(written).split())
        folded = accent_insensitive and fold_accents(norm) == norm
        prefix_term = norm.endswith("*")
        body = norm.rstrip("*").rstrip()
        words = WORD_RE.findall(body)
        if not words:
            raise QueryError(f"term {written!r} has no letters or digits", position, query)
        term = CompiledTerm(
            id=len(self.terms),
            label=written.strip(),
            body=body,
            words=tuple(dict.fromkeys(words[:-1] if prefix_term else words)),
            prefix=words[-1] if prefix_term else "",
            folded=folded,
        )
        self.terms.append(term)
        return term.id
