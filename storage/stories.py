"""Stories: reading them back with their articles, outlets and languages (``run.py stories``),
and merging two or more stories that one bridging article showed to be one event (ingest).

Repository-style functions: the session comes first and nothing is committed. Reads no
configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import Article, Story, WatchMatch


@dataclass(frozen=True)
class StoryArticle:
    url: str
    outlet: str
    language: str | None
    title: str

    def to_json(self) -> dict[str, str | None]:
        return {"url": self.url, "outlet": self.outlet, "language": self.language, "title": self.title}


@dataclass(frozen=True)
class StoryView:
    """A story as a user sees it: its first article first, then later copies in order."""

    story_id: int
    title: str
    created_at: datetime
    updated_at: datetime
    first_article_id: int | None
    articles: list[StoryArticle]

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(a.outlet for a in self.articles))

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys(a.language for a in self.articles if a.language))


def list_stories(session: Session, since: datetime | None = None, limit: int | None = 50) -> list[StoryView]:
    """Stories newest first (by their latest article), each with all its articles."""
    query = (
        select(Story)
        .options(selectinload(Story.articles).selectinload(Article.outlet))
        .order_by(Story.updated_at.desc(), Story.id.desc())
    )
    if since is not None:
        query = query.where(Story.updated_at >= since)
    if limit is not None:
        query = query.limit(limit)
    return [_view(story) for story in session.scalars(query)]


def story_of(session: Session, article_id: int) -> StoryView | None:
    article = session.get(Article, article_id)
    return _view(article.story) if article is not None else None


def _view(story: Story) -> StoryView:
    articles = [StoryArticle(a.url, a.outlet.slug, a.language, a.title) for a in story.articles]
    return StoryView(story.id, story.title, story.created_at, story.updated_at, story.first_article_id, articles)


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
