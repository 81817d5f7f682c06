"""Trying watches before they alert: ``match`` (sample texts on stdin, no database) and
``backtest`` (stored articles, read-only: never migrates)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from cli.command import Commands, UsageError, add_command, since
from cli.output import JsonLinesIn, print_json
from cli.terminal import cell

if TYPE_CHECKING:
    from alerts.watches import Matcher
    from app import App
    from config import Config, WatchConfig


def match(app: App, args: argparse.Namespace) -> int:
    """JSON lines in (id, title, text, language?), one JSON line out per input, in order."""
    from app import build_matcher
    from language import detect_language

    matcher = build_matcher(app.config, chosen_watches(app.config, args.watch))
    texts = JsonLinesIn(sys.stdin, _text, _error_record)
    for _lineno, item in texts:
        title, text = item.get("title") or "", item["text"]
        language = item.get("language") or detect_language(f"{title}\n{text}")
        hits = matcher.match(title, text, language)
        print_json({"id": item.get("id"), "matches": [hit.to_json() for hit in hits]})
        sys.stdout.flush()
    return 1 if texts.bad else 0


def _error_record(lineno: int, reason: str) -> dict[str, Any]:
    return {"id": None, "line": lineno, "error": reason, "matches": []}


def _text(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object")
    if not isinstance(item.get("text"), str) or not isinstance(item.get("title") or "", str):
        raise ValueError("'text' (and 'title', if given) must be strings")
    return item


def backtest(app: App, args: argparse.Namespace) -> int:
    """Run one watch over stored articles, oldest first, and print what would have alerted."""
    from storage import repository
    from storage.models import iso

    cfg = app.config
    if args.watch is None and args.query is None:
        raise UsageError("name a WATCH from the config, or give --query")
    matcher = _backtest_matcher(cfg, args.watch, args.query)
    app.require_schema()
    scanned = alerted = repeats = 0
    seen_stories: set[int] = set()
    with app.sessions() as session:
        articles = list(reversed(repository.list_articles(session, limit=None, since=since(args.since))))
        for article in articles:
            scanned += 1
            hits = matcher.match(article.title, article.text, article.language)
            if not hits:
                continue
            if article.story_id in seen_stories:
                repeats += 1  # one alert per story: later copies are recorded, not alerted
                continue
            seen_stories.add(article.story_id)
            alerted += 1
            hit = hits[0]
            when = article.published_at or article.created_at
            if args.json:
                print_json(
                    {
                        "article_id": article.id,
                        "url": article.url,
                        "outlet": article.outlet.slug,
                        "title": article.title,
                        "published_at": iso(when),
                        **hit.to_json(),
                    }
                )
                continue
            print(f"{when:%Y-%m-%d %H:%M}  {article.outlet.slug:<14} score {hit.score:<6} {cell(article.title)[:90]}")
            print(f"{'':18}{cell(article.url)}")
            print(f"{'':18}terms: {', '.join(hit.terms)}")
            for snippet in hit.snippets:
                print(f"{'':18}> {cell(snippet.marked())}")
    summary = f"{alerted} alerts from {scanned} articles ({repeats} more matched a story already alerted)"
    print(summary, file=sys.stderr if args.json else sys.stdout)
    return 0


def _backtest_matcher(cfg: Config, watch: str | None, query: str | None) -> Matcher:
    from alerts.watches import Matcher, WatchQueryError
    from app import build_matcher

    watches = chosen_watches(cfg, watch, query)
    if query is None:
        return build_matcher(cfg, watches)
    try:
        return Matcher.from_config(watches, cfg.lists)
    except WatchQueryError as exc:  # the query came from the command line, not the file
        raise UsageError(f"--query: {exc}\n{exc.pointer()}") from None


def chosen_watches(cfg: Config, name: str | None, query: str | None = None) -> list[WatchConfig]:
    """The watch called ``name`` (enabled or not: testing comes before enabling), or every enabled one."""
    from config import WatchConfig

    if name is None and query is None:
        return [w for w in cfg.watches if w.enabled]
    found = [w for w in cfg.watches if w.name == name]
    if query is not None:
        base = found[0] if found else WatchConfig(name=name or "query", query=query)
        return [dataclasses.replace(base, query=query, enabled=True)]
    if not found:
        known = ", ".join(w.name for w in cfg.watches) or "none configured"
        raise UsageError(f"no watch named {name!r} in [watches] (known: {known})")
    return [dataclasses.replace(found[0], enabled=True)]


def register(commands: Commands) -> None:
    parser = add_command(
        commands, "match", match, help="match JSON lines from stdin (id, title, text, language) against the watches"
    )
    parser.add_argument("--watch", metavar="NAME", help="only this watch (it may be disabled)")

    parser = add_command(
        commands, "backtest", backtest, help="run a watch over stored articles and print what it would have alerted"
    )
    parser.add_argument("watch", nargs="?", metavar="WATCH", help="a watch from the config")
    parser.add_argument("--query", metavar="Q", help="try this query instead (with WATCH's other settings, if named)")
    parser.add_argument("--since", metavar="DURATION", help="only articles from the last DURATION, e.g. 7d")
    parser.add_argument("--json", action="store_true", help="one JSON object per alert")
