"""Stories: reading them back with their articles, outlets and languages (``run.py stories``),
and merging two or more stories that one bridging article showed to be one event (ingest).

Repository-style functions: the session comes first and nothing is committed. Reads no
configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import Article, Outlet, Story, StoryCopy, WatchMatch, iso


@dataclass(frozen=True)
class StoryArticle:
    """A stored article of a story, with why it joined (``articles.joined_by``, written at
    ingest: the route, the similarity or shared text, the shared anchors, the article matched;
    None for the story's first article)."""

    id: int
    url: str
    outlet: str
    language: str | None
    title: str
    published_at: datetime | None
    joined_by: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "outlet": self.outlet,
            "language": self.language,
            "title": self.title,
            "published_at": iso(self.published_at),
            "joined_by": self.joined_by,
        }


@dataclass(frozen=True)
class StoryCopyView:
    """The text of a stored article, seen at another address or outlet and not stored again."""

    url: str
    outlet: str
    title: str
    copy_of: int  # the stored article with the same text
    seen_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "outlet": self.outlet,
            "title": self.title,
            "copy_of": self.copy_of,
            "seen_at": iso(self.seen_at),
        }


@dataclass(frozen=True)
class StoryView:
    """A story as a user sees it: its first article first, then later ones in order, then the
    copies of their text other addresses or outlets ran."""

    story_id: int
    title: str
    created_at: datetime
    updated_at: datetime
    first_article_id: int | None
    articles: list[StoryArticle]
    copies: list[StoryCopyView] = field(default_factory=list)

    @property
    def outlets(self) -> list[str]:
        """Every outlet that ran the story: those of its articles, then those of the copies."""
        return list(dict.fromkeys([*(a.outlet for a in self.articles), *(c.outlet for c in self.copies)]))

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys(a.language for a in self.articles if a.language))

    def to_json(self) -> dict[str, Any]:
        return {
            "story_id": self.story_id,
            "title": self.title,
            "updated_at": iso(self.updated_at),
            "outlets": self.outlets,
            "articles": [a.to_json() for a in self.articles],
            "copies": [c.to_json() for c in self.copies],
        }


def list_stories(session: Session, since: datetime | None = None, limit: int | None = 50) -> list[StoryView]:
    """Stories newest first (by their latest article), each with all its articles and copies."""
    query = (
        select(Story)
        .options(selectinload(Story.articles).selectinload(Article.outlet))
        .order_by(Story.updated_at.desc(), Story.id.desc())
    )
    if since is not None:
        query = query.where(Story.updated_at >= since)
    if limit is not None:
        query = query.limit(limit)
    found = list(session.scalars(query))
    copies = copies_of(session, [s.id for s in found])
    return [_view(story, copies.get(story.id, [])) for story in found]


def get_story(session: Session, story_id: int) -> StoryView | None:
    story = session.get(Story, story_id)
    return _view(story, copies_of(session, [story_id]).get(story_id, [])) if story is not None else None


def story_of(session: Session, article_id: int) -> StoryView | None:
    article = session.get(Article, article_id)
    return get_story(session, article.story_id) if article is not None else None


def copies_of(session: Session, story_ids: Sequence[int]) -> dict[int, list[StoryCopyView]]:
    """The recorded copies of these stories' articles, by story, in the order they were seen."""
    if not story_ids:
        return {}
    rows = session.execute(
        select(Article.story_id, StoryCopy, Outlet.slug)
        .join(Article, Article.id == StoryCopy.article_id)
        .join(Outlet, Outlet.id == StoryCopy.outlet_id)
        .where(Article.story_id.in_(story_ids))
        .order_by(StoryCopy.id)
    )
    found: dict[int, list[StoryCopyView]] = {}
    for story_id, copy, slug in rows:
        view = StoryCopyView(copy.url, slug, copy.title, copy.article_id, copy.seen_at)
        found.setdefault(story_id, []).append(view)
    return found


def _view(story: Story, copies: list[StoryCopyView]) -> StoryView:
    articles = [
        StoryArticle(a.id, a.url, a.outlet.slug, a.language, a.title, a.published_at, a.joined_by)
        for a in story.articles
    ]
    first = story.first_article_id
    return StoryView(story.id, story.title, story.created_at, story.updated_at, first, articles, copies)


def merge_stories(session: Session, stories: list[Story], now: datetime) -> Story:
    """Merge ``stories`` into the oldest of them and return it; the others are deleted.

    Their articles and watch matches move to the oldest story. Alerts already sent stay sent;
    the one-alert-per-story-and-watch key (``WatchMatch.alert_key``, ``"<story_id>/<watch>"``)
    is carried over so the merged story counts as alerted for every watch that alerted any of
    its parts: when the oldest story has no key for a watch, the earliest alerting match of a
    younger story takes it over; the younger stories' other keys are cleared (their match rows
    keep ``alerted``, as history), so a later story that gets a freed id (SQLite reuses the
    highest) does not find a key it never earned.
    """
    oldest = min(stories, key=lambda s: (s.created_at, s.id))
    younger = [s for s in stories if s.id != oldest.id]
    if not younger:
        return oldest
    ids = [s.id for s in younger]
    keyed = session.scalars(
        select(WatchMatch)
        .where(WatchMatch.story_id.in_([oldest.id, *ids]), WatchMatch.alert_key.is_not(None))
        .order_by(WatchMatch.id)
    ).all()
    held = {m.watch for m in keyed if m.story_id == oldest.id}
    for match in keyed:
        if match.story_id == oldest.id:
            continue
        if match.watch in held:
            match.alert_key = None
        else:
            match.alert_key = f"{oldest.id}/{match.watch}"
            held.add(match.watch)
    session.flush()  # the keys first: the updates below must not carry stale key values
    session.execute(update(WatchMatch).where(WatchMatch.story_id.in_(ids)).values(story_id=oldest.id))
    session.execute(update(Article).where(Article.story_id.in_(ids)).values(story_id=oldest.id))
    firsts = [s.first_article_id for s in stories if s.first_article_id is not None]
    oldest.first_article_id = min(firsts) if firsts else None
    oldest.article_count = sum(s.article_count or 0 for s in stories)
    oldest.updated_at = max([now, *(s.updated_at for s in stories)])
    session.execute(delete(Story).where(Story.id.in_(ids)))
    session.expire(oldest, ["articles"])
    return oldest


def explain(joined_by: dict[str, Any] | None) -> str:
    """Why an article is in its story, in words, from what ingest stored (``joined_by``):
    "" for a story's first report."""
    if not joined_by:
        return ""
    route = str(joined_by.get("route", "?"))
    parts = [route]
    if joined_by.get("article") is not None:
        parts[0] += f" of article {joined_by['article']}"
    if "shared text" in joined_by:
        parts.append(f"{float(joined_by['shared text']):.0%} of its text shared")
    if "similarity" in joined_by:
        parts.append(f"similarity {float(joined_by['similarity']):.2f}")
    if "lead similarity" in joined_by:  # a partial translation: one lead against the other's body
        parts[-1] += (
            f" from paragraph {joined_by.get('from paragraph')} of the longer text"
            f" (leads {float(joined_by['lead similarity']):.2f})"
        )
    anchors = [str(a) for a in joined_by.get("anchors") or []]
    if anchors:
        parts.append("shared: " + ", ".join(anchors[:8]) + (f" +{len(anchors) - 8}" if len(anchors) > 8 else ""))
    merged = joined_by.get("merged stories")
    if merged:
        parts.append("merged stories " + ", ".join(str(m) for m in merged))
    return "; ".join(parts)
