"""The watch query language: the AST, its one walker, a tokenizer and a recursive-descent parser.

Reads no configuration itself; ``alerts.watches.compiler`` compiles the AST of each
``[watches.<name>] query`` against the ``[lists.<name>]`` term lists.

Grammar (operators are upper case; lower-case ``and``/``or`` are ordinary words)::

    query     := or_expr EOF
    or_expr   := and_expr ("OR" and_expr)*
    and_expr  := near_expr (["AND"] near_expr)*          juxtaposition means AND
    near_expr := unary (["NOT"] NEAROP unary)*           NEAR/5, NEAR/s (sentence), NEAR/p (paragraph)
    unary     := ("NOT" | "-") unary | primary
    primary   := ["title:" | "body:"] atom ["^" number] | "lang:" CODE
    atom      := WORD | "quoted phrase" | @list | @list.lang | "(" or_expr ")"

``# `` (a hash and a space) starts a comment that runs to the end of the line, so long
queries in ``config.toml`` can explain themselves. Precedence, tightest first: NOT, NEAR,
AND, OR. A ``*`` at the end of a word is a prefix wildcard (``defen*``). Every error is a
``QueryError`` with the position (0-based character offset) in the query and what the parser
expected there.

Every node has ``children`` (its operands, left to right), and ``walk`` and ``fold`` are the
one way to go through a tree: the parser's check that a query requires some word, boosts, the
compiler and the compiler's term extraction are each a function of one node (and its children's
results), not a recursion of their own. The compiled form (``alerts.watches.compiler``) has
``children`` too and is walked by the same functions; evaluating it is the one exception, as it
stops early (an AND at its first false operand), which a fold cannot.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

from alerts.errors import QueryError

FIELDS = ("title", "body")
_FIELD_ALIASES = {"title": "title", "body": "body", "text": "body"}
_NEAR_RE = re.compile(r"NEAR/(?:(\d+)|([sp]))$", re.IGNORECASE)


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Term:
    """A word or phrase as written; ``prefix`` when it ended in ``*``."""

    text: str
    position: int
    field: str | None = None
    boost: float = 1.0
    prefix: bool = False
    children: ClassVar[tuple[()]] = ()  # a leaf


@dataclass(frozen=True)
class ListRef:
    """``@name`` (every language variant) or ``@name.vi`` (one of them)."""

    name: str
    position: int
    language: str | None = None
    field: str | None = None
    boost: float = 1.0
    children: ClassVar[tuple[()]] = ()  # a leaf


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.child,)


@dataclass(frozen=True)
class Near:
    """Both sides occur within ``distance`` words, or in one sentence/paragraph (``unit``).

    ``negated`` (``a NOT NEAR/s b``): occurrences of the left side with no right side that
    close, e.g. "Malaysia, but not in a sentence that lists other countries".
    """

    left: Node
    right: Node
    unit: str  # "words", "sentence" or "paragraph"
    distance: int = 0
    negated: bool = False

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Lang:
    """``lang:vi``: true when the article's language is this one."""

    code: str
    position: int
    children: ClassVar[tuple[()]] = ()  # a leaf


Node = Term | ListRef | And | Or | Not | Near | Lang


# --------------------------------------------------------------------------- the walker


class Tree(Protocol):
    """A query tree's node, parsed or compiled: it knows its operands."""

    @property
    def children(self) -> Sequence[Any]: ...


T = TypeVar("T", bound=Tree)
R = TypeVar("R")


def walk(node: T) -> Iterator[T]:
    """Every node of the tree, parents first (a node shared by two parents comes twice)."""
    yield node
    for child in node.children:
        yield from walk(child)


def fold(node: T, visit: Callable[[T, list[R]], R]) -> R:
    """``visit(node, results)`` bottom-up, where ``results`` are the children's, left to right."""
    children = node.children
    return visit(node, [fold(child, visit) for child in children] if children else [])


# --------------------------------------------------------------------------- tokens


class _Token(NamedTuple):  # a NamedTuple: built ten times faster than a frozen dataclass
    kind: str  # WORD PHRASE LIST LPAREN RPAREN AND OR NOT MINUS NEAR FIELD BOOST EOF
    value: str
    position: int
    extra: str = ""


def _describe(token: _Token) -> str:
    if token.kind == "EOF":
        return "the end of the query"
    if token.kind == "PHRASE":
        return f'"{token.value}"'
    return repr(token.value)


_TOKEN_RE = re.compile(
    r"""
    (?:\s+|\#(?=\s|$)[^\n]*)*                # spaces and "# " comments to the end of a line
    (?:
      (?P<paren>[()])
    | (?P<phrase>"[^"]*")
    | (?P<quote>")                        # a quote that is never closed
    | (?P<boost>\^\d+(?:\.\d+)?)
    | (?P<caret>\^)                        # a boost without its number
    | (?P<minus>-(?=[^\s-]))
    | (?P<list>@(?P<name>[\w-]+)(?:\.(?P<variant>[a-z]{2,3}))?)
    | (?P<at>@)                           # @ without a list name
    | (?P<word>[^\s()"^]+)
    )
    """,
    re.VERBOSE,
)
_KEYWORDS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}


def tokenize(query: str) -> list[_Token]:
    """The query's tokens, with their positions (the regex engine walks the query once)."""
    tokens: list[_Token] = []
    append = tokens.append
    for match in _TOKEN_RE.finditer(query):
        kind = match.lastgroup
        if kind is None:
            break  # only spaces and comments were left
        start, end = match.span(kind)
        if kind == "word":
            word = query[start:end]
            colon = word.find(":")
            if colon > 0 and word[:colon].isalpha() and word[:colon].isascii():
                append(_field_token(word[:colon], start, query))
                rest = word[colon + 1 :]
                if rest:  # "title:navy": the rest is a token of its own
                    tokens += [t._replace(position=t.position + start + colon + 1) for t in tokenize(rest)[:-1]]
                continue
            kind = _KEYWORDS.get(word, "WORD")
            if word.startswith("NEAR/"):
                kind = "NEAR"
            append(_Token(kind, word, start))
        elif kind == "paren":
            append(_Token("LPAREN" if query[start] == "(" else "RPAREN", query[start], start))
        elif kind == "phrase":
            append(_Token("PHRASE", query[start + 1 : end - 1], start))
        elif kind == "list":
            append(_Token("LIST", match["name"], start, match["variant"] or ""))
        elif kind == "minus":
            append(_Token("MINUS", "-", start))
        elif kind == "boost":
            append(_Token("BOOST", query[start + 1 : end], start))
        elif kind == "quote":
            raise QueryError('unclosed quote: expected a closing "', start, query)
        elif kind == "caret":
            raise QueryError("expected a number after ^ (a boost like ^2)", start + 1, query)
        else:
            raise QueryError("expected a list name after @ (like @vietnam)", start + 1, query)
    tokens.append(_Token("EOF", "", len(query)))
    return tokens


def _field_token(name: str, position: int, query: str) -> _Token:
    if name.lower() not in (*_FIELD_ALIASES, "lang"):
        raise QueryError(
            f"unknown field {name!r}: expected title:, body: or lang: (quote the word to search for it)",
            position,
            query,
        )
    return _Token("FIELD", name.lower(), position)


# --------------------------------------------------------------------------- parser


def parse(query: str) -> Node:
    """Parse a query into its AST; raise ``QueryError`` at the first problem."""
    if not query.strip():
        raise QueryError("empty query: expected a term, a phrase or @list", 0, query)
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.pos = 0
        self.token = self.tokens[0]  # the current token
        self.impure = 0  # NOT and lang: nodes made so far: NEAR checks its operands made none

    def advance(self) -> _Token:
        token = self.token
        self.pos += 1
        self.token = self.tokens[min(self.pos, len(self.tokens) - 1)]
        return token

    def error(self, expected: str, token: _Token | None = None) -> QueryError:
        token = token or self.token
        return QueryError(f"expected {expected}, found {_describe(token)}", token.position, self.query)

    def parse(self) -> Node:
        node = self.or_expr(None)
        if self.token.kind != "EOF":
            if self.token.kind == "RPAREN":
                raise QueryError("unbalanced ')': no '(' opened it", self.token.position, self.query)
            raise self.error("an operator or the end of the query")
        if not _has_positive(node):
            raise QueryError("the query only excludes: expected at least one term that must occur", 0, self.query)
        return node

    def or_expr(self, field: str | None) -> Node:
        children = [self.and_expr(field)]
        while self.token.kind == "OR":
            self.advance()
            children.append(self.and_expr(field))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, field: str | None) -> Node:
        children = [self.near_expr(field)]
        while True:
            if self.token.kind == "AND":
                self.advance()
            elif self.token.kind not in _STARTS_OPERAND:
                break
            children.append(self.near_expr(field))
        return children[0] if len(children) == 1 else And(tuple(children))

    def near_expr(self, field: str | None) -> Node:
        impure_before = self.impure
        node = self.unary(field)
        left_positional = self.impure == impure_before
        while self.token.kind == "NEAR" or (self.token.kind == "NOT" and self.tokens[self.pos + 1].kind == "NEAR"):
            negated = self.token.kind == "NOT"
            if negated:
                self.advance()
            op = self.advance()
            match = _NEAR_RE.match(op.value)
            if not match:
                raise QueryError(
                    f"bad operator {op.value!r}: expected NEAR/<words>, NEAR/s (same sentence) "
                    "or NEAR/p (same paragraph)",
                    op.position,
                    self.query,
                )
            right_token = self.token
            impure_before = self.impure
            right = self.unary(field)
            for positional, where in ((left_positional, op), (self.impure == impure_before, right_token)):
                if not positional:
                    raise QueryError(
                        f"{op.value} needs words on both sides: NOT and lang: cannot be used inside it",
                        where.position,
                        self.query,
                    )
            if match.group(1) is not None:
                node = Near(node, right, "words", int(match.group(1)), negated)
            else:
                unit = "sentence" if match.group(2).lower() == "s" else "paragraph"
                node = Near(node, right, unit, 0, negated)
        return node

    def unary(self, field: str | None) -> Node:
        if self.token.kind in ("NOT", "MINUS"):
            self.advance()
            self.impure += 1
            return Not(self.unary(field))
        return self.primary(field)

    def primary(self, field: str | None) -> Node:
        token = self.token
        if token.kind == "FIELD":
            self.advance()
            if token.value == "lang":
                code = self.advance()
                if code.kind != "WORD" or not re.fullmatch(r"[a-zA-Z]{2,3}", code.value):
                    raise self.error("a language code after lang: (like lang:vi)", code)
                self.impure += 1
                return Lang(code.value.lower(), token.position)
            scoped = _FIELD_ALIASES[token.value]
            if field is not None and field != scoped:
                raise QueryError(f"{token.value}: inside {field}: can never match", token.position, self.query)
            if self.token.kind in ("EOF", "RPAREN") or self.token.kind not in _STARTS_OPERAND - {"FIELD"}:
                raise self.error(f"a term, a phrase, @list or '(' after {token.value}:")
            return self.boosted(self.atom(scoped))
        return self.boosted(self.atom(field))

    def boosted(self, node: Node) -> Node:
        if self.token.kind != "BOOST":
            return node
        boost = float(self.advance().value)
        return _apply_boost(node, boost)

    def atom(self, field: str | None) -> Node:
        token = self.token
        if token.kind == "LPAREN":
            self.advance()
            if self.token.kind == "RPAREN":
                raise self.error("a term inside the parentheses")
            node = self.or_expr(field)
            if self.token.kind != "RPAREN":
                raise self.error(f"')' to close the '(' at position {token.position}")
            self.advance()
            return node
        if token.kind == "WORD":
            self.advance()
            return self.term(token.value, token.position, field, quoted=False)
        if token.kind == "PHRASE":
            self.advance()
            if not token.value.strip():
                raise QueryError("empty phrase: expected words between the quotes", token.position, self.query)
            return self.term(token.value, token.position, field, quoted=True)
        if token.kind == "LIST":
            self.advance()
            return ListRef(token.value, token.position, token.extra or None, field)
        if token.kind in ("AND", "OR", "NEAR"):
            raise self.error("a term, a phrase, @list or '(' before this operator")
        raise self.error("a term, a phrase, @list or '('")

    def term(self, text: str, position: int, field: str | None, quoted: bool) -> Term:
        prefix = text.endswith("*")
        body = text.rstrip("*").strip()
        if "*" in body:
            raise QueryError(
                "'*' is a prefix wildcard: expected it only at the end of a word",
                position + text.index("*") + (1 if quoted else 0),
                self.query,
            )
        if not _LETTER_RE.search(body):
            raise QueryError("expected a term with letters or digits", position, self.query)
        if prefix and sum(ch.isalnum() for ch in body.split()[-1]) < 3:
            raise QueryError("a wildcard needs at least 3 letters before '*'", position, self.query)
        return Term(" ".join(body.split()), position, field, 1.0, prefix)


_LETTER_RE = re.compile(r"[^\W_]")
_STARTS_OPERAND = {"WORD", "PHRASE", "LIST", "LPAREN", "NOT", "MINUS", "FIELD"}


def _apply_boost(node: Node, boost: float) -> Node:
    """``node`` with every term and list in it weighted ``boost`` times more, except under NOT."""

    def boosted(node: Node, children: list[Node]) -> Node:
        if isinstance(node, Term | ListRef):
            return dataclasses.replace(node, boost=node.boost * boost)
        if isinstance(node, And | Or):
            return type(node)(tuple(children))
        if isinstance(node, Near):
            return dataclasses.replace(node, left=children[0], right=children[1])
        return node  # NOT (what it excludes never scores) and lang:

    return fold(node, boosted)


def _has_positive(node: Node) -> bool:
    """Whether the query requires at least one word to occur (a query of only NOTs matches everything)."""

    def positive(node: Node, children: list[bool]) -> bool:
        if isinstance(node, And):
            return any(children)
        if isinstance(node, Or):
            return all(children)
        return isinstance(node, Term | ListRef | Near)

    return fold(node, positive)
