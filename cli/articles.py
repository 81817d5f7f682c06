"""``articles`` and ``stories``: what is stored, newest first (read-only: never migrates)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.command import CommandError, Commands, add_command, since
from cli.output import Column, print_json, table
from cli.terminal import cell

if TYPE_CHECKING:
    from app import App


def articles(app: App, args: argparse.Namespace) -> int:
    from storage import repository
    from storage.models import iso

    app.require_schema()
    with app.sessions() as session:
        for a in repository.list_articles(session, limit=args.limit, since=since(args.since), outlet=args.outlet):
            if args.json:
                print_json(
                    {
                        "id": a.id,
                        "url": a.url,
                        "canonical_url": a.canonical_url,
                        "outlet": a.outlet.slug,
                        "title": a.title,
                        "language": a.language,
                        "author": a.author,
                        "published_at": iso(a.published_at),
                        "fetched_at": iso(a.fetched_at),
                        "story_id": a.story_id,
                    }
                )
            else:
                when = (a.published_at or a.created_at).strftime("%Y-%m-%d %H:%M")
                print(f"{when}  {a.outlet.slug:<14} {a.language or '--':<3} {cell(a.title)[:80]}\n{'':33}{cell(a.url)}")
    return 0


def stories(app: App, args: argparse.Namespace) -> int:
    from storage.stories import list_stories

    app.require_schema()
    with app.sessions() as session:
        for story in list_stories(session, since=since(args.since), limit=args.limit):
            if args.json:
                print_json(story.to_json())
                continue
            when, outlets = f"{story.updated_at:%Y-%m-%d %H:%M}", ", ".join(story.outlets)
            copies = f", {len(story.copies)} copies" if story.copies else ""
            print(f"story {story.story_id}  {when}  {len(story.articles)} article(s){copies}  {outlets}")
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
    print(f"{len(story.articles)} article(s), {len(story.copies)} copies, from {', '.join(story.outlets)}")
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

    parser = add_command(commands, "stories", stories, help="stories newest first, each with every outlet's article")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--since", metavar="DURATION", help="only stories updated in the last DURATION, e.g. 24h")
    actions = parser.add_subparsers(dest="stories_command", metavar="ACTION")
    action = add_command(actions, "show", show_story, help="one story: why each article joined it, and its copies")
    action.add_argument("story_id", type=int, metavar="ID")
    action.add_argument("--json", action="store_true", help="the story as one JSON object")
