"""``articles`` and ``stories``: what is stored, newest first (read-only: never migrates)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.command import Commands, add_command, since
from cli.output import print_json
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
                print_json({"story_id": story.story_id, "articles": [a.to_json() for a in story.articles]})
                continue
            when, outlets = f"{story.updated_at:%Y-%m-%d %H:%M}", ", ".join(story.outlets)
            print(f"story {story.story_id}  {when}  {len(story.articles)} article(s)  {outlets}")
            for a in story.articles:
                print(f"  {a.outlet:<14} {a.language or '--':<3} {cell(a.title)[:80]}\n  {'':18}{cell(a.url)}")
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
