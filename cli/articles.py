"""``articles`` and ``stories``: what is stored, newest first; ``articles show ID``: one article's
stored text with its metadata (where its date came from, why it is in its story); ``stories
show ID``: one story (read-only: never migrate)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.command import CommandError, Commands, UsageError, add_command, since
from cli.output import Column, count, print_json, table
from cli.terminal import cell

if TYPE_CHECKING:
    from app import App
    from storage.browse import ArticleDetail


def articles(app: App, args: argparse.Namespace) -> int:
    from storage import repository
    from storage.models import iso

    if args.text and not args.json:
        raise UsageError("--text goes with --json (the text of every article, as JSON lines)")
    app.require_schema()
    with app.sessions() as session:
        for a in repository.list_articles(session, limit=args.limit, since=since(args.since), outlet=args.outlet):
            if args.json:
                record = {
                    "id": a.id,
                    "url": a.url,
                    "canonical_url": a.canonical_url,
                    "outlet": a.outlet.slug,
                    "title": a.title,
                    "language": a.language,
                    "author": a.author,
                    "published_at": iso(a.published_at),
                    "date_source": a.date_source,
                    "fetched_at": iso(a.fetched_at),
                    "story_id": a.story_id,
                }
                print_json({**record, "text": a.text} if args.text else record)
            else:
                when = (a.published_at or a.created_at).strftime("%Y-%m-%d %H:%M")
                print(f"{when}  {a.outlet.slug:<14} {a.language or '--':<3} {cell(a.title)[:80]}\n{'':33}{cell(a.url)}")
    return 0


# What ``Article.date_source`` says, for people.
DATE_SOURCES = {
    "metadata": "the page's metadata",
    "markup": "the page's markup (a <time> element, the URL)",
    "visible date": "a date shown on the page",
    "text guess": "a date found in the page's text (a guess)",
    "dateline": "the wire dateline (the day only)",
    "feed or sitemap": "the feed or sitemap item (the page gave none)",
    "import": "the imported record",
}


def show_article(app: App, args: argparse.Namespace) -> int:
    """One stored article: its metadata, then its text exactly as stored (what watches matched)."""
    from storage import browse

    app.require_schema()
    with app.sessions() as session:
        found = browse.article(session, args.article_id)
    if found is None:
        raise CommandError(f"no article {args.article_id} (see 'articles' for the stored ones)")
    if args.json or args.show_json:
        print_json(article_json(found))
        return 0
    a = found.line
    rows = [
        ("outlet", f"{a.outlet} ({found.outlet_name})"),
        ("url", a.url),
        *([("canonical", found.canonical_url)] if found.canonical_url != a.url else []),
        ("title", a.title),
        ("published", _published(found)),
        ("language", a.language or "unknown"),
        ("author", found.author or "-"),
        ("story", f"{a.story_id} ({count(found.story_articles, 'article')}): {found.story_title}"),
        ("joined", _joined(found)),
        ("fetched", f"{found.fetched_at:%Y-%m-%d %H:%M} UTC; stored {a.created_at:%Y-%m-%d %H:%M} UTC"),
        ("length", f"{len(found.text)} characters, {found.words} words, {len(found.paragraphs)} paragraphs"),
    ]
    if not found.alertable:
        rows.append(("alerts", "never: older than alerts.max_article_age when it was stored"))
    if found.matches:
        rows.append(("watches", ", ".join(f"{m.watch} (score {m.score:.1f})" for m in found.matches)))
    print(f"article {a.id}")
    for label, value in rows:
        print(f"  {label:<10} {cell(value)}")
    print()
    print(found.text)  # its own lines kept; every other control character escaped (cli.terminal)
    return 0


def _published(found: ArticleDetail) -> str:
    when = found.line.published_at
    if when is None:
        return "unknown: no date on the page or in its feed (listed by the time it was stored)"
    source = DATE_SOURCES.get(found.date_source or "", found.date_source or "not recorded (stored before 0010)")
    return f"{when:%Y-%m-%d %H:%M} UTC, from {source}"


def _joined(found: ArticleDetail) -> str:
    from storage.stories import explain

    return explain(found.joined_by) or "its story's first report (or a story merged into it)"


def article_json(found: ArticleDetail) -> dict[str, Any]:
    from storage.models import iso

    a = found.line
    return {
        "id": a.id,
        "url": a.url,
        "canonical_url": found.canonical_url,
        "outlet": a.outlet,
        "outlet_name": found.outlet_name,
        "title": a.title,
        "language": a.language,
        "author": found.author,
        "published_at": iso(a.published_at),
        "date_source": found.date_source,
        "fetched_at": iso(found.fetched_at),
        "stored_at": iso(a.created_at),
        "story_id": a.story_id,
        "joined_by": found.joined_by,
        "alertable": found.alertable,
        "watches": [m.watch for m in found.matches],
        "length": len(found.text),
        "text": found.text,
    }


def stories(app: App, args: argparse.Namespace) -> int:
    from storage.stories import list_stories

    app.require_schema()
    with app.sessions() as session:
        for story in list_stories(session, since=since(args.since), limit=args.limit):
            if args.json:
                print_json(story.to_json())
                continue
            when, outlets = f"{story.updated_at:%Y-%m-%d %H:%M}", ", ".join(story.outlets)
            copies = f", {count(len(story.copies), 'copy', 'copies')}" if story.copies else ""
            print(f"story {story.story_id}  {when}  {count(len(story.articles), 'article')}{copies}  {outlets}")
            for a in story.articles:
                print(f"  {a.outlet:<14} {a.language or '--':<3} {cell(a.title)[:80]}\n  {'':18}{cell(a.url)}")
            for c in story.copies:
                where = f"{cell(c.url)} (copy of article {c.copy_of})"
                print(f"  {c.outlet:<14} {'':<3} {cell(c.title)[:80]}\n  {'':18}{where}")
    return 0


STORY_COLUMNS = (
    Column("article", 7, right=True),
    Column("published", 16),
    Column("outlet", 14),
    Column("lang", 4),
    Column("title", 44, clip=44),
    Column("why it is in this story"),
)


def show_story(app: App, args: argparse.Namespace) -> int:
    """One story: each article with why it joined (read from what ingest stored), then its copies."""
    from storage.models import iso
    from storage.stories import explain, get_story

    app.require_schema()
    with app.sessions() as session:
        story = get_story(session, args.story_id)
    if story is None:
        raise CommandError(f"no story {args.story_id} (a story merged into another one is gone: see 'stories')")
    if args.json:
        print_json(story.to_json())
        return 0
    print(f"story {story.story_id}: {cell(story.title)}")
    copies = count(len(story.copies), "copy", "copies")
    print(f"{count(len(story.articles), 'article')}, {copies}, from {', '.join(story.outlets)}")
    rows: list[tuple[object, ...]] = []
    for a in story.articles:
        first = "first report" if a.id == story.first_article_id else "first report of a story merged into this one"
        when = iso(a.published_at, "minutes") or ""
        rows.append((a.id, when[:16], a.outlet, a.language or "--", a.title, explain(a.joined_by) or first))
    for c in story.copies:
        seen = c.seen_at.isoformat(timespec="minutes")[:16]
        rows.append(("copy", seen, c.outlet, "", c.title, f"copy of article {c.copy_of}: the same text at {c.url}"))
    print(table(STORY_COLUMNS, rows))
    return 0


def register(commands: Commands) -> None:
    parser = add_command(commands, "articles", articles, help="list stored articles, newest first")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--since", metavar="DURATION", help="only articles from the last DURATION, e.g. 24h")
    parser.add_argument("--outlet", metavar="SLUG")
    parser.add_argument("--text", action="store_true", help="with --json: each article's stored text too")
    actions = parser.add_subparsers(dest="articles_command", metavar="ACTION")
    action = add_command(actions, "show", show_article, help="one article: its metadata, then its stored text")
    action.add_argument("article_id", type=int, metavar="ID")
    action.add_argument("--json", dest="show_json", action="store_true", help="the article as one JSON object")

    parser = add_command(commands, "stories", stories, help="stories newest first, each with every outlet's article")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--since", metavar="DURATION", help="only stories updated in the last DURATION, e.g. 24h")
    actions = parser.add_subparsers(dest="stories_command", metavar="ACTION")
    action = add_command(actions, "show", show_story, help="one story: why each article joined it, and its copies")
    action.add_argument("story_id", type=int, metavar="ID")
    action.add_argument("--json", action="store_true", help="the story as one JSON object")
