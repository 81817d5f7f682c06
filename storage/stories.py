"""Reading stories back: each story with its articles, outlets and languages (``run.py stories``).

Repository-style functions: the session comes first and nothing is committed. Reads no
configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import Article, Story


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
