"""The watch engine: a query language and a matcher from an article's text to the watches it matches.

Pure (no I/O, no database), so the alerts pipeline, ``run.py match`` and ``run.py backtest``
all use it the same way::

    matcher = Matcher.from_config(config.watches, config.lists)   # WatchQueryError if a query is bad
    hits = matcher.match(title, text, language)                   # [WatchHit(watch, score, terms, snippets)]

Modules, in the order an article meets them: ``syntax`` (the query AST, its walker, the
parser), ``compiler`` (compiled terms and nodes, and how a node evaluates), ``normalize`` (the
text form everything is matched in), ``document`` (one article: occurrences, proximity,
snippets) and ``matcher`` (the index of every watch's terms, candidate search, scoring).
"""

from __future__ import annotations

from alerts.errors import QueryError, WatchQueryError
from alerts.watches.document import Snippet
from alerts.watches.matcher import Matcher, WatchHit
from alerts.watches.syntax import parse

__all__ = ["Matcher", "QueryError", "Snippet", "WatchHit", "WatchQueryError", "parse"]
