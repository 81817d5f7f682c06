"""The query language as a watch author meets it: what a query means, and what a mistake says."""

from __future__ import annotations

import pytest

from alerts.watches import QueryError, parse
from alerts.watches.syntax import And, Lang, ListRef, Near, Not, Or, Term


def words(node: object) -> object:
    """The tree with terms reduced to their text, to compare shapes briefly."""
    if isinstance(node, Term):
        return node.text + ("*" if node.prefix else "")
    if isinstance(node, ListRef):
        return "@" + node.name + (f".{node.language}" if node.language else "")
    if isinstance(node, And):
        return ("AND", *map(words, node.children))
    if isinstance(node, Or):
        return ("OR", *map(words, node.children))
    if isinstance(node, Not):
        return ("NOT", words(node.child))
    if isinstance(node, Near):
        op = f"NEAR/{node.distance}" if node.unit == "words" else f"NEAR/{node.unit[0]}"
        return ("NOT " if node.negated else "") + op, words(node.left), words(node.right)
    if isinstance(node, Lang):
        return f"lang:{node.code}"
    raise AssertionError(node)


@pytest.mark.parametrize(
    ("query", "shape"),
    [
        ("navy", "navy"),
        ("navy Malaysia", ("AND", "navy", "Malaysia")),  # juxtaposition is AND, as in Google
        ("a AND b OR c", ("OR", ("AND", "a", "b"), "c")),  # AND binds tighter than OR
        ("a OR b c", ("OR", "a", ("AND", "b", "c"))),
        ("(a OR b) c", ("AND", ("OR", "a", "b"), "c")),
        ("a -b", ("AND", "a", ("NOT", "b"))),
        ("a NOT b", ("AND", "a", ("NOT", "b"))),
        ('"hải quân" Malaysia', ("AND", "hải quân", "Malaysia")),
        ("a NEAR/5 b", ("NEAR/5", "a", "b")),
        ("a NEAR/s b NEAR/p c", ("NEAR/p", ("NEAR/s", "a", "b"), "c")),
        ("a NOT NEAR/s b", ("NOT NEAR/s", "a", "b")),
        ("a b NEAR/3 c", ("AND", "a", ("NEAR/3", "b", "c"))),  # NEAR binds tighter than AND
        ("@vietnam AND @malaysia.ms", ("AND", "@vietnam", "@malaysia.ms")),
        ("defen* lang:en", ("AND", "defen*", "lang:en")),
        ("navy # a comment\n OR coastguard", ("OR", "navy", "coastguard")),
        ("Viet-Nam co-operation", ("AND", "Viet-Nam", "co-operation")),  # hyphens inside words stay
        ("and or", ("AND", "and", "or")),  # lower case: ordinary words
    ],
)
def test_queries_mean_what_they_say(query: str, shape: object) -> None:
    assert words(parse(query)) == shape


def test_field_scope_and_boost_reach_every_term_inside() -> None:
    node = parse('title:(navy OR "coast guard")^2 body:MMEA')
    assert isinstance(node, And)
    scoped, body = node.children
    assert isinstance(scoped, Or) and isinstance(body, Term)
    assert [(t.field, t.boost) for t in scoped.children if isinstance(t, Term)] == [("title", 2.0), ("title", 2.0)]
    assert (body.field, body.text) == ("body", "MMEA")


@pytest.mark.parametrize(
    ("query", "position", "says"),
    [
        ('navy "hải quân', 5, 'expected a closing "'),
        ("(navy OR MMEA", 13, "expected ')' to close the '(' at position 0"),
        ("navy)", 4, "unbalanced ')'"),
        ("AND navy", 0, "before this operator"),
        ("navy OR", 7, "expected a term, a phrase, @list or '(', found the end of the query"),
        ("navy NEAR/x MMEA", 5, "NEAR/s (same sentence)"),
        ("navy NEAR/5 -MMEA", 12, "NOT and lang: cannot be used inside it"),
        ("-football", 0, "only excludes"),
        ("", 0, "empty query"),
        ("auhtor:Lam", 0, "unknown field 'auhtor'"),
        ("title:", 6, "after title:"),
        ("title:(body:navy)", 7, "can never match"),
        ("de*fence", 2, "only at the end of a word"),
        ("na*", 0, "at least 3 letters"),
        ("lang:vietnamese navy", 5, "language code"),
        ("()", 1, "a term inside the parentheses"),
        ("@", 1, "list name after @"),
    ],
)
def test_errors_point_at_the_position_and_say_what_was_expected(query: str, position: int, says: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position, str(caught.value)
    assert says in str(caught.value)
    assert f"at position {position}" in str(caught.value)
    assert caught.value.pointer().splitlines()[-1] == " " * position + "^"
