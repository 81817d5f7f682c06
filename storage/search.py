"""Full-text search over stored articles (title and text), on SQLite and PostgreSQL.

The schema support comes from migration 0002 (Alembic is the only path to the schema):

* SQLite: an FTS5 table ``articles_fts`` holding no copy of the text (``content='articles'``),
  kept in step by three triggers on ``articles``, with the ``unicode61`` tokenizer folding
  diacritics (``viet nam`` finds ``Việt Nam``; ``đ`` is a letter of its own, not a ``d``
  with a mark, so ``danh`` does not find ``đánh``).
* PostgreSQL: a stored generated column ``articles.search_vector``,
  ``to_tsvector('simple', newswatch_fold(title || ' ' || text))``, with a GIN index, where
  ``newswatch_fold`` is an immutable SQL function (NFD, then no combining marks) that drops
  the same marks;
  the ``simple`` configuration does no stemming, as the articles are in several languages.

A search looks at the newest ``MATCH_LIMIT`` matching articles (newest by id, which is the
order they were stored in): a word found in most of 100,000 articles then costs a walk down
the index, not a sort of every match. The console says when the limit was reached.

Both accept the web-search syntax people type into a search box: words (all of them must
occur), ``"a phrase"``, ``a OR b`` and ``-word``. :func:`parse_search` reads it once and each
backend gets its own form of it, so a stray quote or operator never becomes a syntax error.
Reads no configuration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, text
from sqlalchemy.orm import Session

from storage.models import Article

MATCH_LIMIT = 1000

_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class SearchQuery:
    """A search as typed: ``groups`` must all match (each group is alternatives joined by OR,
    each alternative a word or phrase); ``excluded`` must not occur."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()
    typed: str = ""

    def __bool__(self) -> bool:
        return bool(self.groups)


def parse_search(typed: str) -> SearchQuery:
    """Words, ``"phrases"``, ``OR`` between two terms and ``-excluded`` terms; anything else is
    taken as words. A query with nothing to find (only exclusions) is empty."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    for match in _TOKEN_RE.finditer(typed):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word == "OR":
            join_next = bool(groups)
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        term = " ".join(_words(phrase if phrase is not None else word or ""))
        if not term:
            continue
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return SearchQuery(tuple(tuple(g) for g in groups), tuple(excluded), typed.strip())


def _words(text: str) -> list[str]:
    """Letters and digits only: punctuation means nothing to either index."""
    return re.findall(r"\w+", text)


def fts5_expression(query: SearchQuery) -> str:
    """The query in FTS5's syntax, every term quoted (so no word is read as an operator)."""

    def quoted(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    parts = ["(" + " OR ".join(quoted(t) for t in group) + ")" for group in query.groups]
    expression = " AND ".join(parts)
    for term in query.excluded:
        expression += f" NOT {quoted(term)}"
    return expression


def postgres_expression(query: SearchQuery) -> str:
    """The query in ``websearch_to_tsquery``'s syntax (the same syntax, normalised)."""
    parts = [" OR ".join(f'"{t}"' if " " in t else t for t in group) for group in query.groups]
    parts += [f'-"{t}"' if " " in t else f"-{t}" for t in query.excluded]
    return " ".join(parts)


def matching_article_ids(session: Session, query: SearchQuery, limit: int = MATCH_LIMIT) -> Select[Any]:
    """A subquery of the ids of the newest ``limit`` articles that match (use it with ``IN``)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        rowid = literal_column("rowid", type_=Article.id.type)
        match = text("articles_fts MATCH :fts").bindparams(bindparam("fts", fts5_expression(query)))
        return select(rowid).select_from(text("articles_fts")).where(match).order_by(rowid.desc()).limit(limit)
    if dialect == "postgresql":
        match = text("articles.search_vector @@ websearch_to_tsquery('simple', newswatch_fold(:tsq))").bindparams(
            bindparam("tsq", postgres_expression(query))
        )
        return select(Article.id).where(match).order_by(Article.id.desc()).limit(limit)
    raise NotImplementedError(f"full-text search is not available on {dialect}")


def count_matches(session: Session, query: SearchQuery, limit: int = MATCH_LIMIT) -> int:
    """How many articles match, counted up to ``limit + 1`` (so "more than ``limit``" shows)."""
    found = session.scalar(select(func.count()).select_from(matching_article_ids(session, query, limit + 1).subquery()))
    return int(found or 0)
