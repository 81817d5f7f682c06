"""The watch query language: a tokenizer, a recursive-descent parser and the AST it builds.

Reads no configuration itself; ``alerts.matching`` compiles the AST of each
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
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

FIELDS = ("title", "body")
_FIELD_ALIASES = {"title": "title", "body": "body", "text": "body"}
_NEAR_RE = re.compile(r"NEAR/(?:(\d+)|([sp]))$", re.IGNORECASE)
_LIST_RE = re.compile(r"@([\w-]+)(?:\.([a-z]{2,3}))?")
_BOOST_RE = re.compile(r"\^(\d+(?:\.\d+)?)")
_SPACES_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r'[^\s()"^]+')


class QueryError(ValueError):
    """A query that cannot be parsed or compiled; ``position`` is a 0-based offset into it."""

    def __init__(self, message: str, position: int, query: str = "") -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position
        self.query = query

    def pointer(self) -> str:
        """The query with a caret under the offending position, for terminals."""
        return f"{self.query}\n{' ' * self.position}^"


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Term:
    """A word or phrase as written; ``prefix`` when it ended in ``*``."""

    text: str
    position: int
    field: str | None = None
    boost: float = 1.0
    prefix: bool = False


@dataclass(frozen=True)
class ListRef:
    """``@name`` (every language variant) or ``@name.vi`` (one of them)."""

    name: str
    position: int
    language: str | None = None
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


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


@dataclass(frozen=True)
class Lang:
    """``lang:vi``: true when the article's language is this one."""

    code: str
    position: int


Node = Term | ListRef | And | Or | Not | Near | Lang


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents first."""
    yield node
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, Near):
        yield from walk(node.left)
        yield from walk(node.right)


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


def tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i = _SPACES_RE.match(query, i).end()  # type: ignore[union-attr]  # it matches at least ch
        elif ch == "#" and (i + 1 == n or query[i + 1].isspace()):
            end = query.find("\n", i)  # a comment, to the end of the line
            i = n if end < 0 else end
        elif ch == "(":
            tokens.append(_Token("LPAREN", "(", i))
            i += 1
        elif ch == ")":
            tokens.append(_Token("RPAREN", ")", i))
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError('unclosed quote: expected a closing "', i, query)
            tokens.append(_Token("PHRASE", query[i + 1 : end], i))
            i = end + 1
        elif ch == "^":
            match = _BOOST_RE.match(query, i)
            if not match:
                raise QueryError("expected a number after ^ (a boost like ^2)", i + 1, query)
            tokens.append(_Token("BOOST", match.group(1), i))
            i = match.end()
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != "-":
            tokens.append(_Token("MINUS", "-", i))
            i += 1
        elif ch == "@":
            match = _LIST_RE.match(query, i)
            if not match:
                raise QueryError("expected a list name after @ (like @vietnam)", i + 1, query)
            tokens.append(_Token("LIST", match.group(1), i, match.group(2) or ""))
            i = match.end()
        else:
            start = i
            i = _WORD_RE.match(query, i).end()  # type: ignore[union-attr]  # ch is not special: it matches
            word = query[start:i]
            colon = word.find(":")
            if colon > 0 and word[:colon].isalpha() and word[:colon].isascii():
                name = word[:colon].lower()
                if name not in (*_FIELD_ALIASES, "lang"):
                    raise QueryError(
                        f"unknown field {word[:colon]!r}: expected title:, body: or lang: "
                        "(quote the word to search for it)",
                        start,
                        query,
                    )
                tokens.append(_Token("FIELD", name, start))
                i = start + colon + 1  # the rest is read as the next token
                continue
            kind = {"AND": "AND", "OR": "OR", "NOT": "NOT"}.get(word, "WORD")
            if word.upper().startswith("NEAR/") and word.startswith("NEAR"):
                kind = "NEAR"
            tokens.append(_Token(kind, word, start))
    tokens.append(_Token("EOF", "", n))
    return tokens


# --------------------------------------------------------------------------- parser


@lru_cache(maxsize=8192)
def parse(query: str) -> Node:
    """Parse a query into its AST; raise ``QueryError`` at the first problem.

    Cached: the AST is immutable, and a config reload re-parses only the queries that changed.
    """
    if not query.strip():
        raise QueryError("empty query: expected a term, a phrase or @list", 0, query)
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.pos = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def advance(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
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
        node = self.unary(field)
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
            right = self.unary(field)
            for side, where in ((node, op), (right, right_token)):
                if not _positional(side):
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
        if not any(ch.isalnum() for ch in body):
            raise QueryError("expected a term with letters or digits", position, self.query)
        if prefix and sum(ch.isalnum() for ch in body.split()[-1]) < 3:
            raise QueryError("a wildcard needs at least 3 letters before '*'", position, self.query)
        return Term(" ".join(body.split()), position, field, 1.0, prefix)


_STARTS_OPERAND = {"WORD", "PHRASE", "LIST", "LPAREN", "NOT", "MINUS", "FIELD"}


def _apply_boost(node: Node, boost: float) -> Node:
    if isinstance(node, Term | ListRef):
        return dataclasses.replace(node, boost=node.boost * boost)
    if isinstance(node, And | Or):
        return type(node)(tuple(_apply_boost(c, boost) for c in node.children))
    if isinstance(node, Near):
        return dataclasses.replace(node, left=_apply_boost(node.left, boost), right=_apply_boost(node.right, boost))
    return node


def _positional(node: Node) -> bool:
    """True when every part of ``node`` stands for words in the text (usable inside NEAR)."""
    return not any(isinstance(n, Not | Lang) for n in walk(node))


def _has_positive(node: Node) -> bool:
    """Whether the query requires at least one word to occur (a query of only NOTs matches everything)."""
    if isinstance(node, Term | ListRef | Near):
        return True
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(_has_positive(c) for c in node.children)
    return False
